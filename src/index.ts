/**
 * multiarch: build every platform of a container image and publish them as one OCI index.
 *
 * Go and Rust are cross-compiled on the engine's native platform for each target (GOARM, GOAMD64,
 * Rust triples and linkers set from one table); only Dockerfile RUN steps that must execute target
 * code are emulated with QEMU. Start with `plan` to see what will happen, then
 * `build … publish --address …`.
 */
import { dag, Directory, func, object, type Platform, type Secret } from "@dagger.io/dagger"
import { imageFor, binaryFor } from "../modules/common/apply.js"
import { detectToolchain } from "./core/detect.js"
import { MultiarchInputError } from "./core/errors.js"
import type { BuildPlan, LangName } from "./core/plan.js"
import { parsePlatforms } from "./core/platform.js"
import { renderPlan } from "./core/summary.js"
import { MultiarchImage } from "./image.js"
import { annotateImage, inspectImage, mergeImages, parseAnnotations, verifyImage } from "./core/registry/ops.js"
import { credentialsOf } from "./registry.js"
import { checkOptions, planAll, sourceFacts, type CompiledOptions } from "./toolchains.js"

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

/** The default target platforms, used when --platforms is not given. */
export const DEFAULT_PLATFORMS = ["linux/amd64", "linux/arm64"]

function targetsOf(platforms?: Platform[]): string[] {
  return parsePlatforms(platforms?.length ? (platforms as string[]) : DEFAULT_PLATFORMS)
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
   * cross-compiled on the engine's native platform or emulated, and the environment it gets.
   * Invalid platforms are rejected here, before any engine work.
   *
   * @param source Project root (the directory holding go.mod, Cargo.toml or the Dockerfile).
   * @param platforms Target platforms, e.g. linux/amd64,linux/arm64,linux/arm/v7. Aliases like arm64, aarch64, armhf are normalised. Default: linux/amd64,linux/arm64.
   * @param lang Force a toolchain instead of detecting it.
   * @param format json (default) or text.
   */
  @func()
  async plan(source: Directory, platforms?: Platform[], lang?: Lang, format?: PlanFormat): Promise<string> {
    const targets = targetsOf(platforms)
    const facts = await sourceFacts(source)
    const detection = detectToolchain(facts, lang as LangName | undefined)
    const native = String(await dag.defaultPlatform())
    const plans = planAll(detection.lang, targets, { go: {} }, facts, native)
    return renderPlan({ toolchain: detection.lang, reason: detection.reason, native, platforms: plans }, format === PlanFormat.Text ? "text" : "json")
  }

  /**
   * Build the image for every platform and return it as one multi-platform image (chain
   * `publish --address …`, `tarball`, `variant --platform …`). The toolchain is detected from the
   * source (go.mod → Go, cross-compiled natively per target) unless --lang is given.
   *
   * @param source Project root (the directory holding go.mod, Cargo.toml or the Dockerfile).
   * @param platforms Target platforms. Default: linux/amd64,linux/arm64.
   * @param lang Force a toolchain instead of detecting it.
   * @param goVersion Go version of the builder image (default: go.mod's toolchain/go line).
   * @param pkg Go main package to build, e.g. ./cmd/app (default: the module root).
   * @param ldflags Extra Go -ldflags, added to the default "-s -w".
   * @param cgo Build Go with cgo using a C cross compiler for each target (default off: CGO_ENABLED=0).
   * @param version Version injected with -X main.version=… and set as the org.opencontainers.image.version label.
   * @param commit Commit injected with -X main.commit=… and set as the org.opencontainers.image.revision label.
   * @param base Runtime base image (default: an empty static rootfs with a nonroot user and CA certificates; debian:bookworm-slim with cgo).
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
    version?: string,
    commit?: string,
    base?: string,
    sourceUrl?: string,
    created?: string,
  ): Promise<MultiarchImage> {
    const targets = targetsOf(platforms)
    const labels = ociLabels({ sourceUrl, revision: commit, version, created })
    const opts: CompiledOptions = { go: { goVersion, package: pkg, ldflags, cgo, version, commit, base } }
    const plans = await this.plans(source, targets, lang, opts)
    return new MultiarchImage(
      plans.map((p) => imageFor(p, source, { labels })),
      plans.map((p) => p.platform),
    )
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
   * @param version Version injected with -X main.version=… (and the image version label).
   * @param commit Commit injected with -X main.commit=… (and the image revision label).
   * @param base Runtime base image (default: an empty static rootfs with a nonroot user and CA certificates; debian:bookworm-slim with cgo).
   */
  @func()
  async go(
    source: Directory,
    platforms?: Platform[],
    goVersion?: string,
    pkg?: string,
    ldflags?: string,
    cgo?: boolean,
    version?: string,
    commit?: string,
    base?: string,
  ): Promise<MultiarchImage> {
    return this.build(source, platforms, Lang.Go, goVersion, pkg, ldflags, cgo, version, commit, base)
  }

  /**
   * The binaries of every platform in one directory laid out <os>/<arch>[/<variant>]/<name>
   * (goreleaser-style, ready for a release upload), from the same builds as `build`.
   *
   * @param source Project root (go.mod or Cargo.toml).
   * @param platforms Target platforms. Default: linux/amd64,linux/arm64.
   * @param lang Force a toolchain instead of detecting it.
   * @param goVersion Go version of the builder image (default: go.mod's toolchain/go line).
   * @param pkg Go main package to build, e.g. ./cmd/app.
   * @param ldflags Extra Go -ldflags, added to the default "-s -w".
   * @param cgo Build Go with cgo.
   * @param version Version injected with -X main.version=….
   * @param commit Commit injected with -X main.commit=….
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
    version?: string,
    commit?: string,
  ): Promise<Directory> {
    const targets = targetsOf(platforms)
    const opts: CompiledOptions = { go: { goVersion, package: pkg, ldflags, cgo, version, commit } }
    const plans = await this.plans(source, targets, lang, opts)
    if (plans.some((p) => p.toolchain === "dockerfile"))
      throw new MultiarchInputError("lang", "dockerfile", "a Dockerfile build produces images, not binaries", "use build … tarball, or --lang go/rust")
    let out = dag.directory()
    for (const p of plans) out = out.withFile(`${p.platform}/${p.output.name}`, binaryFor(p, source), { permissions: 0o755 })
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
   *
   * @param sources Images to merge, e.g. ghcr.io/owner/app:amd64,ghcr.io/owner/app:arm64.
   * @param address Where to push the index, e.g. ghcr.io/owner/app:1.2.3.
   * @param tags More tags for the index.
   * @param annotations Index annotations (key=value), e.g. org.opencontainers.image.description=My app.
   * @param username Registry user name for the target registry (with --password).
   * @param password Registry password or token, as a secret (env://TOKEN).
   */
  @func({ cache: "never" })
  async merge(sources: string[], address: string, tags?: string[], annotations?: string[], username?: string, password?: Secret): Promise<string> {
    const ann = annotations?.length ? parseAnnotations(annotations) : undefined
    return mergeImages(sources, address, { tags, annotations: ann, credentials: await credentialsOf(username, password) })
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

  /** Detect the toolchain and plan every target (input errors surface here, before building). */
  private async plans(source: Directory, targets: string[], lang: Lang | undefined, opts: CompiledOptions): Promise<BuildPlan[]> {
    checkOptions(opts)
    const [facts, native] = await Promise.all([sourceFacts(source), dag.defaultPlatform()])
    const detection = detectToolchain(facts, lang as LangName | undefined)
    return planAll(detection.lang, targets, opts, facts, String(native))
  }
}
