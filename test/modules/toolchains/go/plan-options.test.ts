/**
 * The Go planner's inputs at their edges (issue 21, found by mutation testing): go.mod lines that
 * almost match, --go-version/--pkg/--version-var/--commit-var/--binary-name near misses, each
 * refusal's field, problem and fix. (Cases that the issue 16/19 planner changed were dropped at rebase.)
 */
import { describe, expect, it } from "vitest"
import { checkGoOptions, checkGoPackage, cgoPackages, goBinaryName, goLdflags, parseGoMod, type GoOptions } from "../../../../modules/toolchains/go/plan.js"
import { TARGETS } from "../../../../modules/core/targets.js"
import { planGo } from "../../../support/plans.js"
import { inputError } from "../../../support/errors.js"

const facts = (gomod: string) => ({ entries: ["go.mod", "main.go"], files: { "go.mod": gomod } })
const F = facts("module github.com/acme/app\n\ngo 1.22.4\n")

describe("parseGoMod", () => {
  it.each([
    ["  module example.com/x  \n", "example.com/x"],
    ['module "example.com/q"', "example.com/q"],
    ["// c\nmodule\texample.com/t\n", "example.com/t"],
  ])("%j → module %s", (text, module) => {
    expect(parseGoMod(text).module).toBe(module)
  })

  it.each(["xmodule example.com/x\n", "module example.com/x y\n", 'module "example.com/x\n', "module\n", "modules example.com/x\n", "go 1.22\n"])(
    "%j has no module line: named, with the fix",
    (text) => {
      const e = inputError(() => parseGoMod(text))
      expect(e.field).toBe("source")
      expect(e.input).toBe("go.mod")
      expect(e.message).toMatch(/go\.mod has no module line/)
      expect(e.fix).toBe("run `go mod init <module path>` in the source")
    },
  )

  it.each([
    ["module m\ngo 1.21\n", "1.21"],
    ["module m\ngo 1.21.3\n", "1.21.3"],
    ["module m\n  go   1.21  \n", "1.21"],
    ["module m\ngo 1.21\ntoolchain go1.22.1\n", "1.22.1"],
    ["module m\ngo 1.21\ntoolchain go1.22\n", "1.22"],
    ["module m\ngo 1.21\ntoolchain default\n", "1.21"],
    ["module m\ngo 1.21\nxtoolchain go1.22.1\n", "1.21"],
    ["module m\ngo 1\n", undefined],
    ["module m\ngo 1.21 x\n", undefined],
    ["module m\ngolang 1.21\n", undefined],
    ["module m\nxgo 1.21\n", undefined],
    ["module m\ngo 1.21.3.4\n", undefined],
  ])("%j → Go %s", (text, goVersion) => {
    expect(parseGoMod(text).goVersion).toBe(goVersion)
  })
})

describe("checkGoOptions", () => {
  const refused = (o: GoOptions) => inputError(() => checkGoOptions(o))

  it.each(["1.23", "1.23.4", "10.0"])("--go-version %s is accepted", (goVersion) => {
    expect(() => checkGoOptions({ goVersion })).not.toThrow()
  })

  it.each(["1", "1.23.4.5", "1.23rc1", "go1.23", "v1.23", " 1.23", "1.23 ", "x1.23", "1.23x", ""])("--go-version %j is refused", (goVersion) => {
    const e = refused({ goVersion })
    expect(e.field).toBe("go-version")
    expect(e.input).toBe(goVersion)
    expect(e.message).toMatch(/expected a Go release like 1\.23 or 1\.23\.4/)
    expect(e.fix).toBe("drop the 'go' prefix and any suffix, e.g. --go-version 1.23")
  })

  it.each([".", "./cmd/app", "./cmd/app-2", "./x_y", "example.com/app/cmd/x", "cmd/app"])("--pkg %s passes the path check", (p) => {
    expect(() => checkGoOptions({ package: p })).not.toThrow()
  })

  it.each(["../x", "./a/../../b", "a/../b"])("--pkg %s leaves the source directory", (p) => {
    const e = refused({ package: p })
    expect(e.field).toBe("pkg")
    expect(e.input).toBe(p)
    expect(e.message).toMatch(/the package leaves the source directory/)
    expect(e.fix).toBe("pass a main package inside the source, e.g. ./cmd/app")
  })

  it.each(["main.version", "github.com/a/b/internal/build.Version", "x.y_2"])("--version-var / --commit-var %s is a Go symbol", (v) => {
    expect(() => checkGoOptions({ versionVar: v, commitVar: v })).not.toThrow()
  })

  it.each(["version", "main.1x", "main.version!", "!main.version", "main.", ".version", "main.ver-sion"])("%j is not a Go symbol path (each flag named)", (v) => {
    for (const [k, o] of [["version-var", { versionVar: v }], ["commit-var", { commitVar: v }]] as const) {
      const e = refused(o)
      expect(e.field).toBe(k)
      expect(e.input).toBe(v)
      expect(e.message).toMatch(/not a Go symbol path/)
      expect(e.fix).toBe("use <package path>.<var>, e.g. main.version")
    }
  })

  it.each(["app", "my-app_1.0"])("--binary-name %s is accepted", (binaryName) => {
    expect(() => checkGoOptions({ binaryName })).not.toThrow()
  })

  it.each(["a/b", "app!", "!app", "", "a b"])("--binary-name %j is refused", (binaryName) => {
    const e = refused({ binaryName })
    expect(e.field).toBe("binary-name")
    expect(e.message).toMatch(/not a plain file name/)
    expect(e.fix).toBe("use letters, digits, '.', '_' or '-'")
  })
})

