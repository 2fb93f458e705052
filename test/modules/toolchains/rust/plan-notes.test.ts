/**
 * What the Rust plan tells the user and installs (issue 21, found by mutation testing): each
 * note's exact wording per libc, per musl-dev availability, per C++ evidence, per amd64 level and
 * channel; the setup of an emulated gnu build; the C++-with-musl refusal; cache volumes of
 * virtual workspaces keyed by their members.
 */
import { describe, expect, it } from "vitest"
import type { SourceFacts } from "../../../../modules/core/plan.js"
import { withPatch } from "../../../../modules/toolchains/source.js"
import { scanRust } from "../../../../modules/toolchains/rust/workspace.js"
import { planRust } from "../../../support/plans.js"
import { inputError } from "../../../support/errors.js"

const HELLO = `[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n`
const CXX_LOCK = '[[package]]\nname = "cxx"\nversion = "1.0.0"\n'
const F: SourceFacts = { entries: ["Cargo.toml", "Cargo.lock"], files: { "Cargo.toml": HELLO } }
const CXX: SourceFacts = { entries: ["Cargo.toml", "Cargo.lock"], files: { "Cargo.toml": HELLO, "Cargo.lock": CXX_LOCK } }
const apt = (pkgs: string, addArch = "") => ["sh", "-c", `${addArch}apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${pkgs}`]
const rustup = (v: string, triple: string) => [
  { name: "rustup toolchain", argv: ["rustup", "toolchain", "install", v, "--profile", "minimal", "--no-self-update"] },
  { name: "rustup target add", argv: ["rustup", "target", "add", "--toolchain", v, triple] },
]
const NS = "cache volumes namespaced by a hash of the package identity"
const NO_CXX_MUSL = "; no C++ (Debian has no libstdc++ for musl: a crate compiling C++ needs --libc gnu)"

describe("notes, exactly", () => {
  it("musl cross build with Debian's musl-dev: linker, C compiler, no C++", () => {
    const p = planRust("linux/arm64", {}, F, "linux/amd64")
    expect(p.builder.setup).toEqual([
      { name: "install C cross toolchain", argv: apt("gcc-aarch64-linux-gnu libc6-dev-arm64-cross musl-dev:arm64", "dpkg --add-architecture arm64 && ") },
      ...rustup("1.96.0", "aarch64-unknown-linux-musl"),
    ])
    expect(p.notes).toEqual([
      "Rust 1.96.0 (default), builder rust:1.96.0-bookworm on the engine's native platform linux/amd64",
      "musl: static binary linked by aarch64-linux-gnu-gcc with rustup's self-contained musl crt objects, libc.a and libunwind.a; C code (cc crate) compiled by aarch64-linux-musl-gcc (Debian musl-dev:arm64)" + NO_CXX_MUSL,
      "Cargo.lock present: --locked",
      NS,
    ])
  })

  it("musl where bookworm has no musl-dev: C code falls back to the glibc cross gcc, said so", () => {
    const p = planRust("linux/riscv64", {}, { entries: ["Cargo.toml"], files: { "Cargo.toml": HELLO } }, "linux/amd64")
    expect(p.builder.setup[0]).toEqual({ name: "install C cross toolchain", argv: apt("gcc-riscv64-linux-gnu libc6-dev-riscv64-cross") })
    expect(p.notes.slice(1)).toEqual([
      "musl: static binary linked by riscv64-linux-gnu-gcc with rustup's self-contained musl crt objects, libc.a and libunwind.a; bookworm has no musl-dev for riscv64, so C code (cc crate) is compiled by riscv64-linux-gnu-gcc against glibc headers (pure Rust is unaffected)" +
        NO_CXX_MUSL,
      "no Cargo.lock: dependencies resolved at build time (commit Cargo.lock for reproducible images)",
      NS,
    ])
  })

  it("gnu: g++ named; with C++ evidence, libstdc++ and the runtime base too", () => {
    expect(planRust("linux/arm64", { libc: "gnu" }, F, "linux/amd64").notes[1]).toBe(
      "gnu: dynamically linked against glibc 2.36 (bookworm); runtime base must have glibc >= 2.36; C++ (cc crate, cxx) compiled by aarch64-linux-gnu-g++",
    )
    const p = planRust("linux/arm64", { libc: "gnu" }, CXX, "linux/amd64")
    expect(p.builder.setup[0]).toEqual({ name: "install C cross toolchain", argv: apt("gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross") })
    expect(p.notes[1]).toBe(
      "gnu: dynamically linked against glibc 2.36 (bookworm); runtime base must have glibc >= 2.36; C++ (cc crate, cxx) compiled by aarch64-linux-gnu-g++ (Cargo.lock has cxx), libstdc++ linked dynamically: libstdc++6 is in debian:bookworm-slim, a --base needs it too",
    )
  })

  it("an amd64 level and a channel: both explained", () => {
    const p = planRust("linux/amd64/v3", { libc: "gnu", rustVersion: "1.90" }, F, "linux/amd64")
    expect(p.env.CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS).toBe("-C target-feature=-crt-static -C target-cpu=x86-64-v3")
    expect(p.notes).toContain("linux/amd64/v3: -C target-cpu=x86-64-v3 (the Rust side of GOAMD64=v3); the prebuilt std stays baseline x86-64")
    expect(p.notes).toContain("--rust-version 1.90 names a channel: rustup installs it next to the image's 1.90.x toolchain (pin x.y.z to reuse the image's)")
    expect(planRust("linux/amd64/v3", { libc: "gnu", rustVersion: "1.90.1" }, F, "linux/amd64").notes.some((n) => n.includes("names a channel"))).toBe(false)
  })

  it("emulated gnu: nothing from apt (the target image has gcc and g++), the target's tool names, the slow-down note", () => {
    const p = planRust("linux/riscv64", { libc: "gnu", emulate: true }, CXX, "linux/amd64")
    expect(p.builder).toEqual({ image: "rust:1.96.0-bookworm", platform: "linux/riscv64", setup: rustup("1.96.0", "riscv64gc-unknown-linux-gnu") })
    expect(p.env.CARGO_TARGET_RISCV64GC_UNKNOWN_LINUX_GNU_LINKER).toBe("riscv64-linux-gnu-gcc")
    expect(p.notes[0]).toBe("Rust 1.96.0 (default), builder rust:1.96.0-bookworm emulated as linux/riscv64 (--emulate): expect ≈9× slower builds")
  })

  it("only amd64 levels get a target-cpu: arm/v7 keeps the plain musl flags", () => {
    const p = planRust("linux/arm/v7", {}, F, "linux/amd64")
    expect(p.env.CARGO_TARGET_ARMV7_UNKNOWN_LINUX_MUSLEABIHF_RUSTFLAGS).toBe("-C target-feature=+crt-static -C link-self-contained=yes")
    expect(p.notes.some((n) => n.includes("target-cpu"))).toBe(false)
  })

  it("cache volume names stay the same across releases (a new name would leave every user's warm cache behind)", () => {
    expect(planRust("linux/arm64", { libc: "gnu" }, F, "linux/amd64").caches.map((c) => c.key)).toEqual([
      "multiarch-rust-registry-p20d835b75d9ab7b1-linux-arm64-gnu",
      "multiarch-rust-git-p20d835b75d9ab7b1-linux-arm64-gnu",
      "multiarch-rust-target-p20d835b75d9ab7b1-1.96.0-linux-arm64-gnu",
    ])
  })

  it("gnu on the engine's own architecture: nothing from apt either", () => {
    expect(planRust("linux/arm64", { libc: "gnu" }, F, "linux/arm64").builder.setup).toEqual(rustup("1.96.0", "aarch64-unknown-linux-gnu"))
  })
})

