/**
 * multiarch: build every platform of a container image and publish them as one OCI index.
 *
 * Go and Rust are cross-compiled on the engine's native platform for each target (GOARM, GOAMD64,
 * Rust triples and linkers set from one table), Node apps get each target's node_modules installed
 * there too; only Dockerfile RUN steps and install scripts that must execute target code are
 * emulated with QEMU. Start with `plan` to see what will happen, then
 * `build … publish --address …`.
 */
import { argument, Directory, func, object, type Secret, type Workspace } from "@dagger.io/dagger"
import { parseAnnotations } from "../modules/core/annotations.js"
import { parseChoice } from "../modules/core/choice.js"
import { parsePlatforms } from "../modules/core/platform.js"
import { parsePublishRequest } from "../modules/core/publish.js"
import { SOURCE_IGNORE } from "../modules/core/source.js"
import { annotateImage, inspectImage, mergeImages, verifyImage } from "../modules/registry/index.js"
import type { BuildOptions } from "../modules/toolchains/options.js"
import { parseBuildRequest } from "../modules/toolchains/request.js"
import { buildBinaries, buildImage, planReport } from "./engine/build.js"
import { registryOf, registryOptions } from "./engine/credentials.js"
import { sourceOf } from "./engine/source.js"
import { MultiarchImage } from "./image.js"

export { MultiarchImage } from "./image.js"

/**
 * The target platforms when --platforms is not given, comma-separated like buildx's --platform: a
 * string literal, because the TypeScript SDK registers default values of primitive arguments only
 * (a list's default would not show in `--help`). Equal to modules/toolchains/request.ts
 * DEFAULT_PLATFORMS (checked in test/api).
 */
const PLATFORMS = "linux/amd64,linux/arm64"

/** The one BuildRequest of a call, from its options by name. */
const request = (o: BuildOptions<Secret>) => parseBuildRequest<Secret>(o)

