/**
 * Rust binaries from the scan (virtual workspaces, [[bin]], autobins), C++ in build scripts, and
 * what the scan reads — on fixtures shaped like helix/uv/meilisearch (virtual workspace) and
 * ouch/unrar (C++ in build.rs).
 */
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { safeMemberPattern } from "../../../../modules/toolchains/rust/index.js"
import type { BuildPlan, SourceFacts } from "../../../../modules/core/plan.js"
import { scannedFactsOf } from "../../../support/facts.js"
import { inputError } from "../../../support/errors.js"
import { planRust } from "../../../support/plans.js"
import { withPatch } from "../../../../modules/toolchains/source.js"
import { scanRust } from "../../../../modules/toolchains/rust/workspace.js"

const ROOT = resolve(__dirname, "../../../..")
const fixture = (name: string) => join(ROOT, "test/fixtures", name)
const NATIVE = "linux/amd64"
const cargo = (p: BuildPlan) => p.steps.find((s) => s.name === "cargo build")!.argv

/** A reader over files in memory (paths → text), with `*` within one path element. */
async function memoryFacts(files: Record<string, string>): Promise<SourceFacts> {
  const paths = Object.keys(files)
  const re = (g: string) => new RegExp("^" + g.split("*").map((x) => x.replace(/[.+?^$()|[\]\\]/g, "\\$&")).join("[^/]*") + "$")
  const facts: SourceFacts = { entries: [...new Set(paths.map((p) => p.split("/")[0]))], files: { "Cargo.toml": files["Cargo.toml"] } }
  const patch = await scanRust({ glob: async (g) => paths.filter((p) => re(g).test(p)), read: async (p) => files[p] }, facts)
  return withPatch(facts, patch)
}

describe("virtual workspaces (rust-workspace: crates/server, crates/cli with [[bin]] wsctl, crates/core library)", () => {
  it("the scan reads the members' manifests and binary sources only", async () => {
    const log: string[] = []
    await scannedFactsOf(fixture("rust-workspace"), "rust", {}, log)
    expect(log.filter((l) => l.startsWith("read"))).toEqual(["read crates/cli/Cargo.toml", "read crates/core/Cargo.toml", "read crates/server/Cargo.toml"])
    expect(log.filter((l) => l.startsWith("glob")).sort()).toEqual(
      ["glob src/main.rs", "glob src/bin/*.rs", "glob src/bin/*/main.rs", "glob crates/*/Cargo.toml", "glob crates/*/src/main.rs", "glob crates/*/src/bin/*.rs", "glob crates/*/src/bin/*/main.rs"].sort(),
    )
  })

  it("without --bin: an input error listing the binary crates (before any engine work)", async () => {
    const facts = await scannedFactsOf(fixture("rust-workspace"), "rust")
    for (const platform of ["linux/amd64", "linux/arm64"]) {
      const e = inputError(() => planRust(platform, {}, facts, NATIVE))
      expect(e.field).toBe("bin")
      expect(e.message).toMatch(/Cargo\.toml is a virtual workspace with 2 binaries: wsctl \(crates\/cli\), ws-server \(crates\/server\)/)
      expect(e.fix).toBe("pass --bin with the one to build, e.g. --bin wsctl")
    }
  })

  it("--bin picks one (checked against the scan), the plan lists the others", async () => {
    const facts = await scannedFactsOf(fixture("rust-workspace"), "rust")
    const p = planRust("linux/arm64", { bin: "wsctl" }, facts, NATIVE)
    expect(cargo(p)).toEqual(["cargo", "build", "--locked", "--profile", "release", "--target", "aarch64-unknown-linux-musl", "--bin=wsctl"])
    expect(p.output.name).toBe("wsctl")
    expect(p.notes.join("\n")).toMatch(/workspace binaries: wsctl \(crates\/cli\), ws-server \(crates\/server\); building wsctl \(--bin\)/)
    const e = inputError(() => planRust("linux/arm64", { bin: "ws-core" }, facts, NATIVE))
    expect(e.message).toMatch(/no binary target of that name \(binaries: wsctl \(crates\/cli\), ws-server \(crates\/server\)\)/)
  })

  it("one binary crate (or one in default-members): built without --bin", async () => {
    const one = await memoryFacts({
      "Cargo.toml": `[workspace]\nmembers = ["helix-*", "xtask"]\ndefault-members = ["helix-term"]\n`,
      "helix-term/Cargo.toml": `[package]\nname = "helix-term"\n[[bin]]\nname = "hx"\npath = "src/main.rs"\n`,
      "helix-term/src/main.rs": "",
      "helix-core/Cargo.toml": `[package]\nname = "helix-core"\n`,
      "helix-core/src/lib.rs": "",
      "xtask/Cargo.toml": `[package]\nname = "xtask"\n`,
      "xtask/src/main.rs": "",
    })
    const p = planRust("linux/arm64", {}, one, NATIVE)
    expect(cargo(p).at(-1)).toBe("--bin=hx")
    expect(p.notes.join("\n")).toMatch(/virtual workspace: its only binary crate of default-members is hx \(helix-term\)/)
  })

  it("src/bin/*.rs and src/bin/*/main.rs are binaries; autobins = false turns inference off; members leaving the source are not read", async () => {
    const f = await memoryFacts({
      "Cargo.toml": `[workspace]\nmembers = ["a", "../outside", "/etc"]\n`,
      "a/Cargo.toml": `[package]\nname = "a"\n`,
      "a/src/bin/one.rs": "",
      "a/src/bin/two/main.rs": "",
    })
    expect(inputError(() => planRust("linux/arm64", {}, f, NATIVE)).message).toMatch(/2 binaries: one \(a\), two \(a\)/)
    expect(safeMemberPattern("../outside")).toBe(false)
    expect(safeMemberPattern("/etc")).toBe(false)
    expect(safeMemberPattern("crates/*")).toBe(true)
    const off = await memoryFacts({ "Cargo.toml": `[workspace]\nmembers = ["a"]\n`, "a/Cargo.toml": `[package]\nname = "a"\nautobins = false\n`, "a/src/main.rs": "" })
    expect(inputError(() => planRust("linux/arm64", {}, off, NATIVE)).message).toMatch(/none of its members builds a binary/)
  })

  it("a root package: its own binary wins over members'; a lib-only root lists the members'", async () => {
    const rg = await memoryFacts({
      "Cargo.toml": `[package]\nname = "ripgrep"\n[[bin]]\nname = "rg"\npath = "crates/core/main.rs"\n[workspace]\nmembers = ["crates/*"]\n`,
      "crates/grep/Cargo.toml": `[package]\nname = "grep"\n`,
      "crates/xtask/Cargo.toml": `[package]\nname = "xtask"\n`,
      "crates/xtask/src/main.rs": "",
    })
    expect(cargo(planRust("linux/arm64", {}, rg, NATIVE)).at(-1)).toBe("--bin=rg")
    const lib = await memoryFacts({ "Cargo.toml": `[package]\nname = "lib"\n[workspace]\nmembers = ["cli"]\n`, "src/lib.rs": "", "cli/Cargo.toml": `[package]\nname = "cli"\n`, "cli/src/main.rs": "" })
    const e = inputError(() => planRust("linux/arm64", {}, lib, NATIVE))
    expect(e.message).toMatch(/package lib has no binary target; workspace members do: cli \(cli\)/)
    expect(e.fix).toBe("pass --bin cli")
  })

  it("names read from member manifests are checked like --bin (shown quoted, never passed)", async () => {
    const f = await memoryFacts({ "Cargo.toml": `[workspace]\nmembers = ["a"]\n`, "a/Cargo.toml": `[package]\nname = "a"\n[[bin]]\nname = "--config=x"\n` })
    const e = inputError(() => planRust("linux/arm64", {}, f, NATIVE))
    expect(e.message).toMatch(/a\/Cargo\.toml names the binary "--config=x", which is not a plain Cargo target name/)
  })
})

