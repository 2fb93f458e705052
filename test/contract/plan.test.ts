/**
 * Contract of `dagger call plan …`, through the real module entrypoint (the SDK's entrypoint() once per call,
 * in a worker process: test/engine/harness.ts) against the recording engine.
 *
 * The calls are started together in beforeAll (each has its own session token) and asserted one
 * by one below.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as path from "node:path"
import { startRecordingEngine, type RecordingEngine } from "../engine/recording-engine.js"
import { callChain, engineWork, type ChainResult } from "../engine/harness.js"
import { REPO_ROOT } from "../engine/introspect.js"

const GO_HELLO = path.join(REPO_ROOT, "test/fixtures/go-hello")
const BASE_ARG = path.join(REPO_ROOT, "test/fixtures/dockerfile-base-arg")


/** Per-platform entries of the plan report, whatever the container key is called. */
function entriesOf(report: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(report)) return report as Array<Record<string, unknown>>
  const r = report as Record<string, unknown>
  for (const k of ["platforms", "targets", "plans", "builds"]) if (Array.isArray(r[k])) return r[k] as Array<Record<string, unknown>>
  throw new Error(`plan JSON has no per-platform list (keys: ${Object.keys(r).join(", ")})`)
}

function envOf(entry: Record<string, unknown>): Record<string, string> {
  return (entry.env ?? (entry.builder as Record<string, unknown> | undefined)?.env ?? {}) as Record<string, string>
}

let engine: RecordingEngine
let good: ChainResult
let invalid: ChainResult
let dup: ChainResult
let noArg: ChainResult
let withArg: ChainResult
let builtWithArg: ChainResult
let goOptions: ChainResult

beforeAll(async () => {
  engine = await startRecordingEngine({ defaultPlatform: "linux/amd64" })
  const source = engine.fixtureDirectory(GO_HELLO)
  ;[good, invalid, dup] = await Promise.all([
    callChain(engine, [{ fn: "plan", args: { source, platforms: ["linux/amd64", "linux/arm64", "linux/arm/v7"] } }]),
    callChain(engine, [{ fn: "plan", args: { source, platforms: ["linux/amd64", "linux/arm64/v7"] } }]),
    // the CLI form `--platforms linux/arm,linux/arm/v7`
    callChain(engine, [{ fn: "plan", args: { source, platforms: "linux/arm,linux/arm/v7" } }]),
  ])
  // plan takes every option build takes: a Dockerfile whose FROM needs a build arg, and Go options
  const baseArg = engine.fixtureDirectory(BASE_ARG)
  const platforms = ["linux/amd64", "linux/arm64"]
  ;[noArg, withArg, builtWithArg, goOptions] = await Promise.all([
    callChain(engine, [{ fn: "plan", args: { source: baseArg, platforms } }]),
    callChain(engine, [{ fn: "plan", args: { source: baseArg, platforms, buildArgs: ["BASE=alpine:3.20"] } }]),
    callChain(engine, [
      { fn: "build", args: { source: baseArg, platforms, buildArgs: ["BASE=alpine:3.20"] } },
      { fn: "publish", args: { address: "registry.example.com/acme/base-arg:1" } },
    ]),
    callChain(engine, [{ fn: "plan", args: { source, platforms: ["linux/arm64"], version: "1.2.3", commit: "abc", sourceUrl: "https://example.com/r", cgo: true } }]),
  ])
}, 600_000)

afterAll(async () => {
  await engine?.close()
})

describe("plan on a Go module (go-hello) for amd64, arm64, arm/v7", () => {
  it("returns a JSON plan", () => {
    expect(good.ok, `plan failed: ${good.error}\n${good.last?.stderr}`).toBe(true)
    expect(typeof good.returnValue).toBe("string")
    expect(() => JSON.parse(good.returnValue as string)).not.toThrow()
  })

  it("detects the go toolchain and cross-compiles every platform", () => {
    const report = JSON.parse(good.returnValue as string) as Record<string, unknown>
    if ("toolchain" in report) expect(report.toolchain).toBe("go")
    const entries = entriesOf(report)
    expect(entries.map((e) => e.platform)).toEqual(["linux/amd64", "linux/arm64", "linux/arm/v7"])
    for (const e of entries) {
      expect(e.toolchain ?? report.toolchain, String(e.platform)).toBe("go")
      expect(e.mode, String(e.platform)).toBe("cross")
    }
  })

  it("sets GOARM=7 for linux/arm/v7 only, with GOOS/GOARCH per target", () => {
    const entries = entriesOf(JSON.parse(good.returnValue as string))
    const env = Object.fromEntries(entries.map((e) => [String(e.platform), envOf(e)]))
    expect(env["linux/arm/v7"].GOARM).toBe("7")
    expect(env["linux/amd64"].GOARM).toBeUndefined()
    expect(env["linux/arm64"].GOARM).toBeUndefined()
    expect(env["linux/amd64"]).toMatchObject({ GOOS: "linux", GOARCH: "amd64" })
    expect(env["linux/arm64"]).toMatchObject({ GOOS: "linux", GOARCH: "arm64" })
    expect(env["linux/arm/v7"]).toMatchObject({ GOOS: "linux", GOARCH: "arm" })
  })

  it("reads the source but builds nothing (no container, no exec)", () => {
    const work = engineWork(good.last.queries)
    expect(work).toEqual(expect.arrayContaining(["entries"]))
    expect(work).not.toContain("container")
    expect(work).not.toContain("withExec")
    expect(engine.execs.filter((e) => e.session.startsWith("Multiarch.plan"))).toEqual([])
    // everything plan asked for is modelled by the engine (no lenient guesses involved)
    expect(engine.unknownFields).toEqual([])
  })
})