/** Multi-platform image builds: plan, build, publish one index; inspect, verify, merge and annotate images in registries. */
@object()
export class Multiarch {
  /**
   * Show what a build would do, without building: for each platform, the toolchain detected in
   * the source (go.mod → go, Cargo.toml → rust, package-lock.json → node, Dockerfile → dockerfile), whether it is
   * cross-compiled on the engine's native platform or emulated (for a Dockerfile: which RUN steps
   * run under QEMU, and how to avoid it), and the environment it gets. Takes every option `build`
   * takes and shows exactly what `build` would do with them. Invalid input is rejected here,
   * before any engine work.
   *
   * @param source Project root: the directory holding go.mod, Cargo.toml, package-lock.json or the Dockerfile. Default: the directory you run dagger in, without .git, node_modules, target, .env and .multiarch.env files (the same list applies to a directory given here).
   * @param platforms Target platforms, comma-separated, e.g. linux/amd64,linux/arm64,linux/arm/v7; aliases such as arm64, aarch64, armhf are normalised.
   * @param lang Force a toolchain instead of detecting it: go, rust, node or dockerfile (default: detected; go.mod → go, Cargo.toml → rust, package-lock.json → node, Dockerfile → dockerfile).
   * @param format Output: json or text.
   * @param goVersion Go: version of the builder image (default: go.mod's toolchain/go line).
   * @param pkg Go: main package(s) to build, relative to the module root, e.g. ./cmd/app or ./cmd/a,./cmd/b (default: . if it is package main, else every cmd/<name> main package).
   * @param ldflags Go: extra -ldflags, added to the default "-s -w".
   * @param cgo Go: build with cgo and Debian's gcc-<triple> cross compiler for each target (default: CGO_ENABLED=0).
   * @param rustVersion Rust: version of the builder image (default: rust-toolchain.toml, else the module's default).
   * @param libc C library. Rust: musl (default: static binaries on an empty base) or gnu (glibc, Debian base); Node: gnu (default: Debian node images) or musl (Alpine).
   * @param bin Rust: binary to build (cargo build --bin=<name>; default: default-run, the only binary of the package, or of a virtual workspace).
   * @param features Rust: cargo features.
   * @param profile Rust: cargo profile.
   * @param nodeVersion Node: version of the builder and runtime images, e.g. 22 or 22.11.0 (default: .node-version, .nvmrc, engines.node, else the module's default).
   * @param dockerfile Dockerfile: its path in the source.
   * @param target Dockerfile: stage to build (default: the last).
   * @param buildArgs Dockerfile: build args, NAME=value; each must be an ARG of the Dockerfile. Build args are stored in the image history: pass credentials with --secrets instead.
   * @param allowSecretBuildArgs Dockerfile: accept build args whose name or value looks like a credential (TOKEN, PASSWORD, KEY, SECRET…), which are refused by default.
   * @param secrets Dockerfile: secrets for RUN --mount=type=secret,id=<id>, e.g. env://NPM_TOKEN (its id: NPM_TOKEN) or file://./npm_token (its id: npm_token).
   * @param secretIds Dockerfile: the id of each secret, in the order of --secrets (default: the env variable or file name of its URI).
   * @param emulate Go/Rust: run the toolchain on the target platform under QEMU instead of cross-compiling (slow; for projects cross-compilation cannot handle); Node: rebuild every package with install work on the target platform.
   * @param version Set as the org.opencontainers.image.version label (Go: also -X main.version=…).
   * @param commit Set as the org.opencontainers.image.revision label (Go: also -X main.commit=…).
   * @param base Go/Rust/Node: runtime base image (default: an empty static rootfs with a nonroot user and CA certificates; a Debian glibc image for cgo/gnu; Node: node:<version>-bookworm-slim, or -alpine with --libc musl).
   * @param sourceUrl Repository URL for the org.opencontainers.image.source label (https, without credentials).
   * @param created Build date for the org.opencontainers.image.created label, RFC 3339 (e.g. 2026-01-31T12:00:00Z); unset by default for reproducible images.
   * @param labels More labels, key=value: title, description, url, documentation, licenses, vendor, authors (the org.opencontainers.image. keys, prefix optional) or any reverse-DNS key.
   * @param tags Go: build tags (go build -tags a,b), e.g. containers_image_openpgp.
   * @param cgoPackages Go with --cgo: Debian -dev packages installed for each target's architecture (libgpgme-dev → libgpgme-dev:arm64 on the arm64 build).
   * @param binaryName Go: name of the binary (one main package; default: the package directory's name).
   * @param versionVar Go: symbol --version is injected into with -X (default: main.version).
   * @param commitVar Go: symbol --commit is injected into with -X (default: main.commit).
   * @param entrypoint Go with several main packages (cmd/a, cmd/b): the binary the image runs (default: the one named like the module, else the first). Node: the image's command, comma-separated, e.g. node,server.js (default: package.json start, bin or main).
   * @param goImage Go: builder image instead of golang:<version>-bookworm, e.g. pinned by digest: golang:1.23-bookworm@sha256:….
   * @param noDefaultFeatures Rust: cargo build --no-default-features.
   * @param rustImage Rust: builder image instead of rust:<version>-bookworm, e.g. pinned by digest: rust:1.96-bookworm@sha256:… (rustup still installs the resolved release in it).
   * @param cacheNamespace Go/Rust: namespace of the cache volumes (default: a hash of the Go module path or the Cargo package identity); the same value shares caches between projects, a distinct one (e.g. the CI repository) isolates them on a persistent engine.
   * @param workspace The directory you call dagger from (filled in by Dagger; not a flag).
   */
  @func()
  async plan(
    @argument({ ignore: SOURCE_IGNORE }) source?: Directory,
    platforms: string = PLATFORMS,
    lang?: string,
    format: string = "json",
    goVersion?: string,
    pkg?: string,
    ldflags?: string,
    cgo: boolean = false,
    rustVersion?: string,
    libc?: string,
    bin?: string,
    features?: string[],
    profile: string = "release",
    nodeVersion?: string,
    dockerfile: string = "Dockerfile",
    target?: string,
    buildArgs?: string[],
    allowSecretBuildArgs: boolean = false,
    secrets?: Secret[],
    secretIds?: string[],
    emulate: boolean = false,
    version?: string,
    commit?: string,
    base?: string,
    sourceUrl?: string,
    created?: string,
    labels?: string[],
    tags?: string[],
    cgoPackages?: string[],
    binaryName?: string,
    versionVar?: string,
    commitVar?: string,
    entrypoint?: string,
    goImage?: string,
    noDefaultFeatures: boolean = false,
    rustImage?: string,
    cacheNamespace?: string,
    workspace?: Workspace,
  ): Promise<string> {
    const req = request({ platforms, lang, goVersion, pkg, ldflags, cgo, rustVersion, libc, bin, features, profile, nodeVersion, dockerfile, target, buildArgs, allowSecretBuildArgs, secrets, secretIds, emulate, version, commit, base, sourceUrl, created, labels, tags, cgoPackages, binaryName, versionVar, commitVar, entrypoint, goImage, noDefaultFeatures, rustImage, cacheNamespace })
    const out = parseChoice("format", format, ["json", "text"] as const, { what: "an output format of plan" })
    return planReport(sourceOf(source, workspace), req, out)
  }

