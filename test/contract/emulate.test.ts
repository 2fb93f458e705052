/**
 * `go --emulate`: the builder runs on the target platform (QEMU in the engine); a QEMU crash of the
 * Go compiler is retried once, then reported with the platform, the step and the fix.
 */
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { callChain, type ChainResult } from "../engine/harness.js"
import { REPO_ROOT } from "../engine/introspect.js"
import { startRecordingEngine, type RecordingEngine } from "../engine/recording-engine.js"

let engine: RecordingEngine
let ok: ChainResult
let crashed: ChainResult

beforeAll(async () => {
  engine = await startRecordingEngine({ defaultPlatform: "linux/amd64", cacheExecs: false })
  const source = engine.fixtureDirectory(path.join(REPO_ROOT, "test/fixtures/go-hello"))
  ok = await callChain(engine, [
    { fn: "go", args: { source, platforms: ["linux/amd64", "linux/riscv64"], emulate: true } },
    { fn: "publish", args: { address: "registry.example.com/acme/emu:1" } },
  ])
  engine.failExec({ match: (argv, c) => argv[0] === "go" && c.platform === "linux/riscv64", exitCode: 139, stderr: "qemu: uncaught target signal 11 (Segmentation fault) - core dumped\n" })
  crashed = await callChain(engine, [{ fn: "go", args: { source, platforms: ["linux/amd64", "linux/riscv64"], emulate: true } }])
}, 300_000)

afterAll(async () => {
  await engine?.close()
})

describe("go --emulate", () => {
  it("runs each builder on its target platform", () => {
    expect(ok.error).toBeUndefined()
    const builds = engine.execs.filter((e) => e.argv[0] === "go" && e.argv[1] === "build")
    expect(new Set(builds.map((b) => b.platform))).toEqual(new Set(["linux/amd64", "linux/riscv64"]))
  })
  it("a QEMU crash of the compiler, twice, fails with platform, step and fix", () => {
    expect(crashed.ok).toBe(false)
    expect(crashed.error).toMatch(/^linux\/riscv64: step "go build" died under QEMU emulation/)
    expect(crashed.error).toMatch(/drop --emulate/)
    const attempts = engine.execs.filter((e) => e.argv[0] === "go" && e.platform === "linux/riscv64" && e.exitCode === 139)
    expect(attempts).toHaveLength(2)
  })
})
