import { describe, expect, it } from "vitest"
import { goBinaryName, goLdflags, goLinkage, parseGoMod } from "../../../../modules/toolchains/go/plan.js"
import { planGo } from "../../../support/plans.js"
import { MultiarchInputError, SUPPORTED_PLATFORMS, TARGETS } from "../../../../modules/core/index.js"
import { elfCheckArgv } from "../../../../modules/core/elf.js"
import { inputError } from "../../../support/errors.js"

const facts = (gomod: string) => ({ entries: ["go.mod", "main.go"], files: { "go.mod": gomod } })
const F = facts("module github.com/acme/app\n\ngo 1.22.4\n")

describe("go.mod", () => {
  it("reads the module path and prefers the toolchain line", () => {
    expect(parseGoMod("module example.com/x\ngo 1.21\n")).toEqual({ module: "example.com/x", go: "1.21", goVersion: "1.21" })
    expect(parseGoMod("module example.com/x\n\ngo 1.22\n\ntoolchain go1.23.2\n")).toEqual({ module: "example.com/x", go: "1.22", toolchain: "1.23.2", goVersion: "1.23.2" })
    expect(parseGoMod("module example.com/x // the module\ngo 1.22rc1\ntoolchain default\n")).toEqual({ module: "example.com/x", go: "1.22rc1", goVersion: "1.22rc1" })
    expect(parseGoMod('module "example.com/q"\n').goVersion).toBeUndefined()
  })
  it("rejects a go.mod without module line", () => {
    expect(() => parseGoMod("go 1.22\n")).toThrow(/no module line.*go mod init/)
  })
})