  /**
   * Build the image for every platform and return it as one multi-platform image (chain
   * `publish --address …`, `tarball`, `variant --platform …`; alone, or with `sync`, it builds and
   * checks every platform and pushes nothing). The toolchain is detected from the source (go.mod →
   * Go and Cargo.toml → Rust, cross-compiled natively per target; package-lock.json → Node,
   * node_modules installed per target natively; a Dockerfile → BuildKit per platform) unless --lang is given; an option of another toolchain is an error.
   *
   * @param source Project root: the directory holding go.mod, Cargo.toml, package-lock.json or the Dockerfile. Default: the directory you run dagger in, without .git, node_modules, target, .env and .multiarch.env files (the same list applies to a directory given here).
   * @param platforms Target platforms, comma-separated, e.g. linux/amd64,linux/arm64,linux/arm/v7; aliases such as arm64, aarch64, armhf are normalised.
   * @param lang Force a toolchain instead of detecting it: go, rust, node or dockerfile (default: detected; go.mod → go, Cargo.toml → rust, package-lock.json → node, Dockerfile → dockerfile).
   * @param goVersion Go: version of the builder image (default: go.mod's toolchain/go line).
   * @param pkg Go: main package(s) to build, relative to the module root, e.g. ./cmd/app or ./cmd/a,./cmd/b (default: . if it is package main, else every cmd/<name> main package).
   * @param ldflags Go: extra -ldflags, added to the default "-s -w".
   * @param cgo Go: build with cgo and Debian's gcc-<triple> cross compiler for each target (default: CGO_ENABLED=0).
   * @param rustVersion Rust: version of the builder image (default: rust-toolchain.toml, else the module's default).
   * @param libc C library. Rust: musl (default: static binaries on an empty base) or gnu (glibc, Debian base); Node: gnu (default: Debian node images) or musl (Alpine).
   * @param bin Rust: binary to build (cargo build --bin=<name>; default: default-run, the only binary of the package, or of a virtual workspace).
   * @param features Rust: cargo features.
   * @param profile Rust: cargo profile.
   * @param nodeVersion Node: version of the builder and runtime images, e.g. 22 or 22.11.0 (default: .node-version, .nvmrc, engines.node, else the module's default).
   * @param dockerfile Dockerfile: its path in the source.
   * @param target Dockerfile: stage to build (default: the last).
   * @param buildArgs Dockerfile: build args, NAME=value; each must be an ARG of the Dockerfile. Build args are stored in the image history: pass credentials with --secrets instead.
   * @param allowSecretBuildArgs Dockerfile: accept build args whose name or value looks like a credential (TOKEN, PASSWORD, KEY, SECRET…), which are refused by default.
   * @param secrets Dockerfile: secrets for RUN --mount=type=secret,id=<id>, e.g. env://NPM_TOKEN (its id: NPM_TOKEN) or file://./npm_token (its id: npm_token).
   * @param secretIds Dockerfile: the id of each secret, in the order of --secrets (default: the env variable or file name of its URI).
   * @param emulate Go/Rust: run the toolchain on the target platform under QEMU instead of cross-compiling (slow; for projects cross-compilation cannot handle); Node: rebuild every package with install work on the target platform.
   * @param version Set as the org.opencontainers.image.version label (Go: also -X main.version=…).
   * @param commit Set as the org.opencontainers.image.revision label (Go: also -X main.commit=…).
   * @param base Go/Rust/Node: runtime base image (default: an empty static rootfs with a nonroot user and CA certificates; a Debian glibc image for cgo/gnu; Node: node:<version>-bookworm-slim, or -alpine with --libc musl).
   * @param sourceUrl Repository URL for the org.opencontainers.image.source label (https, without credentials).
   * @param created Build date for the org.opencontainers.image.created label, RFC 3339 (e.g. 2026-01-31T12:00:00Z); unset by default for reproducible images.
   * @param labels More labels, key=value: title, description, url, documentation, licenses, vendor, authors (the org.opencontainers.image. keys, prefix optional) or any reverse-DNS key.
   * @param tags Go: build tags (go build -tags a,b), e.g. containers_image_openpgp.
   * @param cgoPackages Go with --cgo: Debian -dev packages installed for each target's architecture (libgpgme-dev → libgpgme-dev:arm64 on the arm64 build).
   * @param binaryName Go: name of the binary (one main package; default: the package directory's name).
   * @param versionVar Go: symbol --version is injected into with -X (default: main.version).
   * @param commitVar Go: symbol --commit is injected into with -X (default: main.commit).
   * @param entrypoint Go with several main packages (cmd/a, cmd/b): the binary the image runs (default: the one named like the module, else the first). Node: the image's command, comma-separated, e.g. node,server.js (default: package.json start, bin or main).
   * @param goImage Go: builder image instead of golang:<version>-bookworm, e.g. pinned by digest: golang:1.23-bookworm@sha256:….
   * @param noDefaultFeatures Rust: cargo build --no-default-features.
   * @param rustImage Rust: builder image instead of rust:<version>-bookworm, e.g. pinned by digest: rust:1.96-bookworm@sha256:… (rustup still installs the resolved release in it).
   * @param cacheNamespace Go/Rust: namespace of the cache volumes (default: a hash of the Go module path or the Cargo package identity); the same value shares caches between projects, a distinct one (e.g. the CI repository) isolates them on a persistent engine.
   * @param workspace The directory you call dagger from (filled in by Dagger; not a flag).
   */
  @func()
  async build(
    @argument({ ignore: SOURCE_IGNORE }) source?: Directory,
    platforms: string = PLATFORMS,
    lang?: string,
    goVersion?: string,
    pkg?: string,
    ldflags?: string,
    cgo: boolean = false,
    rustVersion?: string,
    libc?: string,
    bin?: string,
    features?: string[],
    profile: string = "release",
    nodeVersion?: string,
    dockerfile: string = "Dockerfile",
    target?: string,
    buildArgs?: string[],
    allowSecretBuildArgs: boolean = false,
    secrets?: Secret[],
    secretIds?: string[],
    emulate: boolean = false,
    version?: string,
    commit?: string,
    base?: string,
    sourceUrl?: string,
    created?: string,
    labels?: string[],
    tags?: string[],
    cgoPackages?: string[],
    binaryName?: string,
    versionVar?: string,
    commitVar?: string,
    entrypoint?: string,
    goImage?: string,
    noDefaultFeatures: boolean = false,
    rustImage?: string,
    cacheNamespace?: string,
    workspace?: Workspace,
  ): Promise<MultiarchImage> {
    return buildImage(sourceOf(source, workspace), request({ platforms, lang, goVersion, pkg, ldflags, cgo, rustVersion, libc, bin, features, profile, nodeVersion, dockerfile, target, buildArgs, allowSecretBuildArgs, secrets, secretIds, emulate, version, commit, base, sourceUrl, created, labels, tags, cgoPackages, binaryName, versionVar, commitVar, entrypoint, goImage, noDefaultFeatures, rustImage, cacheNamespace }))
  }

