/**
 * Registry operations the Dagger functions wrap one-to-one: inspect, verify, merge, annotate, tag.
 * Plain async functions on RegistryClient; usable from any TypeScript program.
 *
 * Decisions (where the issue was silent):
 * - Platforms read from a registry are normalised with containerd's rules
 *   (`normalizePlatformParts`), but not checked against multiarch's build targets: a published
 *   index may hold platforms we do not build (windows/amd64, linux/s390x…). Expected platforms
 *   given to `verifyImage` go through `parsePlatforms` (normalised and checked).
 * - An index entry is an *attestation* (listed apart, never a platform) when it carries
 *   `vnd.docker.reference.type=attestation-manifest` or its platform is `unknown/unknown`.
 *   An entry without a platform gets it from its image config.
 * - `verifyImage` also fails when one platform appears twice in the index: a client picks the first
 *   and the second is dead weight, almost always a merge mistake.
 * - `mergeImages` writes an OCI index, except a Docker manifest list when every child is a Docker
 *   schema 2 manifest and no annotations are asked for (a Docker list has no annotations field).
 *   `format: "oci" | "docker"` forces one. Attestations of merged index sources are carried over
 *   when the image they describe is carried (`attestations: false` drops them all).
 * - `annotateImage` on an index merges the annotations into the index (existing keys kept, given
 *   keys replaced); a Docker manifest list becomes an OCI index (only OCI indexes carry
 *   annotations). On a single-platform manifest it writes a one-entry OCI index around it instead of
 *   rewriting the manifest: the manifest's digest (and signatures or pins on it) stays valid, and
 *   GHCR reads annotations from the index.
 * - Write operations return the pinned reference `registry/repo:tag@sha256:…` (the digest is the
 *   part after "@"), like Dagger's `publish`.
 * - Credentials: `credentials` go only to the registry of the address (for merge: the target's
 *   registry, and sources on that same registry). Sources on another registry are read anonymously
 *   unless `credentialsFor(registry)` returns credentials for it. Credentials are never sent to a
 *   registry they were not given for.
 */
import { MultiarchInputError, MultiarchInputErrors } from "../core/errors.js"
import { formatPlatform, normalizePlatformParts, parsePlatforms } from "../core/platform.js"
import {
  INDEX_MEDIA_TYPES,
  MediaType,
  RegistryClient,
  RegistryError,
  type Descriptor,
  type ManifestResponse,
  type OciPlatform,
  type RegistryClientOptions,
  type RegistryCredentials,
} from "./client.js"
import {
  formatReference,
  isValidTag,
  manifestReference,
  parseReference,
  referenceName,
  sameRepository,
  withDigest,
  withTag,
  type ImageReference,
} from "../core/reference.js"

export interface RegistryOptions extends Omit<RegistryClientOptions, "credentials" | "plainHttp"> {
  /** Credentials for the registry of the address (merge: of the target). */
  credentials?: RegistryCredentials
  /** Credentials per registry host; wins over `credentials`. */
  credentialsFor?: (registry: string) => RegistryCredentials | undefined
  /** Force plain http (default: only for localhost/127.0.0.0/8/::1). */
  plainHttp?: boolean
}

/** Annotations as a map or as `key=value` strings (buildx's `index:key=value` accepted). */
export type AnnotationInput = Record<string, string> | readonly string[]

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

export interface VerifyResult {
  ref: string
  digest: string
  platforms: string[]
}

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

export interface AnnotateOptions extends RegistryOptions {
  /** More tags to point at the new index (required when the address has only a digest). */
  tags?: readonly string[]
}

/** `verifyImage` failure: the published platforms differ from the expected ones. */
export class PlatformMismatchError extends Error {
  readonly ref: string
  readonly expected: string[]
  readonly actual: string[]
  readonly missing: string[]
  readonly unexpected: string[]
  readonly duplicated: string[]
  constructor(ref: string, expected: string[], actual: string[], missing: string[], unexpected: string[], duplicated: string[], attestations: number) {
    const diffs: string[] = []
    if (missing.length) diffs.push(`missing ${missing.join(", ")}`)
    if (unexpected.length) diffs.push(`unexpected ${unexpected.join(", ")}`)
    if (duplicated.length) diffs.push(`listed more than once ${duplicated.join(", ")}`)
    const att = attestations ? ` (${attestations} attestation manifest${attestations > 1 ? "s" : ""} ignored)` : ""
    super(
      `${ref} does not have exactly the expected platforms: ${diffs.join("; ")}. ` +
        `Expected: ${expected.join(", ")}. Published: ${actual.length ? actual.join(", ") : "none"}${att}.`,
    )
    this.name = "PlatformMismatchError"
    this.ref = ref
    this.expected = expected
    this.actual = actual
    this.missing = missing
    this.unexpected = unexpected
    this.duplicated = duplicated
  }
}

