/**
 * The checks of .github/workflows/e2e.yml can't wait for GitHub to be tested: their `run:` scripts
 * are taken out of the workflow and run here, under the shell GitHub uses
 * (`bash --noprofile --norc -eo pipefail`), against OCI layouts and plan output that are right and
 * ones that are wrong. test/e2e/oci.ts (the vitest rung-7 check) is tested on the same layouts.
 */
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connection, dag } from "@dagger.io/dagger"
import { Multiarch } from "../../src/index.js"
import { startRecordingEngine } from "../engine/recording-engine.js"
import { layoutPlatforms, tarballPlatforms } from "../e2e/oci.js"
import { ciToolsAvailable, loadYaml, makeStandIns, readArgv, REPO, run } from "./tools.js"

const available = ciToolsAvailable(["yaml", "jq", "bash", "git"])
const PLATFORMS = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
const OCI_INDEX = "application/vnd.oci.image.index.v1+json"
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"

interface Step {
  name?: string
  run?: string
  env?: Record<string, string>
}

function e2eSteps(): { env: Record<string, string>; steps: Step[] } {
  const wf = loadYaml().parse(fs.readFileSync(path.join(REPO, ".github/workflows/e2e.yml"), "utf8")) as {
    env: Record<string, string>
    jobs: { e2e: { steps: Step[] } }
  }
  return { env: wf.env, steps: wf.jobs.e2e.steps }
}

function stepNamed(prefix: string): Step {
  const s = e2eSteps().steps.find((x) => x.name?.startsWith(prefix))
  if (!s?.run) throw new Error(`e2e.yml has no run step named "${prefix}…"`)
  return s
}

/** Write an OCI layout: blobs by digest, index.json; returns the layout dir and a tarball of it. */
function writeLayout(dir: string, top: unknown[], blobs: unknown[]): { dir: string; tar: string } {
  fs.mkdirSync(path.join(dir, "blobs/sha256"), { recursive: true })
  for (const b of blobs) {
    const text = JSON.stringify(b)
    fs.writeFileSync(path.join(dir, "blobs/sha256", crypto.createHash("sha256").update(text).digest("hex")), text)
  }
  fs.writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }))
  fs.writeFileSync(path.join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: top }))
  const tar = `${dir}.tar`
  return { dir, tar }
}

function digestOf(b: unknown): string {
  return `sha256:${crypto.createHash("sha256").update(JSON.stringify(b)).digest("hex")}`
}

function manifestDesc(p: string, extra: Record<string, unknown> = {}) {
  const [osName, architecture, variant] = p.split("/")
  const m = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { digest: `sha256:${"0".repeat(64)}` }, layers: [], p }
  return { blob: m, desc: { mediaType: OCI_MANIFEST, digest: digestOf(m), size: 100, platform: { os: osName, architecture, ...(variant ? { variant } : {}) }, ...extra } }
}

let tmp: string
const layouts: Record<string, { dir: string; tar: string }> = {}

beforeAll(async () => {
  if (!available) return
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "multiarch-e2e-wf-"))
  // nested (what BuildKit's OCI exporter writes): index.json -> image index -> platform manifests + an attestation
  const ms = PLATFORMS.map((p) => manifestDesc(p))
  const att = manifestDesc("unknown/unknown", { annotations: { "vnd.docker.reference.type": "attestation-manifest" } })
  const inner = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...ms.map((m) => m.desc), att.desc] }
  layouts.nested = writeLayout(path.join(tmp, "nested"), [{ mediaType: OCI_INDEX, digest: digestOf(inner), size: 500 }], [inner, ...ms.map((m) => m.blob), att.blob])
  // flat: index.json lists the platform manifests itself
  layouts.flat = writeLayout(path.join(tmp, "flat"), ms.map((m) => m.desc), ms.map((m) => m.blob))
  // wrong: arm/v7 missing, linux/arm64/v8 spelled out (still "arm64/v8" != expected)
  const wrong = ["linux/amd64", "linux/arm64/v8"].map((p) => manifestDesc(p))
  layouts.wrong = writeLayout(path.join(tmp, "wrong"), wrong.map((m) => m.desc), wrong.map((m) => m.blob))
  // extra platform
  const extra = [...PLATFORMS, "linux/s390x"].map((p) => manifestDesc(p))
  layouts.extra = writeLayout(path.join(tmp, "extra"), extra.map((m) => m.desc), extra.map((m) => m.blob))
  for (const l of Object.values(layouts)) {
    const r = await run(["tar", "-cf", l.tar, "-C", l.dir, "."])
    if (r.status !== 0) throw new Error(r.stderr)
  }
})

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

