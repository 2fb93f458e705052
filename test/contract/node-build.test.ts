/**
 * Contract of `dagger call build --source=<node app> --platforms linux/amd64,linux/arm64,linux/arm/v7
 * publish …` (and `plan`, and `node`) through the real module entrypoint against the recording
 * engine: what the module asks the engine to run for a Node app.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { callChain, engineWork, type ChainResult } from "../engine/harness.js"
import { REPO_ROOT } from "../engine/introspect.js"
import { startRecordingEngine, type ContainerView, type RecordingEngine } from "../engine/recording-engine.js"

const NODE_APP = path.join(REPO_ROOT, "test/fixtures/node-app")
/** A source with one install script that must run on the target (written here, not a fixture on disk). */
const EMU_APP = path.join(REPO_ROOT, "test/.out/contract-node-emulated")
const PLATFORMS = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
const CPU: Record<string, string> = { "linux/amd64": "x64", "linux/arm64": "arm64", "linux/arm/v7": "arm" }

let engine: RecordingEngine
let built: ChainResult
let planned: ChainResult
let emulated: ChainResult
let badVersion: ChainResult
let nodeEntry: ChainResult
let goEntry: ChainResult

/** The container a directory comes from (Container.directory, through withoutDirectory & co.). */
function containerOf(e: RecordingEngine, dirId: string): ContainerView {
  let o = e.object(dirId)
  while (o && o.type !== "Container") o = o.parent ? e.object(o.parent) : undefined
  if (!o) throw new Error(`no container behind ${dirId}`)
  return e.containerView(o.id)
}
/** The chain of stage containers behind a runtime variant, last first (each stage's /app input is the previous one's output). */
function stagesOf(e: RecordingEngine, variant: ContainerView): ContainerView[] {
  const out: ContainerView[] = []
  let entry = variant.files.find((f) => f.path === "/app" && f.kind === "directory")
  while (entry?.sourceId) {
    const obj = e.object(entry.sourceId)!
    if (obj.field === "__fixtureDirectory") break
    const c = containerOf(e, entry.sourceId)
    out.push(c)
    entry = c.files.find((f) => f.path === "/app" && f.kind === "directory")
  }
  return out
}

beforeAll(async () => {
  rmSync(EMU_APP, { recursive: true, force: true })
  mkdirSync(EMU_APP, { recursive: true })
  writeFileSync(path.join(EMU_APP, "package.json"), JSON.stringify({ name: "emu", version: "1.0.0", main: "server.js", dependencies: { "browser-fetcher": "22.0.0", "gyp-addon": "1.0.0" } }))
  writeFileSync(
    path.join(EMU_APP, "package-lock.json"),
    JSON.stringify({
      lockfileVersion: 3,
      packages: {
        "": { name: "emu", version: "1.0.0" },
        "node_modules/browser-fetcher": { version: "22.0.0", hasInstallScript: true },
        "node_modules/gyp-addon": { version: "1.0.0", hasInstallScript: true, dependencies: { "node-gyp-build": "^4" } },
        "node_modules/node-gyp-build": { version: "4.8.4" },
      },
    }),
  )
  writeFileSync(path.join(EMU_APP, ".nvmrc"), "22\n")
  engine = await startRecordingEngine({ defaultPlatform: "linux/amd64" })
  const source = engine.fixtureDirectory(NODE_APP)
  const emu = engine.fixtureDirectory(EMU_APP)
  ;[built, planned, emulated, badVersion, nodeEntry, goEntry] = await Promise.all([
    callChain(engine, [
      { fn: "build", args: { source, platforms: PLATFORMS, version: "1.0.0" } },
      { fn: "publish", args: { address: "registry.example.com/acme/node-app:1" } },
    ]),
    callChain(engine, [{ fn: "plan", args: { source, platforms: PLATFORMS } }]),
    callChain(engine, [
      { fn: "node", args: { source: emu, platforms: ["linux/amd64", "linux/arm64"] } },
      { fn: "publish", args: { address: "registry.example.com/acme/emu:1" } },
    ]),
    callChain(engine, [{ fn: "node", args: { source, platforms: ["linux/arm/v7"], nodeVersion: "24" } }]),
    // --entrypoint without --lang: Node's argv on a Node app; the same value on a Go module is Go's binary name, refused after detection
    callChain(engine, [{ fn: "plan", args: { source, platforms: ["linux/arm64"], entrypoint: "node,server.js,--port=80" } }]),
    callChain(engine, [{ fn: "plan", args: { source: engine.fixtureDirectory(path.join(REPO_ROOT, "test/fixtures/go-hello")), platforms: ["linux/arm64"], entrypoint: "node,server.js" } }]),
  ])
}, 300_000)

