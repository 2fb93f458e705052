/**
 * Four whole Rust plans, field by field (issue 21, found by mutation testing: plan.test.ts checks
 * each part with a pattern, so a changed word in an env name, a note or an apt line went
 * unnoticed). The four cover musl with and without Debian's musl-dev, gnu with an amd64 level, a
 * channel version, a dev profile with features, and an emulated builder. Each value was read and
 * checked against what the builder must run (rustup/cargo/apt argv, cargo's env names).
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
  it("arm64 musl, cross from amd64, Cargo.lock: musl-dev:arm64 with the arm64 architecture added", () => {
    const p = planRust("linux/arm64", {}, LOCKED, "linux/amd64")
    expect(p).toMatchObject({ platform: "linux/arm64", toolchain: "rust", mode: "cross", native: false, workdir: "/src" })
    expect(p.builder).toEqual({
      image: "rust:1.96.0-bookworm",
      platform: "native",
      setup: [
        { name: "install C cross toolchain", argv: apt("gcc-aarch64-linux-gnu libc6-dev-arm64-cross musl-dev:arm64", "dpkg --add-architecture arm64 && ") },
        ...rustup("1.96.0", "aarch64-unknown-linux-musl"),
      ],
    })
    expect(p.env).toEqual({
      RUSTUP_TOOLCHAIN: "1.96.0",
      CARGO_HOME: "/usr/local/cargo",
      CARGO_TARGET_DIR: "/cargo-target",
      CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER: "aarch64-linux-gnu-gcc",
      CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_RUSTFLAGS: MUSL_FLAGS,
      CC_aarch64_unknown_linux_musl: "aarch64-linux-musl-gcc",
      AR_aarch64_unknown_linux_musl: "aarch64-linux-gnu-ar",
    })
    expect(p.caches).toEqual([
      { path: "/usr/local/cargo/registry", key: "multiarch-rust-registry-linux-arm64-musl" },
      { path: "/usr/local/cargo/git", key: "multiarch-rust-git-linux-arm64-musl" },
      { path: "/cargo-target", key: "multiarch-rust-target-hello-1.96.0-linux-arm64-musl" },
    ])
    expect(p.steps.slice(0, 2)).toEqual([
      { name: "cargo build", argv: ["cargo", "build", "--locked", "--profile", "release", "--target", "aarch64-unknown-linux-musl", "--bin", "hello"] },
      { name: "copy binary", argv: ["install", "-D", "-m", "0755", "/cargo-target/aarch64-unknown-linux-musl/release/hello", "/out/hello"] },
    ])
    expect(p.output).toEqual({ path: "/out/hello", name: "hello" })
    expect(p.runtime).toEqual(runtime("scratch"))
    expect(p.verify?.linkage).toBe("static")
    expect(p.notes).toEqual([
      "Rust 1.96.0 (default), builder rust:1.96.0-bookworm on the engine's native platform linux/amd64",
      "musl: static binary linked by aarch64-linux-gnu-gcc with rustup's self-contained musl crt objects, libc.a and libunwind.a; C code (cc crate) compiled by aarch64-linux-musl-gcc (Debian musl-dev:arm64)",
      "Cargo.lock present: --locked",
    ])
  })

  it("riscv64 musl without Cargo.lock: no musl-dev in bookworm, C code against glibc headers, no --locked", () => {
    const p = planRust("linux/riscv64", {}, UNLOCKED, "linux/amd64")
    expect(p.builder.setup).toEqual([
      { name: "install C cross toolchain", argv: apt("gcc-riscv64-linux-gnu libc6-dev-riscv64-cross") },
      ...rustup("1.96.0", "riscv64gc-unknown-linux-musl"),
    ])
    expect(p.env.CC_riscv64gc_unknown_linux_musl).toBe("riscv64-linux-gnu-gcc")
    expect(p.steps[0].argv).toEqual(["cargo", "build", "--profile", "release", "--target", "riscv64gc-unknown-linux-musl", "--bin", "hello"])
    expect(p.notes.slice(1)).toEqual([
      "musl: static binary linked by riscv64-linux-gnu-gcc with rustup's self-contained musl crt objects, libc.a and libunwind.a; bookworm has no musl-dev for riscv64, so C code (cc crate) is compiled by riscv64-linux-gnu-gcc against glibc headers (pure Rust is unaffected)",
      "no Cargo.lock: dependencies resolved at build time (commit Cargo.lock for reproducible images)",
    ])
  })

  it("amd64/v3 gnu on an amd64 engine, channel 1.80, dev profile, features: no apt step, target-cpu set", () => {
    const p = planRust("linux/amd64/v3", { libc: "gnu", rustVersion: "1.80", profile: "dev", features: "a,b", noDefaultFeatures: true }, LOCKED, "linux/amd64")
    expect(p.builder).toEqual({ image: "rust:1.80-bookworm", platform: "native", setup: rustup("1.80", "x86_64-unknown-linux-gnu") })
    expect(p.env).toEqual({
      RUSTUP_TOOLCHAIN: "1.80",
      CARGO_HOME: "/usr/local/cargo",
      CARGO_TARGET_DIR: "/cargo-target",
      CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER: "x86_64-linux-gnu-gcc",
      CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS: "-C target-feature=-crt-static -C target-cpu=x86-64-v3",
      CC_x86_64_unknown_linux_gnu: "x86_64-linux-gnu-gcc",
      AR_x86_64_unknown_linux_gnu: "x86_64-linux-gnu-ar",
    })
    expect(p.caches.map((c) => c.key)).toEqual([
      "multiarch-rust-registry-linux-amd64-v3-gnu",
      "multiarch-rust-git-linux-amd64-v3-gnu",
      "multiarch-rust-target-hello-1.80-linux-amd64-v3-gnu",
    ])
    expect(p.steps.slice(0, 2)).toEqual([
      { name: "cargo build", argv: ["cargo", "build", "--locked", "--profile", "dev", "--target", "x86_64-unknown-linux-gnu", "--bin", "hello", "--no-default-features", "--features", "a,b"] },
      { name: "copy binary", argv: ["install", "-D", "-m", "0755", "/cargo-target/x86_64-unknown-linux-gnu/debug/hello", "/out/hello"] },
    ])
    expect(p.runtime).toEqual(runtime("debian:bookworm-slim"))
    expect(p.verify?.linkage).toBe("dynamic")
    expect(p.notes).toEqual([
      "Rust 1.80 (--rust-version), builder rust:1.80-bookworm on the engine's native platform linux/amd64",
      "gnu: dynamically linked against glibc 2.36 (bookworm); runtime base must have glibc >= 2.36",
      "linux/amd64/v3: -C target-cpu=x86-64-v3 (the Rust side of GOAMD64=v3); the prebuilt std stays baseline x86-64",
      "--rust-version 1.80 names a channel: rustup installs it next to the image's 1.80.x toolchain (pin x.y.z to reuse the image's)",
      "Cargo.lock present: --locked",
    ])
  })

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

  it("several binaries without default-run: each named, --bin suggested", () => {
    const e = inputError(() => rustBinaryName({}, cargo({ packageName: "p", bins: ["srv", "cli"] })))
    expect(e.field).toBe("bin")
    expect(e.message).toMatch(/Cargo\.toml declares 2 binaries \(srv, cli\) and no default-run/)
    expect(e.fix).toBe("pass --bin srv (or set [package] default-run)")
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
