/**
 * annotate: index-level annotations on a published image. On an index they are merged into the
 * index's annotations (existing keys kept, given keys replaced); a Docker manifest list becomes an
 * OCI index (only OCI indexes carry annotations). On a single-platform manifest it writes a
 * one-entry OCI index around it instead of rewriting the manifest: the manifest's digest (and
 * signatures or pins on it) stays valid, and GHCR reads annotations from the index.
 */
import { parseAnnotations, type AnnotationInput } from "../core/annotations.js"
import { MultiarchInputError } from "../core/errors/index.js"
import { formatReference, manifestReference, parseReference, referenceName, withDigest, withTag } from "../core/reference.js"
import { Clients, encodeJson, isIndexType, readConfigPlatform, validateTags, type RegistryOptions } from "./images.js"
import { MediaType, type Descriptor } from "./types.js"

export interface AnnotateOptions extends RegistryOptions {
  /** More tags to point at the new index (required when the address has only a digest). */
  tags?: readonly string[]
}

/**
 * Write `annotations` at index level. On an index: merged into the index's annotations (given
 * keys win); a Docker manifest list becomes an OCI index. On a single-platform manifest: a
 * one-entry OCI index is written around it. The new index is pushed to the address's tag (and
 * `opts.tags`). Returns `registry/repo:tag@sha256:<new digest>`.
 *
 * @example await annotateImage("127.0.0.1:5000/app:1.0", { "org.opencontainers.image.description": "My app" })
 */
export async function annotateImage(address: string, annotations: AnnotationInput, opts: AnnotateOptions = {}): Promise<string> {
  const ref = parseReference(address)
  const ann = parseAnnotations(annotations)
  if (Object.keys(ann).length === 0)
    throw new MultiarchInputError("annotations", JSON.stringify(annotations), "no annotations given", `pass e.g. ["org.opencontainers.image.description=My app"]`)
  const extraTags = validateTags(opts.tags)
  const tags = [...(ref.tag ? [ref.tag] : []), ...extraTags.filter((t) => t !== ref.tag)]
  if (tags.length === 0)
    throw new MultiarchInputError("address", address, "annotating writes a new index, and a digest-only address gives it no tag to live under", `add a tag, e.g. "${referenceName(ref)}:latest@${ref.digest}", or pass tags`)
  const clients = new Clients(ref.registry, opts)
  const client = clients.get(ref.registry)
  const top = await client.getManifest(ref.repository, manifestReference(ref))
  let index: Record<string, unknown>
  if (isIndexType(top.mediaType)) {
    index = { ...(top.json as Record<string, unknown>) }
    index.mediaType = MediaType.OciIndex
    index.annotations = { ...((top.json.annotations as Record<string, string>) ?? {}), ...ann }
  } else {
    const what = formatReference(ref)
    const platform = await readConfigPlatform(client, ref, top, what)
    const d: Descriptor = { mediaType: top.mediaType, digest: top.digest, size: top.size }
    if (platform) d.platform = platform
    index = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [d], annotations: ann }
  }
  const bytes = encodeJson(index)
  let digest = ""
  for (const t of tags) digest = await client.putManifest(ref.repository, t, bytes, MediaType.OciIndex)
  return formatReference(withDigest(withTag(ref, tags[0]), digest))
}