  /**
   * Build a Go module for every platform: each target is cross-compiled on the engine's native
   * platform with GOOS/GOARCH/GOARM/GOAMD64/GO386/GOMIPS and CGO_ENABLED set explicitly, its
   * binary checked (ELF machine, class, byte order, float ABI, static/dynamic) and packed into a
   * runtime image for its platform.
   *
   * @param source Go module root (holding go.mod). Default: the directory you run dagger in (without .git, node_modules, target and env files).
   * @param platforms Target platforms, comma-separated, e.g. linux/amd64,linux/arm64,linux/arm/v7; aliases such as arm64, aarch64, armhf are normalised.
   * @param goVersion Version of the builder image (default: go.mod's toolchain/go line).
   * @param pkg Main package(s) to build, relative to the module root, e.g. ./cmd/app or ./cmd/a,./cmd/b (default: . if it is package main, else every cmd/<name> main package).
   * @param ldflags Extra -ldflags, added to the default "-s -w".
   * @param cgo Build with cgo and Debian's gcc-<triple> cross compiler for each target (default: CGO_ENABLED=0).
   * @param emulate Go/run the toolchain on the target platform under QEMU instead of cross-compiling (slow; for projects cross-compilation cannot handle).
   * @param version Set as the org.opencontainers.image.version label (also -X main.version=…).
   * @param commit Set as the org.opencontainers.image.revision label (also -X main.commit=…).
   * @param base Go/runtime base image (default: an empty static rootfs with a nonroot user and CA certificates; a Debian glibc image for cgo/gnu).
   * @param sourceUrl Repository URL for the org.opencontainers.image.source label (https, without credentials).
   * @param created Build date for the org.opencontainers.image.created label, RFC 3339 (e.g. 2026-01-31T12:00:00Z); unset by default for reproducible images.
   * @param labels More labels, key=value: title, description, url, documentation, licenses, vendor, authors (the org.opencontainers.image. keys, prefix optional) or any reverse-DNS key.
   * @param tags Build tags (go build -tags a,b), e.g. containers_image_openpgp.
   * @param cgoPackages Go with --cgo: Debian -dev packages installed for each target's architecture (libgpgme-dev → libgpgme-dev:arm64 on the arm64 build).
   * @param binaryName Name of the binary (one main package; default: the package directory's name).
   * @param versionVar Symbol --version is injected into with -X (default: main.version).
   * @param commitVar Symbol --commit is injected into with -X (default: main.commit).
   * @param entrypoint Go with several main packages (cmd/a, cmd/b): the binary the image runs (default: the one named like the module, else the first).
   * @param goImage Builder image instead of golang:<version>-bookworm, e.g. pinned by digest: golang:1.23-bookworm@sha256:….
   * @param cacheNamespace Namespace of the cache volumes (default: a hash of the Go module path); the same value shares caches between projects, a distinct one (e.g. the CI repository) isolates them on a persistent engine.
   * @param workspace The directory you call dagger from (filled in by Dagger; not a flag).
   */
  @func()
  async go(
    @argument({ ignore: SOURCE_IGNORE }) source?: Directory,
    platforms: string = PLATFORMS,
    goVersion?: string,
    pkg?: string,
    ldflags?: string,
    cgo: boolean = false,
    emulate: boolean = false,
    version?: string,
    commit?: string,
    base?: string,
    sourceUrl?: string,
    created?: string,
    labels?: string[],
    tags?: string[],
    cgoPackages?: string[],
    binaryName?: string,
    versionVar?: string,
    commitVar?: string,
    entrypoint?: string,
    goImage?: string,
    cacheNamespace?: string,
    workspace?: Workspace,
  ): Promise<MultiarchImage> {
    return buildImage(sourceOf(source, workspace), request({ lang: "go", platforms, goVersion, pkg, ldflags, cgo, emulate, version, commit, base, sourceUrl, created, labels, tags, cgoPackages, binaryName, versionVar, commitVar, entrypoint, goImage, cacheNamespace }))
  }

