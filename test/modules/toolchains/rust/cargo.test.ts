/**
 * What the Rust plan reads from Cargo.toml and rust-toolchain(.toml), through a TOML 1.0 parser
 * (smol-toml): every valid manifest reads — inline tables included — and an invalid one is an
 * input error naming the file and the line, as cargo would refuse it.
 */
import { describe, expect, it } from "vitest"
import { MultiarchInputError } from "../../../../modules/core/errors/index.js"
import { enginePlatform } from "../../../../modules/core/native.js"
import { targetOf } from "../../../../modules/core/platform.js"
import { parseCargoToml, parseToolchainFile, planRust } from "../../../../modules/toolchains/rust/index.js"

describe("Cargo.toml / rust-toolchain.toml reading", () => {
  it("reads tables, [[bin]], comments, quotes, dotted keys, multi-line arrays and inline tables", () => {
    // the features the hand-written reader handled, in one valid manifest: comments (also after a
    // value and inside a multi-line array), a single-quoted string holding ", a "#" inside a
    // string, a dotted key, an inline table in [dependencies], [[bin]]
    const cargo = parseCargoToml(
      `# top\n[package]\nname = 'q"uoted' # c\nversion = "0.1.0"\nrust-version.workspace = true\nkeywords = [\n "a", # ]\n "b",\n]\ndefault-run = "x#y"\n[dependencies]\nserde = { version = "1", features = ["derive"] }\n[[bin]]\nname = "one"\n`,
    )
    expect(cargo).toEqual({ packageName: 'q"uoted', defaultRun: "x#y", bins: ["one"], rustVersion: undefined, workspace: false })
    // a top-level dotted key names the [package] table too
    expect(parseCargoToml(`# top\npackage.name = "dotted" # trailing\npackage.version = "0.1.0"\n`).packageName).toBe("dotted")
  })

  it("an inline [package] table parses (the hand-written reader rejected it)", () => {
    const text = `package = { name = "inline", version = "0.1.0", default-run = "srv", rust-version = "1.80" }\nbin = [{ name = "srv" }, { name = "cli" }]\n`
    expect(parseCargoToml(text)).toEqual({ packageName: "inline", defaultRun: "srv", bins: ["srv", "cli"], rustVersion: "1.80", workspace: false })
    const facts = { entries: ["Cargo.toml", "src"], files: { "Cargo.toml": text } }
    const p = planRust(targetOf("linux/arm64"), {}, facts, enginePlatform("linux/amd64"))
    expect(p.output.name).toBe("srv")
    expect(p.steps[0].argv).toEqual(["cargo", "build", "--profile", "release", "--target", "aarch64-unknown-linux-musl", "--bin=srv"])
    expect(parseCargoToml(`[workspace]\nmembers = ["a"]\npackage = { edition = "2021" }\n`)).toMatchObject({ packageName: undefined, workspace: true })
  })

  it("parseCargoToml / parseToolchainFile", () => {
    expect(parseCargoToml(`[package]\nname = "a"\ndefault-run = "b"\nrust-version = "1.74"\n[[bin]]\nname = "b"\n[[bin]]\nname = "c"\n`)).toEqual({
      packageName: "a",
      defaultRun: "b",
      bins: ["b", "c"],
      rustVersion: "1.74",
      workspace: false,
    })
    expect(parseToolchainFile({ "rust-toolchain.toml": `[toolchain]\nprofile = "minimal"\n` })).toBeUndefined()
    expect(parseToolchainFile({ "rust-toolchain": `[toolchain]\nchannel = "1.88.0"\n` })).toEqual({ file: "rust-toolchain", channel: "1.88.0" })
    expect(parseToolchainFile({ "rust-toolchain.toml": `toolchain = { channel = "1.90.0" }\n` })).toEqual({ file: "rust-toolchain.toml", channel: "1.90.0" })
  })

  it("invalid TOML is an input error naming the file and the line (cargo would refuse it too)", () => {
    const bad: [Record<string, string>, string, RegExp][] = [
      [{ "Cargo.toml": `[package]\nname = "a"\nname = "b"\n` }, "Cargo.toml", /Cargo\.toml is not valid TOML: .* \(line 3, column \d+\)/],
      [{ "Cargo.toml": `package.name = "x"\n[package]\nversion = "1"\n` }, "Cargo.toml", /Cargo\.toml is not valid TOML: .*redefine.* \(line 2/],
      [{ "rust-toolchain.toml": `[toolchain\nchannel = "1.2"\n` }, "rust-toolchain.toml", /rust-toolchain\.toml is not valid TOML/],
    ]
    for (const [files, input, re] of bad) {
      let e: unknown
      try {
        if (files["Cargo.toml"]) parseCargoToml(files["Cargo.toml"])
        else parseToolchainFile(files)
      } catch (x) {
        e = x
      }
      expect(e, input).toBeInstanceOf(MultiarchInputError)
      expect((e as MultiarchInputError).input).toBe(input)
      expect((e as MultiarchInputError).message).toMatch(re)
    }
  })
})