/** Run a workflow step's script like GitHub's default shell on Linux. */
function runStep(step: Step, env: Record<string, string>) {
  const file = path.join(tmp, `step-${crypto.randomUUID()}.sh`)
  fs.writeFileSync(file, step.run!)
  return run(["bash", "--noprofile", "--norc", "-eo", "pipefail", file], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, cwd: REPO })
}

describe.skipIf(!available)("e2e.yml: the tarball index check", () => {
  const env = () => ({ ...e2eSteps().env, ...stepNamed("The tarball's index").env })

  it("the workflow checks the platforms the build step asked for", () => {
    expect(e2eSteps().env.PLATFORMS).toBe(PLATFORMS.join(","))
    const build = stepNamed("Build three platforms")
    expect(build.run).toContain('--platforms="$PLATFORMS"')
    expect(build.run).toContain(`--path=${stepNamed("The tarball's index").env!.IMAGE_TAR}`)
  })

  it.each(["nested", "flat"])("passes on a %s layout with exactly the three platforms (attestations ignored)", async (name) => {
    const r = await runStep(stepNamed("The tarball's index"), { ...env(), IMAGE_TAR: layouts[name].tar })
    expect(r.status, r.stderr + r.stdout).toBe(0)
    expect(r.stdout).toContain("index platforms: linux/amd64,linux/arm/v7,linux/arm64")
  })

  it.each(["wrong", "extra"])("fails on a layout with the %s platforms", async (name) => {
    const r = await runStep(stepNamed("The tarball's index"), { ...env(), IMAGE_TAR: layouts[name].tar })
    expect(r.status).not.toBe(0)
    expect(r.stdout).toMatch(/::error::the index has \[.*\], expected \[linux\/amd64,linux\/arm\/v7,linux\/arm64\]/)
  })

  it("test/e2e/oci.ts reads the same layouts the same way", () => {
    expect(layoutPlatforms(layouts.nested.dir)).toEqual(PLATFORMS)
    expect(tarballPlatforms(layouts.flat.tar)).toEqual(PLATFORMS)
    expect(tarballPlatforms(layouts.wrong.tar)).toEqual(["linux/amd64", "linux/arm64/v8"])
    expect(layoutPlatforms(layouts.extra.dir)).toEqual([...PLATFORMS, "linux/s390x"])
  })
})

describe.skipIf(!available)("e2e.yml: the plan check", () => {
  /** The module's real `plan` output for the Go fixture: its own class, in-process, on the recording engine. */
  async function realPlan(): Promise<string> {
    const engine = await startRecordingEngine({ defaultPlatform: "linux/amd64" })
    try {
      process.env.DAGGER_SESSION_PORT = engine.env.DAGGER_SESSION_PORT
      process.env.DAGGER_SESSION_TOKEN = engine.env.DAGGER_SESSION_TOKEN
      let out = ""
      await connection(async () => {
        const m = new Multiarch()
        out = await m.plan(dag.host().directory(path.join(REPO, "test/fixtures/go-hello")), PLATFORMS.join(","))
      })
      return out
    } finally {
      delete process.env.DAGGER_SESSION_PORT
      delete process.env.DAGGER_SESSION_TOKEN
      await engine.close()
    }
  }

  async function runPlanStep(planJson: string) {
    const dir = fs.mkdtempSync(path.join(tmp, "plan-"))
    const bin = makeStandIns(dir)
    const out = path.join(dir, "plan.json")
    fs.writeFileSync(out, planJson)
    const step = stepNamed("plan cross-compiles")
    const r = await runStep(step, { ...e2eSteps().env, PATH: `${bin}:${process.env.PATH}`, STANDIN_LOG: dir, STANDIN_STDOUT_FILE: out })
    return { r, argv: fs.existsSync(path.join(dir, "dagger.argv")) ? readArgv(path.join(dir, "dagger.argv")) : [] }
  }

  it("calls `dagger call plan` on the Go fixture and accepts the module's real plan output", async () => {
    const { r, argv } = await runPlanStep(await realPlan())
    expect(r.status, r.stderr).toBe(0)
    expect(argv).toEqual(["call", "plan", "--source=test/fixtures/go-hello", `--platforms=${PLATFORMS.join(",")}`])
  })

  it("rejects a plan where a platform is emulated, missing, or has the wrong GOARM", async () => {
    const good = JSON.parse(await realPlan())
    const emulated = structuredClone(good)
    emulated.platforms[1].mode = "emulated"
    emulated.platforms[1].builder.platform = "linux/arm64"
    const missing = structuredClone(good)
    missing.platforms.pop()
    const goarm = structuredClone(good)
    goarm.platforms[2].env.GOARM = "6"
    for (const bad of [emulated, missing, goarm]) {
      const { r, argv } = await runPlanStep(JSON.stringify(bad))
      expect(argv[1], "the stand-in dagger ran").toBe("plan")
      // jq -e exits 1 when the expression is false (not 2+: a jq syntax or input error)
      expect(r.status, r.stderr).toBe(1)
      expect(r.stdout.trim()).toBe("false")
    }
  })
})