  /**
   * Build a Rust crate for every platform: each target triple (armv7-…-gnueabihf, riscv64gc-…,
   * i686-…) is cross-compiled on the engine's native platform with its own linker and C compiler,
   * the binary checked and packed into a runtime image for its platform.
   *
   * @param source Crate or workspace root (holding Cargo.toml). Default: the directory you run dagger in (without .git, node_modules, target and env files).
   * @param platforms Target platforms, comma-separated, e.g. linux/amd64,linux/arm64,linux/arm/v7; aliases such as arm64, aarch64, armhf are normalised.
   * @param rustVersion Version of the builder image (default: rust-toolchain.toml, else the module's default).
   * @param libc C library, musl (static binaries on an empty base) or gnu (glibc, Debian base).
   * @param bin Binary to build (cargo build --bin=<name>; default: default-run, the only binary of the package, or of a virtual workspace).
   * @param features Cargo features.
   * @param profile Cargo profile.
   * @param emulate Go/run the toolchain on the target platform under QEMU instead of cross-compiling (slow; for projects cross-compilation cannot handle).
   * @param version Set as the org.opencontainers.image.version label (also -X main.version=…).
   * @param commit Set as the org.opencontainers.image.revision label (also -X main.commit=…).
   * @param base Go/runtime base image (default: an empty static rootfs with a nonroot user and CA certificates; a Debian glibc image for cgo/gnu).
   * @param sourceUrl Repository URL for the org.opencontainers.image.source label (https, without credentials).
   * @param created Build date for the org.opencontainers.image.created label, RFC 3339 (e.g. 2026-01-31T12:00:00Z); unset by default for reproducible images.
   * @param labels More labels, key=value: title, description, url, documentation, licenses, vendor, authors (the org.opencontainers.image. keys, prefix optional) or any reverse-DNS key.
   * @param noDefaultFeatures Cargo build --no-default-features.
   * @param rustImage Builder image instead of rust:<version>-bookworm, e.g. pinned by digest: rust:1.96-bookworm@sha256:… (rustup still installs the resolved release in it).
   * @param cacheNamespace Namespace of the cache volumes (default: a hash of the Cargo package identity); the same value shares caches between projects, a distinct one (e.g. the CI repository) isolates them on a persistent engine.
   * @param workspace The directory you call dagger from (filled in by Dagger; not a flag).
   */
  @func()
  async rust(
    @argument({ ignore: SOURCE_IGNORE }) source?: Directory,
    platforms: string = PLATFORMS,
    rustVersion?: string,
    libc: string = "musl",
    bin?: string,
    features?: string[],
    profile: string = "release",
    emulate: boolean = false,
    version?: string,
    commit?: string,
    base?: string,
    sourceUrl?: string,
    created?: string,
    labels?: string[],
    noDefaultFeatures: boolean = false,
    rustImage?: string,
    cacheNamespace?: string,
    workspace?: Workspace,
  ): Promise<MultiarchImage> {
    return buildImage(sourceOf(source, workspace), request({ lang: "rust", platforms, rustVersion, libc, bin, features, profile, emulate, version, commit, base, sourceUrl, created, labels, noDefaultFeatures, rustImage, cacheNamespace }))
  }

