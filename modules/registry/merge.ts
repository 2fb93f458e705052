/**
 * merge: one index from images already pushed (`docker manifest create` + push).
 *
 * It writes an OCI index, except a Docker manifest list when every child is a Docker schema 2
 * manifest and no annotations are asked for (a Docker list has no annotations field).
 * `format: "oci" | "docker"` forces one. Attestations of merged index sources are carried over when
 * the image they describe is carried (`attestations: false` drops them all). Returns the pinned
 * reference `registry/repo:tag@sha256:…` (the digest is the part after "@"), like Dagger's `publish`.
 */
import { parseAnnotations, type AnnotationInput } from "../core/annotations.js"
import { MultiarchInputError, MultiarchInputErrors } from "../core/errors/index.js"
import { formatReference, parseReference, referenceName, sameRepository, withDigest, withTag, type ImageReference } from "../core/reference.js"
import { ATTESTATION_SUBJECT_KEY, Clients, encodeJson, isIndexType, mapLimit, platformKey, resolveEntries, validateTags, type RegistryOptions, type ResolvedEntry } from "./images.js"
import { MediaType, type Descriptor } from "./types.js"

export interface MergeOptions extends RegistryOptions {
  /** Index-level annotations. */
  annotations?: AnnotationInput
  /** More tags to point at the index, besides the target's. */
  tags?: readonly string[]
  /** Index media type: "auto" (default; see module doc), "oci" or "docker". */
  format?: "auto" | "oci" | "docker"
  /** Carry attestation manifests of index sources (default true). */
  attestations?: boolean
  /** Blobs larger than this are streamed instead of buffered when they must be copied (default 32 MiB). */
  streamThresholdBytes?: number
  /** Parallel blob copies (default 4). */
  concurrency?: number
}

interface BlobCopier {
  ensure(src: ImageReference, blob: Descriptor): Promise<void>
}

function blobCopier(clients: Clients, target: ImageReference, streamThreshold: number): BlobCopier {
  const done = new Map<string, Promise<void>>()
  const tc = clients.get(target.registry)
  const copy = async (src: ImageReference, blob: Descriptor) => {
    if (await tc.hasBlob(target.repository, blob.digest)) return
    if (src.registry === target.registry && (await tc.mountBlob(target.repository, blob.digest, src.repository))) return
    const sc = clients.get(src.registry)
    if (blob.size <= streamThreshold) {
      const bytes = await sc.getBlob(src.repository, blob.digest)
      await tc.uploadBlob(target.repository, blob.digest, bytes.length, bytes)
    } else {
      // opened only once the target's upload session is open (auth settled), and opened again
      // for each retry (a source fault is retried by reopening it, and blamed on the source)
      await tc.uploadBlob(target.repository, blob.digest, blob.size, (deadline) => sc.openBlob(src.repository, blob.digest, { deadline }))
    }
  }
  return {
    ensure(src, blob) {
      let p = done.get(blob.digest)
      if (!p) {
        p = copy(src, blob)
        done.set(blob.digest, p)
      }
      return p
    },
  }
}

function isForeignLayer(d: Descriptor): boolean {
  return /foreign|nondistributable/.test(d.mediaType ?? "") && Array.isArray(d.urls) && d.urls.length > 0
}

/**
 * Build one index from images already pushed (single-platform images or indexes, on the same or
 * other registries) and push it to `target`. Each entry's platform comes from the source index
 * descriptor or the image config; two sources giving the same platform are rejected
 * (MultiarchInputError naming both). Blobs are mounted across repositories (copied when the
 * registry refuses or the source is on another registry); child manifests are PUT by digest
 * into the target repository. Returns `registry/repo:tag@sha256:…`.
 *
 * @example await mergeImages(["127.0.0.1:5000/app-amd64:1", "127.0.0.1:5000/app-arm64:1"], "127.0.0.1:5000/app:1")
 *   // "127.0.0.1:5000/app:1@sha256:…"
 */
