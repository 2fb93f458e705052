/** The one BuildRequest: options by name, parsed and checked once, before any engine work. */
import { describe, expect, it } from "vitest"
import { MultiarchInputErrors } from "../../../modules/core/errors/index.js"
import { toolchain, TOOLCHAIN_NAMES } from "../../../modules/toolchains/index.js"
import { DEFAULT_PLATFORMS, parseBuildRequest, SHARED_OPTIONS, withSecretNames } from "../../../modules/toolchains/request.js"
import { inputError } from "../../support/errors.js"


describe("parseBuildRequest", () => {
  it("platforms become target rows (default linux/amd64,linux/arm64), aliases normalised", () => {
    expect(parseBuildRequest({}).targets.map((r) => r.platform)).toEqual([...DEFAULT_PLATFORMS])
    expect(parseBuildRequest({ platforms: [] }).targets.map((r) => r.platform)).toEqual([...DEFAULT_PLATFORMS])
    const r = parseBuildRequest({ platforms: "armhf, x86_64,linux/riscv64" })
    expect(r.targets.map((t) => t.platform)).toEqual(["linux/arm/v7", "linux/amd64", "linux/riscv64"])
    expect(r.targets[0].go.GOARM).toBe("7")
    expect(inputError(() => parseBuildRequest({ platforms: ["linux/arm", "linux/arm/v7"] }))).toBeInstanceOf(MultiarchInputErrors)
  })

  it("each toolchain picks its own options by name", () => {
    const r = parseBuildRequest({ goVersion: "1.23", pkg: "./cmd/a", cgo: true, libc: "gnu", bin: "srv", features: ["tls"], dockerfile: "ci/Dockerfile", target: "release", buildArgs: ["BASE=alpine:3.20", "V=a=b"], emulate: true, base: "debian:bookworm-slim", version: "1.0.0", commit: "abc" })
    expect(r.options.go).toEqual({ goVersion: "1.23", package: "./cmd/a", ldflags: undefined, cgo: true, version: "1.0.0", commit: "abc", base: "debian:bookworm-slim", emulate: true })
    expect(r.options.rust).toMatchObject({ libc: "gnu", bin: "srv", features: ["tls"], base: "debian:bookworm-slim", emulate: true })
    expect(r.options.dockerfile).toEqual({ dockerfile: "ci/Dockerfile", target: "release", buildArgs: [{ name: "BASE", value: "alpine:3.20" }, { name: "V", value: "a=b" }], secrets: [] })
    expect(withSecretNames(r, ["npm"]).options.dockerfile.secrets).toEqual(["npm"])
  })

  it("labels from version, commit, source URL and date; secrets passed on as they are", () => {
    const secret = { name: "s" }
    const r = parseBuildRequest({ version: "1.2.3", commit: "abc", sourceUrl: "https://github.com/o/r", created: "2026-01-31T12:00:00Z", secrets: [secret] })
    expect(r.labels).toEqual({
      "org.opencontainers.image.created": "2026-01-31T12:00:00Z",
      "org.opencontainers.image.revision": "abc",
      "org.opencontainers.image.source": "https://github.com/o/r",
      "org.opencontainers.image.version": "1.2.3",
    })
    expect(r.secrets[0]).toBe(secret)
    expect(parseBuildRequest({}).labels).toEqual({})
  })

  it("every option is checked before any engine work, naming the input", () => {
    const bad: [Parameters<typeof parseBuildRequest>[0], string][] = [
      [{ platforms: ["linux/arm64/v7"] }, "platform"],
      [{ lang: "java" }, "lang"],
      [{ created: "yesterday" }, "created"],
      [{ goVersion: "go1.22" }, "go-version"],
      [{ libc: "glibc" }, "libc"],
      [{ buildArgs: ["=x"] }, "build-args"],
      [{ dockerfile: "../Dockerfile" }, "dockerfile"],
    ]
    for (const [o, field] of bad) expect(inputError(() => parseBuildRequest(o)).field, JSON.stringify(o)).toBe(field)
  })
})

