/**
 * Go main-package discovery: the cheap scan (what it reads), the head parser, build constraints,
 * and the plans it leads to on fixtures shaped like real layouts (a library root with cmd/a and
 * cmd/b; a cgo-only main package like runc's; build-tag-selected files).
 */
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { fileIncluded, fileNameMatches, parseBuildExpr, parseGoHead, type BuildContext } from "../../../../modules/toolchains/go/source.js"
import type { SourceFacts } from "../../../../modules/core/plan.js"
import { scannedFactsOf } from "../../../support/facts.js"
import { inputError } from "../../../support/errors.js"
import { planGo } from "../../../support/plans.js"

const ROOT = resolve(__dirname, "../../../..")
const fixture = (name: string) => join(ROOT, "test/fixtures", name)
const CTX: BuildContext = { goarch: "arm64", cgo: false, tags: [], goMinor: 22 }

describe("parseGoHead", () => {
  it("reads build constraints, the package clause and import \"C\" past comments and a cgo preamble", () => {
    const h = parseGoHead(`// Copyright …\n\n//go:build linux && cgo\n// +build linux,cgo\n\n/* doc\n package notthis */\npackage nsenter\n\n/*\n#include <stdlib.h>\nvoid nsexec();\n*/\nimport "C"\n\nfunc init() {}\n`)
    expect(h).toEqual({ package: "nsenter", goBuild: "linux && cgo", plusBuild: ["linux,cgo"], importsC: true })
    expect(parseGoHead(`package main\n\nimport (\n\t"fmt"\n\t"C"\n)\n`).importsC).toBe(true)
    expect(parseGoHead(`package main\n\nimport (\n\t"fmt"\n)\n\nvar C = "C"\n`).importsC).toBe(false)
    expect(parseGoHead(`\uFEFFpackage x // comment\n`).package).toBe("x")
    // a //go:build after the package clause is no constraint
    expect(parseGoHead(`package x\n//go:build ignore\n`).goBuild).toBeUndefined()
  })
})

describe("build constraints", () => {
  it("evaluates //go:build like go build for linux/<GOARCH>", () => {
    const inc = (expr: string, ctx: Partial<BuildContext> = {}) => fileIncluded("x.go", { goBuild: expr, plusBuild: [], importsC: false }, { ...CTX, ...ctx })
    expect(inc("linux")).toBe(true)
    expect(inc("darwin || windows")).toBe(false)
    expect(inc("unix && !windows")).toBe(true)
    expect(inc("arm64")).toBe(true)
    expect(inc("amd64")).toBe(false)
    expect(inc("cgo")).toBe(false)
    expect(inc("cgo", { cgo: true })).toBe(true)
    expect(inc("ignore")).toBe(false)
    expect(inc("go1.21 && !go1.23")).toBe(true)
    expect(inc("go1.23")).toBe(false)
    expect(inc("containers_image_openpgp")).toBe(false)
    expect(inc("containers_image_openpgp", { tags: ["containers_image_openpgp"] })).toBe(true)
    expect(inc("(linux && (arm64 || riscv64)) && !purego")).toBe(true)
    expect(parseBuildExpr("linux &&")).toBeUndefined()
    // an expression that does not parse does not exclude the file (go would report it)
    expect(inc("linux &&")).toBe(true)
  })

  it("legacy // +build lines: space = OR, comma = AND, lines ANDed", () => {
    const inc = (lines: string[], ctx: Partial<BuildContext> = {}) => fileIncluded("x.go", { plusBuild: lines, importsC: false }, { ...CTX, ...ctx })
    expect(inc(["linux darwin"])).toBe(true)
    expect(inc(["linux,amd64"])).toBe(false)
    expect(inc(["linux", "!cgo"])).toBe(true)
    expect(inc(["linux", "!cgo"], { cgo: true })).toBe(false)
  })

  it("file names: _linux, _<arch>, _<os>_<arch>; import \"C\" needs cgo", () => {
    expect(fileNameMatches("x_linux.go", "arm64")).toBe(true)
    expect(fileNameMatches("x_windows.go", "arm64")).toBe(false)
    expect(fileNameMatches("x_amd64.go", "arm64")).toBe(false)
    expect(fileNameMatches("x_linux_arm64.go", "arm64")).toBe(true)
    expect(fileNameMatches("x_darwin_arm64.go", "arm64")).toBe(false)
    expect(fileNameMatches("linux.go", "arm64")).toBe(true)
    expect(fileNameMatches("net_linuxish.go", "arm64")).toBe(true)
    expect(fileIncluded("c.go", { plusBuild: [], importsC: true }, CTX)).toBe(false)
    expect(fileIncluded("c.go", { plusBuild: [], importsC: true }, { ...CTX, cgo: true })).toBe(true)
  })
})