describe("C++ in build scripts (rust-cxx: cc with .cpp(true), like unrar_sys in ouch)", () => {
  it("gnu: g++-<triple> installed, CXX_<triple> set, libstdc++ named in the notes", async () => {
    const facts = await scannedFactsOf(fixture("rust-cxx"), "rust")
    const p = planRust("linux/arm64", { libc: "gnu" }, facts, NATIVE)
    expect(p.env.CXX_aarch64_unknown_linux_gnu).toBe("aarch64-linux-gnu-g++")
    expect(p.builder.setup[0].argv[2]).toMatch(/gcc-aarch64-linux-gnu g\+\+-aarch64-linux-gnu libc6-dev-arm64-cross$/)
    expect(p.notes.join("\n")).toMatch(/C\+\+ \(cc crate, cxx\) compiled by aarch64-linux-gnu-g\+\+ \(build\.rs compiles C\+\+\), libstdc\+\+ linked dynamically/)
    expect(p.verify?.linkage).toBe("dynamic")
  })

  it("musl (the default): an input error before any engine work, naming what was found and the choices", async () => {
    const facts = await scannedFactsOf(fixture("rust-cxx"), "rust")
    for (const platform of ["linux/amd64", "linux/arm64"]) {
      const e = inputError(() => planRust(platform, {}, facts, NATIVE))
      expect(e.field).toBe("libc")
      expect(e.input).toBe("musl")
      expect(e.message).toMatch(/compiles C\+\+ \(build\.rs compiles C\+\+\) and Debian has no C\+\+ standard library for musl, the default libc/)
      expect(e.fix).toMatch(/^pass --libc gnu .*musl C\+\+ cross toolchain .*--lang dockerfile$/)
    }
  })

  it("known C++ crates in Cargo.lock count too (cxx, unrar_sys, librocksdb-sys…)", () => {
    const facts: SourceFacts = {
      entries: ["Cargo.toml", "Cargo.lock"],
      files: { "Cargo.toml": `[package]\nname = "ouch"\n`, "Cargo.lock": `version = 3\n[[package]]\nname = "unrar_sys"\nversion = "0.5.0"\n` },
    }
    expect(inputError(() => planRust("linux/arm64", { libc: "musl" }, facts, NATIVE)).message).toMatch(/Cargo\.lock has unrar_sys/)
    expect(() => planRust("linux/arm64", { libc: "gnu" }, facts, NATIVE)).not.toThrow()
  })
})