// ---------------------------------------------------------------------------------------------
// annotations

/** Keys the OCI image spec defines under `org.opencontainers.image.`. */
export const OCI_ANNOTATION_KEYS: readonly string[] = [
  "created", "authors", "url", "documentation", "source", "version", "revision", "vendor", "licenses",
  "ref.name", "title", "description", "base.digest", "base.name",
].map((k) => `org.opencontainers.image.${k}`)

const ANNOTATION_KEY_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._/-]*[A-Za-z0-9])?$/
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0][j] = j
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
  return d[a.length][b.length]
}

/**
 * Parse and validate index annotations. Accepts a map or `key=value` strings; a buildx-style
 * `index:` level prefix is accepted and dropped (these annotations always go on the index); other
 * levels (`manifest:`, `manifest-descriptor:`, `index-descriptor:`) are rejected. Keys: letters,
 * digits, ".", "_", "-", "/" (reverse-domain notation); `org.opencontainers.image.*` keys must be
 * ones the OCI spec defines (typos get a suggestion); `…created` must be RFC 3339. Later entries win.
 *
 * @example parseAnnotations(["org.opencontainers.image.source=https://github.com/o/r"])
 */
export function parseAnnotations(input: AnnotationInput | undefined, field = "annotations"): Record<string, string> {
  const out: Record<string, string> = {}
  if (input === undefined) return out
  const errors: MultiarchInputError[] = []
  const entries: [string, string, string][] = [] // [key, value, raw]
  if (Array.isArray(input)) {
    for (const raw of input as readonly string[]) {
      if (typeof raw !== "string") {
        errors.push(new MultiarchInputError(field, String(raw), "an annotation must be a string", `write key=value, e.g. "org.opencontainers.image.source=https://github.com/owner/repo"`))
        continue
      }
      const eq = raw.indexOf("=")
      if (eq < 0) {
        errors.push(new MultiarchInputError(field, raw, "an annotation is key=value and this has no \"=\"", `e.g. "${raw.trim() || "org.opencontainers.image.description"}=…"`))
        continue
      }
      entries.push([raw.slice(0, eq).trim(), raw.slice(eq + 1), raw])
    }
  } else if (input && typeof input === "object") {
    for (const [k, v] of Object.entries(input)) entries.push([k.trim(), v, `${k}=${v}`])
  } else {
    throw new MultiarchInputError(field, String(input), "expected annotations as key=value strings or a map", `e.g. ["org.opencontainers.image.description=My app"]`)
  }
  for (let [key, value, raw] of entries) {
    const level = /^([a-z-]+)(?:\[[^\]]*\])?:(.*)$/.exec(key)
    if (level) {
      if (level[1] === "index") key = level[2]
      else {
        errors.push(new MultiarchInputError(field, raw, `"${level[1]}:" annotations are not written here; these annotations go on the index`, `drop the prefix, e.g. "${level[2]}=${value}"`))
        continue
      }
    }
    if (typeof value !== "string") {
      errors.push(new MultiarchInputError(field, raw, "an annotation value must be a string", `quote the value, e.g. "${key}=…"`))
      continue
    }
    if (!ANNOTATION_KEY_RE.test(key)) {
      errors.push(
        new MultiarchInputError(field, raw, `"${key}" is not a valid annotation key (letters, digits, ".", "_", "-", "/"; reverse-domain notation)`, `e.g. "com.example.team=${value}" or "org.opencontainers.image.description=${value}"`),
      )
      continue
    }
    if (key.startsWith("org.opencontainers.image.") && !OCI_ANNOTATION_KEYS.includes(key)) {
      const best = [...OCI_ANNOTATION_KEYS].sort((a, b) => editDistance(key, a) - editDistance(key, b))[0]
      const hint = editDistance(key, best) <= 4 ? `did you mean "${best}"?` : `the spec defines: ${OCI_ANNOTATION_KEYS.map((k) => k.slice("org.opencontainers.image.".length)).join(", ")}`
      errors.push(new MultiarchInputError(field, raw, `"${key}" is not an annotation the OCI image spec defines`, hint))
      continue
    }
    if (key === "org.opencontainers.image.created" && !RFC3339_RE.test(value)) {
      errors.push(new MultiarchInputError(field, raw, "org.opencontainers.image.created must be an RFC 3339 date-time", `e.g. "${key}=2025-01-31T12:00:00Z"`))
      continue
    }
    out[key] = value
  }
  if (errors.length) throw new MultiarchInputErrors(errors)
  return out
}