describe("the scan reads only what discovery needs", () => {
  it("go-cmd: the root's .go files (heads), then cmd/*/*.go (heads); no test files, nothing deeper", async () => {
    const log: string[] = []
    const facts = await scannedFactsOf(fixture("go-cmd"), "go", {}, log)
    expect(log).toEqual([
      "read gen.go (100 lines)",
      "read tools.go (100 lines)",
      "glob cmd/*/*.go",
      "read cmd/a/main.go (100 lines)",
      "read cmd/b/main.go (100 lines)",
      "read cmd/shared/flags.go (100 lines)",
    ])
    // the glob also matched cmd/a/main_test.go: test files are neither listed nor read
    expect(facts.listings?.["cmd/*/*.go"]).toEqual(["cmd/a/main.go", "cmd/b/main.go", "cmd/shared/flags.go"])
  })

  it("a main package at the root: cmd/ is not read", async () => {
    const log: string[] = []
    await scannedFactsOf(fixture("go-hello"), "go", {}, log)
    expect(log).toEqual(["read main.go (100 lines)"])
  })

  it("--pkg: only the named directories are read", async () => {
    const log: string[] = []
    await scannedFactsOf(fixture("go-cmd"), "go", { pkg: "./cmd/b" }, log)
    expect(log).toEqual(["glob cmd/b/*.go", "read cmd/b/main.go (100 lines)"])
  })
})