afterAll(async () => {
  await engine?.close()
})

describe("build --platforms linux/amd64,linux/arm64,linux/arm/v7 on the Node fixture", () => {
  const variants = () => engine.publishes.find((p) => p.address === "registry.example.com/acme/node-app:1")!.variants

  it("publishes one index with the three platforms", () => {
    expect(built.error).toBeUndefined()
    expect(String(built.returnValue)).toMatch(/^registry\.example\.com\/acme\/node-app:1@sha256:[0-9a-f]{64}$/)
    expect(variants().map((v) => v.platform).sort()).toEqual([...PLATFORMS].sort())
  })

  it("runtime images: the platform's node:20-bookworm-slim, /app, NODE_ENV=production, user node, entrypoint from package.json, labels", () => {
    for (const v of variants()) {
      expect(v.from).toBe("node:20-bookworm-slim")
      expect(v.workdir).toBe("/app")
      expect(v.env.NODE_ENV).toBe("production")
      expect(v.user).toBe("node")
      expect(v.entrypoint).toEqual(["node", "/app/dist/app.js"])
      expect(v.labels["org.opencontainers.image.version"]).toBe("1.0.0")
    }
  })

  it("one native builder per platform: npm ci with the target's --os/--cpu/--libc, the checks, the npm cache mounted; no emulation", () => {
    const caches = new Set<string>()
    for (const v of variants()) {
      const stages = stagesOf(engine, v)
      // install stage, then the shared build
      expect(stages.map((s) => [s.platform, s.from])).toEqual([["native", "node:20-bookworm"], ["native", "node:20-bookworm"]])
      const [install] = stages
      const argv = install.execs.map((x) => x.argv)
      expect(argv).toContainEqual(["npm", "ci", "--omit=dev", "--os=linux", `--cpu=${CPU[v.platform]}`, "--libc=glibc", "--ignore-scripts", "--install-links", "--no-audit", "--no-fund"])
      expect(argv).toContainEqual(["npm", "rebuild", "fixture-addon", "--foreground-scripts", "--no-audit", "--no-fund"])
      expect(argv.at(-1)!.slice(0, 2)).toEqual(["node", "-e"])
      expect(argv.at(-2)!.slice(0, 2)).toEqual(["sh", "-c"])
      expect(argv.at(-2)!.at(-2)).toBe(v.platform)
      expect(install.env.npm_config_arch).toBe(CPU[v.platform])
      expect(install.env.CXX).toBe(v.platform === "linux/amd64" ? undefined : v.platform === "linux/arm64" ? "aarch64-linux-gnu-g++" : "arm-linux-gnueabihf-g++")
      for (const m of install.mounts.filter((m) => m.kind === "cache")) {
        expect(m.path).toBe("/root/.npm")
        caches.add(m.cacheKey!)
      }
    }
    expect([...caches]).toEqual(["multiarch-npm-cache"])
    // nothing ran on a foreign platform: every exec of this build was native
    const mine = engine.execs.filter((x) => x.session.startsWith("MultiarchImage.publish") && x.view.from?.startsWith("node:20"))
    expect(mine.length).toBeGreaterThan(0)
    expect(new Set(mine.map((x) => x.platform))).toEqual(new Set(["linux/amd64"]))
  })

  it("the build script ran once, natively, for all three platforms, and its output minus node_modules is every install's input", () => {
    const runs = engine.execs.filter((x) => x.argv.join(" ") === "npm run build" && x.view.from === "node:20-bookworm")
    expect(runs).toHaveLength(1)
    const shared = variants().map((v) => stagesOf(engine, v)[1].id)
    expect(new Set(shared).size).toBe(1)
    for (const v of variants()) {
      const input = stagesOf(engine, v)[0].files.find((f) => f.path === "/app")!
      expect(engine.object(input.sourceId!)).toMatchObject({ field: "withoutDirectory", args: { path: "node_modules" } })
    }
  })
})

