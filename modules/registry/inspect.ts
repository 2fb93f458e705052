/** inspect: what an image in a registry really holds (`docker manifest inspect`). */
import { formatReference, parseReference, withDigest } from "../core/reference.js"
import { ATTESTATION_SUBJECT_KEY, Clients, isIndexType, resolveEntries, type RegistryOptions } from "./images.js"

export interface PlatformEntry {
  /** Normalised `os/arch[/variant]`. */
  platform: string
  digest: string
  size: number
  mediaType: string
  annotations: Record<string, string>
  /** `os.version` when the registry gives one (Windows images). */
  osVersion?: string
}

export interface AttestationEntry {
  /** As published, usually "unknown/unknown". */
  platform: string
  digest: string
  size: number
  mediaType: string
  annotations: Record<string, string>
  /** Digest of the image manifest it describes (`vnd.docker.reference.digest`), if given. */
  subject?: string
}

export interface ImageInspection {
  /** Pinned reference: `registry/repo[:tag]@sha256:…`. */
  ref: string
  digest: string
  mediaType: string
  size: number
  /** True for an OCI index or Docker manifest list. */
  isIndex: boolean
  /** Index annotations (or the manifest's, for a single-platform image). */
  annotations: Record<string, string>
  platforms: PlatformEntry[]
  attestations: AttestationEntry[]
}


/**
 * Read an image or index: its digest, media type, annotations, platform entries and attestation
 * entries (listed apart). Single-platform images get their platform from the image config.
 *
 * @example await inspectImage("127.0.0.1:5000/app:1.0")
 *   // { ref: "127.0.0.1:5000/app:1.0@sha256:…", isIndex: true, platforms: [{ platform: "linux/amd64", … }], attestations: [] , … }
 */
export async function inspectImage(address: string, opts: RegistryOptions = {}): Promise<ImageInspection> {
  const ref = parseReference(address)
  const clients = new Clients(ref.registry, opts)
  const { top, entries } = await resolveEntries(clients.get(ref.registry), ref, address)
  const isIndex = isIndexType(top.mediaType)
  const annotations: Record<string, string> = { ...((top.json?.annotations as Record<string, string>) ?? {}) }
  const platforms: PlatformEntry[] = []
  const attestations: AttestationEntry[] = []
  for (const e of entries) {
    const d = e.descriptor
    if (e.kind === "image") {
      const p: PlatformEntry = { platform: e.platform, digest: d.digest, size: d.size, mediaType: d.mediaType, annotations: { ...(d.annotations ?? (isIndex ? {} : annotations)) } }
      const osv = d.platform?.["os.version"]
      if (osv) p.osVersion = osv
      platforms.push(p)
    } else {
      const a: AttestationEntry = { platform: e.platform, digest: d.digest, size: d.size, mediaType: d.mediaType, annotations: { ...(d.annotations ?? {}) } }
      const subject = d.annotations?.[ATTESTATION_SUBJECT_KEY]
      if (subject) a.subject = subject
      attestations.push(a)
    }
  }
  return {
    ref: formatReference(withDigest(ref, top.digest)),
    digest: top.digest,
    mediaType: top.mediaType,
    size: top.size,
    isIndex,
    annotations,
    platforms,
    attestations,
  }
}