describe("main packages of the fixtures (what build --platforms linux/amd64,linux/arm64 does without flags)", () => {
  it("go-cmd: a library root → both cmd/ main packages, each its own binary, the first as entrypoint", async () => {
    const facts = await scannedFactsOf(fixture("go-cmd"), "go")
    for (const platform of ["linux/amd64", "linux/arm64"]) {
      const p = planGo(platform, {}, facts, "linux/amd64")
      expect(p.steps.filter((s) => s.argv[0] === "go").map((s) => s.argv)).toEqual([
        ["go", "build", "-trimpath", "-ldflags", "-s -w", "-o", "/out/a", "./cmd/a"],
        ["go", "build", "-trimpath", "-ldflags", "-s -w", "-o", "/out/b", "./cmd/b"],
      ])
      expect(p.steps.map((s) => s.name)).toEqual(["go build ./cmd/a", "go build ./cmd/b", "verify ELF", "verify ELF b"])
      expect(p.output).toEqual({ path: "/out/a", name: "a" })
      expect(p.extraOutputs).toEqual([{ path: "/out/b", name: "b" }])
      expect(p.runtime.entrypoint).toEqual(["/usr/local/bin/a"])
      const notes = p.notes.join("\n")
      expect(notes).toMatch(/main packages \.\/cmd\/a, \.\/cmd\/b \(\. is package tools; found 2 main packages in cmd\/; --pkg picks others\)/)
      expect(notes).toMatch(/2 binaries in the image .*entrypoint a \(the first; none is named like the module example\.com\/tools\): --entrypoint <name> picks another, --pkg \.\/cmd\/<name> builds only one/)
    }
  })

  it("go-cmd: --entrypoint b, --pkg ./cmd/b, --pkg ./cmd/a,./cmd/b, --binary-name", async () => {
    const facts = await scannedFactsOf(fixture("go-cmd"), "go")
    const e = planGo("linux/arm64", { entrypoint: "b" }, facts, "linux/amd64")
    expect(e.output.name).toBe("b")
    expect(e.steps[0].argv.at(-1)).toBe("./cmd/b")
    expect(e.extraOutputs).toEqual([{ path: "/out/a", name: "a" }])
    const one = planGo("linux/arm64", { package: "./cmd/b", binaryName: "bee" }, await scannedFactsOf(fixture("go-cmd"), "go", { pkg: "./cmd/b" }), "linux/amd64")
    expect(one.steps[0].argv).toEqual(["go", "build", "-trimpath", "-ldflags", "-s -w", "-o", "/out/bee", "./cmd/b"])
    expect(one.extraOutputs).toBeUndefined()
    expect(inputError(() => planGo("linux/arm64", { entrypoint: "c" }, facts, "linux/amd64")).message).toMatch(/no binary of that name is built \(binaries: a, b\)/)
    expect(inputError(() => planGo("linux/arm64", { binaryName: "x" }, facts, "linux/amd64")).message).toMatch(/--binary-name names one binary, but 2 main packages are built/)
  })

  it("go-cmd: --pkg pointing at a library is refused before any engine work", async () => {
    const facts = await scannedFactsOf(fixture("go-cmd"), "go", { pkg: "./cmd/shared" })
    const e = inputError(() => planGo("linux/arm64", { package: "./cmd/shared" }, facts, "linux/amd64"))
    expect(e.field).toBe("pkg")
    expect(e.message).toMatch(/\.\/cmd\/shared is package shared, not a main package/)
  })

  it("a module named like one of its commands: that one is the entrypoint", () => {
    const facts: SourceFacts = {
      entries: ["go.mod", "cmd", "lib.go"],
      files: { "go.mod": "module github.com/prometheus/prometheus\ngo 1.22\n", "lib.go": "package prometheus\n", "cmd/promtool/main.go": "package main\n", "cmd/prometheus/main.go": "package main\n" },
      listings: { "*.go": ["lib.go"], "cmd/*/*.go": ["cmd/prometheus/main.go", "cmd/promtool/main.go"] },
    }
    const p = planGo("linux/arm64", {}, facts, "linux/amd64")
    expect(p.output.name).toBe("prometheus")
    expect(p.extraOutputs?.map((o) => o.name)).toEqual(["promtool"])
    expect(p.notes.join("\n")).toMatch(/entrypoint prometheus \(named like the module\)/)
  })

  it("no main package anywhere: an input error that lists what was found and the root's directories", () => {
    const facts: SourceFacts = {
      entries: ["go.mod", "caddy.go", "modules", "server"],
      files: { "go.mod": "module example.com/lib\ngo 1.22\n", "caddy.go": "package caddy\n" },
      listings: { "*.go": ["caddy.go"], "*/": ["modules/", "server/"] },
    }
    const e = inputError(() => planGo("linux/amd64", {}, facts, "linux/amd64"))
    expect(e.field).toBe("pkg")
    expect(e.message).toMatch(/no main package to build for linux\/amd64: \. is package caddy; there is no cmd\/ directory/)
    expect(e.fix).toMatch(/--pkg \.\/path\/to\/main \(directories at the root: modules, server\)/)
  })

  it("build-tag-only files: every file excluded → the error names the constraints and --tags", () => {
    const facts: SourceFacts = {
      entries: ["go.mod", "main.go"],
      files: { "go.mod": "module example.com/x\ngo 1.22\n", "main.go": "//go:build extended\n\npackage main\n" },
      listings: { "*.go": ["main.go"] },
    }
    const e = inputError(() => planGo("linux/amd64", {}, facts, "linux/amd64"))
    expect(e.message).toMatch(/\.: build constraints exclude all its files for linux\/amd64 \(\/\/go:build extended\): pass --tags/)
    expect(planGo("linux/amd64", { tags: ["extended"] }, facts, "linux/amd64").steps[0].argv).toEqual(["go", "build", "-trimpath", "-tags", "extended", "-ldflags", "-s -w", "-o", "/out/x", "."])
  })

  it("go-tags: --tags reaches go build and the scan; the notes say so", async () => {
    const facts = await scannedFactsOf(fixture("go-tags"), "go")
    const p = planGo("linux/arm64", { tags: "containers_image_openpgp,netgo" }, facts, "linux/amd64")
    expect(p.steps[0].argv).toEqual(["go", "build", "-trimpath", "-tags", "containers_image_openpgp,netgo", "-ldflags", "-s -w", "-o", "/out/flavors", "."])
    expect(p.notes.join("\n")).toMatch(/build tags: containers_image_openpgp,netgo \(--tags\)/)
    for (const bad of ["a-b", "x y!", "--tags"]) expect(inputError(() => planGo("linux/arm64", { tags: [bad] }, facts, "linux/amd64")).field).toBe("tags")
  })

  it("go-cgo-only (runc's nsenter pattern): without --cgo an input error suggesting --cgo; with --cgo a dynamic cgo build", async () => {
    const facts = await scannedFactsOf(fixture("go-cgo-only"), "go")
    for (const platform of ["linux/amd64", "linux/arm64"]) {
      const e = inputError(() => planGo(platform, {}, facts, "linux/amd64"))
      expect(e.field).toBe("cgo")
      expect(e.message).toMatch(/\. has Go files only with cgo \(import "C" or \/\/go:build cgo\): CGO_ENABLED=0 excludes them all/)
      expect(e.fix).toMatch(/pass --cgo/)
    }
    const p = planGo("linux/arm64", { cgo: true }, facts, "linux/amd64")
    expect(p.env).toMatchObject({ CGO_ENABLED: "1", CC: "aarch64-linux-gnu-gcc" })
    expect(p.output.name).toBe("nsexec")
  })

  it("the go-cgo fixture (one file, import \"C\") is cgo-only too", async () => {
    const facts = await scannedFactsOf(fixture("go-cgo"), "go")
    expect(inputError(() => planGo("linux/arm64", {}, facts, "linux/amd64")).fix).toMatch(/--cgo/)
  })
})
