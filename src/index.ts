/**
 * multiarch: build every platform of a container image and publish them as one OCI index.
 *
 * Go and Rust are cross-compiled on the engine's native platform for each target (GOARM, GOAMD64,
 * Rust triples and linkers set from one table); only Dockerfile RUN steps that must execute target
 * code are emulated with QEMU. Start with `plan` to see what will happen, then
 * `build … publish --address …`.
 */
import { dag, Directory, func, object, type Platform, type Secret } from "@dagger.io/dagger"
import { imageFor, binaryFor } from "./engine/compiled.js"
import { syncEmulated } from "./engine/emulated.js"
import { dockerfilePlanText, emulatedRunFor, planDockerfile, type DockerfileBuildPlan } from "../modules/toolchains/dockerfile/index.js"
import { applyDockerfilePlan } from "./engine/dockerfile.js"
import { detectToolchain } from "../modules/core/detect.js"
import { MultiarchInputError } from "../modules/core/errors/index.js"
import type { BuildPlan, LangName, SourceFacts } from "../modules/core/plan.js"
import { parsePlatforms } from "../modules/core/platform.js"
import { publishTargets } from "../modules/core/publish.js"
import { renderPlan } from "../modules/core/summary.js"
import { MultiarchImage } from "./image.js"
import { parseAnnotations } from "../modules/core/annotations.js"
import { annotateImage, inspectImage, mergeImages, verifyImage } from "../modules/registry/index.js"
import { credentialsOf } from "./engine/credentials.js"
import { checkOptions, planAll, sourceFacts, type CompiledOptions } from "./engine/toolchains.js"

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
export const DEFAULT_PLATFORMS = ["linux/amd64", "linux/arm64"]

function targetsOf(platforms?: Platform[]): string[] {
  return parsePlatforms(platforms?.length ? (platforms as string[]) : DEFAULT_PLATFORMS)
}

/** `NAME=value` build args → name/value pairs, checked before any engine work. */
function parseBuildArgs(list?: string[]): { name: string; value: string }[] {
  return (list ?? []).map((a) => {
    const i = a.indexOf("=")
    if (i <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(a.slice(0, i)))
      throw new MultiarchInputError("build-args", a, "expected NAME=value", "pass e.g. --build-args VERSION=1.2.3,COMMIT=abc")
    return { name: a.slice(0, i), value: a.slice(i + 1) }
  })
}

/** OCI labels from explicit values (only the ones that are known). */
function ociLabels(o: { sourceUrl?: string; revision?: string; version?: string; created?: string }): Record<string, string> {
  const l: Record<string, string> = {}
  if (o.sourceUrl) l["org.opencontainers.image.source"] = o.sourceUrl
  if (o.revision) l["org.opencontainers.image.revision"] = o.revision
  if (o.version) l["org.opencontainers.image.version"] = o.version
  if (o.created) {
    if (Number.isNaN(Date.parse(o.created)))
      throw new MultiarchInputError("created", o.created, "not an RFC 3339 date", "pass e.g. 2026-01-31T12:00:00Z")
    l["org.opencontainers.image.created"] = o.created
  }
  return l
}

