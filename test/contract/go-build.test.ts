/**
 * Contract of `dagger call build --source=<go module> --platforms … publish --address …`, driven
 * through the real module entrypoint against the recording engine, exactly as the engine chains
 * the two calls.
 */
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { callChain, engineWork, type ChainResult } from "../engine/harness.js"
import { REPO_ROOT } from "../engine/introspect.js"
import { startRecordingEngine, type ContainerView, type RecordingEngine } from "../engine/recording-engine.js"

const GO_HELLO = path.join(REPO_ROOT, "test/fixtures/go-hello")
const PASSWORD = "hunter2-not-in-any-query"

let engine: RecordingEngine
let ok: ChainResult
let dup: ChainResult
let badAddr: ChainResult
let wrongArch: ChainResult
let tagged: ChainResult

/** The builder container behind the file a runtime variant copies in. */
function builderOf(e: RecordingEngine, variant: ContainerView, file: string): ContainerView {
  const entry = variant.files.find((f) => f.path === file)
  expect(entry, `${file} in ${variant.platform}`).toBeDefined()
  const fileObj = e.object(entry!.sourceId!)!
  expect(fileObj.type).toBe("File")
  return e.containerView(fileObj.parent!)
}

beforeAll(async () => {
  engine = await startRecordingEngine({ defaultPlatform: "linux/amd64" })
  const source = engine.fixtureDirectory(GO_HELLO)
  const password = engine.secret("REGISTRY_TOKEN", PASSWORD)
  const platforms = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
  ;[ok, dup, badAddr, tagged] = await Promise.all([
    callChain(engine, [
      { fn: "build", args: { source, platforms, version: "1.2.3", commit: "0123456789abcdef" } },
      { fn: "publish", args: { address: "registry.example.com/acme/hello:1.2.3", username: "ci", password } },
    ]),
    callChain(engine, [{ fn: "build", args: { source, platforms: ["linux/arm", "linux/arm/v7"] } }]),
    callChain(engine, [
      { fn: "build", args: { source, platforms: ["linux/amd64"] } },
      { fn: "publish", args: { address: "ghcr.io/Acme/Hello:1" } },
    ]),
    callChain(engine, [
      { fn: "build", args: { source, platforms: ["linux/amd64", "linux/arm64"] } },
      { fn: "publish", args: { address: "registry.example.com/acme/hello", gitRef: "refs/tags/v2.0.1", gitSha: "89abcdef0123456789abcdef0123456789abcdef" } },
    ]),
  ])
  // a wrong-architecture binary: the in-pipeline ELF check of arm64 fails
  engine.failExec({
    match: (argv, c) => argv[0] === "sh" && argv.includes("verify-elf") && c.env.GOARCH === "arm64",
    exitCode: 1,
    stderr: "multiarch: binary built for linux/arm64 is wrong: e_machine is x86-64 (62), expected AArch64 (183) (/out/hello)\n",
  })
  wrongArch = await callChain(engine, [
    { fn: "build", args: { source, platforms: ["linux/amd64", "linux/arm64"], goVersion: "1.22" } },
    { fn: "publish", args: { address: "registry.example.com/acme/hello:bad" } },
  ])
}, 300_000)

afterAll(async () => {
  await engine?.close()
})