  /**
   * Build a Node.js app for every platform without emulating npm: on the engine's native platform,
   * each target's node_modules is installed with npm's --os/--cpu/--libc (the target's prebuilt
   * platform packages, e.g. @esbuild/linux-arm64), native addons are cross-compiled with the
   * target's Debian compiler, and only install scripts that must run on the target are rebuilt
   * under QEMU (`plan` names them). A `build` script runs once, natively, for every platform.
   * Every ELF file under node_modules is checked against the target. Runtime: the platform's
   * node:<version>-bookworm-slim, the app in /app, NODE_ENV=production, user node.
   *
   * @param source Project root (holding package.json and package-lock.json). Default: the directory you run dagger in (without .git, node_modules, target and env files).
   * @param platforms Target platforms, comma-separated, e.g. linux/amd64,linux/arm64,linux/arm/v7; aliases such as arm64, aarch64, armhf are normalised.
   * @param nodeVersion Version of the builder and runtime images, e.g. 22 or 22.11.0 (default: .node-version, .nvmrc, engines.node, else the module's default).
   * @param libc C library: gnu (default: Debian node images; an Alpine --base implies musl) or musl (Alpine images; C++ addons are then rebuilt on the target).
   * @param entrypoint Image command, comma-separated, e.g. node,server.js (default: package.json start, bin or main).
   * @param emulate Rebuild every package with install work on the target platform under QEMU instead of cross-compiling it.
   * @param version Set as the org.opencontainers.image.version label.
   * @param commit Set as the org.opencontainers.image.revision label.
   * @param base Runtime base image (default: node:<version>-bookworm-slim, or node:<version>-alpine with --libc musl).
   * @param sourceUrl Repository URL for the org.opencontainers.image.source label (https, without credentials).
   * @param created Build date for the org.opencontainers.image.created label, RFC 3339 (e.g. 2026-01-31T12:00:00Z); unset by default for reproducible images.
   * @param labels More labels, key=value: title, description, url, documentation, licenses, vendor, authors (the org.opencontainers.image. keys, prefix optional) or any reverse-DNS key.
   * @param workspace The directory you call dagger from (filled in by Dagger; not a flag).
   */
  @func()
  async node(
    @argument({ ignore: SOURCE_IGNORE }) source?: Directory,
    platforms: string = PLATFORMS,
    nodeVersion?: string,
    libc?: string,
    entrypoint?: string,
    emulate: boolean = false,
    version?: string,
    commit?: string,
    base?: string,
    sourceUrl?: string,
    created?: string,
    labels?: string[],
    workspace?: Workspace,
  ): Promise<MultiarchImage> {
    return buildImage(sourceOf(source, workspace), request({ lang: "node", platforms, nodeVersion, libc, entrypoint, emulate, version, commit, base, sourceUrl, created, labels }))
  }

  /**
   * Build a Dockerfile for every platform with BuildKit (BUILDPLATFORM = the engine's platform,
   * TARGETPLATFORM/TARGETOS/TARGETARCH/TARGETVARIANT per target, as buildx does). RUN steps of
   * stages on a foreign platform run under QEMU; an exec that dies with a QEMU signature is
   * retried once, then fails naming the platform, the step and the fix. See `plan` first.
   *
   * @param source Build context. Default: the directory you run dagger in (without .git, node_modules, target and env files; the context's .dockerignore applies too).
   * @param platforms Target platforms, comma-separated, e.g. linux/amd64,linux/arm64,linux/arm/v7; aliases such as arm64, aarch64, armhf are normalised.
   * @param dockerfile Its path in the source.
   * @param target Stage to build (default: the last).
   * @param buildArgs Build args, NAME=value; each must be an ARG of the Dockerfile. Build args are stored in the image history: pass credentials with --secrets instead.
   * @param allowSecretBuildArgs Accept build args whose name or value looks like a credential (TOKEN, PASSWORD, KEY, SECRET…), which are refused by default.
   * @param secrets Secrets for RUN --mount=type=secret,id=<id>, e.g. env://NPM_TOKEN (its id: NPM_TOKEN) or file://./npm_token (its id: npm_token).
   * @param secretIds The id of each secret, in the order of --secrets (default: the env variable or file name of its URI).
   * @param version Set as the org.opencontainers.image.version label (also -X main.version=…).
   * @param commit Set as the org.opencontainers.image.revision label (also -X main.commit=…).
   * @param sourceUrl Repository URL for the org.opencontainers.image.source label (https, without credentials).
   * @param created Build date for the org.opencontainers.image.created label, RFC 3339 (e.g. 2026-01-31T12:00:00Z); unset by default for reproducible images.
   * @param labels More labels, key=value: title, description, url, documentation, licenses, vendor, authors (the org.opencontainers.image. keys, prefix optional) or any reverse-DNS key.
   * @param workspace The directory you call dagger from (filled in by Dagger; not a flag).
   */
  @func()
  async dockerfile(
    @argument({ ignore: SOURCE_IGNORE }) source?: Directory,
    platforms: string = PLATFORMS,
    dockerfile: string = "Dockerfile",
    target?: string,
    buildArgs?: string[],
    allowSecretBuildArgs: boolean = false,
    secrets?: Secret[],
    secretIds?: string[],
    version?: string,
    commit?: string,
    sourceUrl?: string,
    created?: string,
    labels?: string[],
    workspace?: Workspace,
  ): Promise<MultiarchImage> {
    return buildImage(sourceOf(source, workspace), request({ lang: "dockerfile", platforms, dockerfile, target, buildArgs, allowSecretBuildArgs, secrets, secretIds, version, commit, sourceUrl, created, labels }))
  }

