/**
 * Rung 7: the module on a REAL Dagger engine, through the Dagger CLI exactly as a user calls it.
 *
 * Runs only where a Dagger CLI works (`dagger version`) and Docker answers (`docker info`: the CLI
 * starts its engine as a container). Elsewhere it prints a loud skip message and skips — rung 7 is
 * the only rung allowed to skip under CI=true (the GitHub workflow e2e.yml runs it). With
 * MULTIARCH_REQUIRE_ENGINE=1 (set by e2e.yml) a missing engine FAILS instead of skipping.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { rungAvailable } from "../support/rung.js"
import { run } from "../support/hostplan.js"
import { tarballPlatforms } from "./oci.js"

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const PLATFORMS = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
const REQUIRED = process.env.MULTIARCH_REQUIRE_ENGINE === "1"
const MINUTES = 60_000

function works(argv: string[]): boolean {
  try {
    execFileSync(argv[0], argv.slice(1), { stdio: "ignore", timeout: 60_000 })
    return true
  } catch {
    return false
  }
}

const requirements = {
  "a working Dagger CLI (`dagger version`)": works(["dagger", "version"]),
  "a Docker daemon for the Dagger engine (`docker info`)": works(["docker", "info"]),
}
const missing = Object.entries(requirements).filter(([, ok]) => !ok).map(([k]) => k)
if (REQUIRED && missing.length) throw new Error(`rung 7 is required here (MULTIARCH_REQUIRE_ENGINE=1) but missing: ${missing.join(", ")}`)
const available = rungAvailable("rung 7: real Dagger engine", requirements, true)
if (!available)
  console.warn(
    [
      "",
      "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
      "!!! RUNG 7 (REAL DAGGER ENGINE) SKIPPED: test/e2e did NOT run.",
      `!!! missing: ${missing.join("; ")}`,
      "!!! It runs in the GitHub workflow .github/workflows/e2e.yml (Docker + Dagger CLI 0.21.9).",
      "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
      "",
    ].join("\n"),
  )

describe.skipIf(!available)("rung 7: the module on a real Dagger engine (dagger call)", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "multiarch-e2e-"))
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

  it(
    "the design card's command, from a project directory outside the module's repository (no --source): the engine passes the caller's workspace, which is what gets built",
    async () => {
      // a copy of the Go fixture in its own git repository, next to nothing of multiarch's
      const app = path.join(tmp, "app")
      fs.cpSync(path.join(REPO, "test/fixtures/go-hello"), app, { recursive: true })
      fs.writeFileSync(path.join(app, ".env"), "not=uploaded\n")
      execFileSync("git", ["init", "-q", app])
      const plan = await run(["dagger", "--progress=plain", "-m", REPO, "call", "plan", "--platforms=linux/arm64"], { cwd: app, timeoutMs: 20 * MINUTES })
      expect(plan.status, `dagger call plan failed:\n${plan.stderr.slice(-6000)}`).toBe(0)
      expect(JSON.parse(plan.stdout)).toMatchObject({ toolchain: "go", platforms: [{ platform: "linux/arm64" }] })
      const tar = path.join(tmp, "card.tar")
      const r = await run(["dagger", "--progress=plain", "-m", REPO, "call", "build", "--platforms=linux/amd64,linux/arm64", "tarball", "export", `--path=${tar}`], { cwd: app, timeoutMs: 40 * MINUTES })
      expect(r.status, `dagger call failed:\n${r.stderr.slice(-6000)}`).toBe(0)
      expect(tarballPlatforms(tar).sort()).toEqual(["linux/amd64", "linux/arm64"])
    },
    45 * MINUTES,
  )

  it(
    "build --platforms linux/amd64,linux/arm64,linux/arm/v7 tarball export: one index with exactly those platforms",
    async () => {
      const tar = path.join(tmp, "image.tar")
      const r = await run(
        ["dagger", "--progress=plain", "call", "build", "--source=test/fixtures/go-hello", `--platforms=${PLATFORMS.join(",")}`, "tarball", "export", `--path=${tar}`],
        { cwd: REPO, timeoutMs: 40 * MINUTES },
      )
      expect(r.status, `dagger call failed:\n${r.stderr.slice(-6000)}`).toBe(0)
      expect(fs.statSync(tar).size).toBeGreaterThan(1000)
      expect(tarballPlatforms(tar).sort()).toEqual([...PLATFORMS].sort())
    },
    45 * MINUTES,
  )

  it(
    "plan: Go detected, every platform cross-compiled on the engine's native builder, GOARM=7 for arm/v7",
    async () => {
      const r = await run(["dagger", "--progress=plain", "call", "plan", "--source=test/fixtures/go-hello", `--platforms=${PLATFORMS.join(",")}`], {
        cwd: REPO,
        timeoutMs: 20 * MINUTES,
      })
      expect(r.status, `dagger call plan failed:\n${r.stderr.slice(-6000)}`).toBe(0)
      const plan = JSON.parse(r.stdout) as {
        toolchain: string
        native: string
        platforms: Array<{ platform: string; mode: string; builder: { platform: string }; env: Record<string, string> }>
      }
      expect(plan.toolchain).toBe("go")
      expect(plan.native).toMatch(/^linux\/(amd64|arm64)$/)
      expect(plan.platforms.map((p) => p.platform)).toEqual(PLATFORMS)
      for (const p of plan.platforms) {
        expect(p.mode, p.platform).toBe("cross")
        expect(p.builder.platform, p.platform).toBe("native")
      }
      expect(plan.platforms[2].env).toMatchObject({ GOOS: "linux", GOARCH: "arm", GOARM: "7" })
    },
    25 * MINUTES,
  )
})
