/**
 * Go plan details (issue 21, found by mutation testing): the exact env, setup commands, cache
 * volumes, steps and notes per kind of build (static cross, cgo cross dynamic/static, --emulate,
 * --cgo-packages on the engine's own architecture), the --pkg checks against the scanned source,
 * main-package discovery's refusals, and how -extldflags decides the linkage.
 */
import { describe, expect, it } from "vitest"
import { BOOKWORM_ARCHES, cgoPackages, goLdflags, goLinkage, packageBinaryName, parseGoMod, parseGoVersionFile } from "../../../../modules/toolchains/go/plan.js"
import { TARGETS } from "../../../../modules/core/targets.js"
import { elfCheckArgv } from "../../../../modules/core/elf.js"
import type { SourceFacts } from "../../../../modules/core/plan.js"
import { planGo } from "../../../support/plans.js"
import { inputError } from "../../../support/errors.js"

const GOMOD = "module github.com/acme/app\n\ngo 1.22.4\n"
const F: SourceFacts = { entries: ["go.mod", "main.go"], files: { "go.mod": GOMOD } }
const apt = (pkgs: string, addArch = "") => ["sh", "-c", `${addArch}apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${pkgs}`]
const GO_NOTE = "Go: golang:1.22-bookworm, go.mod's go line (go 1.22.4: a minimum): golang:1.22-bookworm, the newest 1.22 patch; "
const NS_NOTE = "cache volumes namespaced by a hash of the module path"
/** The refusal `fn` throws: its field, input, problem and fix, exactly. */
function refused(fn: () => unknown, field: string, input: string, problem: string, fix: string): void {
  const e = inputError(fn)
  expect({ field: e.field, input: e.input, message: e.message, fix: e.fix }).toEqual({ field, input, message: `invalid ${field} ${JSON.stringify(input)}: ${problem}; ${fix}`, fix })
}
const BASE_ENV = { GOOS: "linux", GOARCH: "arm64", GOCACHE: "/root/.cache/go-build", GOMODCACHE: "/go/pkg/mod" }

