/**
 * multiarch: build every platform of a container image and publish them as one OCI index.
 *
 * Go and Rust are cross-compiled on the engine's native platform for each target (GOARM, GOAMD64,
 * Rust triples and linkers set from one table); only Dockerfile RUN steps that must execute target
 * code are emulated with QEMU. Start with `plan` to see what will happen, then
 * `build … publish --address …`.
 */
import { Directory, func, object, type Platform, type Secret } from "@dagger.io/dagger"
import { parseAnnotations } from "../modules/core/annotations.js"
import { parsePlatforms } from "../modules/core/platform.js"
import { parsePublishRequest } from "../modules/core/publish.js"
import { annotateImage, inspectImage, mergeImages, verifyImage } from "../modules/registry/index.js"
import type { BuildOptions } from "../modules/toolchains/options.js"
import { DEFAULT_PLATFORMS as DEFAULTS, parseBuildRequest } from "../modules/toolchains/request.js"
import { buildBinaries, buildImage, planReport } from "./engine/build.js"
import { registryOf, registryOptions } from "./engine/credentials.js"
import { MultiarchImage } from "./image.js"

export { MultiarchImage, Compression, MediaTypes } from "./image.js"

/** Toolchains multiarch can build with. */
export enum Lang {
  /** Go, cross-compiled natively per target (go.mod). */
  Go = "go",
  /** Rust, cross-compiled natively per target triple (Cargo.toml). */
  Rust = "rust",
  /** A Dockerfile built by BuildKit once per platform; RUN steps of target stages are emulated. */
  Dockerfile = "dockerfile",
}

/** Output format of `plan`. */
export enum PlanFormat {
  /** Machine-readable JSON. */
  Json = "json",
  /** One readable block per platform. */
  Text = "text",
}

/** C library of Rust binaries. */
export enum Libc {
  /** musl: static binaries that run on scratch/distroless-static (default). */
  Musl = "musl",
  /** glibc: dynamic binaries on a Debian runtime base. */
  Gnu = "gnu",
}

/** The default target platforms, used when --platforms is not given. */
export const DEFAULT_PLATFORMS = [...DEFAULTS]

/** Build options as the functions receive them (enums and Secrets included), by name. */
type Options = BuildOptions<Secret> & { lang?: Lang; libc?: Libc }

/** The one BuildRequest of a call, from its options by name. */
const request = (o: Options) => parseBuildRequest<Secret>(o)