describe("C++ with musl", () => {
  it("refused with both ways out, naming the evidence", () => {
    const e = inputError(() => planRust("linux/arm64", {}, CXX, "linux/amd64"))
    expect(e.field).toBe("libc")
    expect(e.input).toBe("musl")
    expect(e.fix).toBe(
      "pass --libc gnu (g++-<triple>, libstdc++ linked dynamically, Debian runtime base); a static musl C++ build needs a musl C++ cross toolchain (e.g. musl-cross-make), which multiarch does not download — build that with --lang dockerfile",
    )
    expect(e.message).toBe(
      `invalid libc "musl": the build compiles C++ (Cargo.lock has cxx) and Debian has no C++ standard library for musl, the default libc (its g++ links glibc's libstdc++); ${e.fix}`,
    )
  })
})

describe("cache volumes of a virtual workspace", () => {
  /** The scanned facts of a virtual workspace whose members each hold one binary crate. */
  async function ws(members: string[]): Promise<SourceFacts> {
    const files: Record<string, string> = { "Cargo.toml": `[workspace]\nmembers = [${members.map((m) => JSON.stringify(m)).join(", ")}]\n` }
    for (const m of members) files[`${m}/Cargo.toml`] = `[package]\nname = "${m.split("/").pop()}"\n`
    for (const m of members) files[`${m}/src/main.rs`] = "fn main() {}\n"
    const paths = Object.keys(files)
    const re = (g: string) => new RegExp("^" + g.split("*").map((x) => x.replace(/[.+?^$()|[\]\\]/g, "\\$&")).join("[^/]*") + "$")
    const facts: SourceFacts = { entries: [...new Set(paths.map((p) => p.split("/")[0]))], files: { "Cargo.toml": files["Cargo.toml"] } }
    return withPatch(facts, await scanRust({ glob: async (g) => paths.filter((p) => re(g).test(p)), read: async (p) => files[p] }, facts))
  }

  it("keyed by the members: the same members share, other members do not", async () => {
    const keys = (f: SourceFacts, bin?: string) => planRust("linux/arm64", bin ? { bin } : {}, f, "linux/amd64").caches.map((c) => c.key)
    const a = keys(await ws(["crates/a"]))
    expect(keys(await ws(["crates/a"]))).toEqual(a)
    const b = keys(await ws(["crates/b"]))
    for (let i = 0; i < 3; i++) expect(b[i]).not.toBe(a[i])
    // members ab,c and a,bc are two workspaces (the member list is not run together)
    const abc = keys(await ws(["ab", "c"]), "c")
    const a_bc = keys(await ws(["a", "bc"]), "a")
    for (let i = 0; i < 3; i++) expect(abc[i]).not.toBe(a_bc[i])
    // the same binary name in another member directory is another workspace
    const moved = keys(await ws(["tools/a"]))
    for (let i = 0; i < 3; i++) expect(moved[i]).not.toBe(a[i])
    // unscanned: the binary stands in for the members
    const bare = (bin: string) => keys({ entries: ["Cargo.toml"], files: { "Cargo.toml": "[workspace]\nmembers = []\n" } }, bin)
    expect(bare("x")).toEqual(bare("x"))
    expect(bare("x")[0]).not.toBe(bare("y")[0])
  })
})
