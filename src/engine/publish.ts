/**
 * Engine glue for `publish`: push every platform variant as one index (the engine pushes, with
 * registry auth from a Secret), then — when the module itself must talk to the registry —
 * annotate the index, point the other tags at it, and verify it. A PublishRequest
 * (modules/core/publish.ts) comes in, already checked.
 */
import { dag, ExecError, ImageLayerCompression, ImageMediaTypes, type Container, type Secret } from "@dagger.io/dagger"
import { tagOf, type Compression, type PublishRequest } from "../../modules/core/publish.js"
import { annotateImage, tagImage, verifyImage } from "../../modules/registry/index.js"
import { credentialsOf } from "./credentials.js"

export function daggerCompression(c?: Compression): ImageLayerCompression {
  switch (c ?? "gzip") {
    case "zstd":
      return ImageLayerCompression.Zstd
    case "uncompressed":
      return ImageLayerCompression.Uncompressed
    case "estargz":
      return ImageLayerCompression.Estargz
    default:
      return ImageLayerCompression.Gzip
  }
}

export function daggerMediaTypes(m?: "oci" | "docker"): ImageMediaTypes {
  return m === "docker" ? ImageMediaTypes.Docker : ImageMediaTypes.Oci
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

/** The variants of a multi-platform image, in the order of their platforms. */
export interface Variants {
  variants: Container[]
  platforms: string[]
}

/** Push `image` as `req` says (registry auth: `req.username` with `password`); returns `ref@sha256:…` of the index. */
export async function publishImage(image: Variants, req: PublishRequest, password?: Secret): Promise<string> {
  const { username } = req
  let base = dag.container()
  if (username !== undefined && password !== undefined) base = base.withRegistryAuth(req.repository, username, password)
  const opts = {
    platformVariants: image.variants,
    forcedCompression: daggerCompression(req.compression),
    mediaTypes: daggerMediaTypes(req.mediaTypes),
  }
  const indexAnnotations = req.annotations
  const rest = req.otherTags
  // the secret's plaintext is read only when the module itself must talk to the registry
  const credentials = rest.length || indexAnnotations || req.verify ? await credentialsOf(username, password) : undefined
  let published: string
  if (credentials && (rest.length || indexAnnotations)) {
    // push once, then (annotate and) point the other tags at the index by digest
    published = await base.publish(req.first, opts).catch((e) => Promise.reject(explainBuildError(e)))
    if (indexAnnotations) published = await annotateImage(published, indexAnnotations, { credentials, tags: [tagOf(req.first)] })
    if (rest.length) await tagImage(published, rest, { credentials })
  } else {
    // without explicit credentials only the engine can authenticate (its host's docker login):
    // let it push every tag; the index is the same, so is its digest
    // (one tag after the other: the SDK resolves the shared variant IDs in place, and concurrent
    // publishes of the same variants race on that; the engine has the image cached after the first)
    published = ""
    for (const r of req.refs) {
      const p = await base.publish(r, opts).catch((e) => Promise.reject(explainBuildError(e)))
      published ||= p
    }
    if (indexAnnotations) published = await annotateImage(published, indexAnnotations, { credentials, tags: req.refs.map(tagOf) })
  }
  if (req.verify) await verifyImage(published, image.platforms, { credentials })
  return published
}