/** Multi-platform image builds: plan, build, publish one index; inspect, verify, merge and annotate images in registries. */
@object()
export class Multiarch {
  /**
   * Show what a build would do, without building: for each platform, the toolchain detected in
   * the source (go.mod → go, Cargo.toml → rust, Dockerfile → dockerfile), whether it is
   * cross-compiled on the engine's native platform or emulated (for a Dockerfile: which RUN steps
   * run under QEMU, and how to avoid it), and the environment it gets. Takes every option `build`
   * takes and shows exactly what `build` would do with them. Invalid input is rejected here,
   * before any engine work.
   *
   * @param source Project root (the directory holding go.mod, Cargo.toml or the Dockerfile).
   * @param platforms Target platforms, e.g. linux/amd64,linux/arm64,linux/arm/v7. Aliases like arm64, aarch64, armhf are normalised. Default: linux/amd64,linux/arm64.
   * @param lang Force a toolchain instead of detecting it.
   * @param format json (default) or text.
   * @param goVersion Go version of the builder image (default: go.mod's toolchain/go line).
   * @param pkg Go main package to build, e.g. ./cmd/app (default: the module root).
   * @param ldflags Extra Go -ldflags, added to the default "-s -w".
   * @param cgo Build Go with cgo using a C cross compiler for each target (default off: CGO_ENABLED=0).
   * @param rustVersion Rust version of the builder image (default: rust-toolchain.toml, else the module's default).
   * @param libc Rust C library: musl (default: static binaries on an empty base) or gnu (glibc, Debian base).
   * @param bin Rust binary to build (cargo build --bin).
   * @param features Rust cargo features.
   * @param profile Rust cargo profile (default release).
   * @param dockerfile Path of the Dockerfile in the source (default Dockerfile).
   * @param target Dockerfile stage to build (default the last).
   * @param buildArgs Dockerfile build args, NAME=value (a FROM ${BASE} is planned with the value given here).
   * @param secrets Secrets for RUN --mount=type=secret,id=<name> (the plan shows their names).
   * @param emulate Go/Rust: run the toolchain on the target platform under QEMU instead of cross-compiling.
   * @param version Version injected with -X main.version=… (Go) and set as the org.opencontainers.image.version label.
   * @param commit Commit injected with -X main.commit=… (Go) and set as the org.opencontainers.image.revision label.
   * @param base Runtime base image (default: an empty static rootfs with a nonroot user and CA certificates; a Debian glibc image for cgo/gnu).
   * @param sourceUrl Repository URL for the org.opencontainers.image.source label.
   * @param created Build date (RFC 3339) for the org.opencontainers.image.created label.
   */
  @func()
  async plan(
    source: Directory,
    platforms?: Platform[],
    lang?: Lang,
    format?: PlanFormat,
    goVersion?: string,
    pkg?: string,
    ldflags?: string,
    cgo?: boolean,
    rustVersion?: string,
    libc?: Libc,
    bin?: string,
    features?: string[],
    profile?: string,
    dockerfile?: string,
    target?: string,
    buildArgs?: string[],
    secrets?: Secret[],
    emulate?: boolean,
    version?: string,
    commit?: string,
    base?: string,
    sourceUrl?: string,
    created?: string,
  ): Promise<string> {
    const req = request({ platforms, lang, goVersion, pkg, ldflags, cgo, rustVersion, libc, bin, features, profile, dockerfile, target, buildArgs, secrets, emulate, version, commit, base, sourceUrl, created })
    return planReport(source, req, format === PlanFormat.Text ? "text" : "json")
  }

  /**
   * Build the image for every platform and return it as one multi-platform image (chain
   * `publish --address …`, `tarball`, `variant --platform …`). The toolchain is detected from the
   * source (go.mod → Go and Cargo.toml → Rust, cross-compiled natively per target; a Dockerfile →
   * BuildKit per platform) unless --lang is given.
   *
   * @param source Project root (the directory holding go.mod, Cargo.toml or the Dockerfile).
   * @param platforms Target platforms. Default: linux/amd64,linux/arm64.
   * @param lang Force a toolchain instead of detecting it.
   * @param goVersion Go version of the builder image (default: go.mod's toolchain/go line).
   * @param pkg Go main package to build, e.g. ./cmd/app (default: the module root).
   * @param ldflags Extra Go -ldflags, added to the default "-s -w".
   * @param cgo Build Go with cgo using a C cross compiler for each target (default off: CGO_ENABLED=0).
   * @param rustVersion Rust version of the builder image (default: rust-toolchain.toml, else the module's default).
   * @param libc Rust C library: musl (default: static binaries on an empty base) or gnu (glibc, Debian base).
   * @param bin Rust binary to build (cargo build --bin).
   * @param features Rust cargo features.
   * @param profile Rust cargo profile (default release).
   * @param dockerfile Path of the Dockerfile in the source (default Dockerfile).
   * @param target Dockerfile stage to build (default the last).
   * @param buildArgs Dockerfile build args, NAME=value.
   * @param secrets Secrets for RUN --mount=type=secret,id=<name> (mounted at /run/secrets/<name>).
   * @param emulate Go/Rust: run the toolchain on the target platform under QEMU instead of cross-compiling (slow; for projects cross-compilation cannot handle).
   * @param version Version injected with -X main.version=… (Go) and set as the org.opencontainers.image.version label.
   * @param commit Commit injected with -X main.commit=… (Go) and set as the org.opencontainers.image.revision label.
   * @param base Runtime base image (default: an empty static rootfs with a nonroot user and CA certificates; a Debian glibc image for cgo/gnu).
   * @param sourceUrl Repository URL for the org.opencontainers.image.source label.
   * @param created Build date (RFC 3339) for the org.opencontainers.image.created label; unset by default for reproducible images.
   */
  @func()
  async build(
    source: Directory,
    platforms?: Platform[],
    lang?: Lang,
    goVersion?: string,
    pkg?: string,
    ldflags?: string,
    cgo?: boolean,
    rustVersion?: string,
    libc?: Libc,
    bin?: string,
    features?: string[],
    profile?: string,
    dockerfile?: string,
    target?: string,
    buildArgs?: string[],
    secrets?: Secret[],
    emulate?: boolean,
    version?: string,
    commit?: string,
    base?: string,
    sourceUrl?: string,
    created?: string,
  ): Promise<MultiarchImage> {
    return buildImage(source, request({ platforms, lang, goVersion, pkg, ldflags, cgo, rustVersion, libc, bin, features, profile, dockerfile, target, buildArgs, secrets, emulate, version, commit, base, sourceUrl, created }))
  }