describe("planGo", () => {
  it("builds on the native platform with the newest patch of go.mod's go line (a minimum)", () => {
    const p = planGo("linux/arm/v7", {}, F, "linux/amd64")
    expect(p.builder).toEqual({ image: "golang:1.22-bookworm", platform: "native", setup: [] })
    expect(p.notes[0]).toMatch(/go\.mod's go line \(go 1\.22\.4: a minimum\): golang:1\.22-bookworm, the newest 1\.22 patch/)
    expect(p.mode).toBe("cross")
    expect(p.native).toBe(false)
    expect(p.env).toMatchObject({ GOOS: "linux", GOARCH: "arm", GOARM: "7", CGO_ENABLED: "0" })
    expect(p.steps[0].argv).toEqual(["go", "build", "-trimpath", "-ldflags", "-s -w", "-o", "/out/app", "."])
    expect(p.steps[1].name).toBe("verify ELF")
    expect(p.runtime).toMatchObject({ base: "scratch", binaryPath: "/usr/local/bin/app", entrypoint: ["/usr/local/bin/app"], user: "65532:65532" })
    expect(planGo("linux/amd64", {}, F, "linux/amd64").native).toBe(true)
  })
  it("--go-version overrides go.mod", () => {
    expect(planGo("linux/arm64", { goVersion: "1.23" }, F, "linux/amd64").builder.image).toBe("golang:1.23-bookworm")
  })
  it("namespaces cache volumes per toolchain and per target", () => {
    const keys = SUPPORTED_PLATFORMS.flatMap((t) => planGo(t, {}, F, "linux/amd64").caches.map((c) => c.key))
    expect(new Set(keys).size).toBe(keys.length)
    for (const k of keys) expect(k).toMatch(/^multiarch-go-(mod|build)-p[0-9a-f]{16}-/)
    expect(planGo("linux/arm/v7", {}, F, "linux/amd64").caches.map((c) => c.path)).toEqual(["/go/pkg/mod", "/root/.cache/go-build"])
  })
  it("sets GOARM only on arm targets, without a v", () => {
    for (const t of SUPPORTED_PLATFORMS) {
      const env = planGo(t, {}, F, "linux/amd64").env
      if (t.startsWith("linux/arm/")) expect(env.GOARM).toBe(t.slice(-1))
      else expect(env.GOARM).toBeUndefined()
    }
  })
  it("ldflags: defaults, additions, version/commit injection", () => {
    expect(goLdflags({})).toBe("-s -w")
    expect(goLdflags({ ldflags: " -extldflags=-static ", version: "1.2.3", commit: "abc" })).toBe("-s -w -extldflags=-static -X main.version=1.2.3 -X main.commit=abc")
    expect(goLdflags({ version: "v1", versionVar: "github.com/acme/app/internal/build.Version" })).toBe("-s -w -X github.com/acme/app/internal/build.Version=v1")
  })
  it("--pkg chooses the main package and the binary name", () => {
    const p = planGo("linux/arm64", { package: "./cmd/server" }, F, "linux/amd64")
    expect(p.steps[0].argv.at(-1)).toBe("./cmd/server")
    expect(p.output).toEqual({ path: "/out/server", name: "server" })
    expect(goBinaryName({}, { module: "github.com/acme/tool/v2" })).toBe("tool")
  })
  it("cgo: target cross compiler installed and set, on the native builder; native target needs no install", () => {
    const p = planGo("linux/riscv64", { cgo: true }, F, "linux/amd64")
    expect(p.builder.platform).toBe("native")
    expect(p.env).toMatchObject({ CGO_ENABLED: "1", CC: "riscv64-linux-gnu-gcc", CXX: "riscv64-linux-gnu-g++", AR: "riscv64-linux-gnu-ar" })
    expect(p.builder.setup[0].argv.join(" ")).toMatch(/apt-get install .*gcc-riscv64-linux-gnu g\+\+-riscv64-linux-gnu libc6-dev-riscv64-cross/)
    expect(p.runtime.base).toBe("debian:trixie-slim")
    expect(p.verify?.linkage).toBe("dynamic")
    expect(planGo("linux/amd64", { cgo: true }, F, "linux/amd64").builder.setup).toEqual([])
    expect(planGo("linux/amd64", { cgo: true }, F, "linux/arm64").builder.setup).toHaveLength(1)
  })
  it("cgo on a target without a Debian cross compiler is an input error", () => {
    expect(() => planGo("linux/loong64", { cgo: true }, F, "linux/amd64")).toThrow(/no C cross compiler for loong64/)
  })
  it("rejects bad options with the fix, before any engine work", () => {
    const bad: [object, RegExp][] = [
      [{ goVersion: "go1.22" }, /go-version.*drop the 'go' prefix/],
      [{ package: "cmd/../../etc" }, /pkg.*leaves the source directory/],
      [{ package: "./cmd/app; rm -rf /" }, /pkg.*not a Go package path/],
      [{ versionVar: "version" }, /version-var/],
      [{ binaryName: "a/b" }, /binary-name/],
    ]
    for (const [o, re] of bad) {
      let e: unknown
      try {
        planGo("linux/arm64", o, F, "linux/amd64")
      } catch (x) {
        e = x
      }
      expect(e, JSON.stringify(o)).toBeInstanceOf(MultiarchInputError)
      expect((e as Error).message).toMatch(re)
    }
  })
  it("a source without go.mod is an input error", () => {
    expect(() => planGo("linux/arm64", {}, { entries: ["main.go"], files: {} }, "linux/amd64")).toThrow(/no go.mod/)
  })
})

describe("planGo --emulate", () => {
  it("runs the builder on the target platform, without cross compilers", () => {
    const p = planGo("linux/arm64", { emulate: true, cgo: true }, F, "linux/amd64")
    expect(p.mode).toBe("emulated")
    expect(p.builder.platform).toBe("linux/arm64")
    expect(p.builder.setup).toEqual([])
    expect(p.env).toMatchObject({ GOARCH: "arm64", CGO_ENABLED: "1", CC: "gcc" })
    expect(p.notes.join(" ")).toMatch(/emulated as linux\/arm64/)
  })
})

describe("runtime base", () => {
  it("static builds get the scratch rootfs; cgo a glibc Debian image that exists for the platform", () => {
    expect(planGo("linux/s390x", {}, F, "linux/amd64").runtime.base).toBe("scratch")
    expect(planGo("linux/arm64", { cgo: true }, F, "linux/amd64").runtime.base).toBe("debian:bookworm-slim")
    expect(planGo("linux/riscv64", { cgo: true }, F, "linux/amd64").runtime.base).toBe("debian:trixie-slim")
    expect(planGo("linux/mips", { cgo: true, base: "example.com/mips-glibc:1" }, F, "linux/amd64").runtime.base).toBe("example.com/mips-glibc:1")
    expect(() => planGo("linux/mips", { cgo: true }, F, "linux/amd64")).toThrow(/no official Debian image for linux\/mips.*--base/)
  })
})

describe("cgo packages on a non-amd64 engine", () => {
  it("maps the triple to Debian's package name (no '_' in package names)", () => {
    const p = planGo("linux/amd64", { cgo: true }, F, "linux/arm64")
    expect(p.builder.setup[0].argv.join(" ")).toMatch(/gcc-x86-64-linux-gnu g\+\+-x86-64-linux-gnu libc6-dev-amd64-cross/)
    expect(p.env.CC).toBe("x86_64-linux-gnu-gcc")
  })
})

describe("--cgo-packages: target -dev packages with the target's Debian architecture", () => {
  it("a foreign target: dpkg --add-architecture, <pkg>:<arch>, the target's pkg-config", () => {
    const p = planGo("linux/arm64", { cgo: true, cgoPackages: ["libgpgme-dev", "libassuan-dev"] }, F, "linux/amd64")
    expect(p.builder.setup).toEqual([
      {
        name: "install C cross compiler and target packages",
        argv: [
          "sh",
          "-c",
          "dpkg --add-architecture arm64 && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross pkgconf:arm64 libgpgme-dev:arm64 libassuan-dev:arm64",
        ],
      },
    ])
    expect(p.env.PKG_CONFIG).toBe("aarch64-linux-gnu-pkg-config")
    expect(p.notes.join("\n")).toMatch(/target packages for cgo: libgpgme-dev, libassuan-dev \(--cgo-packages\), installed for Debian arm64/)
    // armhf and i386 spell their Debian architecture, not the Go one
    expect(planGo("linux/arm/v7", { cgo: true, cgoPackages: "libgpgme-dev" }, F, "linux/amd64").builder.setup[0].argv[2]).toMatch(/--add-architecture armhf .* libgpgme-dev:armhf$/)
    expect(planGo("linux/386", { cgo: true, cgoPackages: "libgpgme-dev" }, F, "linux/amd64").builder.setup[0].argv[2]).toMatch(/libgpgme-dev:i386$/)
  })

  it("the engine's own architecture and --emulate: plain package names, the image's own gcc", () => {
    const native = planGo("linux/amd64", { cgo: true, cgoPackages: ["libgpgme-dev"] }, F, "linux/amd64")
    expect(native.builder.setup.map((s) => s.argv[2])).toEqual(["apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libgpgme-dev"])
    expect(native.env.PKG_CONFIG).toBeUndefined()
    const emu = planGo("linux/arm64", { cgo: true, emulate: true, cgoPackages: ["libgpgme-dev"] }, F, "linux/amd64")
    expect(emu.builder.setup[0].argv[2]).toMatch(/install -y -qq --no-install-recommends libgpgme-dev$/)
  })

  it("refused before any engine work: without --cgo, with an :arch, not a Debian name, on an architecture bookworm has no packages for", () => {
    expect(inputError(() => planGo("linux/arm64", { cgoPackages: ["libgpgme-dev"] }, F, "linux/amd64")).fix).toMatch(/add --cgo/)
    expect(inputError(() => planGo("linux/arm64", { cgo: true, cgoPackages: ["libgpgme-dev:arm64"] }, F, "linux/amd64")).fix).toMatch(/drop ":arm64"/)
    expect(inputError(() => planGo("linux/arm64", { cgo: true, cgoPackages: ["LibFoo"] }, F, "linux/amd64")).field).toBe("cgo-packages")
    expect(inputError(() => planGo("linux/arm64", { cgo: true, cgoPackages: ["x; rm -rf /"] }, F, "linux/amd64")).field).toBe("cgo-packages")
    const rv = inputError(() => planGo("linux/riscv64", { cgo: true, cgoPackages: ["libgpgme-dev"] }, F, "linux/amd64"))
    expect(rv.message).toMatch(/linux\/riscv64: Debian bookworm has no riscv64 packages/)
  })
})

describe("linkage from the actual flags", () => {
  it("cgo with -extldflags -static (any spelling) is checked as static and runs on scratch", () => {
    for (const ldflags of ["-extldflags -static", '-linkmode external -extldflags "-static"', "-extldflags=-static", "-extldflags '-static -lm'", "-extldflags -static-pie"]) {
      const p = planGo("linux/arm64", { cgo: true, ldflags }, F, "linux/amd64")
      expect(p.verify?.linkage, ldflags).toBe("static")
      expect(p.steps.find((s) => s.name === "verify ELF")!.argv).toEqual(elfCheckArgv("/out/app", "linux/arm64", TARGETS.get("linux/arm64")!.elf, "static"))
      expect(p.runtime.base).toBe("scratch")
      expect(p.notes.join("\n")).toMatch(/linked statically/)
    }
    for (const ldflags of ["", "-X main.x=-static", "-extldflags -Wl,--as-needed", "-linkmode external"])
      expect(planGo("linux/arm64", { cgo: true, ldflags }, F, "linux/amd64").verify?.linkage, ldflags).toBe("dynamic")
    expect(goLinkage({ ldflags: "-extldflags -static" })).toBe("static")
  })
})

describe("every option reaches the plan", () => {
  it("--version-var/--commit-var, --binary-name, --go-image, --cache-namespace", () => {
    const img = `golang:1.23-bookworm@sha256:${"c".repeat(64)}`
    const p = planGo("linux/arm64", { version: "1.2.3", commit: "abc", versionVar: "example.com/x/internal/v.Version", commitVar: "main.rev", binaryName: "tool", goImage: img, cacheNamespace: "acme/app" }, F, "linux/amd64")
    expect(p.steps[0].argv).toEqual(["go", "build", "-trimpath", "-ldflags", "-s -w -X example.com/x/internal/v.Version=1.2.3 -X main.rev=abc", "-o", "/out/tool", "."])
    expect(p.builder.image).toBe(img)
    expect(p.caches.map((c) => c.key)).toEqual(["multiarch-go-mod-acme/app-linux-arm64", expect.stringMatching(/^multiarch-go-build-acme\/app-img[0-9a-f]{12}-linux-arm64$/)])
    expect(inputError(() => planGo("linux/arm64", { goImage: "golang:1.23@sha256:nothex" }, F, "linux/amd64")).field).toBe("go-image")
  })

  it("cache volumes: two modules never share, the same module shares across checkouts, the module path never appears as written", () => {
    const other = facts("module github.com/other/thing\n\ngo 1.22.4\n")
    const hostile = facts("module example.com/x-multiarch-go-build-victim\n\ngo 1.22.4\n")
    const keys = (f: typeof F) => planGo("linux/arm64", {}, f, "linux/amd64").caches.map((c) => c.key)
    expect(keys(F)).toEqual(keys(facts("module github.com/acme/app\n\ngo 1.22.4\n")))
    for (let i = 0; i < 2; i++) expect(keys(F)[i]).not.toBe(keys(other)[i])
    for (const k of keys(hostile)) expect(k).not.toMatch(/victim/)
  })
})

describe("-X values go can read", () => {
  it("a --version with spaces is quoted inside -ldflags (go splits -ldflags into quoted fields)", () => {
    expect(goLdflags({ version: "1.2.3 beta" })).toBe("-s -w -X 'main.version=1.2.3 beta'")
    expect(goLdflags({ commit: "it's" })).toBe(`-s -w -X "main.commit=it's"`)
    expect(inputError(() => goLdflags({ version: `a'b"c` })).field).toBe("version")
  })
})