/** Multi-platform image builds: plan, build, publish one index; inspect, verify, merge and annotate images in registries. */
@object()
export class Multiarch {
  /**
   * Show what a build would do, without building: for each platform, the toolchain detected in
   * the source (go.mod → go, Cargo.toml → rust, Dockerfile → dockerfile), whether it is
   * cross-compiled on the engine's native platform or emulated (for a Dockerfile: which RUN steps
   * run under QEMU, and how to avoid it), and the environment it gets. Invalid input is rejected
   * here, before any engine work.
   *
   * @param source Project root (the directory holding go.mod, Cargo.toml or the Dockerfile).
   * @param platforms Target platforms, e.g. linux/amd64,linux/arm64,linux/arm/v7. Aliases like arm64, aarch64, armhf are normalised. Default: linux/amd64,linux/arm64.
   * @param lang Force a toolchain instead of detecting it.
   * @param format json (default) or text.
   * @param dockerfile Path of the Dockerfile in the source (default Dockerfile).
   * @param target Dockerfile stage to build (default the last).
   * @param libc Rust C library: musl (default, static) or gnu.
   * @param cgo Go with cgo.
   * @param emulate Go/Rust: run the toolchain on the target platform under QEMU instead of cross-compiling.
   */
  @func()
  async plan(
    source: Directory,
    platforms?: Platform[],
    lang?: Lang,
    format?: PlanFormat,
    dockerfile?: string,
    target?: string,
    libc?: Libc,
    cgo?: boolean,
    emulate?: boolean,
  ): Promise<string> {
    const targets = targetsOf(platforms)
    const opts: CompiledOptions = { go: { cgo, emulate }, rust: rustOpts({ libc, emulate }) }
    checkOptions(opts)
    const { facts, native, lang: chosen, reason } = await this.detect(source, lang, dockerfile)
    const text = format === PlanFormat.Text
    if (chosen === "dockerfile") {
      const plans = dockerfilePlans(facts, targets, native, { dockerfile, target })
      return text
        ? `toolchain: dockerfile (${reason}); engine platform: ${native}\n\n${dockerfilePlanText(plans)}`
        : JSON.stringify({ toolchain: chosen, reason, native, platforms: plans }, null, 2)
    }
    const plans = planAll(chosen, targets, opts, facts, native)
    return renderPlan({ toolchain: chosen, reason, native, platforms: plans }, text ? "text" : "json")
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
    const targets = targetsOf(platforms)
    const labels = ociLabels({ sourceUrl, revision: commit, version, created })
    const args = parseBuildArgs(buildArgs)
    const opts: CompiledOptions = {
      go: { goVersion, package: pkg, ldflags, cgo, version, commit, base, emulate },
      rust: rustOpts({ rustVersion, libc, bin, features, profile, base, emulate }),
    }
    checkOptions(opts)
    const { facts, native, lang: chosen } = await this.detect(source, lang, dockerfile)
    if (chosen === "dockerfile") {
      const plans = dockerfilePlans(facts, targets, native, { dockerfile, target, buildArgs: args })
      let variants = plans.map((p) => {
        let c = applyDockerfilePlan(source, p, secrets ?? [])
        for (const [k, v] of Object.entries(labels)) c = c.withLabel(k, v)
        return c
      })
      variants = await Promise.all(
        variants.map((c, i) => {
          const p = plans[i]
          if (p.mode !== "emulated") return c
          const nameStep = (cmd?: string[]) => {
            const r = emulatedRunFor(p, cmd)
            return r ? `RUN ${r.command.length > 120 ? r.command.slice(0, 117) + "..." : r.command} (${p.dockerBuild.dockerfile} line ${r.line})` : undefined
          }
          return syncEmulated(c, { platform: p.platform, toolchain: "dockerfile", nativePlatform: native, nameStep })
        }),
      )
      return new MultiarchImage(variants, plans.map((p) => p.platform))
    }
    const plans = planAll(chosen, targets, opts, facts, native)
    const variants = await Promise.all(
      plans.map((p) => {
        const c = imageFor(p, source, { labels })
        return p.mode === "emulated" ? syncEmulated(c, { platform: p.platform, toolchain: p.toolchain, nativePlatform: native, steps: p.steps }) : c
      }),
    )
    return new MultiarchImage(variants, plans.map((p) => p.platform))
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
    return this.build(source, platforms, Lang.Go, goVersion, pkg, ldflags, cgo, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, emulate, version, commit, base)
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
    return this.build(source, platforms, Lang.Rust, undefined, undefined, undefined, undefined, rustVersion, libc, bin, features, profile, undefined, undefined, undefined, undefined, emulate, version, commit, base)
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
    return this.build(source, platforms, Lang.Dockerfile, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, dockerfile, target, buildArgs, secrets)
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
    const targets = targetsOf(platforms)
    const opts: CompiledOptions = {
      go: { goVersion, package: pkg, ldflags, cgo, version, commit },
      rust: rustOpts({ rustVersion, libc, bin, features, profile }),
    }
    checkOptions(opts)
    const { facts, native, lang: chosen } = await this.detect(source, lang)
    if (chosen === "dockerfile")
      throw new MultiarchInputError("lang", "dockerfile", "a Dockerfile build produces images, not binaries", "use build … tarball, or a Go/Rust source")
    let out = dag.directory()
    for (const p of planAll(chosen, targets, opts, facts, native))
      out = out.withFile(`${p.platform}/${p.output.name}`, binaryFor(p, source), { permissions: 0o755 })
    return out
  }