// ---------------------------------------------------------------------------------------------
// internals

const ATTESTATION_TYPE_KEY = "vnd.docker.reference.type"
const ATTESTATION_SUBJECT_KEY = "vnd.docker.reference.digest"

/** Is this index entry an attestation (or other non-platform artifact), not an image for a platform? */
export function isAttestationDescriptor(d: Pick<Descriptor, "platform" | "annotations">): boolean {
  if (d.annotations?.[ATTESTATION_TYPE_KEY] === "attestation-manifest") return true
  return d.platform?.os === "unknown" && d.platform?.architecture === "unknown"
}

/** `os/arch[/variant]` of an OCI platform object, normalised like containerd when possible. */
export function platformOf(p: { os?: string; architecture?: string; variant?: string }): string {
  const raw = [p.os ?? "", p.architecture ?? "", p.variant ?? ""].filter((x, i) => i < 2 || x).join("/")
  try {
    return formatPlatform(normalizePlatformParts(raw))
  } catch {
    return raw.toLowerCase()
  }
}

class Clients {
  private readonly map = new Map<string, RegistryClient>()
  constructor(
    private readonly primary: string,
    private readonly opts: RegistryOptions,
  ) {}
  get(registry: string): RegistryClient {
    let c = this.map.get(registry)
    if (!c) {
      const { credentials, credentialsFor, ...rest } = this.opts
      const creds = credentialsFor?.(registry) ?? (registry === this.primary ? credentials : undefined)
      c = new RegistryClient(registry, { ...rest, credentials: creds })
      this.map.set(registry, c)
    }
    return c
  }
}

async function readConfigPlatform(client: RegistryClient, ref: ImageReference, manifest: ManifestResponse, what: string): Promise<OciPlatform | undefined> {
  const cfg = manifest.json?.config as Descriptor | undefined
  if (!cfg?.digest) return undefined
  if (cfg.mediaType && cfg.mediaType !== MediaType.OciConfig && cfg.mediaType !== MediaType.DockerConfig) return undefined
  const bytes = await client.getBlob(ref.repository, cfg.digest)
  let j: Record<string, unknown>
  try {
    j = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    throw new RegistryError(`the image config of ${what} is not JSON`, { registry: ref.registry, reference: what })
  }
  if (typeof j.os !== "string" || typeof j.architecture !== "string") return undefined
  const p: OciPlatform = { architecture: j.architecture, os: j.os }
  if (typeof j.variant === "string" && j.variant) p.variant = j.variant
  if (typeof j["os.version"] === "string" && j["os.version"]) p["os.version"] = j["os.version"] as string
  return p
}

function isIndexType(mediaType: string): boolean {
  return INDEX_MEDIA_TYPES.includes(mediaType)
}

function childRef(ref: ImageReference, digest: string): ImageReference {
  return { registry: ref.registry, repository: ref.repository, digest }
}

interface ResolvedEntry {
  kind: "image" | "attestation"
  descriptor: Descriptor
  platform: string
  /** The source the entry came from, as the user wrote it. */
  source: string
  sourceRef: ImageReference
  manifest?: ManifestResponse
}

/** Read a reference and list its entries (platform images and attestations). */
async function resolveEntries(client: RegistryClient, ref: ImageReference, source: string): Promise<{ top: ManifestResponse; entries: ResolvedEntry[] }> {
  const top = await client.getManifest(ref.repository, manifestReference(ref))
  const entries: ResolvedEntry[] = []
  if (isIndexType(top.mediaType)) {
    const list = (Array.isArray(top.json?.manifests) ? top.json.manifests : []) as Descriptor[]
    for (const d of list) {
      if (isAttestationDescriptor(d)) {
        entries.push({ kind: "attestation", descriptor: d, platform: d.platform ? platformOf(d.platform) : "unknown/unknown", source, sourceRef: ref })
        continue
      }
      if (d.platform?.os && d.platform?.architecture) {
        entries.push({ kind: "image", descriptor: d, platform: platformOf(d.platform), source, sourceRef: ref })
        continue
      }
      // no platform on the descriptor: read it from the image config
      let platform: OciPlatform | undefined
      let manifest: ManifestResponse | undefined
      if (!isIndexType(d.mediaType)) {
        manifest = await client.getManifest(ref.repository, d.digest)
        platform = await readConfigPlatform(client, childRef(ref, d.digest), manifest, `${referenceName(ref)}@${d.digest}`)
      }
      if (platform) entries.push({ kind: "image", descriptor: { ...d, platform }, platform: platformOf(platform), source, sourceRef: ref, manifest })
      else entries.push({ kind: "attestation", descriptor: d, platform: "unknown/unknown", source, sourceRef: ref, manifest })
    }
  } else {
    const what = formatReference(ref)
    const platform = await readConfigPlatform(client, ref, top, what)
    if (!platform)
      throw new RegistryError(`${what} is a manifest whose config names no os/architecture, so its platform is unknown`, { registry: ref.registry, reference: what })
    entries.push({
      kind: "image",
      descriptor: { mediaType: top.mediaType, digest: top.digest, size: top.size, platform },
      platform: platformOf(platform),
      source,
      sourceRef: ref,
      manifest: top,
    })
  }
  return { top, entries }
}