describe("the option surface of issue 15/19 (pure: before any engine work)", () => {
  it("words get a did-you-mean: --libc glibc → gnu, --lang golang → go, --lang rsut → rust; case-insensitive values are canonical", () => {
    const libc = inputError(() => parseBuildRequest({ libc: "glibc" }))
    expect(libc.message).toBe('invalid libc "glibc": not a C library multiarch builds with (musl: static Rust binaries, Alpine Node images; gnu: glibc); did you mean gnu? (--libc gnu; the values are: musl, gnu)')
    expect(inputError(() => parseBuildRequest({ lang: "golang" })).fix).toMatch(/^did you mean go\?/)
    expect(inputError(() => parseBuildRequest({ lang: "rsut" })).fix).toMatch(/^did you mean rust\?/)
    expect(inputError(() => parseBuildRequest({ lang: "java" })).fix).toBe("use one of: go, rust, node, dockerfile")
    expect(parseBuildRequest({ lang: "Go" }).lang).toBe("go")
    expect(parseBuildRequest({ libc: "GNU" }).options.rust.libc).toBe("gnu")
  })

  it("--created is an RFC 3339 date-time that exists: 2026-02-30, a bare date and a zone-less time are refused with the fix", () => {
    expect(inputError(() => parseBuildRequest({ created: "2026-02-30T00:00:00Z" })).message).toBe('invalid created "2026-02-30T00:00:00Z": February 2026 has 28 days; pass a day from 01 to 28')
    expect(inputError(() => parseBuildRequest({ created: "2026-02-30" })).fix).toBe("pass 2026-02-30T00:00:00Z (RFC 3339: date, time and zone)")
    expect(inputError(() => parseBuildRequest({ created: "2026-01-31T12:00:00" })).field).toBe("created")
    expect(parseBuildRequest({ created: "2028-02-29T23:59:60+01:00" }).labels["org.opencontainers.image.created"]).toBe("2028-02-29T23:59:60+01:00")
    expect(inputError(() => parseBuildRequest({ created: "2100-02-29T00:00:00Z" })).message).toMatch(/February 2100 has 28 days/)
  })

  it("--source-url with user:token@ is refused and never echoed; it does not reach the labels", () => {
    const e = inputError(() => parseBuildRequest({ sourceUrl: "https://x-access-token:ghs_SECRET@github.com/o/r" }))
    expect(e.field).toBe("source-url")
    expect(e.message).not.toContain("ghs_SECRET")
    expect(e.message).toContain("https://***@github.com/o/r")
    expect(e.fix).toBe("drop the user:token@ part: https://github.com/o/r")
    expect(inputError(() => parseBuildRequest({ sourceUrl: "git@github.com:o/r.git" })).field).toBe("source-url")
  })

  it("--labels: short OCI keys, reverse-DNS keys; a key with its own flag, an unknown OCI key and a URL with credentials are refused at once", () => {
    const r = parseBuildRequest({ labels: ["title=App", "description=A, b", "licenses=Apache-2.0", "vendor=ACME", "documentation=https://docs.example.com", "url=https://example.com", "com.example.team=infra"], version: "1.0.0" })
    expect(r.labels).toEqual({
      "org.opencontainers.image.title": "App",
      "org.opencontainers.image.description": "A, b",
      "org.opencontainers.image.licenses": "Apache-2.0",
      "org.opencontainers.image.vendor": "ACME",
      "org.opencontainers.image.documentation": "https://docs.example.com",
      "org.opencontainers.image.url": "https://example.com",
      "com.example.team": "infra",
      "org.opencontainers.image.version": "1.0.0",
    })
    const e = inputError(() => parseBuildRequest({ labels: ["version=2", "org.opencontainers.image.licence=MIT", "url=https://u:p@example.com", "nokey"] }))
    expect(e).toBeInstanceOf(MultiarchInputErrors)
    const all = (e as MultiarchInputErrors).errors.map((x) => x.message)
    expect(all[0]).toBe('invalid labels "version": the version label has its own flag; set it with --version instead')
    expect(all[1]).toMatch(/did you mean "org\.opencontainers\.image\.licenses"\?/)
    expect(all[2]).toMatch(/carries credentials/)
    expect(all[2]).not.toContain("u:p@")
    expect(all[3]).toMatch(/expected key=value/)
  })

  it("options of another toolchain than --lang names: each named, with the toolchain and what to drop (defaults do not count)", () => {
    const e = inputError(() => parseBuildRequest({ lang: "rust", cgo: true, pkg: "./cmd/app", libc: "musl", profile: "release", dockerfile: "Dockerfile" }))
    expect(e).toBeInstanceOf(MultiarchInputErrors)
    expect((e as MultiarchInputErrors).errors.map((x) => x.message)).toEqual([
      'invalid cgo "true": --cgo is an option of go and this build uses rust (--lang rust); drop --cgo',
      'invalid pkg "./cmd/app": --pkg is an option of go and this build uses rust (--lang rust); drop --pkg',
    ])
    expect(inputError(() => parseBuildRequest({ lang: "go", buildArgs: ["A=1"] })).message).toBe('invalid build-args "A": --build-args is an option of dockerfile and this build uses go (--lang go); drop --build-args')
    expect(parseBuildRequest({ lang: "dockerfile", base: undefined, emulate: false, platforms: ["linux/arm64", "linux/amd64"] }).given).toEqual(["lang", "platforms"])
    expect(parseBuildRequest({ platforms: ["amd64", "aarch64"] }).given).toEqual([])
  })

  it("issue 16/19 options go through the flags table: their own toolchain takes them, another names the owner", () => {
    const go = { goImage: "golang:1.23-bookworm", tags: ["netgo"], cgoPackages: ["libgpgme-dev"], binaryName: "app", versionVar: "main.v", commitVar: "main.c", entrypoint: "app" }
    const rust = { rustImage: "rust:1.96-bookworm", noDefaultFeatures: true }
    expect(parseBuildRequest({ lang: "go", cgo: true, cacheNamespace: "team", ...go }).given).toEqual(expect.arrayContaining(["cacheNamespace", ...Object.keys(go)]))
    expect(parseBuildRequest({ lang: "rust", cacheNamespace: "team", ...rust }).given).toEqual(expect.arrayContaining(["cacheNamespace", ...Object.keys(rust)]))
    const onRust = inputError(() => parseBuildRequest({ lang: "rust", ...go })) as MultiarchInputErrors
    expect(onRust.errors.map((x) => x.field)).toEqual(["go-image", "tags", "cgo-packages", "binary-name", "version-var", "commit-var", "entrypoint"])
    expect(onRust.errors[1].message).toBe('invalid tags "netgo": --tags is an option of go and this build uses rust (--lang rust); drop --tags')
    const onGo = inputError(() => parseBuildRequest({ lang: "go", ...rust })) as MultiarchInputErrors
    expect(onGo.errors.map((x) => x.message)).toEqual([
      'invalid rust-image "rust:1.96-bookworm": --rust-image is an option of rust and this build uses go (--lang go); drop --rust-image',
      'invalid no-default-features "true": --no-default-features is an option of rust and this build uses go (--lang go); drop --no-default-features',
    ])
    expect(inputError(() => parseBuildRequest({ lang: "dockerfile", cacheNamespace: "team" })).message).toBe(
      'invalid cache-namespace "team": --cache-namespace is an option of go and rust and this build uses dockerfile (--lang dockerfile); drop --cache-namespace',
    )
  })

  it("--entrypoint, read by Go (a binary name) and Node (an argv): without --lang a value one of them takes waits for detection; with --lang, or taken by none, it is refused at once", () => {
    // no --lang: Node takes node,server.js, so Go's refusal waits for the toolchain detection picks
    expect(parseBuildRequest({ entrypoint: "node,server.js" }).options.node.entrypoint).toEqual(["node", "server.js"])
    expect(parseBuildRequest({ entrypoint: "node,server.js" }).options.go.entrypoint).toBe("node,server.js")
    expect(() => toolchain("go").check(parseBuildRequest({ entrypoint: "node,server.js" }).options.go)).toThrow(/invalid entrypoint "node,server.js": not a plain file name/)
    expect(inputError(() => parseBuildRequest({ lang: "go", entrypoint: "node,server.js" })).message).toBe(`invalid entrypoint "node,server.js": not a plain file name; use letters, digits, '.', '_' or '-'`)
    expect(parseBuildRequest({ lang: "node", entrypoint: "node,server.js" }).options.node.entrypoint).toEqual(["node", "server.js"])
    // taken by none of them: refused before the source is read, with or without --lang
    expect(inputError(() => parseBuildRequest({ entrypoint: "node,,x.js" })).field).toBe("entrypoint")
    expect(inputError(() => parseBuildRequest({ lang: "node", entrypoint: "node,,x.js" })).message).toMatch(/the entrypoint has an empty word/)
    // an option only one toolchain reads is still checked at once without --lang
    expect(inputError(() => parseBuildRequest({ goVersion: "latest" })).field).toBe("go-version")
  })

  it("every option a toolchain reads is in its flags (or shared): nothing it reads is refused as another toolchain's", () => {
    const keys = ["goVersion", "goImage", "pkg", "ldflags", "cgo", "tags", "cgoPackages", "binaryName", "versionVar", "commitVar", "entrypoint", "rustVersion", "rustImage", "libc", "bin", "features", "noDefaultFeatures", "profile", "dockerfile", "target", "buildArgs", "allowSecretBuildArgs", "secretIds", "emulate", "cacheNamespace", "base"] as const
    const sample: Record<string, unknown> = { libc: "gnu", features: ["x"], tags: ["t"], cgoPackages: ["libx-dev"], buildArgs: ["A=1"], secretIds: ["s"], cgo: true, noDefaultFeatures: true, emulate: true, allowSecretBuildArgs: true }
    for (const name of TOOLCHAIN_NAMES) {
      const tc = toolchain(name)
      const shared = new Set<string>([...SHARED_OPTIONS, ...tc.flags])
      const base = JSON.stringify(tc.options({}))
      for (const k of keys) {
        const read = JSON.stringify(tc.options({ [k]: sample[k] ?? "v" })) !== base
        if (read) expect(shared.has(k), `${name} reads ${k} but does not list it in flags`).toBe(true)
      }
    }
  })

  it("build args that look like credentials are refused (their value never shown) unless --allow-secret-build-args", () => {
    const e = inputError(() => parseBuildRequest({ buildArgs: ["NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz", "VERSION=1", "X=ghp_0123456789abcdefghijklmnopqrst", "DB_PASSWORD=hunter2"] }))
    const msgs = (e as MultiarchInputErrors).errors.map((x) => x.message)
    expect(msgs).toHaveLength(3)
    expect(msgs[0]).toBe(
      'invalid build-args "NPM_TOKEN": this looks like a credential (its name has TOKEN), and build args are written into the image\'s history, where anyone who pulls the image reads them; pass it as a secret: --secrets env://NPM_TOKEN and read it with RUN --mount=type=secret,id=NPM_TOKEN in the Dockerfile; or, if it is not secret, pass --allow-secret-build-args',
    )
    expect(msgs[1]).toMatch(/"X": this looks like a credential \(its value has the form of an access token or key\)/)
    for (const m of msgs) for (const v of ["npm_abcdefghijklmnopqrstuvwxyz", "ghp_0123", "hunter2"]) expect(m).not.toContain(v)
    expect(parseBuildRequest({ buildArgs: ["NPM_TOKEN=x"], allowSecretBuildArgs: true }).options.dockerfile.buildArgs).toEqual([{ name: "NPM_TOKEN", value: "x" }])
    for (const ok of ["KEYBOARD=us", "PATH_PREFIX=/x", "AUTHOR=me", "BASE=alpine"]) expect(() => parseBuildRequest({ buildArgs: [ok] })).not.toThrow()
  })

  it("--secret-ids: one per secret, valid and distinct", () => {
    const s = [{}, {}]
    expect(parseBuildRequest({ secrets: s, secretIds: ["npm", "gh"] }).secretIds).toEqual(["npm", "gh"])
    expect(inputError(() => parseBuildRequest({ secrets: s, secretIds: ["npm"] })).message).toMatch(/^invalid secret-ids "npm": 1 id for 2 secrets; give one id per --secrets entry/)
    expect(inputError(() => parseBuildRequest({ secrets: s, secretIds: ["a b", "c"] })).field).toBe("secret-ids")
    expect(inputError(() => parseBuildRequest({ secrets: s, secretIds: ["a", "a"] })).message).toMatch(/given twice/)
  })
})