describe("whole Go plans", () => {
  it("static cross build: no setup, the env from the table plus the cache dirs, two cache volumes, exact notes", () => {
    const p = planGo("linux/arm64", {}, F, "linux/amd64")
    expect(p.builder).toEqual({ image: "golang:1.22-bookworm", platform: "native", setup: [] })
    expect(p.env).toEqual({ ...BASE_ENV, CGO_ENABLED: "0" })
    expect(p.caches).toEqual([
      { path: "/go/pkg/mod", key: expect.stringMatching(/^multiarch-go-mod-p[0-9a-f]{16}-linux-arm64$/) },
      { path: "/root/.cache/go-build", key: expect.stringMatching(/^multiarch-go-build-p[0-9a-f]{16}-1\.22-linux-arm64$/) },
    ])
    expect(p.steps.map((s) => s.name)).toEqual(["go build", "verify ELF"])
    expect(p.extraOutputs).toBeUndefined()
    expect(p.notes).toEqual([
      GO_NOTE + "builder on the engine's native platform linux/amd64",
      `CGO_ENABLED=0: static binary (if go build says "build constraints exclude all Go files" in a package, that package needs cgo: pass --cgo)`,
      NS_NOTE,
    ])
  })

  it("cache volume names stay the same across releases (a new name would leave every user's warm cache behind)", () => {
    expect(planGo("linux/arm64", {}, F, "linux/amd64").caches.map((c) => c.key)).toEqual(["multiarch-go-mod-p2a423c731ce8afa3-linux-arm64", "multiarch-go-build-p2a423c731ce8afa3-1.22-linux-arm64"])
  })

  it("cgo cross build: the target's gcc/g++/ar, Debian's cross packages, glibc runtime note", () => {
    const p = planGo("linux/arm64", { cgo: true }, F, "linux/amd64")
    expect(p.builder.setup).toEqual([{ name: "install C cross compiler", argv: apt("gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross") }])
    expect(p.env).toEqual({ ...BASE_ENV, CGO_ENABLED: "1", CC: "aarch64-linux-gnu-gcc", CXX: "aarch64-linux-gnu-g++", AR: "aarch64-linux-gnu-ar" })
    expect(p.notes).toEqual([
      GO_NOTE + "builder on the engine's native platform linux/amd64",
      "cgo with aarch64-linux-gnu-gcc: dynamically linked against glibc 2.36 (bookworm); runtime base must have glibc >= 2.36",
      NS_NOTE,
    ])
  })

  it("cgo linked statically: the note names the runtime base (scratch, or --base)", () => {
    const p = planGo("linux/arm64", { cgo: true, ldflags: "-extldflags -static" }, F, "linux/amd64")
    expect(p.steps[0].argv).toEqual(["go", "build", "-trimpath", "-ldflags", "-s -w -extldflags -static", "-o", "/out/app", "."])
    expect(p.notes[1]).toBe("cgo with aarch64-linux-gnu-gcc, linked statically (-extldflags -static in --ldflags): checked as a static binary, runtime scratch")
    const based = planGo("linux/arm64", { cgo: true, ldflags: "-extldflags -static", base: "gcr.io/distroless/static" }, F, "linux/amd64")
    expect(based.notes[1]).toMatch(/checked as a static binary, runtime gcr\.io\/distroless\/static$/)
    expect(based.runtime.base).toBe("gcr.io/distroless/static")
  })

  it("--emulate with cgo: the image's own gcc/g++ (no AR), the -dev packages of its own architecture", () => {
    const p = planGo("linux/arm64", { cgo: true, emulate: true, cgoPackages: ["libz-dev"] }, F, "linux/amd64")
    expect(p.builder).toEqual({ image: "golang:1.22-bookworm", platform: "linux/arm64", setup: [{ name: "install C cross compiler and target packages", argv: apt("libz-dev") }] })
    expect(p.env).toEqual({ ...BASE_ENV, CGO_ENABLED: "1", CC: "gcc", CXX: "g++" })
    expect(p.notes).toEqual([
      GO_NOTE + "builder emulated as linux/arm64 (--emulate): expect 4–15× slower builds",
      "cgo with the image's gcc: dynamically linked against glibc 2.36 (bookworm); runtime base must have glibc >= 2.36",
      "target packages for cgo: libz-dev (--cgo-packages), installed for the builder's own architecture",
      NS_NOTE,
    ])
    const st = planGo("linux/arm64", { cgo: true, emulate: true, ldflags: "-extldflags -static" }, F, "linux/amd64")
    expect(st.notes[1]).toBe("cgo with the image's gcc, linked statically (-extldflags -static in --ldflags): checked as a static binary, runtime scratch")
    expect(st.builder.setup).toEqual([])
  })

  it("--emulate without cgo: the target-platform builder, still CGO_ENABLED=0, no compiler set", () => {
    const p = planGo("linux/arm64", { emulate: true }, F, "linux/amd64")
    expect(p.builder).toEqual({ image: "golang:1.22-bookworm", platform: "linux/arm64", setup: [] })
    expect(p.env).toEqual({ ...BASE_ENV, CGO_ENABLED: "0" })
    expect(p.notes[0]).toBe(GO_NOTE + "builder emulated as linux/arm64 (--emulate): expect 4–15× slower builds")
  })

  it("--cgo-packages for the engine's own architecture: plain names, no pkg-config wrapper; a foreign one: :<arch> names", () => {
    const own = planGo("linux/arm64", { cgo: true, cgoPackages: "libz-dev,libssl-dev" }, F, "linux/arm64")
    expect(own.builder.setup).toEqual([{ name: "install C cross compiler and target packages", argv: apt("libz-dev libssl-dev") }])
    expect(own.env).toEqual({ ...BASE_ENV, CGO_ENABLED: "1", CC: "aarch64-linux-gnu-gcc", CXX: "aarch64-linux-gnu-g++", AR: "aarch64-linux-gnu-ar" })
    expect(own.notes).toContain("target packages for cgo: libz-dev, libssl-dev (--cgo-packages), installed for the builder's own architecture")
    const foreign = planGo("linux/ppc64le", { cgo: true, cgoPackages: "libz-dev" }, F, "linux/arm64")
    expect(foreign.builder.setup).toEqual([
      {
        name: "install C cross compiler and target packages",
        argv: apt("gcc-powerpc64le-linux-gnu g++-powerpc64le-linux-gnu libc6-dev-ppc64el-cross pkgconf:ppc64el libz-dev:ppc64el", "dpkg --add-architecture ppc64el && "),
      },
    ])
    expect(foreign.env.PKG_CONFIG).toBe("powerpc64le-linux-gnu-pkg-config")
    expect(foreign.notes).toContain("target packages for cgo: libz-dev (--cgo-packages), installed for Debian ppc64el")
  })

  it("an architecture bookworm has no packages for: named, with both ways out", () => {
    refused(
      () => planGo("linux/riscv64", { cgo: true, cgoPackages: ["libz-dev", "libssl-dev"] }, F, "linux/amd64"),
      "cgo-packages",
      "libz-dev,libssl-dev",
      "linux/riscv64: Debian bookworm has no riscv64 packages to install (riscv64 is not one of its release architectures)",
      "drop linux/riscv64 from --platforms, or build it with --emulate --base <an image of that platform>",
    )
    // without -dev packages the cross compiler alone is fine there (Debian ships it for amd64 hosts)
    expect(planGo("linux/riscv64", { cgo: true }, F, "linux/amd64").builder.setup.map((s) => s.name)).toEqual(["install C cross compiler"])
  })

  it("Debian bookworm's release architectures, exactly", () => {
    expect([...BOOKWORM_ARCHES].sort()).toEqual(["amd64", "arm64", "armel", "armhf", "i386", "mips64el", "mipsel", "ppc64el", "s390x"])
  })

  it("the cross packages of a target: gcc and g++ of its triple, its libc headers", () => {
    expect(cgoPackages(TARGETS.get("linux/arm/v7")!)).toEqual(["gcc-arm-linux-gnueabihf", "g++-arm-linux-gnueabihf", "libc6-dev-armhf-cross"])
  })

  it("--tags and a go.mod toolchain line reach go build and the cache key", () => {
    const p = planGo("linux/arm64", { tags: ["netgo", "osusergo"] }, { entries: ["go.mod"], files: { "go.mod": "module m.example/x\ngo 1.22\ntoolchain go1.23.1\n" } }, "linux/amd64")
    expect(p.steps[0].argv).toEqual(["go", "build", "-trimpath", "-tags", "netgo,osusergo", "-ldflags", "-s -w", "-o", "/out/x", "."])
    expect(p.notes).toContain("build tags: netgo,osusergo (--tags)")
    expect(p.caches[1].key).toMatch(/^multiarch-go-build-p[0-9a-f]{16}-1\.23\.1-linux-arm64$/)
  })
})