describe("plan on the Node fixture", () => {
  it("lists per platform what is cross-installed, cross-compiled and emulated (nothing), with reasons", () => {
    expect(planned.ok, planned.error).toBe(true)
    const r = JSON.parse(planned.returnValue as string)
    expect(r.toolchain).toBe("node")
    expect(r.reason).toBe("found package-lock.json")
    for (const p of r.platforms) {
      expect(p.mode).toBe("cross")
      expect(p.packages.installed).toEqual([`@esbuild/linux-${CPU[p.platform]}@0.28.2`, `@img/sharp-libvips-linux-${CPU[p.platform]}@1.3.4`, `@img/sharp-linux-${CPU[p.platform]}@0.35.5`])
      expect(p.packages.compiled.map((d: { name: string }) => d.name)).toEqual(["fixture-addon"])
      expect(p.packages.emulated).toEqual([])
      expect(p.packages.skipped[0]).toMatchObject({ name: "esbuild", kind: "skip" })
    }
    expect(engineWork(planned.last.queries)).not.toContain("withExec")
  })
})

describe("a package that must run its install script on the target", () => {
  it("only that package's npm rebuild runs on the target platform, over the natively installed tree", () => {
    expect(emulated.error).toBeUndefined()
    const pub = engine.publishes.find((p) => p.address === "registry.example.com/acme/emu:1")!
    const arm = pub.variants.find((v) => v.platform === "linux/arm64")!
    const [rebuild, install] = stagesOf(engine, arm)
    expect(install).toMatchObject({ platform: "native", from: "node:22-bookworm" })
    expect(install.execs.map((x) => x.argv)).toContainEqual(["npm", "rebuild", "gyp-addon", "--foreground-scripts", "--no-audit", "--no-fund"])
    expect(rebuild).toMatchObject({ platform: "linux/arm64", from: "node:22-bookworm" })
    expect(rebuild.execs[0].argv).toEqual(["npm", "rebuild", "browser-fetcher", "--foreground-scripts", "--no-audit", "--no-fund"])
    expect(rebuild.execs.slice(1).map((x) => x.argv[0])).toEqual(["sh", "node"])
    expect(engine.execs.filter((x) => x.platform === "linux/arm64" && x.view.from === "node:22-bookworm").map((x) => x.argv.slice(0, 3))).toEqual([
      ["npm", "rebuild", "browser-fetcher"],
      ["sh", "-c", expect.any(String)],
      ["node", "-e", expect.any(String)],
    ])
    expect(arm.from).toBe("node:22-bookworm-slim")
  })
})

describe("--entrypoint without --lang: one option, each toolchain's syntax, checked by the toolchain detection picks", () => {
  it("a Node app: the comma-separated argv is the image's entrypoint", () => {
    expect(nodeEntry.error).toBeUndefined()
    const plan = JSON.parse(String(nodeEntry.returnValue))
    expect(plan.toolchain).toBe("node")
    expect(plan.platforms[0].runtime.entrypoint).toEqual(["node", "server.js", "--port=80"])
  })
  it("a Go module: the same value is refused as a binary name, before any build", () => {
    expect(goEntry.ok).toBe(false)
    expect(goEntry.error).toMatch(/invalid entrypoint "node,server\.js": not a plain file name/)
    expect(engineWork(goEntry.last.queries)).not.toContain("withExec")
  })
})

describe("input errors before any engine work", () => {
  it("node 24 has no linux/arm/v7 image: the error names the lines that have one", () => {
    expect(badVersion.ok).toBe(false)
    expect(badVersion.error).toMatch(/node:24-bookworm image has no linux\/arm\/v7 variant.*--node-version 22/)
    expect(engineWork(badVersion.last.queries)).not.toContain("withExec")
  })
})