  /**
   * The binaries of every platform in one directory laid out <os>/<arch>[/<variant>]/<name>
   * (goreleaser-style, ready for a release upload), from the same builds as `build`.
   *
   * @param source Project root: the directory holding go.mod, Cargo.toml or the Dockerfile. Default: the directory you run dagger in, without .git, node_modules, target, .env and .multiarch.env files (the same list applies to a directory given here).
   * @param platforms Target platforms, comma-separated, e.g. linux/amd64,linux/arm64,linux/arm/v7; aliases such as arm64, aarch64, armhf are normalised.
   * @param lang Force a toolchain instead of detecting it: go or rust (default: detected).
   * @param goVersion Go: version of the builder image (default: go.mod's toolchain/go line).
   * @param pkg Go: main package(s) to build, relative to the module root, e.g. ./cmd/app or ./cmd/a,./cmd/b (default: . if it is package main, else every cmd/<name> main package).
   * @param ldflags Go: extra -ldflags, added to the default "-s -w".
   * @param cgo Go: build with cgo and Debian's gcc-<triple> cross compiler for each target (default: CGO_ENABLED=0).
   * @param rustVersion Rust: version of the builder image (default: rust-toolchain.toml, else the module's default).
   * @param libc Rust: C library, musl (default: static binaries on an empty base) or gnu (glibc, Debian base).
   * @param bin Rust: binary to build (cargo build --bin=<name>; default: default-run, the only binary of the package, or of a virtual workspace).
   * @param features Rust: cargo features.
   * @param profile Rust: cargo profile.
   * @param version Go: injected with -X main.version=….
   * @param commit Go: injected with -X main.commit=….
   * @param tags Go: build tags (go build -tags a,b), e.g. containers_image_openpgp.
   * @param cgoPackages Go with --cgo: Debian -dev packages installed for each target's architecture (libgpgme-dev → libgpgme-dev:arm64 on the arm64 build).
   * @param binaryName Go: name of the binary (one main package; default: the package directory's name).
   * @param versionVar Go: symbol --version is injected into with -X (default: main.version).
   * @param commitVar Go: symbol --commit is injected into with -X (default: main.commit).
   * @param entrypoint Go with several main packages (cmd/a, cmd/b): the binary the image runs (default: the one named like the module, else the first).
   * @param goImage Go: builder image instead of golang:<version>-bookworm, e.g. pinned by digest: golang:1.23-bookworm@sha256:….
   * @param noDefaultFeatures Rust: cargo build --no-default-features.
   * @param rustImage Rust: builder image instead of rust:<version>-bookworm, e.g. pinned by digest: rust:1.96-bookworm@sha256:… (rustup still installs the resolved release in it).
   * @param cacheNamespace Go/Rust: namespace of the cache volumes (default: a hash of the Go module path or the Cargo package identity); the same value shares caches between projects, a distinct one (e.g. the CI repository) isolates them on a persistent engine.
   * @param emulate Go/Rust: run the toolchain on the target platform under QEMU instead of cross-compiling (slow; for projects cross-compilation cannot handle).
   * @param workspace The directory you call dagger from (filled in by Dagger; not a flag).
   */
  @func()
  async binaries(
    @argument({ ignore: SOURCE_IGNORE }) source?: Directory,
    platforms: string = PLATFORMS,
    lang?: string,
    goVersion?: string,
    pkg?: string,
    ldflags?: string,
    cgo: boolean = false,
    rustVersion?: string,
    libc?: string,
    bin?: string,
    features?: string[],
    profile: string = "release",
    version?: string,
    commit?: string,
    tags?: string[],
    cgoPackages?: string[],
    binaryName?: string,
    versionVar?: string,
    commitVar?: string,
    entrypoint?: string,
    goImage?: string,
    noDefaultFeatures: boolean = false,
    rustImage?: string,
    cacheNamespace?: string,
    emulate: boolean = false,
    workspace?: Workspace,
  ): Promise<Directory> {
    return buildBinaries(sourceOf(source, workspace), request({ platforms, lang, goVersion, pkg, ldflags, cgo, rustVersion, libc, bin, features, profile, version, commit, tags, cgoPackages, binaryName, versionVar, commitVar, entrypoint, goImage, noDefaultFeatures, rustImage, cacheNamespace, emulate }))
  }