  /**
   * Build a Go module for every platform: each target is cross-compiled on the engine's native
   * platform with GOOS/GOARCH/GOARM/GOAMD64/GO386/GOMIPS and CGO_ENABLED set explicitly, its
   * binary checked (ELF machine, class, byte order, float ABI, static/dynamic) and packed into a
   * runtime image for its platform.
   *
   * @param source Go module root (holding go.mod).
   * @param platforms Target platforms. Default: linux/amd64,linux/arm64.
   * @param goVersion Go version of the builder image (default: go.mod's toolchain/go line).
   * @param pkg Main package to build, e.g. ./cmd/app (default: the module root).
   * @param ldflags Extra -ldflags, added to the default "-s -w".
   * @param cgo Build with cgo using Debian's gcc-<triple> cross compiler for each target.
   * @param emulate Run the Go toolchain on the target platform under QEMU instead of cross-compiling.
   * @param version Version injected with -X main.version=… (and the image version label).
   * @param commit Commit injected with -X main.commit=… (and the image revision label).
   * @param base Runtime base image (default: an empty static rootfs with a nonroot user and CA certificates; a Debian glibc image with cgo).
   */
  @func()
  async go(
    source: Directory,
    platforms?: Platform[],
    goVersion?: string,
    pkg?: string,
    ldflags?: string,
    cgo?: boolean,
    emulate?: boolean,
    version?: string,
    commit?: string,
    base?: string,
  ): Promise<MultiarchImage> {
    return buildImage(source, request({ platforms, lang: Lang.Go, goVersion, pkg, ldflags, cgo, emulate, version, commit, base }))
  }

  /**
   * Build a Rust crate for every platform: each target triple (armv7-…-gnueabihf, riscv64gc-…,
   * i686-…) is cross-compiled on the engine's native platform with its own linker and C compiler,
   * the binary checked and packed into a runtime image for its platform.
   *
   * @param source Crate or workspace root (holding Cargo.toml).
   * @param platforms Target platforms. Default: linux/amd64,linux/arm64.
   * @param rustVersion Rust version of the builder image (default: rust-toolchain.toml, else the module's default).
   * @param libc musl (default: static binaries on an empty base) or gnu (glibc, Debian base).
   * @param bin Binary to build (cargo build --bin).
   * @param features Cargo features.
   * @param profile Cargo profile (default release).
   * @param emulate Run cargo on the target platform under QEMU instead of cross-compiling.
   * @param version Set as the org.opencontainers.image.version label.
   * @param commit Set as the org.opencontainers.image.revision label.
   * @param base Runtime base image (default: an empty static rootfs for musl, a Debian glibc image for gnu).
   */
  @func()
  async rust(
    source: Directory,
    platforms?: Platform[],
    rustVersion?: string,
    libc?: Libc,
    bin?: string,
    features?: string[],
    profile?: string,
    emulate?: boolean,
    version?: string,
    commit?: string,
    base?: string,
  ): Promise<MultiarchImage> {
    return buildImage(source, request({ platforms, lang: Lang.Rust, rustVersion, libc, bin, features, profile, emulate, version, commit, base }))
  }

