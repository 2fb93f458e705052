/**
 * Which binary the Rust plan builds (issue 21, found by mutation testing): every branch of
 * rustBinary — --bin against the scan, default-run, the root manifest without a scan, a root
 * package with or beside workspace members, a virtual workspace with or without default-members —
 * with each note and each refusal's field, input, problem and fix exactly; and what counts as
 * evidence of C++ in the build (cxxEvidence).
 */
import { describe, expect, it } from "vitest"
import { cxxEvidence, rustBinary } from "../../../../modules/toolchains/rust/plan.js"
import type { CargoFacts } from "../../../../modules/toolchains/rust/cargo.js"
import type { BinTarget, CargoTargets } from "../../../../modules/toolchains/rust/workspace.js"
import { inputError } from "../../../support/errors.js"

const cargo = (o: Partial<CargoFacts>): CargoFacts => ({ bins: [], workspace: false, ...o })
const scan = (o: Partial<CargoTargets>): CargoTargets => ({ scanned: true, root: [], members: [], defaultMembers: [], unsafe: [], unreadable: [], ...o })
const t = (name: string, dir = ""): BinTarget => ({ name, dir })
const CLI = t("cli", "crates/cli")
const SRV = t("srv", "crates/srv")

/** The refusal `fn` throws: its field, input, problem and fix, exactly. */
function refused(fn: () => unknown, field: string, input: string, problem: string, fix: string): void {
  const e = inputError(fn)
  expect({ field: e.field, input: e.input, message: e.message, fix: e.fix }).toEqual({ field, input, message: `invalid ${field} ${JSON.stringify(input)}: ${problem}; ${fix}`, fix })
}

describe("--bin", () => {
  it("checked against the scanned binaries; the note names the others", () => {
    expect(rustBinary({ bin: "cli" }, cargo({ workspace: true }), scan({ members: [CLI, SRV] }))).toEqual({
      bin: "cli",
      notes: ["workspace binaries: cli (crates/cli), srv (crates/srv); building cli (--bin)"],
    })
    expect(rustBinary({ bin: "app" }, cargo({ packageName: "app" }), scan({ root: [t("app")] }))).toEqual({ bin: "app", notes: [] })
    refused(
      () => rustBinary({ bin: "nope" }, cargo({ workspace: true }), scan({ members: [t("--x", "a"), SRV] })),
      "bin",
      "nope",
      'no binary target of that name (binaries: "--x" (a), srv (crates/srv))',
      "pass --bin srv",
    )
    refused(() => rustBinary({ bin: "nope" }, cargo({ packageName: "p" }), scan({ root: [t("a b")] })), "bin", "nope", 'no binary target of that name (binaries: "a b")', "pass --bin <name>")
  })

  it("trusted as given when the scan did not run or found nothing", () => {
    expect(rustBinary({ bin: "x" }, cargo({ packageName: "p" }))).toEqual({ bin: "x", notes: [] })
    expect(rustBinary({ bin: "x" }, cargo({ packageName: "p" }), scan({ scanned: false, root: [t("a")] }))).toEqual({ bin: "x", notes: [] })
    expect(rustBinary({ bin: "x" }, cargo({ packageName: "p" }), scan({}))).toEqual({ bin: "x", notes: [] })
  })
})

