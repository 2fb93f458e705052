/**
 * Real project layouts through the real module entrypoint against the recording engine: what the
 * engine is asked to read before planning, the exact builder calls, and the errors that stop a
 * build before any engine work. Fixtures are shaped like the repositories of issue 16 (a library
 * root with cmd/a and cmd/b; go 1.17; .go-version; build-tag-selected files; a cgo-only main
 * package like runc's; a C++ build.rs crate; a virtual workspace; a crate with a Dockerfile).
 * Also the cache-volume keys (issue 19, M3) and `--bin=<name>`.
 */
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { callChain, engineWork, type ChainResult } from "../engine/harness.js"
import { REPO_ROOT } from "../engine/introspect.js"
import { startRecordingEngine, type ContainerView, type RecordingEngine } from "../engine/recording-engine.js"

const fixture = (name: string) => path.join(REPO_ROOT, "test/fixtures", name)
/** As typed: `--platforms linux/amd64,linux/arm64` (one comma-separated string since issue 15). */
const PLATFORMS = "linux/amd64,linux/arm64"

let engine: RecordingEngine
const r: Record<string, ChainResult> = {}

/** The builder container behind a file the runtime variant copies in. */
function builderOf(variant: ContainerView, file: string): ContainerView {
  const entry = variant.files.find((f) => f.path === file)
  expect(entry, `${file} in ${variant.platform}: ${variant.files.map((f) => f.path).join(", ")}`).toBeDefined()
  return engine.containerView(engine.object(entry!.sourceId!)!.parent!)
}

const variantsOf = (address: string) => {
  const pubs = engine.publishes.filter((p) => p.address === address)
  expect(pubs, address).toHaveLength(1)
  return pubs[0].variants
}
const queryText = (c: ChainResult) => c.steps.flatMap((s) => s.queries.map((q) => q.text)).join("\n")
const cacheKeys = (b: ContainerView) => b.mounts.filter((m) => m.kind === "cache").map((m) => m.cacheKey!)
/** No exec, no build, no publish: only reads of the source (and the engine's platform). */
const builtNothing = (c: ChainResult) => {
  const work = engineWork(c.steps.flatMap((s) => s.queries))
  for (const f of ["withExec", "publish", "sync", "from", "withMountedCache", "export"]) expect(work, f).not.toContain(f)
}

beforeAll(async () => {
  engine = await startRecordingEngine({ defaultPlatform: "linux/amd64" })
  const src = (name: string) => engine.fixtureDirectory(fixture(name))
  const build = (name: string, args: Record<string, unknown> = {}, address = `registry.example.com/acme/${name}:1`) =>
    callChain(engine, [
      { fn: "build", args: { source: src(name), platforms: PLATFORMS, ...args } },
      { fn: "publish", args: { address } },
    ])
  const calls: [string, Promise<ChainResult>][] = [
    ["goCmd", build("go-cmd")],
    ["goCmdBinaries", callChain(engine, [{ fn: "binaries", args: { source: src("go-cmd"), platforms: PLATFORMS } }])],
    ["go117", build("go-117")],
    ["goVersionFile", build("go-version-file")],
    ["goTags", build("go-tags", { tags: ["containers_image_openpgp"], cgo: false }, "registry.example.com/acme/go-tags:1")],
    ["goCgoOnly", build("go-cgo-only")],
    ["goCgoOnlyCgo", build("go-cgo-only", { cgo: true, ldflags: "-extldflags -static", cgoPackages: ["libseccomp-dev"] }, "registry.example.com/acme/go-cgo-only:static")],
    ["goHelloNs", build("go-hello", { cacheNamespace: "acme/hello" }, "registry.example.com/acme/go-hello:ns")],
    ["goHello", build("go-hello")],
    ["goImage", build("go-hello", { goImage: `golang:1.23-bookworm@sha256:${"d".repeat(64)}` }, "registry.example.com/acme/go-hello:pinned")],
    ["rustCxx", build("rust-cxx")],
    ["rustCxxGnu", build("rust-cxx", { libc: "gnu" })],
    ["rustWs", build("rust-workspace")],
    ["rustWsBin", build("rust-workspace", { bin: "wsctl", noDefaultFeatures: true })],
    ["goTagsDefault", build("go-tags", {}, "registry.example.com/acme/go-tags:default")],
    ["rustDocker", build("rust-docker")],
    ["rustDockerPlan", callChain(engine, [{ fn: "plan", args: { source: src("rust-docker"), platforms: PLATFORMS, format: "text" } }])],
    ["goCmdPlan", callChain(engine, [{ fn: "plan", args: { source: src("go-cmd"), platforms: "linux/arm64", format: "text", version: "1.2.3 rc" } }])],
  ]
  const done = await Promise.all(calls.map(([, p]) => p))
  calls.forEach(([k], i) => (r[k] = done[i]))
}, 1_800_000) // 18 module calls at once: ~12 min alone at a load average of 30; 15 min was not enough at 49 beside the other contract files