describe.skipIf(!available)("e2e.yml: the Dagger CLI from its checked release, and the Dockerfile secret step", () => {
  /** Run the install step against a stand-in release; returns the run, the installed dir and GITHUB_PATH's contents. */
  async function install(o: { tamper?: boolean; pin?: string } = {}) {
    const dir = fs.mkdtempSync(path.join(tmp, "install-"))
    const bin = makeStandIns(dir, { release: { version: e2eSteps().env.DAGGER_VERSION, tamper: o.tamper } })
    const home = path.join(dir, "home")
    fs.mkdirSync(home)
    const ghPath = path.join(dir, "github_path")
    const r = await runStep(stepNamed("Install the Dagger CLI"), {
      ...e2eSteps().env,
      ...(o.pin !== undefined ? { DAGGER_SHA256: o.pin } : {}),
      PATH: `${bin}:${process.env.PATH}`,
      HOME: home,
      STANDIN_LOG: dir,
      GITHUB_PATH: ghPath,
    })
    return { r, dir, home, ghPath }
  }

  it("downloads the tarball and checksums.txt of 0.21.9, checks the sum, installs dagger into ~/.local/bin and puts it on PATH", async () => {
    const { r, dir, home, ghPath } = await install()
    expect(r.status, r.stdout + r.stderr).toBe(0)
    const release = "https://dl.dagger.io/dagger/releases/0.21.9"
    const arch = process.arch === "arm64" ? "arm64" : "amd64"
    expect(fs.readFileSync(path.join(dir, "curl.log"), "utf8").trim().split("\n")).toEqual([`${release}/dagger_v0.21.9_linux_${arch}.tar.gz`, `${release}/checksums.txt`])
    expect(fs.statSync(path.join(home, ".local/bin/dagger")).mode & 0o111).not.toBe(0)
    expect(fs.readFileSync(ghPath, "utf8").trim()).toBe(path.join(home, ".local/bin"))
    expect(r.stdout).toMatch(/dagger_v0\.21\.9_linux_\w+\.tar\.gz sha256 [0-9a-f]{64}/)
  })

  it("fails, installing nothing, when the tarball does not match checksums.txt or DAGGER_SHA256", async () => {
    const t = await install({ tamper: true })
    expect(t.r.status).not.toBe(0)
    expect(t.r.stdout).toMatch(/::error::dagger_v0\.21\.9_linux_\w+\.tar\.gz has sha256 [0-9a-f]{64}, the release's checksums.txt lists '[0-9a-f]{64}'/)
    expect(fs.existsSync(path.join(t.home, ".local/bin/dagger"))).toBe(false)
    const p = await install({ pin: "f".repeat(64) })
    expect(p.r.status).not.toBe(0)
    expect(p.r.stdout).toContain(`DAGGER_SHA256 pins ${"f".repeat(64)}`)
    expect(fs.existsSync(path.join(p.home, ".local/bin/dagger"))).toBe(false)
  })

  it("the secret step builds a Dockerfile that mounts NPM_TOKEN by id and passes it as env://NPM_TOKEN", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, "secret-"))
    const bin = makeStandIns(dir)
    const step = stepNamed("A Dockerfile reads a build secret")
    const r = await runStep(step, { ...e2eSteps().env, ...step.env, PATH: `${bin}:${process.env.PATH}`, STANDIN_LOG: dir, TMPDIR: dir })
    expect(r.status, r.stderr).toBe(0)
    const argv = readArgv(path.join(dir, "dagger.argv"))
    expect(argv[0]).toBe("call")
    expect(argv.slice(1, 2)).toEqual(["build"])
    expect(argv).toContain("--secrets=env://NPM_TOKEN")
    expect(argv.at(-1)).toBe("sync")
    const ctx = argv.find((a) => a.startsWith("--source="))!.slice("--source=".length)
    const dockerfile = fs.readFileSync(path.join(ctx, "Dockerfile"), "utf8")
    expect(dockerfile).toContain("RUN --mount=type=secret,id=NPM_TOKEN,required=true test \"$(cat /run/secrets/NPM_TOKEN)\" = e2e-secret-value")
    expect(step.env!.NPM_TOKEN).toBe("e2e-secret-value")
  })
})