describe("default-run and the root manifest (no scan)", () => {
  it("default-run wins, with its note", () => {
    expect(rustBinary({}, cargo({ packageName: "p", bins: ["a", "b"], defaultRun: "b" }), scan({ root: [t("a"), t("b")] }))).toEqual({ bin: "b", notes: ["binary b ([package] default-run)"] })
  })

  it("several [[bin]] without default-run: each named, the fix suggests one that --bin accepts", () => {
    refused(
      () => rustBinary({}, cargo({ packageName: "p", bins: ["-x", "b", "c"] })),
      "bin",
      "",
      'Cargo.toml declares 3 binaries ("-x", "b", "c") and no default-run',
      "pass --bin b (or set [package] default-run)",
    )
    expect(inputError(() => rustBinary({}, cargo({ packageName: "p", bins: ["-x", "a b"] }))).fix).toBe("pass --bin <name> (or set [package] default-run)")
  })

  it("one [[bin]]; else the package name; names from Cargo.toml checked like --bin", () => {
    expect(rustBinary({}, cargo({ packageName: "p", bins: ["tool"] }))).toEqual({ bin: "tool", notes: [] })
    expect(rustBinary({}, cargo({ packageName: "p" }))).toEqual({ bin: "p", notes: [] })
    refused(
      () => rustBinary({}, cargo({ packageName: "p", bins: ["a b"] })),
      "bin",
      "a b",
      `Cargo.toml's [[bin]] names the binary "a b", which is not a plain Cargo target name (letters, digits, '_', '-')`,
      "pass --bin with the binary to build",
    )
    expect(inputError(() => rustBinary({}, cargo({ packageName: "-p" }))).message).toMatch(/: Cargo\.toml's \[package\] name names the binary "-p"/)
    expect(inputError(() => rustBinary({}, cargo({ packageName: "p", defaultRun: "x y" }))).message).toMatch(/: Cargo\.toml's default-run names the binary "x y"/)
  })
})

describe("a scanned root package", () => {
  it("its one binary; beside workspace members the note names them", () => {
    expect(rustBinary({}, cargo({ packageName: "app" }), scan({ root: [t("app")] }))).toEqual({ bin: "app", notes: [] })
    expect(rustBinary({}, cargo({ packageName: "app" }), scan({ root: [t("app")], members: [CLI] }))).toEqual({
      bin: "app",
      notes: ["workspace binaries: cli (crates/cli); building the root package's app (--bin picks another)"],
    })
    expect(inputError(() => rustBinary({}, cargo({ packageName: "app" }), scan({ root: [t("a b")] }))).message).toMatch(/: Cargo\.toml names the binary "a b"/)
  })

  it("several binaries: listed, the fix names the first one --bin accepts", () => {
    refused(
      () => rustBinary({}, cargo({ packageName: "app" }), scan({ root: [t("-x"), t("two"), t("three")] })),
      "bin",
      "",
      'package app has 3 binaries ("-x", two, three) and no default-run',
      "pass --bin two (or set [package] default-run)",
    )
    expect(inputError(() => rustBinary({}, cargo({ packageName: "app" }), scan({ root: [t("-x"), t("-y")] }))).fix).toBe("pass --bin <name> (or set [package] default-run)")
  })

  it("no binary of its own: the members' are named; none at all: point --source elsewhere", () => {
    refused(
      () => rustBinary({}, cargo({ packageName: "lib" }), scan({ members: [t("-x", "a"), CLI] })),
      "bin",
      "",
      'package lib has no binary target; workspace members do: "-x" (a), cli (crates/cli)',
      "pass --bin cli",
    )
    expect(inputError(() => rustBinary({}, cargo({ packageName: "lib" }), scan({ members: [t("-x", "a")] }))).fix).toBe("pass --bin <name>")
    refused(
      () => rustBinary({}, cargo({ packageName: "lib" }), scan({})),
      "bin",
      "",
      "package lib has no binary target (no src/main.rs, src/bin/*.rs or [[bin]])",
      "point --source at a crate that builds a binary",
    )
  })
})

describe("a scanned virtual workspace", () => {
  const ws = cargo({ workspace: true })

  it("its only binary crate, of default-members when they have one", () => {
    expect(rustBinary({}, ws, scan({ members: [CLI] }))).toEqual({ bin: "cli", notes: ["virtual workspace: its only binary crate is cli (crates/cli)"] })
    expect(rustBinary({}, ws, scan({ members: [CLI, SRV], defaultMembers: ["crates/srv"] }))).toEqual({
      bin: "srv",
      notes: ["virtual workspace: its only binary crate of default-members is srv (crates/srv) (workspace binaries: cli (crates/cli), srv (crates/srv))"],
    })
    // default-members without a binary: every member counts
    expect(rustBinary({}, ws, scan({ members: [CLI], defaultMembers: ["crates/core"] }))).toEqual({ bin: "cli", notes: ["virtual workspace: its only binary crate is cli (crates/cli)"] })
    expect(inputError(() => rustBinary({}, ws, scan({ members: [t("a b", "x")] }))).message).toMatch(/: x\/Cargo\.toml names the binary "a b"/)
  })

  it("several: listed (those of default-members when set), the fix names one --bin accepts", () => {
    refused(
      () => rustBinary({}, ws, scan({ members: [t("-x", "a"), CLI, SRV] })),
      "bin",
      "",
      'Cargo.toml is a virtual workspace with 3 binaries: "-x" (a), cli (crates/cli), srv (crates/srv)',
      "pass --bin with the one to build, e.g. --bin cli",
    )
    refused(
      () => rustBinary({}, ws, scan({ members: [t("x", "a"), CLI, SRV], defaultMembers: ["crates/cli", "crates/srv"] })),
      "bin",
      "",
      "Cargo.toml is a virtual workspace with 2 binaries in default-members: cli (crates/cli), srv (crates/srv)",
      "pass --bin with the one to build, e.g. --bin cli",
    )
    expect(inputError(() => rustBinary({}, ws, scan({ members: [t("-x", "a"), t("-y", "b")] }))).fix).toBe("pass --bin with the one to build, e.g. --bin <name>")
  })

  it("none: said, with the members that were not read", () => {
    refused(
      () => rustBinary({}, ws, scan({})),
      "bin",
      "",
      "Cargo.toml is a virtual workspace and none of its members builds a binary",
      "point --source at a workspace with a binary crate, or pass --bin <name>",
    )
    expect(inputError(() => rustBinary({}, ws, scan({ unsafe: ["../x", "/abs"] }))).message).toMatch(/none of its members builds a binary \(members not read: "\.\.\/x", "\/abs"\);/)
  })

  it("without a scan a virtual workspace needs --bin", () => {
    refused(() => rustBinary({}, ws), "bin", "", "Cargo.toml is a virtual workspace: there is no package whose binary to build", "pass --bin <name of a binary in one of the members>")
  })
})

describe("C++ evidence", () => {
  const lock = (...names: string[]) => names.map((n) => `[[package]]\nname = "${n}"\nversion = "1.0.0"\n`).join("\n")

  it.each([
    [{ "Cargo.lock": lock("serde", "cxx", "v8") }, "Cargo.lock has cxx, v8"],
    [{ "Cargo.lock": "[[package]]\n  name   =   \"opencv\"\n" }, "Cargo.lock has opencv"],
    [{ "build.rs": "fn main() { cc::Build::new().cpp( true ).file(\"a.cc\").compile(\"a\") }" }, "build.rs compiles C++"],
    [{ "build.rs": "fn main() { cxx_build::bridge(\"src/main.rs\") }" }, "build.rs compiles C++"],
    [{ "build.rs": "fn main() { cpp_build::build(\"src/main.rs\") }" }, "build.rs compiles C++"],
    [{ "Cargo.lock": lock("cxx-build"), "build.rs": "fn main() { cc::Build::new().cpp(true) }" }, "Cargo.lock has cxx-build; build.rs compiles C++"],
  ])("%j → %s", (files, why) => {
    expect(cxxEvidence({ entries: Object.keys(files), files })).toBe(why)
  })

  // the crates known to compile C++ (typed here, not read from the code under test)
  it.each(["cxx", "cxx-build", "link-cplusplus", "cpp_build", "unrar_sys", "librocksdb-sys", "snappy-sys", "protobuf-src", "skia-bindings", "v8", "opencv"])("Cargo.lock with %s → C++", (crate) => {
    expect(cxxEvidence({ entries: ["Cargo.lock"], files: { "Cargo.lock": lock("serde", crate) } })).toBe(`Cargo.lock has ${crate}`)
  })

  it.each([
    [{}],
    [{ "Cargo.lock": lock("serde", "cxxx", "my-cxx") }],
    [{ "Cargo.lock": 'description = "uses cxx"\nxname = "cxx"\n' }],
    [{ "build.rs": "fn main() { cc::Build::new().cpp(false) }" }],
    [{ "build.rs": "fn main() { mycxx_build::x(); notcpp_build::y() }" }],
  ])("%j → no C++", (files) => {
    expect(cxxEvidence({ entries: Object.keys(files), files })).toBeUndefined()
  })
})
