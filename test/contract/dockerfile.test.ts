/**
 * Contract of the dockerfile toolchain through the real module entrypoint and the recording
 * engine: one Directory.dockerBuild per platform with its platform, Dockerfile, target and build
 * args; secrets passed as Secret IDs; an emulated RUN that dies with exit 139 is retried once, then
 * fails with a message naming the platform, the step and the fix.
 */
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { callChain, type ChainResult } from "../engine/harness.js"
import { REPO_ROOT } from "../engine/introspect.js"
import { startRecordingEngine, type RecordingEngine } from "../engine/recording-engine.js"

const PLAIN = path.join(REPO_ROOT, "test/fixtures/dockerfile-plain")
const SECRET = "npm-token-plaintext-never-sent"
const QEMU_SEGV = "qemu: uncaught target signal 11 (Segmentation fault) - core dumped\nSegmentation fault (core dumped)\n"

let engine: RecordingEngine
let built: ChainResult
let retried: ChainResult
let failed: ChainResult
let planText: ChainResult
let retryHits = 0

beforeAll(async () => {
  engine = await startRecordingEngine({ defaultPlatform: "linux/amd64", cacheExecs: false })
  const source = engine.fixtureDirectory(PLAIN)
  const secret = engine.secret("npm", SECRET)
  ;[built, planText] = await Promise.all([
    callChain(engine, [
      { fn: "build", args: { source, lang: "dockerfile", platforms: ["linux/amd64", "linux/arm64"], buildArgs: ["HTTP_PROXY=http://proxy.example:3128"], secrets: [secret] } },
      { fn: "publish", args: { address: "registry.example.com/acme/plain:1" } },
    ]),
    callChain(engine, [{ fn: "plan", args: { source, lang: "dockerfile", platforms: ["linux/amd64", "linux/arm64"], format: "text" } }]),
  ])
  // exit 139 once on the emulated arm64 `go build` RUN: retried, then fine
  const once = engine.failExec({ match: (argv, c) => argv[0] === "/bin/sh" && argv[2].startsWith("go build") && c.platform === "linux/arm64", exitCode: 139, stderr: QEMU_SEGV, times: 1 })
  retried = await callChain(engine, [
    { fn: "build", args: { source, lang: "dockerfile", platforms: ["linux/amd64", "linux/arm64"] } },
    { fn: "publish", args: { address: "registry.example.com/acme/plain:retried" } },
  ])
  retryHits = once.hits
  once.remove()
  // exit 139 on every attempt: the explanatory error
  engine.failExec({ match: (argv, c) => argv[0] === "/bin/sh" && argv[2].startsWith("go build") && c.platform === "linux/arm64", exitCode: 139, stderr: QEMU_SEGV })
  failed = await callChain(engine, [{ fn: "build", args: { source, lang: "dockerfile", platforms: ["linux/amd64", "linux/arm64"] } }])
}, 300_000)

afterAll(async () => {
  await engine?.close()
})

describe("dockerfile build", () => {
  it("one dockerBuild per platform with the platform, Dockerfile and build args; one publish", () => {
    expect(built.error).toBeUndefined()
    const pub = engine.publishes.find((p) => p.address === "registry.example.com/acme/plain:1")!
    expect(pub.platforms.sort()).toEqual(["linux/amd64", "linux/arm64"])
    for (const v of pub.variants) {
      expect(v.dockerBuild).toBeDefined()
      expect(v.dockerBuild!.platform).toBe(v.platform)
      expect(v.dockerBuild!.dockerfile).toBe("Dockerfile")
      expect(v.dockerBuild!.buildArgs).toEqual([{ name: "HTTP_PROXY", value: "http://proxy.example:3128" }])
    }
  })
  it("passes secrets as Secret IDs, never as plaintext", () => {
    const pub = engine.publishes.find((p) => p.address === "registry.example.com/acme/plain:1")!
    for (const v of pub.variants) {
      const ids = v.dockerBuild!.secrets as string[]
      expect(ids).toHaveLength(1)
      expect(ids[0]).toMatch(/^Secret:[0-9a-f]{12}$/)
      expect(engine.secretName(ids[0])).toBe("npm")
    }
    expect(engine.queryText()).not.toContain(SECRET)
  })
  it("plan names each emulated RUN and suggests the BUILDPLATFORM pattern", () => {
    const text = String(planText.returnValue)
    expect(text).toMatch(/linux\/arm64/)
    expect(text).toMatch(/go build/)
    expect(text).toMatch(/BUILDPLATFORM/)
  })
})

describe("QEMU crash (exit 139) in an emulated RUN", () => {
  it("is retried once and the build then succeeds", () => {
    expect(retried.error).toBeUndefined()
    expect(retryHits).toBe(1)
    const runs = engine.execs.filter((e) => e.argv[0] === "/bin/sh" && e.argv[2].startsWith("go build") && e.platform === "linux/arm64" && e.session !== "main")
    expect(runs.filter((r) => r.exitCode === 139).length).toBeGreaterThanOrEqual(1)
  })
  it("twice: fails naming the platform, the step and the fix — not a bare ExecError", () => {
    expect(failed.ok).toBe(false)
    expect(failed.error).toMatch(/^linux\/arm64: step "RUN go build -trimpath .* \(Dockerfile line 10\)" died under QEMU emulation/)
    expect(failed.error).toMatch(/retried once/)
    expect(failed.error).toMatch(/FROM --platform=\$BUILDPLATFORM/)
    expect(failed.error).not.toMatch(/did not complete successfully/)
  })
})