describe("build --platforms linux/amd64,linux/arm64,linux/arm/v7 publish", () => {
  it("succeeds and returns the index reference with digest", () => {
    expect(ok.error).toBeUndefined()
    expect(ok.ok).toBe(true)
    expect(String(ok.returnValue)).toMatch(/^registry\.example\.com\/acme\/hello:1\.2\.3@sha256:[0-9a-f]{64}$/)
  })

  it("publishes one index with the three platform variants, each once", () => {
    const pubs = engine.publishes.filter((p) => p.address === "registry.example.com/acme/hello:1.2.3")
    expect(pubs).toHaveLength(1)
    const [pub] = pubs
    expect([...pub.platforms].sort()).toEqual(["linux/amd64", "linux/arm/v7", "linux/arm64"])
    expect(pub.receiverIncluded).toBe(false)
    expect(pub.forcedCompression).toBe("Gzip")
    expect(pub.mediaTypes).toBe("OCI")
    // registry auth through a Secret, for the repository
    const auth = ok.steps[1].queries.map((q) => q.text).join("\n")
    expect(auth).toMatch(/withRegistryAuth \(address: "registry\.example\.com\/acme\/hello",username: "ci",secret: "Secret:/)
  })

  it("runtime containers have the target platform, the binary, a nonroot user and OCI labels", () => {
    const [pub] = engine.publishes.filter((p) => p.address === "registry.example.com/acme/hello:1.2.3")
    for (const v of pub.variants) {
      expect(["linux/amd64", "linux/arm64", "linux/arm/v7"]).toContain(v.platform)
      expect(v.entrypoint).toEqual(["/usr/local/bin/hello"])
      expect(v.user).toBe("65532:65532")
      expect(v.labels).toMatchObject({ "org.opencontainers.image.version": "1.2.3", "org.opencontainers.image.revision": "0123456789abcdef" })
      expect(v.files.map((f) => f.path)).toEqual(expect.arrayContaining(["/", "/usr/local/bin/hello"]))
    }
  })

  it("builders run on the native platform with the full env; GOARM=7 on the arm/v7 builder only", () => {
    const [pub] = engine.publishes.filter((p) => p.address === "registry.example.com/acme/hello:1.2.3")
    const want: Record<string, Record<string, string | undefined>> = {
      "linux/amd64": { GOARCH: "amd64", GOAMD64: "v1", GOARM: undefined },
      "linux/arm64": { GOARCH: "arm64", GOARM: undefined, GOAMD64: undefined },
      "linux/arm/v7": { GOARCH: "arm", GOARM: "7", GOAMD64: undefined },
    }
    const cacheKeys: string[] = []
    for (const v of pub.variants) {
      const b = builderOf(engine, v, "/usr/local/bin/hello")
      expect(b.platform).toBe("native")
      expect(b.from).toBe("golang:1.19-bookworm")
      expect(b.env).toMatchObject({ GOOS: "linux", CGO_ENABLED: "0" })
      for (const [k, val] of Object.entries(want[v.platform])) expect(b.env[k], `${v.platform} ${k}`).toBe(val)
      const build = b.execs.find((x) => x.argv[0] === "go")!
      expect(build.argv).toEqual(["go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=1.2.3 -X main.commit=0123456789abcdef", "-o", "/out/hello", "."])
      expect(build.platform).toBe("native")
      expect(b.execs.at(-1)!.argv).toContain("verify-elf")
      expect(b.execs.at(-1)!.argv.join(" ")).toContain(v.platform)
      cacheKeys.push(...b.mounts.filter((m) => m.kind === "cache").map((m) => m.cacheKey!))
    }
    expect(cacheKeys).toHaveLength(6)
    expect(new Set(cacheKeys).size).toBe(6)
  })

  it("never puts the password in any query text", () => {
    expect(engine.queryText()).not.toContain(PASSWORD)
    for (const s of ok.steps) expect(s.stdout + s.stderr).not.toContain(PASSWORD)
  })
})

describe("input errors before any engine work", () => {
  it("duplicate platforms after normalisation", () => {
    expect(dup.ok).toBe(false)
    expect(dup.error).toMatch(/"linux\/arm\/v7" and "linux\/arm" are the same platform/)
    expect(engineWork(dup.steps[0].queries)).toEqual([])
  })
  it("an uppercase repository path is rejected at publish with the lowercased fix, before pushing", () => {
    expect(badAddr.ok).toBe(false)
    expect(badAddr.error).toMatch(/ghcr\.io\/acme\/hello/)
    expect(engineWork(badAddr.steps.at(-1)!.queries)).not.toContain("publish")
  })
})

describe("tags from a git ref", () => {
  it("pushes the index to every computed tag", () => {
    expect(tagged.error).toBeUndefined()
    const addrs = engine.publishes.filter((p) => p.address.startsWith("registry.example.com/acme/hello:") && p.address !== "registry.example.com/acme/hello:1.2.3" && p.address !== "registry.example.com/acme/hello:bad").map((p) => p.address)
    expect(addrs.sort()).toEqual(["2", "2.0", "2.0.1", "latest", "sha-89abcde"].map((t) => `registry.example.com/acme/hello:${t}`).sort())
    expect(String(tagged.returnValue)).toMatch(/^registry\.example\.com\/acme\/hello:2\.0\.1@sha256:/)
  })
})

describe("a wrong-architecture binary fails the build naming the platform", () => {
  it("surfaces the in-pipeline ELF check", () => {
    expect(wrongArch.ok).toBe(false)
    expect(wrongArch.error).toMatch(/binary built for linux\/arm64 is wrong: e_machine is x86-64/)
  })
})