describe("checkGoPackage", () => {
  const mod = { module: "acme/app" }

  it.each([undefined, ".", "./cmd/x", "acme/app", "acme/app/cmd/x", "example.com/other/cmd"])("%s is found from the module root", (pkg) => {
    expect(() => checkGoPackage(pkg, mod)).not.toThrow()
  })

  it.each(["cmd/app", "acme/apple", "acme", "app/cmd"])("%s would be read as a standard-library path", (pkg) => {
    const e = inputError(() => checkGoPackage(pkg, mod))
    expect(e.field).toBe("pkg")
    expect(e.input).toBe(pkg)
    expect(e.message).toContain(`not a package path Go finds from the module root (go reads ${pkg} as a standard-library path, and this module is acme/app)`)
    expect(e.fix).toBe(`did you mean ./${pkg}? (a path relative to the module root starts with ./)`)
  })
})

describe("ldflags and the binary name", () => {
  it("blank --ldflags add nothing; --commit-var names the commit symbol", () => {
    expect(goLdflags({ ldflags: "   " })).toBe("-s -w")
    expect(goLdflags({ commit: "abc", commitVar: "x.Commit" })).toBe("-s -w -X x.Commit=abc")
    expect(goLdflags({ version: "" })).toBe("-s -w -X main.version=")
  })

  it.each([
    [{ binaryName: "custom", package: "./cmd/x" }, "github.com/acme/app", "custom"],
    [{ package: "./cmd/server/" }, "github.com/acme/app", "server"],
    [{ package: "./cmd/server//" }, "github.com/acme/app", "server"],
    [{}, "github.com/acme/app", "app"],
    [{ package: "." }, "github.com/acme/tool/v2", "tool"],
    [{ package: "./cmd/v2beta" }, "github.com/acme/tool", "v2beta"],
    [{ package: "./cmd/xv2" }, "github.com/acme/tool", "xv2"],
    [{}, "v2", "app"],
  ])("%j in %s → %s", (o, module, name) => {
    expect(goBinaryName(o, { module })).toBe(name)
  })
})

describe("cgo", () => {
  it("a platform without a bookworm cross compiler: named, with both ways out", () => {
    const e = inputError(() => cgoPackages(TARGETS.get("linux/loong64")!))
    expect(e.field).toBe("cgo")
    expect(e.input).toBe("linux/loong64")
    expect(e.message).toMatch(/Debian bookworm ships no C cross compiler for loong64/)
    expect(e.fix).toBe("build this platform without --cgo, or drop it from --platforms")
  })

})

describe("the Go version note", () => {
  it("no go.mod: the source's entries are named", () => {
    const e = inputError(() => planGo("linux/arm64", {}, { entries: ["main.go", "README.md"], files: {} }, "linux/amd64"))
    expect(e.field).toBe("source")
    expect(e.input).toBe("main.go, README.md")
    expect(e.message).toMatch(/no go\.mod at the root of the source/)
    expect(e.fix).toBe("pass --source pointing at the Go module root")
  })

  it("options are checked before go.mod is read", () => {
    expect(inputError(() => planGo("linux/arm64", { goVersion: "x" }, { entries: [], files: {} }, "linux/amd64")).field).toBe("go-version")
    expect(inputError(() => planGo("linux/arm64", { package: "cmd/app" }, F, "linux/amd64")).message).toMatch(/this module is github\.com\/acme\/app/)
  })
})