describe("toolchain checks that need the source (pure, given its facts)", async () => {
  const { checkGoPackage } = await import("../../../modules/toolchains/go/plan.js")
  const { checkBuildArgsDeclared, declaredArgs, missingDockerfile, secretIdOf } = await import("../../../modules/toolchains/dockerfile/index.js")

  it("--pkg cmd/app is not a Go package path from the module root: did you mean ./cmd/app", () => {
    const mod = { module: "example.com/hello" }
    expect(inputError(() => checkGoPackage("cmd/app", mod)).message).toBe(
      'invalid pkg "cmd/app": not a package path Go finds from the module root (go reads cmd/app as a standard-library path, and this module is example.com/hello); did you mean ./cmd/app? (a path relative to the module root starts with ./)',
    )
    for (const ok of [undefined, ".", "./cmd/app", "example.com/hello/cmd/app", "golang.org/x/tools/cmd/stringer"]) expect(() => checkGoPackage(ok, mod)).not.toThrow()
    expect(() => checkGoPackage("app/cmd/x", { module: "app" })).not.toThrow()
  })

  it("a build arg no ARG declares is refused with the nearest declared one; BuildKit's predefined ones pass", () => {
    const df = "ARG BASE=alpine\nFROM $BASE\nARG VERSION COMMIT=x\nRUN echo $VERSION\n"
    expect(declaredArgs(df)).toEqual(["BASE", "VERSION", "COMMIT"])
    expect(inputError(() => checkBuildArgsDeclared(df, "Dockerfile", [{ name: "VERSOIN", value: "1" }])).message).toBe(
      'invalid build-args "VERSOIN": Dockerfile has no ARG VERSOIN, so BuildKit would ignore it; did you mean VERSION? (it declares: BASE, VERSION, COMMIT)',
    )
    expect(() => checkBuildArgsDeclared(df, "Dockerfile", [{ name: "HTTP_PROXY", value: "x" }, { name: "BUILDKIT_INLINE_CACHE", value: "1" }, { name: "TARGETARCH", value: "x" }])).not.toThrow()
  })

  it("a missing --dockerfile path suggests the nearest Dockerfile the source has", () => {
    const e = missingDockerfile("build/Dockerfil", { entries: ["go.mod", "build"], files: {}, others: ["build/Dockerfile", "docs/x.md"] })
    expect(e.message).toBe('invalid dockerfile "build/Dockerfil": no such file in the source; did you mean build/Dockerfile?')
  })

  it("a secret's Dockerfile id: its name, else env://NAME or the file name; other providers have none", () => {
    expect(secretIdOf("", "env://NPM_TOKEN")).toBe("NPM_TOKEN")
    expect(secretIdOf("", "env:NPM_TOKEN")).toBe("NPM_TOKEN")
    expect(secretIdOf("", "file:///run/keys/npm_token")).toBe("npm_token")
    expect(secretIdOf("", "file://./gh.txt?cacheKey=x")).toBe("gh.txt")
    expect(secretIdOf("npm", "env://X")).toBe("npm")
    expect(secretIdOf("", 'cmd://"gh auth token"')).toBeUndefined()
    expect(secretIdOf("", "op://vault/item/field")).toBeUndefined()
  })
})