  /**
   * Build a Dockerfile for every platform with BuildKit (BUILDPLATFORM = the engine's platform,
   * TARGETPLATFORM/TARGETOS/TARGETARCH/TARGETVARIANT per target, as buildx does). RUN steps of
   * stages on a foreign platform run under QEMU; an exec that dies with a QEMU signature is
   * retried once, then fails naming the platform, the step and the fix. See `plan` first.
   *
   * @param source Build context.
   * @param platforms Target platforms. Default: linux/amd64,linux/arm64.
   * @param dockerfile Path of the Dockerfile in the context (default Dockerfile).
   * @param target Stage to build (default the last).
   * @param buildArgs Build args, NAME=value.
   * @param secrets Secrets for RUN --mount=type=secret,id=<name>.
   */
  @func()
  async dockerfile(
    source: Directory,
    platforms?: Platform[],
    dockerfile?: string,
    target?: string,
    buildArgs?: string[],
    secrets?: Secret[],
  ): Promise<MultiarchImage> {
    return buildImage(source, request({ platforms, lang: Lang.Dockerfile, dockerfile, target, buildArgs, secrets }))
  }

  /**
   * The binaries of every platform in one directory laid out <os>/<arch>[/<variant>]/<name>
   * (goreleaser-style, ready for a release upload), from the same builds as `build`.
   *
   * @param source Project root (go.mod or Cargo.toml).
   * @param platforms Target platforms. Default: linux/amd64,linux/arm64.
   * @param lang Force a toolchain instead of detecting it (go or rust).
   * @param goVersion Go version of the builder image (default: go.mod's toolchain/go line).
   * @param pkg Go main package to build, e.g. ./cmd/app.
   * @param ldflags Extra Go -ldflags, added to the default "-s -w".
   * @param cgo Build Go with cgo.
   * @param rustVersion Rust version of the builder image.
   * @param libc Rust C library: musl (default) or gnu.
   * @param bin Rust binary to build.
   * @param features Rust cargo features.
   * @param profile Rust cargo profile (default release).
   * @param version Version injected with -X main.version=… (Go).
   * @param commit Commit injected with -X main.commit=… (Go).
   */
  @func()
  async binaries(
    source: Directory,
    platforms?: Platform[],
    lang?: Lang,
    goVersion?: string,
    pkg?: string,
    ldflags?: string,
    cgo?: boolean,
    rustVersion?: string,
    libc?: Libc,
    bin?: string,
    features?: string[],
    profile?: string,
    version?: string,
    commit?: string,
  ): Promise<Directory> {
    return buildBinaries(source, request({ platforms, lang, goVersion, pkg, ldflags, cgo, rustVersion, libc, bin, features, profile, version, commit }))
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
   * @param platforms The platforms the image must have, e.g. linux/amd64,linux/arm64.
   * @param username Registry user name (with --password).
   * @param password Registry password or token, as a secret (env://TOKEN).
   * @param plainHttp The registry speaks plain http (no TLS); also allows sending credentials over it.
   * @param registryConfig Your docker login as a secret, e.g. file://$HOME/.docker/config.json.
   */
  @func({ cache: "never" })
  async verify(address: string, platforms: Platform[], username?: string, password?: Secret, plainHttp?: boolean, registryConfig?: Secret): Promise<string> {
    const expected = parsePlatforms(platforms as string[])
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
   * @param defaultBranch The repository's default branch (informational for the tag grammar).
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
    const req = parsePublishRequest({ address, tags, annotations, username, password, gitRef, gitSha, defaultBranch })
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