describe("go.mod's go and toolchain lines", () => {
  it.each([
    ["module m\ngo 1.22beta1\n", { go: "1.22beta1", goVersion: "1.22beta1" }],
    ["module m\ngo 1.22 // minimum\ntoolchain go1.23rc2 // preferred\n", { go: "1.22", toolchain: "1.23rc2", goVersion: "1.23rc2" }],
    ["module m\ngo 1.22\ntoolchain go1.23 x\n", { go: "1.22", goVersion: "1.22" }],
    ["module m\ngo 1.22\ntoolchain go1.23.1.2\n", { go: "1.22", goVersion: "1.22" }],
    ["module m\ngo 1.22\ntoolchain 1.23.1\n", { go: "1.22", goVersion: "1.22" }],
    ["module m\ngo 1.22\n  toolchain\tgo1.23.1  \n", { go: "1.22", toolchain: "1.23.1", goVersion: "1.23.1" }],
    ["module m\ngo 1.21.10\n", { go: "1.21.10", goVersion: "1.21.10" }],
    ["module  m\ngo 1.22alpha1\n", {}],
    ["module m\n", {}],
  ])("%j → %j", (text, facts) => {
    expect(parseGoMod(text)).toEqual({ module: "m", ...facts })
  })
})

describe("binary names of package paths", () => {
  it.each([
    ["", "tool"],
    ["./", "tool"],
    ["./cmd//srv", "srv"],
    ["./cmd/srv/v3", "srv"],
    ["example.com/other/v2", "other"],
    ["example.com/other/v10", "other"],
    [".//", "tool"],
    ["./cmd/srv/.", "srv"],
    ["./cmd//v2", "cmd"],
  ])("%j in example.com/tool → %s", (pkg, name) => {
    expect(packageBinaryName(pkg, { module: "example.com/tool" })).toBe(name)
  })
})

