/**
 * MultiarchImage: one container per platform, published or exported as one OCI index.
 */
import {
  dag,
  ExecError,
  type Container,
  type File,
  func,
  ImageLayerCompression,
  ImageMediaTypes,
  object,
  type Platform,
  type Secret,
} from "@dagger.io/dagger"
import { MultiarchInputError } from "../modules/core/errors/index.js"
import { parsePlatform } from "../modules/core/platform.js"
import { checkAnnotationKey, checkLabelKey, publishTargets } from "../modules/core/publish.js"
import { parseAnnotations } from "../modules/core/annotations.js"
import { annotateImage, tagImage, verifyImage } from "../modules/registry/index.js"
import { credentialsOf } from "./engine/credentials.js"

/** Layer compression of published/exported images. */
export enum Compression {
  /** gzip: readable by every Docker/containerd version (default). */
  Gzip = "gzip",
  /** zstd: smaller and faster, needs Docker 23+/containerd 1.5+. */
  Zstd = "zstd",
  /** Keep layers uncompressed. */
  Uncompressed = "uncompressed",
  /** eStargz: lazily pullable gzip. */
  Estargz = "estargz",
}

/** Manifest media types of published/exported images. */
export enum MediaTypes {
  /** OCI image index and manifests (default). */
  Oci = "oci",
  /** Docker manifest list v2 and schema 2 manifests, for old registries. */
  Docker = "docker",
}

function daggerCompression(c?: Compression): ImageLayerCompression {
  switch (c ?? Compression.Gzip) {
    case Compression.Zstd:
      return ImageLayerCompression.Zstd
    case Compression.Uncompressed:
      return ImageLayerCompression.Uncompressed
    case Compression.Estargz:
      return ImageLayerCompression.Estargz
    default:
      return ImageLayerCompression.Gzip
  }
}

function daggerMediaTypes(m?: MediaTypes): ImageMediaTypes {
  return m === MediaTypes.Docker ? ImageMediaTypes.Docker : ImageMediaTypes.Oci
}

/**
 * Turn a failed build step into an error that says which platform and what went wrong: our own
 * checks print one "multiarch: …" line naming the platform; otherwise the step and its exit code.
 */
export function explainBuildError(e: unknown): unknown {
  if (!(e instanceof ExecError)) return e
  const own = `${e.stderr ?? ""}\n${e.stdout ?? ""}`.split("\n").find((l) => l.startsWith("multiarch: "))
  if (own) return new Error(own.replace(/^multiarch: /, ""))
  return e
}

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
  variant(platform: Platform): Container {
    const p = parsePlatform(platform)
    const i = this.platformNames.indexOf(p)
    if (i < 0)
      throw new MultiarchInputError("platform", String(platform), `this image has no ${p} variant`, `use one of: ${this.platformNames.join(", ")}`)
    return this.variants[i]
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
   * @param compression Layer compression (default gzip, readable by old Docker clients).
   * @param mediaTypes oci (default) or docker.
   * @param annotations Annotations for the index itself (key=value), e.g. org.opencontainers.image.description=My app — what GHCR shows for multi-arch packages.
   * @param verify After pushing, read the index back from the registry and fail unless it has exactly this image's platforms.
   * @param gitRef Git ref to compute tags from: refs/tags/v1.2.3, refs/heads/main, refs/pull/42/merge, refs/merge-requests/7/head.
   * @param gitSha Commit SHA for the sha-<7> tag.
   * @param defaultBranch The repository's default branch (informational for the tag grammar).
   */
  @func({ cache: "never" })
  async publish(
    address: string,
    tags?: string[],
    username?: string,
    password?: Secret,
    compression?: Compression,
    mediaTypes?: MediaTypes,
    annotations?: string[],
    verify?: boolean,
    gitRef?: string,
    gitSha?: string,
    defaultBranch?: string,
  ): Promise<string> {
    const targets = publishTargets(address, tags ?? [], { gitRef, gitSha, defaultBranch })
    const indexAnnotations = annotations?.length ? parseAnnotations(annotations) : undefined
    if (indexAnnotations && mediaTypes === MediaTypes.Docker)
      throw new MultiarchInputError("annotations", annotations!.join(","), "Docker manifest lists cannot carry annotations", "drop --media-types docker (OCI is the default)")
    if ((username === undefined) !== (password === undefined))
      throw new MultiarchInputError(
        username === undefined ? "password" : "username",
        username ?? "(secret)",
        "registry auth needs both a username and a password",
        "pass --username and --password env://TOKEN together, or neither for anonymous/preconfigured auth",
      )
    if (this.variants.length === 0)
      throw new MultiarchInputError("image", "(empty)", "this image has no platform variants", "build it first: dagger call build --source=. publish …")
    let base = dag.container()
    if (username !== undefined && password !== undefined) base = base.withRegistryAuth(targets.repository, username, password)
    const opts = {
      platformVariants: this.variants,
      forcedCompression: daggerCompression(compression),
      mediaTypes: daggerMediaTypes(mediaTypes),
    }
    const [first, ...rest] = targets.refs
    const tagOf = (r: string) => r.slice(r.lastIndexOf(":") + 1)
    // the secret's plaintext is read only when the module itself must talk to the registry
    const credentials = rest.length || indexAnnotations || verify ? await credentialsOf(username, password) : undefined
    let published: string
    if (credentials && (rest.length || indexAnnotations)) {
      // push once, then (annotate and) point the other tags at the index by digest
      published = await base.publish(first, opts).catch((e) => Promise.reject(explainBuildError(e)))
      if (indexAnnotations) published = await annotateImage(published, indexAnnotations, { credentials, tags: [tagOf(first)] })
      if (rest.length) await tagImage(published, rest.map(tagOf), { credentials })
    } else {
      // without explicit credentials only the engine can authenticate (its host's docker login):
      // let it push every tag; the index is the same, so is its digest
      // (one tag after the other: the SDK resolves the shared variant IDs in place, and concurrent
      // publishes of the same variants race on that; the engine has the image cached after the first)
      published = ""
      for (const r of targets.refs) {
        const p = await base.publish(r, opts).catch((e) => Promise.reject(explainBuildError(e)))
        published ||= p
      }
      if (indexAnnotations) published = await annotateImage(published, indexAnnotations, { credentials, tags: targets.refs.map(tagOf) })
    }
    if (verify) await verifyImage(published, this.platformNames, { credentials })
    return published
  }

  /**
   * All platform variants as one OCI layout tarball holding the index (`-o image.tar` to save it).
   *
   * @param compression Layer compression (default gzip).
   * @param mediaTypes oci (default) or docker.
   */
  @func()
  tarball(compression?: Compression, mediaTypes?: MediaTypes): File {
    return dag.container().asTarball({
      platformVariants: this.variants,
      forcedCompression: daggerCompression(compression),
      mediaTypes: daggerMediaTypes(mediaTypes),
    })
  }
}