export async function mergeImages(sources: readonly string[], target: string, opts: MergeOptions = {}): Promise<string> {
  if (!Array.isArray(sources) || sources.length === 0)
    throw new MultiarchInputError("sources", String(sources), "no source images given", `pass the per-platform images, e.g. ["ghcr.io/o/app:amd64", "ghcr.io/o/app:arm64"]`)
  const targetRef = parseReference(target)
  if (targetRef.digest)
    throw new MultiarchInputError("address", target, "the target of a merge cannot be a digest (the index does not exist yet)", `use a tag, e.g. "${referenceName(targetRef)}:${targetRef.tag ?? "latest"}"`)
  const annotations = parseAnnotations(opts.annotations)
  const extraTags = validateTags(opts.tags)
  const format = opts.format ?? "auto"
  if (!["auto", "oci", "docker"].includes(format))
    throw new MultiarchInputError("format", String(format), "unknown index format", `use "auto", "oci" or "docker"`)
  if (format === "docker" && Object.keys(annotations).length)
    throw new MultiarchInputError("format", format, "a Docker manifest list cannot carry annotations", `use format "oci" (the default picks it when annotations are given)`)

  const srcErrors: MultiarchInputError[] = []
  const srcRefs: ImageReference[] = []
  for (const s of sources) {
    try {
      srcRefs.push(parseReference(s, { field: "sources" }))
    } catch (e) {
      if (e instanceof MultiarchInputError) srcErrors.push(e)
      else throw e
    }
  }
  const seenSources = new Map<string, string>()
  srcRefs.forEach((r, i) => {
    const key = formatReference(r)
    const prev = seenSources.get(key)
    if (prev !== undefined)
      srcErrors.push(new MultiarchInputError("sources", sources[i], prev === sources[i] ? "this source is listed twice" : `"${sources[i]}" and "${prev}" are the same image (${key})`, "list each source once"))
    else seenSources.set(key, sources[i])
  })
  if (srcErrors.length) throw new MultiarchInputErrors(srcErrors)

  const clients = new Clients(targetRef.registry, opts)
  const resolved = await Promise.all(srcRefs.map((r, i) => resolveEntries(clients.get(r.registry), r, sources[i])))

  // platforms: one source each
  const images: ResolvedEntry[] = []
  const attestations: ResolvedEntry[] = []
  const byPlatform = new Map<string, ResolvedEntry>()
  const dupErrors: MultiarchInputError[] = []
  for (const { entries } of resolved) {
    for (const e of entries) {
      if (e.kind === "attestation") {
        attestations.push(e)
        continue
      }
      if (isIndexType(e.descriptor.mediaType))
        throw new MultiarchInputError("sources", e.source, `its ${e.platform} entry is itself an index (nested indexes are not merged)`, `pass the inner index ${referenceName(e.sourceRef)}@${e.descriptor.digest} as a source instead`)
      const key = platformKey(e)
      const prev = byPlatform.get(key)
      if (prev) {
        if (prev.descriptor.digest === e.descriptor.digest && prev.source !== e.source) {
          // the very same manifest twice (e.g. an index and one of its children): keep one
          continue
        }
        dupErrors.push(
          new MultiarchInputError(
            "sources",
            prev.source === e.source ? e.source : `${prev.source}, ${e.source}`,
            prev.source === e.source ? `it contains ${key} twice` : `both ${prev.source} and ${e.source} provide ${key}`,
            "merge each platform from one source only: drop one of them, or build it for another platform",
          ),
        )
        continue
      }
      byPlatform.set(key, e)
      images.push(e)
    }
  }
  if (dupErrors.length) throw new MultiarchInputErrors(dupErrors)

  const kept = new Set(images.map((e) => e.descriptor.digest))
  const keptAttestations =
    opts.attestations === false
      ? []
      : attestations.filter((a, i) => {
          const subject = a.descriptor.annotations?.[ATTESTATION_SUBJECT_KEY]
          const first = attestations.findIndex((b) => b.descriptor.digest === a.descriptor.digest) === i
          return first && subject !== undefined && kept.has(subject)
        })
  const children = [...images, ...keptAttestations]

  // copy blobs and child manifests into the target repository
  const copier = blobCopier(clients, targetRef, opts.streamThresholdBytes ?? 32 * 1024 * 1024)
  const tc = clients.get(targetRef.registry)
  const concurrency = opts.concurrency ?? 4
  await mapLimit(children, concurrency, async (e) => {
    if (sameRepository(e.sourceRef, targetRef)) return
    const sc = clients.get(e.sourceRef.registry)
    const manifest = e.manifest ?? (await sc.getManifest(e.sourceRef.repository, e.descriptor.digest))
    const blobs: Descriptor[] = []
    const cfg = manifest.json?.config as Descriptor | undefined
    if (cfg?.digest) blobs.push(cfg)
    for (const l of (manifest.json?.layers ?? []) as Descriptor[]) if (l?.digest && !isForeignLayer(l)) blobs.push(l)
    await mapLimit(blobs, concurrency, (b) => copier.ensure(e.sourceRef, b))
    await tc.putManifest(targetRef.repository, manifest.digest, manifest.bytes, manifest.mediaType)
  })

  const allDocker = images.every((e) => e.descriptor.mediaType === MediaType.DockerManifest) && keptAttestations.length === 0
  const mediaType =
    format === "oci" ? MediaType.OciIndex : format === "docker" ? MediaType.DockerManifestList : allDocker && Object.keys(annotations).length === 0 ? MediaType.DockerManifestList : MediaType.OciIndex
  const manifests = children.map((e) => {
    const d: Descriptor = { mediaType: e.descriptor.mediaType, digest: e.descriptor.digest, size: e.descriptor.size }
    if (e.descriptor.platform) d.platform = e.descriptor.platform
    if (mediaType === MediaType.OciIndex && e.descriptor.annotations && Object.keys(e.descriptor.annotations).length) d.annotations = e.descriptor.annotations
    return d
  })
  const index: Record<string, unknown> = { schemaVersion: 2, mediaType, manifests }
  if (Object.keys(annotations).length) index.annotations = annotations
  const bytes = encodeJson(index)
  const tags = [targetRef.tag ?? "latest", ...extraTags.filter((t) => t !== (targetRef.tag ?? "latest"))]
  let digest = ""
  for (const t of tags) digest = await tc.putManifest(targetRef.repository, t, bytes, mediaType)
  return formatReference(withDigest(withTag(targetRef, tags[0]), digest))
}