describe(".go-version", () => {
  it("the plan's builder follows the source's .go-version", () => {
    const p = planGo("linux/arm64", {}, { entries: ["go.mod", ".go-version"], files: { "go.mod": "module m.example/x\ngo 1.21\n", ".go-version": "1.23.4\n" } }, "linux/amd64")
    expect(p.builder.image).toMatch(/^golang:1\.23(\.4)?-bookworm$/)
  })

  it.each([
    ["1.22.3\n", "1.22.3"],
    ["go1.22.3\n", "1.22.3"],
    ["# pinned\n\n  1.21  \r\n1.23\n", "1.21"],
    ["\n\n", undefined],
    ["# only a comment\n", undefined],
    ["1.22-go\n", "1.22-go"],
  ])("%j → %s", (text, v) => {
    expect(parseGoVersionFile(text)).toBe(v)
  })
  it("no file: nothing", () => {
    expect(parseGoVersionFile(undefined)).toBeUndefined()
  })
})

describe("linkage: only -extldflags holding -static makes a cgo binary static", () => {
  it.each([
    ["-extldflags -static", "static"],
    ["--extldflags=-static", "static"],
    ["-s -extldflags   -static", "static"],
    ["-extldflags '-lm -static'", "static"],
    [`-extldflags "-static-pie -lm"`, "static"],
    ["-extldflags -staticx", "dynamic"],
    ["-extldflags -static-piex", "dynamic"],
    ["-extldflags -xstatic", "dynamic"],
    ["-extldflags -lm-static", "dynamic"],
    ["-xextldflags -static", "dynamic"],
    ["-extldflags -lm -static", "dynamic"],
    ["-extldflags '-lm' -static", "dynamic"],
    ["-static", "dynamic"],
  ])("cgo with %j → %s", (ldflags, linkage) => {
    expect(goLinkage({ cgo: true, ldflags })).toBe(linkage)
  })
  it("without cgo every binary is static, whatever the flags", () => {
    expect(goLinkage({ cgo: false, ldflags: "-linkmode external" })).toBe("static")
    expect(goLinkage({ cgo: true })).toBe("dynamic")
  })
})

describe("-X values", () => {
  it("a value holding only a double quote or a tab is single-quoted; both quotes are refused with the fix", () => {
    expect(goLdflags({ version: 'a"b' })).toBe(`-s -w -X 'main.version=a"b'`)
    expect(goLdflags({ version: "a\tb" })).toBe("-s -w -X 'main.version=a\tb'")
    expect(goLdflags({ version: "1.0", ldflags: "-linkmode external" })).toBe("-s -w -linkmode external -X main.version=1.0")
    refused(() => goLdflags({ commit: `it's "x"` }), "commit", `main.commit=it's "x"`, `go cannot read a -X value holding both ' and "`, "drop one kind of quote from the value")
  })
})

