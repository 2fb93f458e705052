/**
 * Rust plan details (issue 21, found by mutation testing): the emulated builder's setup and note,
 * target-cpu only for amd64 levels, musl-dev of the engine's own architecture, the exact
 * refusals (tier-3 triples, no cross gcc, no Cargo.toml, a virtual workspace), binary-name order.
 * (The whole-plan goldens written before issue 16/19 reshaped the planner were dropped at rebase.)
 */
import { describe, expect, it } from "vitest"
import { profileDir, rustBinaryName, unsupportedReason } from "../../../../modules/toolchains/rust/plan.js"
import { TARGETS } from "../../../../modules/core/targets.js"
import type { SourceFacts } from "../../../../modules/core/plan.js"
import { planRust } from "../../../support/plans.js"
import { inputError } from "../../../support/errors.js"

const HELLO = `[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n`
const LOCKED: SourceFacts = { entries: ["Cargo.toml", "src", "Cargo.lock"], files: { "Cargo.toml": HELLO } }
const UNLOCKED: SourceFacts = { entries: ["Cargo.toml"], files: { "Cargo.toml": HELLO } }
const apt = (pkgs: string, addArch = "") => ["sh", "-c", `${addArch}apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${pkgs}`]
const rustup = (v: string, triple: string) => [
  { name: "rustup toolchain", argv: ["rustup", "toolchain", "install", v, "--profile", "minimal", "--no-self-update"] },
  { name: "rustup target add", argv: ["rustup", "target", "add", "--toolchain", v, triple] },
]
const runtime = (base: string) => ({ base, binaryPath: "/usr/local/bin/hello", entrypoint: ["/usr/local/bin/hello"], user: "65532:65532" })
const MUSL_FLAGS = "-C target-feature=+crt-static -C link-self-contained=yes"

describe("whole Rust plans", () => {
  it("arm/v7 emulated: the target image's own musl-dev, no cross packages, no added architecture", () => {
    const p = planRust("linux/arm/v7", { emulate: true }, LOCKED, "linux/amd64")
    expect(p).toMatchObject({ mode: "emulated", native: false })
    expect(p.builder).toEqual({
      image: "rust:1.96.0-bookworm",
      platform: "linux/arm/v7",
      setup: [{ name: "install C cross toolchain", argv: apt("musl-dev") }, ...rustup("1.96.0", "armv7-unknown-linux-musleabihf")],
    })
    expect(p.notes[0]).toBe("Rust 1.96.0 (default), builder rust:1.96.0-bookworm emulated as linux/arm/v7 (--emulate): expect ≈9× slower builds")
  })

  it("amd64 without a level: no target-cpu; arm64 on an arm64 engine: musl-dev of its own architecture", () => {
    expect(planRust("linux/amd64", {}, LOCKED, "linux/amd64").env.CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS).toBe(MUSL_FLAGS)
    expect(planRust("linux/arm64", {}, LOCKED, "linux/arm64").builder.setup[0]).toEqual({ name: "install C cross toolchain", argv: apt("musl-dev") })
    expect(planRust("linux/riscv64", {}, LOCKED, "linux/riscv64").builder.setup.map((s) => s.name)).toEqual(["rustup toolchain", "rustup target add"])
  })
})

describe("what cannot be built, exactly", () => {
  it("tier-3 triples: the other libc when rustup has it, else drop the platform", () => {
    expect(unsupportedReason(TARGETS.get("linux/s390x")!, "musl")).toEqual({
      problem: "s390x-unknown-linux-musl is a tier-3 Rust target: rustup ships no prebuilt std for it",
      fix: "build linux/s390x with --libc gnu",
    })
    expect(unsupportedReason(TARGETS.get("linux/mips")!, "gnu")).toEqual({
      problem: "mips-unknown-linux-gnu is a tier-3 Rust target: rustup ships no prebuilt std for it",
      fix: "drop linux/mips from --platforms",
    })
    expect(unsupportedReason(TARGETS.get("linux/s390x")!, "gnu")).toBeUndefined()
  })

  it("no bookworm cross gcc: drop the platform", () => {
    expect(unsupportedReason(TARGETS.get("linux/loong64")!, "gnu")).toEqual({
      problem: "Debian bookworm (the rust:*-bookworm builder) has no loongarch64-linux-gnu-gcc to link loongarch64-unknown-linux-gnu with",
      fix: "drop linux/loong64 from --platforms",
    })
  })

  it("without --libc, planRust names the platform and the default libc", () => {
    const e = inputError(() => planRust("linux/s390x", {}, LOCKED, "linux/amd64"))
    expect(e.field).toBe("platforms")
    expect(e.input).toBe("linux/s390x")
    expect(e.message).toContain("s390x-unknown-linux-musl is a tier-3 Rust target: rustup ships no prebuilt std for it (--libc defaults to musl)")
    expect(e.fix).toBe("build linux/s390x with --libc gnu")
  })

  it("with --libc, planRust names --libc and the platform", () => {
    const e = inputError(() => planRust("linux/s390x", { libc: "musl" }, LOCKED, "linux/amd64"))
    expect(e.field).toBe("libc")
    expect(e.input).toBe("musl")
    expect(e.message).toContain("linux/s390x: s390x-unknown-linux-musl is a tier-3 Rust target")
    expect(e.fix).toBe("build linux/s390x with --libc gnu")
  })

  it("no Cargo.toml: the source's entries are named", () => {
    const e = inputError(() => planRust("linux/arm64", {}, { entries: ["go.mod", "main.go"], files: {} }, "linux/amd64"))
    expect(e.field).toBe("source")
    expect(e.input).toBe("go.mod, main.go")
    expect(e.message).toMatch(/no Cargo\.toml at the root of the source/)
    expect(e.fix).toBe("pass --source pointing at the crate or workspace root")
  })
})

describe("binary name and profile directory", () => {
  const cargo = (o: Partial<{ packageName: string; bins: string[]; defaultRun: string }>) => ({ bins: [], ...o }) as Parameters<typeof rustBinaryName>[1]

  it("--bin, then default-run, then the one [[bin]], then the package", () => {
    expect(rustBinaryName({ bin: "x" }, cargo({ packageName: "p", bins: ["a", "b"], defaultRun: "a" }))).toBe("x")
    expect(rustBinaryName({}, cargo({ packageName: "p", bins: ["a", "b"], defaultRun: "b" }))).toBe("b")
    expect(rustBinaryName({}, cargo({ packageName: "p", bins: ["a"] }))).toBe("a")
    expect(rustBinaryName({}, cargo({ packageName: "p" }))).toBe("p")
  })

  it("a virtual workspace: name a member's binary", () => {
    const e = inputError(() => rustBinaryName({}, cargo({})))
    expect(e.field).toBe("bin")
    expect(e.message).toMatch(/Cargo\.toml is a virtual workspace: there is no package whose binary to build/)
    expect(e.fix).toBe("pass --bin <name of a binary in one of the members>")
  })

  it("profileDir: dev builds into debug, every other profile into its own name", () => {
    expect(profileDir("dev")).toBe("debug")
    expect(profileDir("release")).toBe("release")
    expect(profileDir("release-lto")).toBe("release-lto")
  })
})
