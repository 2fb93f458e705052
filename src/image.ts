/**
 * MultiarchImage: one container per platform, published or exported as one OCI index.
 */
import { dag, type Container, type File, func, object, type Secret } from "@dagger.io/dagger"
import { checkAnnotationKey, checkLabelKey } from "../modules/core/annotations.js"
import { MultiarchInputError } from "../modules/core/errors/index.js"
import { parsePlatform } from "../modules/core/platform.js"
import { parseImageFormat, parsePublishRequest } from "../modules/core/publish.js"
import { daggerCompression, daggerMediaTypes, publishImage } from "./engine/publish.js"

/** A multi-platform image: one container per platform, published as one OCI index. */
@object()
export class MultiarchImage {
  /** The platform variants, in the order of `platformNames`. */
  variants: Container[]
  /** Normalised platform of each variant. */
  platformNames: string[]

  constructor(variants: Container[] = [], platformNames: string[] = []) {
    this.variants = variants
    this.platformNames = platformNames
  }

  /** The platforms this image holds, normalised (e.g. linux/arm/v7). */
  @func()
  platforms(): string[] {
    return [...this.platformNames]
  }

  /**
   * The container of one platform, to inspect or run it (e.g. `variant --platform linux/arm64 with-exec --args uname,-m stdout`).
   *
   * @param platform One of this image's platforms; aliases such as arm64 or armhf are accepted.
   */
  @func()
  variant(platform: string): Container {
    const p = parsePlatform(platform)
    const i = this.platformNames.indexOf(p)
    if (i < 0)
      throw new MultiarchInputError("platform", String(platform), `this image has no ${p} variant`, `use one of: ${this.platformNames.join(", ")}`)
    return this.variants[i]
  }

  /**
   * Build every platform now and check it (Go/Rust: each binary's ELF header; every variant: its
   * platform), pushing and exporting nothing — what a pull request's CI job runs. The CLI calls
   * this when `build` ends the command (`dagger call build --platforms …`).
   */
  @func()
  async sync(): Promise<MultiarchImage> {
    const got = await Promise.all(this.variants.map(async (v) => String(await (await v.sync()).platform())))
    const wrong = got.map((p, i) => [this.platformNames[i], p]).filter(([want, p]) => parsePlatform(p) !== want)
    if (wrong.length)
      throw new Error(`the engine built ${wrong.map(([want, p]) => `${p} for ${want}`).join(", ")}; the image would carry the wrong platforms`)
    return this
  }

  /**
   * Set an OCI label (image config) on every platform variant.
   *
   * @param name Label key, e.g. org.opencontainers.image.description.
   * @param value Label value.
   */
  @func()
  withLabel(name: string, value: string): MultiarchImage {
    checkLabelKey(name)
    return new MultiarchImage(this.variants.map((c) => c.withLabel(name, value)), this.platformNames)
  }

  /**
   * Set an OCI annotation on every platform manifest.
   *
   * @param name Annotation key, e.g. org.opencontainers.image.description.
   * @param value Annotation value.
   */
  @func()
  withAnnotation(name: string, value: string): MultiarchImage {
    checkAnnotationKey(name)
    return new MultiarchImage(this.variants.map((c) => c.withAnnotation(name, value)), this.platformNames)
  }

  /**
   * Push all platform variants as one OCI index and return its reference with digest
   * (`registry/repo:tag@sha256:…`). Never cached: every call pushes. With --git-ref (and
   * --git-sha) the tags are computed like docker/metadata-action: v1.2.3 → 1.2.3, 1.2, 1, latest;
   * a branch → its name; a pull/merge request → pr-<n>; always sha-<7>.
   *
   * @param address Image reference to push, e.g. ghcr.io/owner/app:1.2.3 (without a tag when --git-ref computes the tags).
   * @param tags More tags of the same repository to push the same index to, e.g. 1.2,1,latest.
   * @param username Registry user name (with --password).
   * @param password Registry password or token, as a secret: env://GHCR_TOKEN, file://…, cmd://….
   * @param compression Layer compression: gzip (readable by every Docker client), zstd (OCI media types only), uncompressed or estargz.
   * @param mediaTypes Manifest media types: oci, or docker for old registries (no annotations, no zstd).
   * @param annotations Annotations for the index itself (key=value), e.g. org.opencontainers.image.description=My app — what GHCR shows for multi-arch packages.
   * @param verify After pushing, read the index back from the registry and fail unless it has exactly this image's platforms.
   * @param gitRef Git ref to compute tags from: refs/tags/v1.2.3, refs/heads/main, refs/pull/42/merge, refs/merge-requests/7/head (then --address has no tag).
   * @param gitSha Commit SHA for the sha-<7> tag.
   * @param defaultBranch Ignored, kept so existing pipelines keep working: the tags follow docker/metadata-action's defaults, which do not depend on the default branch.
   * @param plainHttp The registry speaks plain http (no TLS), for the module's own client (annotations, extra tags, verify); the engine's push needs its own config for a non-loopback host (README: plain-http registries).
   * @param registryConfig Your docker login as a secret, e.g. file://$HOME/.docker/config.json (used when --username/--password are not given).
   */
  @func({ cache: "never" })
  async publish(
    address: string,
    tags?: string[],
    username?: string,
    password?: Secret,
    compression: string = "gzip",
    mediaTypes: string = "oci",
    annotations?: string[],
    verify: boolean = false,
    gitRef?: string,
    gitSha?: string,
    defaultBranch?: string,
    plainHttp?: boolean,
    registryConfig?: Secret,
  ): Promise<string> {
    void defaultBranch
    const req = parsePublishRequest({ address, tags, username, password, compression, mediaTypes, annotations, verify, gitRef, gitSha, plainHttp })
    if (this.variants.length === 0)
      throw new MultiarchInputError("image", "(empty)", "this image has no platform variants", "build it first: dagger call build publish …")
    return publishImage({ variants: this.variants, platforms: this.platformNames }, req, password, { registryConfig })
  }

  /**
   * All platform variants as one OCI layout tarball holding the index (`-o image.tar` to save it).
   *
   * @param compression Layer compression: gzip, zstd (OCI media types only), uncompressed or estargz.
   * @param mediaTypes Manifest media types: oci, or docker.
   */
  @func()
  tarball(compression: string = "gzip", mediaTypes: string = "oci"): File {
    const f = parseImageFormat(compression, mediaTypes)
    return dag.container().asTarball({
      platformVariants: this.variants,
      forcedCompression: daggerCompression(f.compression),
      mediaTypes: daggerMediaTypes(f.mediaTypes),
    })
  }
}