/** A scanned source: go.mod, the root listing and the given files (path → text). */
function scanned(files: Record<string, string>, more: Partial<SourceFacts> = {}): SourceFacts {
  const listings: Record<string, string[]> = { "*.go": Object.keys(files).filter((f) => !f.includes("/")) }
  for (const f of Object.keys(files).filter((f) => f.includes("/"))) {
    const key = `${f.slice(0, f.lastIndexOf("/"))}/*.go`
    listings[key] = [...(listings[key] ?? []), f]
    if (/^cmd\/[^/]+\/[^/]+$/.test(f)) listings["cmd/*/*.go"] = [...(listings["cmd/*/*.go"] ?? []), f]
  }
  return { entries: ["go.mod", ...Object.keys(files).map((f) => f.split("/")[0])], files: { "go.mod": "module example.com/x\ngo 1.22\n", ...files }, listings, ...more }
}

describe("--pkg checked against the scanned source", () => {
  it("one package: its note; several: theirs, each built and verified", () => {
    const one = planGo("linux/arm64", { package: "./cmd/a" }, scanned({ "cmd/a/main.go": "package main\n" }), "linux/amd64")
    expect(one.notes).toContain("main package ./cmd/a (--pkg)")
    const two = planGo("linux/arm64", { package: "./cmd/a,./cmd/b" }, scanned({ "cmd/a/main.go": "package main\n", "cmd/b/main.go": "package main\n" }), "linux/amd64")
    expect(two.notes).toContain("main packages ./cmd/a, ./cmd/b (--pkg)")
    expect(two.steps.map((s) => s.name)).toEqual(["go build ./cmd/a", "go build ./cmd/b", "verify ELF", "verify ELF b"])
    expect(two.steps[3].argv).toEqual(elfCheckArgv("/out/b", "linux/arm64", TARGETS.get("linux/arm64")!.elf, "static"))
    expect(two.extraOutputs).toEqual([{ path: "/out/b", name: "b" }])
    expect(two.notes).toContain(
      "2 binaries in the image (/usr/local/bin/a, /usr/local/bin/b); entrypoint a (the first; none is named like the module example.com/x): --entrypoint <name> picks another, --pkg ./cmd/<name> builds only one",
    )
  })

  it("--entrypoint picks the binary; the others follow in order", () => {
    const f = scanned({ "cmd/a/main.go": "package main\n", "cmd/b/main.go": "package main\n", "cmd/c/main.go": "package main\n" })
    const p = planGo("linux/arm64", { package: "./cmd/a,./cmd/b,./cmd/c", entrypoint: "b" }, f, "linux/amd64")
    expect(p.steps.map((s) => s.name)).toEqual(["go build ./cmd/b", "go build ./cmd/a", "go build ./cmd/c", "verify ELF", "verify ELF a", "verify ELF c"])
    expect(p.output).toEqual({ path: "/out/b", name: "b" })
    expect(p.extraOutputs).toEqual([{ path: "/out/a", name: "a" }, { path: "/out/c", name: "c" }])
    expect(p.notes.some((n) => /binaries in the image/.test(n))).toBe(false)
    refused(() => planGo("linux/arm64", { package: "./cmd/a,./cmd/b", entrypoint: "c" }, f, "linux/amd64"), "entrypoint", "c", "no binary of that name is built (binaries: a, b)", "pass --entrypoint a, or --pkg with its package")
  })

  it("--entrypoint may name the first binary; without it, the one named like the module wherever it sorts", () => {
    const f = scanned({ "cmd/a/main.go": "package main\n", "cmd/b/main.go": "package main\n" })
    expect(planGo("linux/arm64", { package: "./cmd/a,./cmd/b", entrypoint: "a" }, f, "linux/amd64").output.name).toBe("a")
    const zed = scanned({ "cmd/a/main.go": "package main\n", "cmd/zed/main.go": "package main\n" }, {})
    zed.files["go.mod"] = "module example.com/zed\ngo 1.22\n"
    const p = planGo("linux/arm64", {}, zed, "linux/amd64")
    expect(p.output.name).toBe("zed")
    expect(p.notes).toContain(
      "2 binaries in the image (/usr/local/bin/a, /usr/local/bin/zed); entrypoint zed (named like the module): --entrypoint <name> picks another, --pkg ./cmd/<name> builds only one",
    )
  })

  it("a directory without Go files, a library, a cgo-only package, one excluded by constraints: each named", () => {
    const f = scanned({ "cmd/lib/lib.go": "package lib\n", "cmd/c/main.go": 'package main\n\nimport "C"\n', "cmd/t/main.go": "//go:build extra\n\npackage main\n" }, {})
    f.listings!["cmd/empty/*.go"] = []
    const cases: [string, string, string, string, string][] = [
      ["./cmd/empty", "pkg", "./cmd/empty", "./cmd/empty has no Go files", "pass the directory of a main package, e.g. ./cmd/app"],
      ["./cmd/lib", "pkg", "./cmd/lib", "./cmd/lib is package lib, not a main package", "pass the directory of a package main, e.g. ./cmd/app"],
      ["./cmd/c", "cgo", "false", `./cmd/c has Go files only with cgo (import "C" or //go:build cgo): CGO_ENABLED=0 excludes them all`, "pass --cgo (Debian's gcc-<triple> per target)"],
      ["./cmd/t", "pkg", "./cmd/t", "build constraints exclude every file of ./cmd/t for linux/arm64", "check --tags, or drop this platform"],
    ]
    for (const [pkg, field, input, problem, fix] of cases) refused(() => planGo("linux/arm64", { package: pkg }, f, "linux/amd64"), field, input, problem, fix)
    // a cgo-only package that is no main package is named as such, not as cgo-only
    const lib = scanned({ "cmd/clib/lib.go": 'package clib\nimport "C"\n' })
    refused(() => planGo("linux/arm64", { package: "./cmd/clib" }, lib, "linux/amd64"), "pkg", "./cmd/clib", "./cmd/clib is package clib, not a main package", "pass the directory of a package main, e.g. ./cmd/app")
    // with --cgo the cgo-only one builds; with its tag the excluded one does
    expect(planGo("linux/arm64", { package: "./cmd/c", cgo: true }, f, "linux/amd64").output.name).toBe("c")
    expect(planGo("linux/arm64", { package: "./cmd/t", tags: "extra" }, f, "linux/amd64").output.name).toBe("t")
  })

  it("what the scan did not read is left to go build: an unread directory, a path in the module, the root without its listing", () => {
    const f = scanned({ "cmd/lib/lib.go": "package lib\n" })
    expect(planGo("linux/arm64", { package: "./cmd/other" }, f, "linux/amd64").output.name).toBe("other")
    expect(planGo("linux/arm64", { package: "example.com/x/cmd/lib" }, f, "linux/amd64").output.name).toBe("lib")
    const noRoot: SourceFacts = { entries: ["go.mod", "lib.go"], files: { "go.mod": "module example.com/x\ngo 1.22\n", "lib.go": "package lib\n" }, listings: {} }
    expect(planGo("linux/arm64", { package: "." }, noRoot, "linux/amd64").output.name).toBe("x")
    const root = { ...noRoot, listings: { "*.go": ["lib.go"] } }
    expect(inputError(() => planGo("linux/arm64", { package: "." }, root, "linux/amd64")).message).toMatch(/: \. is package lib, not a main package;/)
  })

  it("two packages named alike, --binary-name with several: refused with the way out", () => {
    const f = scanned({ "cmd/app/main.go": "package main\n", "tools/app/main.go": "package main\n" })
    refused(() => planGo("linux/arm64", { package: "./cmd/app,./tools/app" }, f, "linux/amd64"), "pkg", "./cmd/app,./tools/app", "two main packages would both be named app", "build them one at a time with --pkg and --binary-name")
    refused(
      () => planGo("linux/arm64", { package: "./cmd/app,./tools/app", binaryName: "x" }, f, "linux/amd64"),
      "binary-name",
      "x",
      "--binary-name names one binary, but 2 main packages are built (./cmd/app, ./tools/app)",
      "drop --binary-name (each binary is named after its directory), or pass --pkg with one package",
    )
  })
})