function platformKey(e: ResolvedEntry): string {
  const v = e.descriptor.platform?.["os.version"]
  return v ? `${e.platform} (os.version ${v})` : e.platform
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  return out
}

function validateTags(tags: readonly string[] | undefined, field = "tags"): string[] {
  const out: string[] = []
  const errors: MultiarchInputError[] = []
  for (const t of tags ?? []) {
    if (typeof t !== "string" || !isValidTag(t)) {
      errors.push(new MultiarchInputError(field, String(t), "not a valid tag (letters, digits, \"_\", \".\", \"-\"; at most 128; not starting with \".\" or \"-\")", `e.g. "1.2.3" or "main"`))
      continue
    }
    if (!out.includes(t)) out.push(t)
  }
  if (errors.length) throw new MultiarchInputErrors(errors)
  return out
}

function encodeJson(v: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(v))
}

// ---------------------------------------------------------------------------------------------
// inspect / verify

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

/**
 * Fail unless the published image has exactly `platforms` (normalised; attestations ignored;
 * a platform listed twice in the index also fails). Throws PlatformMismatchError naming the
 * missing, unexpected and duplicated platforms.
 *
 * @example await verifyImage("127.0.0.1:5000/app:1.0", "linux/amd64,linux/arm64")
 *   // { ref: "127.0.0.1:5000/app:1.0@sha256:…", digest: "sha256:…", platforms: ["linux/amd64", "linux/arm64"] }
 */
export async function verifyImage(address: string, platforms: string | readonly string[], opts: RegistryOptions = {}): Promise<VerifyResult> {
  const expected = parsePlatforms(typeof platforms === "string" ? platforms : [...platforms])
  const info = await inspectImage(address, opts)
  const actual = info.platforms.map((p) => p.platform)
  const seen = new Set<string>()
  const duplicated = [...new Set(actual.filter((p) => (seen.has(p) ? true : (seen.add(p), false))))]
  const missing = expected.filter((p) => !actual.includes(p))
  const unexpected = [...new Set(actual.filter((p) => !expected.includes(p)))]
  if (missing.length || unexpected.length || duplicated.length)
    throw new PlatformMismatchError(info.ref, expected, actual, missing, unexpected, duplicated, info.attestations.length)
  return { ref: info.ref, digest: info.digest, platforms: actual }
}

// ---------------------------------------------------------------------------------------------
// merge

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
      // opened only once the target's upload session is open (auth settled), see uploadBlob
      await tc.uploadBlob(target.repository, blob.digest, blob.size, () => sc.openBlob(src.repository, blob.digest))
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

// ---------------------------------------------------------------------------------------------
// annotate / tag

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

/**
 * Point more tags (in the same repository) at the manifest or index at `address`, byte for byte
 * (same digest). Returns one `registry/repo:tag@sha256:…` per tag.
 *
 * @example await tagImage("127.0.0.1:5000/app:1.2.3", ["1.2", "1", "latest"])
 */
export async function tagImage(address: string, tags: readonly string[], opts: RegistryOptions = {}): Promise<string[]> {
  const ref = parseReference(address)
  const valid = validateTags(tags)
  if (valid.length === 0) throw new MultiarchInputError("tags", JSON.stringify(tags), "no tags given", `pass e.g. ["1.2", "latest"]`)
  const client = new Clients(ref.registry, opts).get(ref.registry)
  const m = await client.getManifest(ref.repository, manifestReference(ref))
  const out: string[] = []
  for (const t of valid) {
    const digest = await client.putManifest(ref.repository, t, m.bytes, m.mediaType)
    out.push(formatReference(withDigest(withTag(ref, t), digest)))
  }
  return out
}