describe("plan input validation happens before any engine work", () => {
  it("rejects linux/arm64/v7, naming the input and the fix", () => {
    expect(invalid.ok).toBe(false)
    expect(invalid.last.crashed, invalid.last.stderr).toBeFalsy()
    expect(invalid.last.exitCode).toBe(1) // the entrypoint exits 1 after returnError
    const msg = invalid.error ?? ""
    expect(msg).toContain("linux/arm64/v7")
    // the fix points at a real platform: arm64 has no v7 (that is linux/arm/v7), or plain linux/arm64
    expect(msg).toMatch(/linux\/arm\/v7|linux\/arm64(?!\/v7)/)
    expect(engineWork(invalid.last.queries)).toEqual([])
  })

  it("rejects duplicates after normalisation (linux/arm,linux/arm/v7)", () => {
    expect(dup.ok).toBe(false)
    expect(dup.last.crashed, dup.last.stderr).toBeFalsy()
    // --platforms is one comma-separated string (like buildx's --platform), as the CLI sends it
    expect(dup.last.sentArgs.platforms).toBe("linux/arm,linux/arm/v7")
    const msg = dup.error ?? ""
    expect(msg).toContain("linux/arm/v7")
    expect(msg).toMatch(/linux\/arm(?!\/v7|64)/)
    expect(msg).toMatch(/same platform|duplicate|twice|once/i)
    expect(engineWork(dup.last.queries)).toEqual([])
  })
})

describe("plan takes every option build takes, and shows what build does with them", () => {
  it("FROM ${BASE} without the build arg: the error names the fix", () => {
    expect(noArg.ok).toBe(false)
    expect(noArg.error).toMatch(/expands to an empty string.*pass it as a build arg/)
  })

  it("with --build-args BASE=…: planned on that base, the same build args build uses", () => {
    expect(withArg.ok, `${withArg.error}\n${withArg.last?.stderr}`).toBe(true)
    const report = JSON.parse(withArg.returnValue as string) as { toolchain: string; platforms: Array<{ platform: string; mode: string; dockerBuild: { buildArgs: unknown }; stages: Array<{ base: string }> }> }
    expect(report.toolchain).toBe("dockerfile")
    expect(report.platforms.map((p) => [p.platform, p.mode])).toEqual([["linux/amd64", "cross"], ["linux/arm64", "emulated"]])
    for (const p of report.platforms) {
      expect(p.stages[0].base).toBe("alpine:3.20")
      expect(p.dockerBuild.buildArgs).toEqual([{ name: "BASE", value: "alpine:3.20" }])
    }
    expect(builtWithArg.error).toBeUndefined()
    const pub = engine.publishes.find((p) => p.address === "registry.example.com/acme/base-arg:1")!
    for (const v of pub.variants) expect(v.dockerBuild!.buildArgs).toEqual([{ name: "BASE", value: "alpine:3.20" }])
  })

  it("Go options and labels show in the plan as build would use them", () => {
    expect(goOptions.ok, `${goOptions.error}`).toBe(true)
    const report = JSON.parse(goOptions.returnValue as string) as { labels: Record<string, string>; platforms: Array<{ env: Record<string, string>; steps: Array<{ argv: string[] }> }> }
    expect(report.labels).toEqual({ "org.opencontainers.image.revision": "abc", "org.opencontainers.image.source": "https://example.com/r", "org.opencontainers.image.version": "1.2.3" })
    const [p] = report.platforms
    expect(p.env).toMatchObject({ CGO_ENABLED: "1", CC: "aarch64-linux-gnu-gcc" })
    expect(p.steps[0].argv).toContain("-s -w -X main.version=1.2.3 -X main.commit=abc")
  })
})