  /**
   * What an image in a registry really holds (`docker manifest inspect`): media type, digest,
   * index annotations, and per platform its manifest digest, size and annotations. Attestation
   * manifests (unknown/unknown) are listed separately, never as platforms. JSON.
   *
   * @param address Image reference, e.g. ghcr.io/owner/app:1.2.3 or …@sha256:….
   * @param username Registry user name (with --password).
   * @param password Registry password or token, as a secret (env://TOKEN).
   */
  @func({ cache: "never" })
  async inspect(address: string, username?: string, password?: Secret): Promise<string> {
    return JSON.stringify(await inspectImage(address, { credentials: await credentialsOf(username, password) }), null, 2)
  }

  /**
   * Fail unless the image in the registry has exactly these platforms (attestations ignored);
   * the error names the missing and unexpected ones. Returns the checked reference with digest.
   *
   * @param address Image reference, e.g. ghcr.io/owner/app:1.2.3.
   * @param platforms The platforms the image must have, e.g. linux/amd64,linux/arm64.
   * @param username Registry user name (with --password).
   * @param password Registry password or token, as a secret (env://TOKEN).
   */
  @func({ cache: "never" })
  async verify(address: string, platforms: Platform[], username?: string, password?: Secret): Promise<string> {
    const expected = parsePlatforms(platforms as string[])
    const r = await verifyImage(address, expected, { credentials: await credentialsOf(username, password) })
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
  ): Promise<string> {
    const targets = publishTargets(address, tags ?? [], { gitRef, gitSha, defaultBranch })
    const ann = annotations?.length ? parseAnnotations(annotations) : undefined
    const [first, ...rest] = targets.refs
    return mergeImages(sources, first, {
      tags: rest.map((r) => r.slice(r.lastIndexOf(":") + 1)),
      annotations: ann,
      credentials: await credentialsOf(username, password),
    })
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
   */
  @func({ cache: "never" })
  async annotate(address: string, annotations: string[], username?: string, password?: Secret): Promise<string> {
    const ann = parseAnnotations(annotations)
    return annotateImage(address, ann, { credentials: await credentialsOf(username, password) })
  }

  /** Read the source facts and the engine platform, and pick the toolchain. */
  private async detect(source: Directory, lang?: Lang, dockerfile?: string): Promise<{ facts: SourceFacts; native: string; lang: LangName; reason: string }> {
    if (dockerfile !== undefined && (dockerfile.startsWith("/") || dockerfile.split("/").includes("..")))
      throw new MultiarchInputError("dockerfile", dockerfile, "the Dockerfile path must stay inside the source", "pass a path relative to --source, e.g. build/Dockerfile")
    const wantDockerfile = dockerfile && dockerfile !== "Dockerfile" ? [dockerfile] : []
    const [facts, native] = await Promise.all([sourceFacts(source, wantDockerfile), dag.defaultPlatform()])
    const d = detectToolchain(facts, lang as LangName | undefined, dockerfile ?? "Dockerfile")
    return { facts, native: String(native), lang: d.lang, reason: d.reason }
  }
}

/** Rust options with the enum mapped to the pure core's libc. */
function rustOpts(o: { rustVersion?: string; libc?: Libc; bin?: string; features?: string[]; profile?: string; base?: string; emulate?: boolean }): CompiledOptions["rust"] {
  return { rustVersion: o.rustVersion, libc: o.libc as "gnu" | "musl" | undefined, bin: o.bin, features: o.features, profile: o.profile, base: o.base, emulate: o.emulate }
}

/** The dockerfile toolchain's per-platform plans from the Dockerfile text in the facts. */
function dockerfilePlans(
  facts: SourceFacts,
  targets: string[],
  native: string,
  o: { dockerfile?: string; target?: string; buildArgs?: { name: string; value: string }[] },
): DockerfileBuildPlan[] {
  const path = o.dockerfile ?? "Dockerfile"
  const text = facts.files[path]
  if (text === undefined)
    throw new MultiarchInputError("dockerfile", path, "no such file in the source", "pass --dockerfile with a path relative to --source")
  return planDockerfile(text, { platforms: targets, nativePlatform: native, dockerfile: path, target: o.target, buildArgs: o.buildArgs })
}
