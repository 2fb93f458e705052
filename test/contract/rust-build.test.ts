/**
 * Contract of `dagger call build --source=<rust crate> --platforms linux/amd64,linux/arm64,linux/riscv64
 * publish …` through the real module entrypoint and the recording engine.
 */
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { callChain, type ChainResult } from "../engine/harness.js"
import { REPO_ROOT } from "../engine/introspect.js"
import { startRecordingEngine, type ContainerView, type RecordingEngine } from "../engine/recording-engine.js"

const RUST_HELLO = path.join(REPO_ROOT, "test/fixtures/rust-hello")
let engine: RecordingEngine
let musl: ChainResult
let gnu: ChainResult

function builderOf(e: RecordingEngine, variant: ContainerView): ContainerView {
  const entry = variant.files.find((f) => f.path.startsWith("/usr/local/bin/"))!
  return e.containerView(e.object(entry.sourceId!)!.parent!)
}

beforeAll(async () => {
  engine = await startRecordingEngine({ defaultPlatform: "linux/amd64" })
  const source = engine.fixtureDirectory(RUST_HELLO)
  ;[musl, gnu] = await Promise.all([
    callChain(engine, [
      { fn: "build", args: { source, platforms: ["linux/amd64", "linux/arm64", "linux/riscv64"] } },
      { fn: "publish", args: { address: "registry.example.com/acme/rust:1" } },
    ]),
    callChain(engine, [
      { fn: "rust", args: { source, platforms: ["linux/arm64", "linux/arm/v7"], libc: "gnu" } },
      { fn: "publish", args: { address: "registry.example.com/acme/rust:gnu" } },
    ]),
  ])
}, 300_000)

afterAll(async () => {
  await engine?.close()
})

const TRIPLES: Record<string, [string, string]> = {
  "linux/amd64": ["x86_64-unknown-linux-musl", "x86_64-linux-gnu-gcc"],
  "linux/arm64": ["aarch64-unknown-linux-musl", "aarch64-linux-gnu-gcc"],
  "linux/riscv64": ["riscv64gc-unknown-linux-musl", "riscv64-linux-gnu-gcc"],
}

describe("rust build (musl default) for amd64, arm64, riscv64", () => {
  it("publishes one index of three variants", () => {
    expect(musl.error).toBeUndefined()
    const pubs = engine.publishes.filter((p) => p.address === "registry.example.com/acme/rust:1")
    expect(pubs).toHaveLength(1)
    expect(pubs[0].platforms.sort()).toEqual(["linux/amd64", "linux/arm64", "linux/riscv64"])
  })
  it("native builders, rustup target add per triple, per-target linker, distinct caches", () => {
    const [pub] = engine.publishes.filter((p) => p.address === "registry.example.com/acme/rust:1")
    const caches = new Set<string>()
    for (const v of pub.variants) {
      const [triple, linker] = TRIPLES[v.platform]
      const b = builderOf(engine, v)
      expect(b.platform).toBe("native")
      expect(b.from).toMatch(/^rust:\d+\.\d+\.\d+-bookworm$/)
      expect(b.execs.some((x) => x.argv.join(" ").includes(`rustup target add`) && x.argv.includes(triple))).toBe(true)
      const T = triple.toUpperCase().replace(/-/g, "_")
      expect(b.env[`CARGO_TARGET_${T}_LINKER`]).toBe(linker)
      expect(b.env[`CARGO_TARGET_${T}_RUSTFLAGS`]).toMatch(/\+crt-static/)
      const cargo = b.execs.find((x) => x.argv[0] === "cargo")!
      expect(cargo.argv).toEqual(expect.arrayContaining(["build", "--target", triple]))
      expect(b.execs.at(-1)!.argv).toContain("verify-elf")
      for (const m of b.mounts.filter((m) => m.kind === "cache")) caches.add(m.cacheKey!)
      expect(v.files.some((f) => f.path === "/")).toBe(true) // scratch rootfs for static musl
    }
    expect(caches.size).toBe(9)
  })
})

describe("rust --libc gnu", () => {
  it("uses the gnueabihf triple for arm/v7 and a Debian glibc runtime", () => {
    expect(gnu.error).toBeUndefined()
    const [pub] = engine.publishes.filter((p) => p.address === "registry.example.com/acme/rust:gnu")
    const v7 = pub.variants.find((v) => v.platform === "linux/arm/v7")!
    expect(v7.from).toBe("debian:bookworm-slim")
    const b = builderOf(engine, v7)
    expect(b.env.CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER).toBe("arm-linux-gnueabihf-gcc")
    expect(b.execs.some((x) => x.argv.join(" ").includes("gcc-arm-linux-gnueabihf"))).toBe(true)
  })
})