  /**
   * What an image in a registry really holds (`docker manifest inspect`): media type, digest,
   * index annotations, and per platform its manifest digest, size and annotations. Attestation
   * manifests (unknown/unknown) are listed separately, never as platforms. JSON.
   *
   * @param address Image reference, e.g. ghcr.io/owner/app:1.2.3 or …@sha256:….
   * @param username Registry user name (with --password).
   * @param password Registry password or token, as a secret (env://TOKEN).
   * @param plainHttp The registry speaks plain http (no TLS); also allows sending credentials over it.
   * @param registryConfig Your docker login as a secret, e.g. file://$HOME/.docker/config.json.
   */
  @func({ cache: "never" })
  async inspect(address: string, username?: string, password?: Secret, plainHttp?: boolean, registryConfig?: Secret): Promise<string> {
    return JSON.stringify(await inspectImage(address, await registryOptions({ username, password, plainHttp, registryConfig }, registryOf(address))), null, 2)
  }

  /**
   * Fail unless the image in the registry has exactly these platforms (attestations ignored);
   * the error names the missing and unexpected ones. Returns the checked reference with digest.
   *
   * @param address Image reference, e.g. ghcr.io/owner/app:1.2.3.
   * @param platforms The platforms the image must have, comma-separated, e.g. linux/amd64,linux/arm64.
   * @param username Registry user name (with --password).
   * @param password Registry password or token, as a secret (env://TOKEN).
   * @param plainHttp The registry speaks plain http (no TLS); also allows sending credentials over it.
   * @param registryConfig Your docker login as a secret, e.g. file://$HOME/.docker/config.json.
   */
  @func({ cache: "never" })
  async verify(address: string, platforms: string, username?: string, password?: Secret, plainHttp?: boolean, registryConfig?: Secret): Promise<string> {
    const expected = parsePlatforms(platforms)
    const r = await verifyImage(address, expected, await registryOptions({ username, password, plainHttp, registryConfig }, registryOf(address)))
    return `${r.ref}@${r.digest}: ${r.platforms.join(", ")}`
  }

  /**
   * Assemble one multi-platform index from images already pushed (`docker manifest create` +
   * push, `imagetools create`): single-platform images or indexes, platform read from each
   * image's config; two sources of the same platform are rejected. Returns `ref@sha256:…`.
   * With --git-ref (and --git-sha) the tags are computed like `publish` does.
   *
   * @param sources Images to merge, e.g. ghcr.io/owner/app:amd64,ghcr.io/owner/app:arm64.
   * @param address Where to push the index, e.g. ghcr.io/owner/app:1.2.3 (without a tag when --git-ref computes the tags).
   * @param tags More tags for the index.
   * @param annotations Index annotations (key=value), e.g. org.opencontainers.image.description=My app.
   * @param username Registry user name for the target registry (with --password).
   * @param password Registry password or token, as a secret (env://TOKEN).
   * @param gitRef Git ref to compute tags from: refs/tags/v1.2.3, refs/heads/main, refs/pull/42/merge, refs/merge-requests/7/head.
   * @param gitSha Commit SHA for the sha-<7> tag.
   * @param defaultBranch Ignored, kept so existing pipelines keep working: the tags follow docker/metadata-action's defaults, which do not depend on the default branch.
   * @param plainHttp Every registry named here (sources and address) speaks plain http (no TLS); also allows sending credentials over it.
   * @param registryConfig Your docker login as a secret, e.g. file://$HOME/.docker/config.json: credentials for the sources' registries and the target's.
   */
  @func({ cache: "never" })
  async merge(
    sources: string[],
    address: string,
    tags?: string[],
    annotations?: string[],
    username?: string,
    password?: Secret,
    gitRef?: string,
    gitSha?: string,
    defaultBranch?: string,
    plainHttp?: boolean,
    registryConfig?: Secret,
  ): Promise<string> {
    void defaultBranch
    const req = parsePublishRequest({ address, tags, annotations, username, password, gitRef, gitSha })
    return mergeImages(sources, req.first, { tags: req.otherTags, annotations: req.annotations, ...(await registryOptions({ username, password, plainHttp, registryConfig }, req.registry)) })
  }

  /**
   * Write annotations onto the index of a published image (what GHCR reads for multi-arch
   * packages; Dagger's withAnnotation only reaches per-platform manifests). A single-platform
   * manifest is wrapped in a one-entry index. Returns the new `ref@sha256:…`.
   *
   * @param address Image reference, e.g. ghcr.io/owner/app:1.2.3.
   * @param annotations key=value pairs, e.g. org.opencontainers.image.description=My app,org.opencontainers.image.source=https://github.com/owner/app.
   * @param username Registry user name (with --password).
   * @param password Registry password or token, as a secret (env://TOKEN).
   * @param plainHttp The registry speaks plain http (no TLS); also allows sending credentials over it.
   * @param registryConfig Your docker login as a secret, e.g. file://$HOME/.docker/config.json.
   */
  @func({ cache: "never" })
  async annotate(address: string, annotations: string[], username?: string, password?: Secret, plainHttp?: boolean, registryConfig?: Secret): Promise<string> {
    return annotateImage(address, parseAnnotations(annotations), await registryOptions({ username, password, plainHttp, registryConfig }, registryOf(address)))
  }
}
