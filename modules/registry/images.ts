/**
 * What inspect, verify, merge, annotate and tag share: one client per registry with the
 * credentials that belong to it, reading an image's entries (platform images and attestations),
 * and small helpers.
 *
 * - Platforms read from a registry are normalised with containerd's rules
 *   (`normalizePlatformParts`), but not checked against multiarch's build targets: a published
 *   index may hold platforms we do not build (windows/amd64, linux/s390x…).
 * - An index entry is an *attestation* (listed apart, never a platform) when it carries
 *   `vnd.docker.reference.type=attestation-manifest` or its platform is `unknown/unknown`.
 *   An entry without a platform gets it from its image config.
 * - Credentials: `credentials` go only to the registry of the address (for merge: the target's
 *   registry, and sources on that same registry). Sources on another registry are read anonymously
 *   unless `credentialsFor(registry)` returns credentials for it. Credentials are never sent to a
 *   registry they were not given for.
 */
import { MultiarchInputError, MultiarchInputErrors } from "../core/errors/index.js"
import { formatPlatform, normalizePlatformParts } from "../core/platform.js"
import { formatReference, isValidTag, manifestReference, referenceName, type ImageReference } from "../core/reference.js"
import { RegistryClient } from "./client.js"
import { RegistryError } from "./errors/index.js"
import { INDEX_MEDIA_TYPES, MediaType, type Descriptor, type ManifestResponse, type OciPlatform, type RegistryClientOptions, type RegistryCredentials } from "./types.js"

export interface RegistryOptions extends Omit<RegistryClientOptions, "credentials" | "plainHttp" | "plainHttpHosts" | "credentialsHint"> {
  /** Credentials for the registry of the address (merge: of the target). */
  credentials?: RegistryCredentials
  /**
   * Credentials per registry host; wins over `credentials`. May throw (a docker config entry that
   * names a credential helper): then only when that registry is talked to.
   */
  credentialsFor?: (registry: string) => RegistryCredentials | undefined
  /** Where credentials were looked for, per registry, for the "no credentials were given" message. */
  credentialsHintFor?: (registry: string) => string | undefined
  /**
   * Plain http (no TLS), and the opt-in to send credentials over it: `true` for every registry of
   * the call, or a list of registry hosts. Default: only loopback hosts (localhost, 127.0.0.0/8, ::1).
   */
  plainHttp?: boolean | readonly string[]
}

/** Is `registry` opted into plain http by `plainHttp` (true, or a list naming it)? */
export function plainHttpFor(plainHttp: RegistryOptions["plainHttp"], registry: string): boolean | undefined {
  if (plainHttp === undefined || plainHttp === false) return undefined
  if (plainHttp === true) return true
  const r = registry.toLowerCase()
  return plainHttp.some((h) => h.trim().toLowerCase() === r) ? true : undefined
}

/** Annotations as a map or as `key=value` strings (buildx's `index:key=value` accepted). */
export type { AnnotationInput } from "../core/annotations.js"

export const ATTESTATION_TYPE_KEY = "vnd.docker.reference.type"
export const ATTESTATION_SUBJECT_KEY = "vnd.docker.reference.digest"

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

/** One client per registry, each with only the credentials meant for it. */
export class Clients {
  private readonly map = new Map<string, RegistryClient>()
  constructor(
    private readonly primary: string,
    private readonly opts: RegistryOptions,
  ) {}
  get(registry: string): RegistryClient {
    let c = this.map.get(registry)
    if (!c) {
      const { credentials, credentialsFor, credentialsHintFor, plainHttp, ...rest } = this.opts
      const creds = credentialsFor?.(registry) ?? (registry === this.primary ? credentials : undefined)
      c = new RegistryClient(registry, {
        ...rest,
        credentials: creds,
        plainHttp: plainHttpFor(plainHttp, registry),
        plainHttpHosts: Array.isArray(plainHttp) ? plainHttp : [],
        credentialsHint: credentialsHintFor?.(registry),
      })
      this.map.set(registry, c)
    }
    return c
  }
}

export async function readConfigPlatform(client: RegistryClient, ref: ImageReference, manifest: ManifestResponse, what: string): Promise<OciPlatform | undefined> {
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

export function isIndexType(mediaType: string): boolean {
  return INDEX_MEDIA_TYPES.includes(mediaType)
}

function childRef(ref: ImageReference, digest: string): ImageReference {
  return { registry: ref.registry, repository: ref.repository, digest }
}

export interface ResolvedEntry {
  kind: "image" | "attestation"
  descriptor: Descriptor
  platform: string
  /** The source the entry came from, as the user wrote it. */
  source: string
  sourceRef: ImageReference
  manifest?: ManifestResponse
}

/** Read a reference and list its entries (platform images and attestations). */
export async function resolveEntries(client: RegistryClient, ref: ImageReference, source: string): Promise<{ top: ManifestResponse; entries: ResolvedEntry[] }> {
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

export function platformKey(e: ResolvedEntry): string {
  const v = e.descriptor.platform?.["os.version"]
  return v ? `${e.platform} (os.version ${v})` : e.platform
}

/** Run `fn` over `items`, `limit` at a time; after the first failure no new item starts (the failure is thrown). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  let failed = false
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++
      try {
        out[i] = await fn(items[i])
      } catch (e) {
        failed = true
        throw e
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  return out
}

export function validateTags(tags: readonly string[] | undefined, field = "tags"): string[] {
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

export function encodeJson(v: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(v))
}