afterAll(async () => {
  await engine?.close()
})

describe("Go: a library root with cmd/a and cmd/b", () => {
  it("build --platforms linux/amd64,linux/arm64 builds both commands into each image, a as entrypoint", () => {
    expect(r.goCmd.error).toBeUndefined()
    for (const v of variantsOf("registry.example.com/acme/go-cmd:1")) {
      expect(v.entrypoint).toEqual(["/usr/local/bin/a"])
      const b = builderOf(v, "/usr/local/bin/a")
      expect(builderOf(v, "/usr/local/bin/b").id).toBe(b.id)
      expect(b.from).toBe("golang:1.19-bookworm")
      expect(b.execs.filter((x) => x.argv[0] === "go").map((x) => x.argv)).toEqual([
        ["go", "build", "-trimpath", "-ldflags", "-s -w", "-o", "/out/a", "./cmd/a"],
        ["go", "build", "-trimpath", "-ldflags", "-s -w", "-o", "/out/b", "./cmd/b"],
      ])
      // each binary is verified in the builder
      expect(b.execs.filter((x) => x.argv.includes("verify-elf")).map((x) => x.argv.at(-1))).toEqual(["/out/a", "/out/b"])
    }
  })

  it("the engine read the root listing, the heads of the .go files and one glob of cmd/ — nothing else", () => {
    const q = queryText(r.goCmd)
    expect(q).toMatch(/glob\s*\(pattern: "cmd\/\*\/\*\.go"\)/)
    for (const f of ["gen.go", "tools.go", "cmd/a/main.go", "cmd/b/main.go", "cmd/shared/flags.go"]) expect(q).toMatch(new RegExp(`file\\s*\\(path: "${f.replace(/\./g, "\\.")}"\\)\\s*\\{?\\s*contents\\s*\\(limitLines: 100\\)`))
    expect(q).not.toMatch(/main_test\.go/)
  })

  it("binaries: every command of every platform", () => {
    expect(r.goCmdBinaries.error).toBeUndefined()
    const dir = String(r.goCmdBinaries.returnValue)
    expect(engine.directoryEntries(dir, "linux/amd64")).toEqual(["a", "b"])
    expect(engine.directoryEntries(dir, "linux/arm64")).toEqual(["a", "b"])
  })

  it("plan --format text: shows the discovery, both binaries, and quoted commands", () => {
    expect(r.goCmdPlan.error).toBeUndefined()
    const text = String(r.goCmdPlan.returnValue)
    expect(text).toMatch(/note: main packages \.\/cmd\/a, \.\/cmd\/b \(\. is package tools; found 2 main packages in cmd\//)
    expect(text).toMatch(/binaries: a, b \(entrypoint a\)/)
    expect(text).toContain("  $ go build -trimpath -ldflags '-s -w -X '\\''main.version=1.2.3 rc'\\''' -o /out/a ./cmd/a")
  })
})

describe("Go versions: only published golang images", () => {
  it("go 1.17 → golang:1.19-bookworm (golang:1.17-bookworm was never published)", () => {
    expect(r.go117.error).toBeUndefined()
    for (const v of variantsOf("registry.example.com/acme/go-117:1")) expect(builderOf(v, "/usr/local/bin/oldgo").from).toBe("golang:1.19-bookworm")
  })
  it(".go-version 1.19.13 → golang:1.19.13-bookworm", () => {
    expect(r.goVersionFile.error).toBeUndefined()
    for (const v of variantsOf("registry.example.com/acme/go-version-file:1")) expect(builderOf(v, "/usr/local/bin/pinned").from).toBe("golang:1.19.13-bookworm")
  })
  it("--go-image pins the builder by digest", () => {
    expect(r.goImage.error).toBeUndefined()
    for (const v of variantsOf("registry.example.com/acme/go-hello:pinned")) expect(builderOf(v, "/usr/local/bin/hello").from).toBe(`golang:1.23-bookworm@sha256:${"d".repeat(64)}`)
  })
})

describe("Go: tags, cgo-only packages, target -dev packages, static cgo", () => {
  it("--tags reaches go build", () => {
    expect(r.goTags.error).toBeUndefined()
    for (const v of variantsOf("registry.example.com/acme/go-tags:1"))
      expect(builderOf(v, "/usr/local/bin/flavors").execs.find((x) => x.argv[0] === "go")!.argv).toEqual(["go", "build", "-trimpath", "-tags", "containers_image_openpgp", "-ldflags", "-s -w", "-o", "/out/flavors", "."])
  })

  it("a cgo-only main package without --cgo stops before any engine work, suggesting --cgo", () => {
    expect(r.goCgoOnly.ok).toBe(false)
    expect(r.goCgoOnly.error).toMatch(/invalid cgo "false": \. has Go files only with cgo \(import "C" or \/\/go:build cgo\): CGO_ENABLED=0 excludes them all; pass --cgo/)
    builtNothing(r.goCgoOnly)
  })

  it("--cgo --cgo-packages --ldflags '-extldflags -static': target packages by Debian arch, checked as static, scratch runtime", () => {
    expect(r.goCgoOnlyCgo.error).toBeUndefined()
    for (const v of variantsOf("registry.example.com/acme/go-cgo-only:static")) {
      const b = builderOf(v, "/usr/local/bin/nsexec")
      const apt = b.execs.find((x) => x.argv[0] === "sh" && x.argv[2].includes("apt-get"))!.argv[2]
      if (v.platform === "linux/arm64") {
        expect(apt).toBe(
          "dpkg --add-architecture arm64 && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross pkgconf:arm64 libseccomp-dev:arm64",
        )
        expect(b.env).toMatchObject({ CGO_ENABLED: "1", CC: "aarch64-linux-gnu-gcc", PKG_CONFIG: "aarch64-linux-gnu-pkg-config" })
      } else expect(apt).toBe("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libseccomp-dev")
      const verify = b.execs.find((x) => x.argv.includes("verify-elf"))!
      expect(verify.argv[2]).toContain("-v want_linkage=static")
      // scratch runtime: no base image pulled
      expect(v.from).toBeUndefined()
    }
  })
})

describe("cache volumes (issue 19, M3): namespaced by project, never from manifest text", () => {
  it("two Go projects get different keys; --cache-namespace names them", () => {
    const keysOf = (address: string, bin: string) => variantsOf(address).flatMap((v) => cacheKeys(builderOf(v, bin)))
    const hello = keysOf("registry.example.com/acme/go-hello:1", "/usr/local/bin/hello")
    const tools = keysOf("registry.example.com/acme/go-cmd:1", "/usr/local/bin/a")
    expect(hello).toHaveLength(4)
    for (const k of hello) expect(tools).not.toContain(k)
    for (const k of [...hello, ...tools]) expect(k).toMatch(/^multiarch-go-(mod|build)-p[0-9a-f]{16}-/)
    const ns = keysOf("registry.example.com/acme/go-hello:ns", "/usr/local/bin/hello")
    expect(ns.sort()).toEqual(
      ["multiarch-go-build-acme/hello-1.19-linux-amd64", "multiarch-go-build-acme/hello-1.19-linux-arm64", "multiarch-go-mod-acme/hello-linux-amd64", "multiarch-go-mod-acme/hello-linux-arm64"].sort(),
    )
  })

  it("Rust keys carry no Cargo.toml name as written", () => {
    const keys = variantsOf("registry.example.com/acme/rust-workspace:1").flatMap((v) => cacheKeys(builderOf(v, "/usr/local/bin/wsctl")))
    expect(keys).toHaveLength(6)
    for (const k of keys) {
      expect(k).toMatch(/^multiarch-rust-(registry|git|target)-p[0-9a-f]{16}-/)
      expect(k).not.toMatch(/ws-|wsctl|cli|server/)
    }
  })
})

describe("Rust: C++ build scripts and virtual workspaces", () => {
  it("a C++ build.rs with the default musl stops before engine work, listing the choices", () => {
    expect(r.rustCxx.ok).toBe(false)
    expect(r.rustCxx.error).toMatch(/invalid libc "musl": the build compiles C\+\+ \(build\.rs compiles C\+\+\) and Debian has no C\+\+ standard library for musl, the default libc.*; pass --libc gnu/)
    builtNothing(r.rustCxx)
  })

  it("--libc gnu: g++-<triple> installed, CXX_<triple> set on the builder", () => {
    expect(r.rustCxxGnu.error).toBeUndefined()
    for (const v of variantsOf("registry.example.com/acme/rust-cxx:1")) {
      const b = builderOf(v, "/usr/local/bin/rust-cxx")
      if (v.platform === "linux/arm64") {
        expect(b.env.CXX_aarch64_unknown_linux_gnu).toBe("aarch64-linux-gnu-g++")
        expect(b.execs.find((x) => x.argv[0] === "sh" && x.argv[2].includes("apt-get"))!.argv[2]).toMatch(/g\+\+-aarch64-linux-gnu/)
      } else expect(b.env.CXX_x86_64_unknown_linux_gnu).toBe("x86_64-linux-gnu-g++")
      expect(v.from).toBe("debian:bookworm-slim")
    }
  })

  it("a virtual workspace without --bin stops before engine work, listing its binary crates; the engine read the members' manifests", () => {
    expect(r.rustWs.ok).toBe(false)
    expect(r.rustWs.error).toMatch(/Cargo\.toml is a virtual workspace with 2 binaries: wsctl \(crates\/cli\), ws-server \(crates\/server\); pass --bin with the one to build, e.g\. --bin wsctl/)
    builtNothing(r.rustWs)
    const q = queryText(r.rustWs)
    expect(q).toMatch(/glob\s*\(pattern: "crates\/\*\/Cargo\.toml"\)/)
    for (const m of ["cli", "core", "server"]) expect(q).toMatch(new RegExp(`file\\s*\\(path: "crates/${m}/Cargo\\.toml"\\)`))
  })

  it("--bin wsctl --no-default-features: cargo gets --bin=wsctl", () => {
    expect(r.rustWsBin.error).toBeUndefined()
    for (const v of variantsOf("registry.example.com/acme/rust-workspace:1")) {
      const cargo = builderOf(v, "/usr/local/bin/wsctl").execs.find((x) => x.argv[0] === "cargo")!.argv
      expect(cargo.slice(-2)).toEqual(["--bin=wsctl", "--no-default-features"])
    }
  })
})

describe("several markers: which toolchain won, why, and the Dockerfile's extra tools", () => {
  it("plan on a crate with a Dockerfile says rust won and what the Dockerfile installs", () => {
    expect(r.rustDockerPlan.error).toBeUndefined()
    const text = String(r.rustDockerPlan.returnValue)
    expect(text).toMatch(/^toolchain: rust \(found Cargo\.toml; also found Dockerfile \(use --lang dockerfile\); Go and Rust are cross-compiled/)
    expect(text).toMatch(/also found Dockerfile: to build with it, --lang dockerfile; Dockerfile: build stages install protobuf-compiler, libssl-dev, pkg-config, clang \(line 3\); its final stage installs libssl3 \(line 11\)/)
  })
})

/**
 * Issue 16 "Done when": on every fixture, `build --platforms linux/amd64,linux/arm64` without extra
 * flags either builds the right binaries (one builder per platform, each binary verified) or stops
 * before any engine work with an error that lists the choices.
 */
describe("issue 16, done when: each layout with no extra flags builds the right binaries or stops listing the choices", () => {
  const builds: [string, string, string, string[]][] = [
    ["go-cmd (library root + cmd/a, cmd/b)", "goCmd", "registry.example.com/acme/go-cmd:1", ["a", "b"]],
    ["go-117 (go 1.17)", "go117", "registry.example.com/acme/go-117:1", ["oldgo"]],
    [".go-version", "goVersionFile", "registry.example.com/acme/go-version-file:1", ["pinned"]],
    ["go-tags (build-tag-only files), no --tags: the !tag file", "goTagsDefault", "registry.example.com/acme/go-tags:default", ["flavors"]],
    ["rust-docker (Cargo.toml + Dockerfile): the rust route", "rustDocker", "registry.example.com/acme/rust-docker:1", ["rust-docker"]],
  ]
  it.each(builds)("%s: built for both platforms", (_name, key, address, bins) => {
    expect(r[key].error).toBeUndefined()
    const vs = variantsOf(address)
    expect(vs.map((v) => v.platform).sort()).toEqual(["linux/amd64", "linux/arm64"])
    for (const v of vs) {
      const b = builderOf(v, `/usr/local/bin/${bins[0]}`)
      for (const bin of bins) expect(b.execs.some((x) => x.argv.includes("verify-elf") && x.argv.at(-1) === `/out/${bin}`), `${v.platform} ${bin} verified`).toBe(true)
    }
  })

  it("go-tags without --tags compiles the default file set (no -tags argument)", () => {
    for (const v of variantsOf("registry.example.com/acme/go-tags:default")) {
      const go = builderOf(v, "/usr/local/bin/flavors").execs.find((x) => x.argv[0] === "go")!.argv
      expect(go).not.toContain("-tags")
    }
  })

  const stops: [string, string, RegExp][] = [
    ["go-cgo-only (runc-like)", "goCgoOnly", /Go files only with cgo.*pass --cgo/],
    ["rust-cxx (C++ build.rs)", "rustCxx", /pass --libc gnu.*--lang dockerfile/],
    ["rust-workspace (virtual workspace)", "rustWs", /2 binaries: wsctl \(crates\/cli\), ws-server \(crates\/server\); pass --bin/],
  ]
  it.each(stops)("%s: stops before engine work, listing the choices", (_name, key, choices) => {
    expect(r[key].ok).toBe(false)
    expect(r[key].error).toMatch(choices)
    builtNothing(r[key])
  })
})