describe("main-package discovery", () => {
  it("several cgo-only mains beside a plain one: 'have', and --pkg with the others", () => {
    const f = scanned({ "lib.go": "package x\n", "cmd/a/main.go": 'package main\nimport "C"\n', "cmd/b/main.go": 'package main\nimport "C"\n', "cmd/c/main.go": "package main\n" })
    refused(
      () => planGo("linux/arm64", {}, f, "linux/amd64"),
      "cgo",
      "false",
      `./cmd/a, ./cmd/b have Go files only with cgo (import "C" or //go:build cgo): CGO_ENABLED=0 excludes them all`,
      "pass --cgo (Debian's gcc-<triple> per target), or --pkg ./cmd/c to build only the others",
    )
    const only = inputError(() => planGo("linux/arm64", {}, scanned({ "main.go": 'package main\nimport "C"\n' }), "linux/amd64"))
    expect(only.fix).toBe("pass --cgo (Debian's gcc-<triple> per target)")
  })

  it("the note says why: . is package main; or what . is and how many were found in cmd/", () => {
    expect(planGo("linux/arm64", {}, scanned({ "main.go": "package main\n" }), "linux/amd64").notes).toContain("main package . (. is package main; --pkg picks others)")
    const one = planGo("linux/arm64", {}, scanned({ "lib.go": "package x\n", "cmd/a/main.go": "package main\n" }), "linux/amd64")
    expect(one.notes).toContain("main package ./cmd/a (. is package x; found 1 main package in cmd/; --pkg picks others)")
    const none = planGo("linux/arm64", {}, scanned({ "cmd/a/main.go": "package main\n" }), "linux/amd64")
    expect(none.notes).toContain("main package ./cmd/a (. is no Go package; found 1 main package in cmd/; --pkg picks others)")
    const excluded = planGo("linux/arm64", {}, scanned({ "x_windows.go": "package x\n", "cmd/a/main.go": "package main\n" }), "linux/amd64")
    expect(excluded.notes).toContain("main package ./cmd/a (. is package (excluded); found 1 main package in cmd/; --pkg picks others)")
  })

  it("nothing to build: the error says whether cmd/ exists and lists at most 12 root directories, hidden ones left out", () => {
    const dirs = [".git/", ...Array.from({ length: 14 }, (_, i) => `d${String(i).padStart(2, "0")}/`)]
    const f = scanned({ "lib.go": "package x\n" })
    f.listings!["*/"] = dirs
    refused(
      () => planGo("linux/arm64", {}, f, "linux/amd64"),
      "pkg",
      "",
      "no main package to build for linux/arm64: . is package x; there is no cmd/ directory",
      "pass --pkg with the directory of the main package, e.g. --pkg ./path/to/main (directories at the root: d00, d01, d02, d03, d04, d05, d06, d07, d08, d09, d10, d11)",
    )
    const withCmd = scanned({ "lib.go": "package x\n", "cmd/l/lib.go": "package l\n" })
    const c = inputError(() => planGo("linux/arm64", {}, withCmd, "linux/amd64"))
    expect(c.message).toBe('invalid pkg "": no main package to build for linux/arm64: . is package x; ./cmd/l is package l; no cmd/<name> directory holds one; pass --pkg with the directory of the main package, e.g. --pkg ./path/to/main')
    expect(c.fix).toBe("pass --pkg with the directory of the main package, e.g. --pkg ./path/to/main")
  })
})
