/**
 * Shell-ready plan text: quoting checked against a real POSIX shell (dash, Debian's /bin/sh), and
 * the text form of Go and Rust plans pasted into `sh -n`. (Running a printed Go command for real is
 * the real-toolchain rung: test/real/go.test.ts.)
 */
import { execFileSync } from "node:child_process"
import fc from "fast-check"
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { describeCompiledPlans, shellLines } from "../../../modules/core/render.js"
import { shellAssignments, shellCommand, shellQuote } from "../../../modules/core/shell.js"
import { factsOf, scannedFactsOf } from "../../support/facts.js"
import { planGo, planRust } from "../../support/plans.js"

const ROOT = resolve(__dirname, "../../..")

/** What sh makes of words: each printed NUL-terminated. */
function shWords(script: string): string[] {
  const out = execFileSync("sh", ["-c", script], { encoding: "utf8" })
  return out.split("\0").slice(0, -1)
}

describe("shellQuote", () => {
  it("round-trips any string through sh (property, 200 strings in one shell)", () => {
    const samples = fc.sample(fc.string({ unit: fc.constantFrom(..."ab -'\"$`\\!*?;&|<>(){}[]#~=%,.:/\n\t\u00e9"), maxLength: 24 }), 200)
    const script = `printf '%s\\0' ${samples.map(shellQuote).join(" ")}`
    expect(shWords(script)).toEqual(samples)
  })

  it("leaves plain words bare and quotes the rest", () => {
    expect(shellCommand(["go", "build", "-ldflags", "-s -w", "-o", "/out/app", "./cmd/app"])).toBe("go build -ldflags '-s -w' -o /out/app ./cmd/app")
    expect(shellQuote("")).toBe("''")
    expect(shellQuote("it's")).toBe(`'it'\\''s'`)
    expect(shellAssignments({ A: "x y", B: "plain", C: "" })).toBe("A='x y' B=plain C=''")
    expect(() => shellAssignments({ "A B": "x" })).toThrow(/not an environment variable name/)
  })
})

describe("plan --format text is shell-ready", () => {
  const commands = (text: string) =>
    text
      .split("\n")
      .filter((l) => l.startsWith("  $ "))
      .map((l) => l.slice(4))

  it("Go: the -ldflags value is one word (the issue's `-ldflags -s -w` failed in a shell); env quoted", () => {
    const p = planGo("linux/arm/v7", { version: "1.2.3 beta", ldflags: `-X 'main.name=a b'` }, factsOf(join(ROOT, "test/fixtures/go-hello")), "linux/amd64")
    const lines = shellLines(p)
    expect(lines[0]).toBe("$ cd /src")
    expect(lines[1]).toBe("$ export GOOS=linux GOARCH=arm GOARM=7 CGO_ENABLED=0 GOCACHE=/root/.cache/go-build GOMODCACHE=/go/pkg/mod")
    expect(lines[2]).toBe(`$ go build -trimpath -ldflags '-s -w -X '\\''main.name=a b'\\'' -X '\\''main.version=1.2.3 beta'\\''' -o /out/hello .`)
    expect(lines[3]).toBe("# verify ELF (ARM, 32-bit, little-endian, static): an in-builder script (its argv: --format json)")
    // what sh makes of the printed build command is exactly the plan's argv
    expect(shWords(`set -- ${lines[2].slice(2)}; printf '%s\\0' "$@"`)).toEqual(p.steps[0].argv)
  })

  it("every printed command of every plan shape passes sh -n", async () => {
    const go = planGo("linux/arm64", { cgo: true, cgoPackages: ["libgpgme-dev"], tags: ["a", "b"] }, factsOf(join(ROOT, "test/fixtures/go-hello")), "linux/amd64")
    const many = planGo("linux/riscv64", {}, await scannedFactsOf(join(ROOT, "test/fixtures/go-cmd"), "go"), "linux/amd64")
    const rust = planRust("linux/arm/v7", { libc: "gnu", features: ["a", "b"] }, factsOf(join(ROOT, "test/fixtures/rust-hello")), "linux/amd64")
    const text = describeCompiledPlans([go, many, rust], "linux/amd64")
    const cmds = commands(text)
    expect(cmds.length).toBeGreaterThan(12)
    expect(cmds).toContain("dpkg --add-architecture arm64 && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross pkgconf:arm64 libgpgme-dev:arm64  # install C cross compiler and target packages")
    expect(cmds).toContain("go build -trimpath -ldflags '-s -w' -o /out/b ./cmd/b")
    expect(cmds).toContain("cargo build --locked --profile release --target armv7-unknown-linux-gnueabihf --bin=rust-hello --features a,b")
    expect(text).toMatch(/binaries: a, b \(entrypoint a\)/)
    execFileSync("sh", ["-n", "-c", cmds.join("\n")])
    // and each on its own
    for (const c of cmds) execFileSync("sh", ["-n", "-c", c])
  })
})
