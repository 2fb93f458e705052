/**
 * A small client for the OCI Distribution API (registry v2) on Node's global fetch: manifests
 * (GET/HEAD/PUT), blobs (GET, HEAD, cross-repository mount, monolithic upload), the auth dance
 * (anonymous, Basic, Bearer tokens from a WWW-Authenticate challenge), bounded retries with
 * exponential backoff on 429/5xx/network errors, and typed errors whose message says what failed
 * and what to check.
 *
 * No dependencies: Node 20's fetch does everything needed, and a registry client is small enough
 * that a library (and its transitive tree inside every Dagger module container) is not worth it.
 *
 * Credentials come only from the caller (`{ username, password }`); the client never reads the
 * environment or a docker config file, never logs them, and never puts them in an error message.
 * They are sent only to the registry the client was made for and to the token realm that
 * registry names.
 */
import { createHash } from "node:crypto"
import { Readable } from "node:stream"
import { isLocalRegistry, registryApiHost } from "../core/reference.js"

export const MediaType = {
  OciIndex: "application/vnd.oci.image.index.v1+json",
  OciManifest: "application/vnd.oci.image.manifest.v1+json",
  OciConfig: "application/vnd.oci.image.config.v1+json",
  DockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  DockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  DockerConfig: "application/vnd.docker.container.image.v1+json",
} as const

/** Manifest types we read and write; always sent as Accept (without it, distribution answers schema 1). */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.OciIndex,
  MediaType.DockerManifestList,
  MediaType.OciManifest,
  MediaType.DockerManifest,
]
export const INDEX_MEDIA_TYPES: readonly string[] = [MediaType.OciIndex, MediaType.DockerManifestList]

/** Largest manifest we read or write (distribution's own limit is 4 MiB). */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024

export interface RegistryCredentials {
  username: string
  password: string
}

export interface RetryOptions {
  /** Retries after the first attempt (default 4, so at most 5 attempts). */
  retries?: number
  /** First backoff delay in ms (default 250); doubles each retry. */
  baseDelayMs?: number
  /** Cap on one backoff delay in ms (default 8000). */
  maxDelayMs?: number
  /** A Retry-After longer than this (ms, default 30000) is not waited for: the request fails at once. */
  maxRetryAfterMs?: number
  /** Randomise each delay within [delay/2, delay] (default true). */
  jitter?: boolean
  /** Injectable sleep (tests). */
  sleep?: (ms: number) => Promise<void>
}

export interface RegistryClientOptions {
  /** Credentials for this registry (Basic, or exchanged for a Bearer token). */
  credentials?: RegistryCredentials
  /** Use http instead of https. Default: true for localhost/127.0.0.0/8/::1, false otherwise. */
  plainHttp?: boolean
  retry?: RetryOptions
  /** Timeout of one manifest/HEAD/POST request in ms (default 120000). */
  timeoutMs?: number
  /** Timeout of one blob download or upload in ms, body included (default 1800000: 30 min). */
  blobTimeoutMs?: number
  /** Injectable fetch (default: global fetch). */
  fetch?: typeof fetch
  userAgent?: string
  /** Called with one-line progress notes (retries). Never receives credentials. */
  log?: (message: string) => void
}

export interface OciPlatform {
  architecture: string
  os: string
  variant?: string
  "os.version"?: string
  "os.features"?: string[]
}

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: OciPlatform
  annotations?: Record<string, string>
  urls?: string[]
  artifactType?: string
}

export interface ManifestResponse {
  mediaType: string
  digest: string
  size: number
  /** The exact bytes served (re-PUT these to keep the digest). */
  bytes: Uint8Array
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any
}

export interface ManifestHead {
  mediaType: string
  digest: string
  size: number
}

// ---------------------------------------------------------------------------------------------
// errors

export interface RegistryErrorInit {
  registry: string
  status?: number
  /** The image or blob the request was about, e.g. "127.0.0.1:5000/app:1.0". */
  reference?: string
  /** Error code from the registry body, e.g. "MANIFEST_UNKNOWN". */
  code?: string
}

/** Any failure talking to a registry. `.message` is one readable paragraph, never a stack trace. */
export class RegistryError extends Error {
  readonly registry: string
  readonly status?: number
  readonly reference?: string
  readonly code?: string
  constructor(message: string, init: RegistryErrorInit) {
    super(message)
    this.name = "RegistryError"
    this.registry = init.registry
    this.status = init.status
    this.reference = init.reference
    this.code = init.code
  }
}
/** 401: missing or rejected credentials. */
export class RegistryAuthError extends RegistryError {
  constructor(message: string, init: RegistryErrorInit) {
    super(message, init)
    this.name = "RegistryAuthError"
  }
}
/** 403: credentials accepted but not allowed to do this. */
export class RegistryDeniedError extends RegistryError {
  constructor(message: string, init: RegistryErrorInit) {
    super(message, init)
    this.name = "RegistryDeniedError"
  }
}
/** 404: repository, manifest or blob unknown. */
export class RegistryNotFoundError extends RegistryError {
  constructor(message: string, init: RegistryErrorInit) {
    super(message, init)
    this.name = "RegistryNotFoundError"
  }
}

export function isRegistryError(e: unknown): e is RegistryError {
  return e instanceof RegistryError
}

// ---------------------------------------------------------------------------------------------
// WWW-Authenticate

export interface AuthChallenge {
  /** Lower-case scheme: "bearer", "basic", … */
  scheme: string
  /** Parameters with lower-case names: realm, service, scope, error, … */
  params: Record<string, string>
}

/**
 * Parse a WWW-Authenticate header into challenges (RFC 7235: several challenges may share one
 * header, separated by commas; parameter values may be quoted with backslash escapes).
 *
 * @example parseWwwAuthenticate('Bearer realm="https://auth.example/token",service="reg",scope="repository:a:pull"')
 *   // [{ scheme: "bearer", params: { realm: "https://auth.example/token", service: "reg", scope: "repository:a:pull" } }]
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = []
  let i = 0
  const n = header.length
  const skipWs = () => {
    while (i < n && /[\s,]/.test(header[i])) i++
  }
  const token = () => {
    const start = i
    while (i < n && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(header[i])) i++
    return header.slice(start, i)
  }
  while (i < n) {
    skipWs()
    const scheme = token()
    if (!scheme) {
      i++
      continue
    }
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} }
    out.push(challenge)
    // parameters: name=value pairs separated by commas, until the next scheme token
    for (;;) {
      const save = i
      while (i < n && /[\s,]/.test(header[i])) i++
      const name = token()
      let j = i
      while (j < n && header[j] === " ") j++
      if (!name || header[j] !== "=") {
        // token68 or next challenge
        if (name && header[j] !== "=" && Object.keys(challenge.params).length === 0 && /^[A-Za-z0-9._~+/-]+=*$/.test(name)) {
          // a bare token68 credential; not used by registries
          i = j
          continue
        }
        i = save
        break
      }
      i = j + 1
      while (i < n && header[i] === " ") i++
      let value = ""
      if (header[i] === '"') {
        i++
        while (i < n && header[i] !== '"') {
          if (header[i] === "\\" && i + 1 < n) i++
          value += header[i++]
        }
        i++ // closing quote
      } else {
        const start = i
        while (i < n && header[i] !== "," && !/\s/.test(header[i])) i++
        value = header.slice(start, i)
      }
      challenge.params[name.toLowerCase()] = value
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// helpers

export function sha256Digest(bytes: Uint8Array): string {
  return "sha256:" + createHash("sha256").update(bytes).digest("hex")
}

function verifyDigest(bytes: Uint8Array, digest: string): boolean {
  const [alg, hex] = digest.split(":")
  if (!["sha256", "sha384", "sha512"].includes(alg)) return true // unknown algorithm: cannot check
  return createHash(alg).update(bytes).digest("hex") === hex
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504])

function parseRetryAfter(v: string | null): number | undefined {
  if (!v) return undefined
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000
  const t = Date.parse(v)
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now())
}

interface RegistryErrorBody {
  code?: string
  message?: string
}

async function readErrorBody(res: Response): Promise<RegistryErrorBody> {
  try {
    const text = await res.text()
    if (!text) return {}
    try {
      const j = JSON.parse(text)
      const e = Array.isArray(j?.errors) ? j.errors[0] : j
      return {
        code: typeof e?.code === "string" ? e.code : undefined,
        message: typeof e?.message === "string" ? e.message.slice(0, 300) : typeof j?.details === "string" ? j.details.slice(0, 300) : undefined,
      }
    } catch {
      return { message: text.replace(/\s+/g, " ").trim().slice(0, 200) }
    }
  } catch {
    return {}
  }
}

function describeBody(b: RegistryErrorBody): string {
  if (b.code && b.message) return ` (${b.code}: ${b.message})`
  if (b.code) return ` (${b.code})`
  if (b.message) return ` (${b.message})`
  return ""
}

async function discard(res: Response): Promise<void> {
  try {
    await res.body?.cancel()
  } catch {
    /* ignore */
  }
}

/** What a request is about, for error messages and auth scopes. */
interface RequestContext {
  /** Verb phrase: "read the manifest of", "push the manifest", "mount a blob into". */
  action: string
  /** Human reference: "127.0.0.1:5000/app:1.0". */
  target: string
  /** Repository the request is about (for scope and messages). */
  repository?: string
  /** Token scopes needed, e.g. ["repository:app:pull"]. */
  scopes: string[]
  /** true: needs push rights (for the 401/403 hints). */
  push?: boolean
}

interface SendOptions {
  method: string
  /** Path + query under the API root (starts with /v2/) or an absolute URL (upload locations). */
  url: string
  headers?: Record<string, string>
  body?: Uint8Array | ReadableStream<Uint8Array>
  /** Status codes returned to the caller instead of turned into errors. */
  accept?: number[]
  /** Blob transfer: use the (longer) blob timeout. */
  blob?: boolean
}

interface CachedToken {
  token: string
  expiresAt: number
}

/**
 * Client for one registry host. Create one per registry; it caches the auth scheme and tokens.
 *
 * @example
 *   const c = new RegistryClient("127.0.0.1:5000")
 *   const m = await c.getManifest("app", "1.0")   // { mediaType, digest, size, bytes, json }
 */
export class RegistryClient {
  /** Registry as users spell it ("docker.io", "127.0.0.1:5000"). */
  readonly registry: string
  /** API root, e.g. "https://registry-1.docker.io". */
  readonly baseUrl: string
  private readonly credentials?: RegistryCredentials
  private readonly fetchFn: typeof fetch
  private readonly retry: Required<Omit<RetryOptions, "sleep">> & { sleep: (ms: number) => Promise<void> }
  private readonly timeoutMs: number
  private readonly blobTimeoutMs: number
  private readonly userAgent: string
  private readonly log?: (m: string) => void
  private scheme: "none" | "basic" | "bearer" | undefined
  private bearer?: { realm: string; service?: string }
  private readonly tokens = new Map<string, CachedToken>()

  constructor(registry: string, options: RegistryClientOptions = {}) {
    this.registry = registry
    const plain = options.plainHttp ?? isLocalRegistry(registry)
    this.baseUrl = `${plain ? "http" : "https"}://${registryApiHost(registry)}`
    this.credentials = options.credentials
    this.fetchFn = options.fetch ?? globalThis.fetch
    const r = options.retry ?? {}
    this.retry = {
      retries: r.retries ?? 4,
      baseDelayMs: r.baseDelayMs ?? 250,
      maxDelayMs: r.maxDelayMs ?? 8000,
      maxRetryAfterMs: r.maxRetryAfterMs ?? 30000,
      jitter: r.jitter ?? true,
      sleep: r.sleep ?? defaultSleep,
    }
    this.timeoutMs = options.timeoutMs ?? 120_000
    this.blobTimeoutMs = options.blobTimeoutMs ?? 1_800_000
    this.userAgent = options.userAgent ?? "multiarch-registry-client/0.1"
    this.log = options.log
  }

  // ------------------------------------------------------------------ public API

  /** Check that the registry answers and that the credentials (if any) are accepted. */
  async ping(): Promise<void> {
    const ctx: RequestContext = { action: "reach", target: this.registry, scopes: [] }
    const res = await this.send({ method: "GET", url: "/v2/" }, ctx)
    await discard(res)
  }

  /** GET a manifest by tag or digest. Throws RegistryNotFoundError when it does not exist. */
  async getManifest(repository: string, reference: string): Promise<ManifestResponse> {
    const ctx = this.ctx(repository, reference, "read the manifest of", false)
    const res = await this.send(
      { method: "GET", url: `/v2/${repository}/manifests/${reference}`, headers: { Accept: MANIFEST_MEDIA_TYPES.join(", ") } },
      ctx,
    )
    const length = Number(res.headers.get("content-length") ?? "0")
    if (length > MAX_MANIFEST_BYTES) {
      await discard(res)
      throw new RegistryError(`the manifest of ${ctx.target} is ${length} bytes, more than the ${MAX_MANIFEST_BYTES} a manifest may have`, { registry: this.registry, reference: ctx.target, status: res.status })
    }
    const bytes = new Uint8Array(await res.arrayBuffer())
    if (bytes.length > MAX_MANIFEST_BYTES)
      throw new RegistryError(`the manifest of ${ctx.target} is larger than ${MAX_MANIFEST_BYTES} bytes`, { registry: this.registry, reference: ctx.target })
    let json: unknown
    try {
      json = JSON.parse(new TextDecoder().decode(bytes))
    } catch {
      throw new RegistryError(`registry ${this.registry} returned a manifest for ${ctx.target} that is not JSON`, { registry: this.registry, reference: ctx.target, status: res.status })
    }
    const headerType = (res.headers.get("content-type") ?? "").split(";")[0].trim()
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const bodyType = typeof (json as any)?.mediaType === "string" ? (json as any).mediaType : ""
    const mediaType = MANIFEST_MEDIA_TYPES.includes(bodyType) ? bodyType : MANIFEST_MEDIA_TYPES.includes(headerType) ? headerType : bodyType || headerType || guessMediaType(json)
    if (!MANIFEST_MEDIA_TYPES.includes(mediaType))
      throw new RegistryError(
        `registry ${this.registry} returned ${mediaType || "an unknown manifest type"} for ${ctx.target}; only OCI and Docker schema 2 manifests and indexes are supported (schema 1 means the image is very old or the registry ignored the Accept header)`,
        { registry: this.registry, reference: ctx.target },
      )
    const digest = sha256Digest(bytes)
    if (reference.includes(":") && !verifyDigest(bytes, reference))
      throw new RegistryError(`registry ${this.registry} returned a manifest for ${ctx.target} whose content does not match the digest`, { registry: this.registry, reference: ctx.target })
    return { mediaType, digest: reference.includes(":") ? reference : digest, size: bytes.length, bytes, json }
  }

  /** HEAD a manifest: its digest, media type and size, or null when it does not exist. */
  async headManifest(repository: string, reference: string): Promise<ManifestHead | null> {
    const ctx = this.ctx(repository, reference, "check the manifest of", false)
    const res = await this.send(
      { method: "HEAD", url: `/v2/${repository}/manifests/${reference}`, headers: { Accept: MANIFEST_MEDIA_TYPES.join(", ") }, accept: [404] },
      ctx,
    )
    await discard(res)
    if (res.status === 404) return null
    const digest = res.headers.get("docker-content-digest")
    const mediaType = (res.headers.get("content-type") ?? "").split(";")[0].trim()
    const size = Number(res.headers.get("content-length") ?? "NaN")
    if (!digest || !mediaType || !Number.isFinite(size)) {
      // some registries omit headers on HEAD: fall back to GET
      const m = await this.getManifest(repository, reference)
      return { mediaType: m.mediaType, digest: m.digest, size: m.size }
    }
    return { mediaType, digest, size }
  }

  /**
   * PUT a manifest under a tag or its digest. Returns the digest of `bytes` (checked against the
   * registry's Docker-Content-Digest when it sends one).
   */
  async putManifest(repository: string, reference: string, bytes: Uint8Array | string, mediaType: string): Promise<string> {
    const body = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes
    const ctx = this.ctx(repository, reference, "push the manifest", true)
    ctx.target = `${this.registry}/${repository}${reference.includes(":") ? "@" : ":"}${reference}`
    const res = await this.send(
      { method: "PUT", url: `/v2/${repository}/manifests/${reference}`, headers: { "Content-Type": mediaType }, body },
      ctx,
    )
    await discard(res)
    const digest = sha256Digest(body)
    const served = res.headers.get("docker-content-digest")
    if (served && served.startsWith("sha256:") && served !== digest)
      throw new RegistryError(`registry ${this.registry} stored the manifest for ${ctx.target} under ${served}, not under its digest ${digest}`, { registry: this.registry, reference: ctx.target })
    return digest
  }

  /** GET a blob into memory and check its digest (for image configs and small blobs). */
  async getBlob(repository: string, digest: string): Promise<Uint8Array> {
    const ctx = this.ctx(repository, digest, "read the blob", false)
    const res = await this.send({ method: "GET", url: `/v2/${repository}/blobs/${digest}`, blob: true }, ctx)
    const bytes = new Uint8Array(await res.arrayBuffer())
    if (!verifyDigest(bytes, digest))
      throw new RegistryError(`the blob ${ctx.target} read from registry ${this.registry} does not match its digest`, { registry: this.registry, reference: ctx.target })
    return bytes
  }

  /**
   * GET a blob as a stream (for copying large layers). The caller must consume or cancel it.
   * The stream stays valid however long the caller holds it before reading (see `holdBody`).
   */
  async openBlob(repository: string, digest: string): Promise<ReadableStream<Uint8Array>> {
    const ctx = this.ctx(repository, digest, "read the blob", false)
    const res = await this.send({ method: "GET", url: `/v2/${repository}/blobs/${digest}`, blob: true }, ctx)
    if (!res.body) throw new RegistryError(`registry ${this.registry} sent no body for ${ctx.target}`, { registry: this.registry, reference: ctx.target })
    return holdBody(res)
  }

  /** Does the repository have this blob? */
  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const ctx = this.ctx(repository, digest, "check the blob", false)
    const res = await this.send({ method: "HEAD", url: `/v2/${repository}/blobs/${digest}`, accept: [404] }, ctx)
    await discard(res)
    return res.status !== 404
  }

  /**
   * Cross-repository mount: make `digest` from `fromRepository` (same registry) available in
   * `repository` without transferring it. Returns true when mounted; false when the registry
   * refused (it then opened an upload session, which this cancels) — fall back to an upload.
   */
  async mountBlob(repository: string, digest: string, fromRepository: string): Promise<boolean> {
    const ctx = this.ctx(repository, digest, "mount a blob into", true)
    ctx.scopes = [`repository:${repository}:pull,push`, `repository:${fromRepository}:pull`]
    const q = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepository)}`
    const res = await this.send({ method: "POST", url: `/v2/${repository}/blobs/uploads/?${q}`, accept: [202] }, ctx)
    await discard(res)
    if (res.status === 201) return true
    // 202: mount refused, an upload session was opened; cancel it (best effort)
    const loc = res.headers.get("location")
    if (loc) {
      try {
        const del = await this.send({ method: "DELETE", url: loc, accept: [400, 404, 405, 501] }, ctx)
        await discard(del)
      } catch {
        /* best effort */
      }
    }
    return false
  }

  /**
   * Upload a blob in one request (POST to open a session, then PUT with the digest). A Uint8Array
   * body is retried on 429/5xx; a stream body cannot be replayed and is sent once.
   *
   * A stream body is owned by this call: it is sent on the PUT, or cancelled when the upload fails
   * before (or while) sending it. It is only sent once the POST has opened the session, so the
   * auth scheme (and token) are settled and the PUT does not meet a 401 it could not replay.
   * Pass `() => source.openBlob(…)` to open the source only then: no source connection waits on
   * the target's auth round trips, and none is opened when the session is refused.
   */
  async uploadBlob(
    repository: string,
    digest: string,
    size: number,
    body: Uint8Array | ReadableStream<Uint8Array> | (() => Promise<ReadableStream<Uint8Array>>),
  ): Promise<void> {
    const ctx = this.ctx(repository, digest, "upload a blob to", true)
    let stream = isStreamBody(body) ? body : undefined
    try {
      const start = await this.send({ method: "POST", url: `/v2/${repository}/blobs/uploads/`, accept: [202] }, ctx)
      await discard(start)
      const loc = start.headers.get("location")
      if (start.status !== 202 || !loc)
        throw new RegistryError(`registry ${this.registry} did not open an upload session for ${ctx.target} (HTTP ${start.status})`, { registry: this.registry, reference: ctx.target, status: start.status })
      const url = new URL(loc, this.baseUrl + "/")
      url.searchParams.set("digest", digest)
      if (typeof body === "function") stream = await body()
      const res = await this.send(
        {
          method: "PUT",
          url: url.toString(),
          headers: { "Content-Type": "application/octet-stream", "Content-Length": String(size) },
          body: stream ?? (body as Uint8Array),
          blob: true,
        },
        ctx,
      )
      stream = undefined // sent and consumed
      await discard(res)
    } finally {
      // not sent (or the PUT failed): release the source stream and its connection
      if (stream) await stream.cancel().catch(() => undefined)
    }
  }

  // ------------------------------------------------------------------ internals

  private ctx(repository: string, reference: string, action: string, push: boolean): RequestContext {
    const sep = reference.includes(":") ? "@" : ":"
    return {
      action,
      target: `${this.registry}/${repository}${sep}${reference}`,
      repository,
      scopes: [`repository:${repository}:${push ? "pull,push" : "pull"}`],
      push,
    }
  }

  private absolute(url: string): string {
    return /^https?:\/\//.test(url) ? url : this.baseUrl + url
  }

  /** fetch with retries on 429/5xx and network errors. Returns the last response. */
  private async fetchWithRetry(method: string, url: string, headers: Record<string, string>, body: SendOptions["body"], ctx: RequestContext, timeoutMs = this.timeoutMs): Promise<Response> {
    const streamed = isStreamBody(body)
    if (streamed && (body.locked || Readable.isDisturbed(body as unknown as Readable)))
      // fetch would refuse it with "Response body object should not be disturbed or locked"
      throw new RegistryError(
        `cannot ${ctx.action} ${ctx.target}: its data stream has already been read or cancelled (a stream body can be sent only once)`,
        { registry: this.registry, reference: ctx.target },
      )
    const replayable = !streamed
    const attempts = replayable ? this.retry.retries + 1 : 1
    let lastError: unknown
    for (let attempt = 0; attempt < attempts; attempt++) {
      let res: Response
      try {
        const init: RequestInit & { duplex?: string } = {
          method,
          headers: { "User-Agent": this.userAgent, ...headers },
          body: body as BodyInit | undefined,
          redirect: "follow",
          signal: AbortSignal.timeout(timeoutMs),
        }
        if (streamed) init.duplex = "half"
        res = await this.fetchFn(url, init)
      } catch (e) {
        lastError = e
        if (attempt + 1 < attempts) {
          const delay = this.backoff(attempt)
          this.log?.(`registry ${this.registry}: ${method} failed (${errorText(e)}), retrying in ${delay} ms`)
          await this.retry.sleep(delay)
          continue
        }
        break
      }
      if (!RETRY_STATUS.has(res.status) || attempt + 1 >= attempts) return res
      const retryAfter = parseRetryAfter(res.headers.get("retry-after"))
      if (retryAfter !== undefined && retryAfter > this.retry.maxRetryAfterMs) return res
      const delay = Math.min(this.retry.maxRetryAfterMs, Math.max(retryAfter ?? 0, this.backoff(attempt)))
      await discard(res)
      this.log?.(`registry ${this.registry}: HTTP ${res.status} for ${method} ${ctx.target}, retrying in ${delay} ms`)
      await this.retry.sleep(delay)
    }
    const hint = this.baseUrl.startsWith("https:") ? "; if the registry speaks plain http, set plainHttp" : ""
    throw new RegistryError(
      `could not reach registry ${this.registry} (${this.baseUrl}) to ${ctx.action} ${ctx.target}: ${errorText(lastError)}. Check the address and the network${hint}.`,
      { registry: this.registry, reference: ctx.target },
    )
  }

  private backoff(attempt: number): number {
    const d = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt)
    return Math.round(this.retry.jitter ? d / 2 + Math.random() * (d / 2) : d)
  }

  private basicHeader(): string | undefined {
    if (!this.credentials) return undefined
    const { username, password } = this.credentials
    return "Basic " + Buffer.from(`${username}:${password}`, "utf8").toString("base64")
  }

  private async authorization(scopes: string[], ctx: RequestContext): Promise<string | undefined> {
    if (this.scheme === "basic") return this.basicHeader()
    if (this.scheme === "bearer") return `Bearer ${await this.token(scopes, ctx, false)}`
    return undefined
  }

  private scopeKey(scopes: string[]): string {
    return [...new Set(scopes)].sort().join(" ")
  }

  /** Get (or reuse) a Bearer token for `scopes` from the realm of the last challenge. */
  private async token(scopes: string[], ctx: RequestContext, fresh: boolean): Promise<string> {
    const key = this.scopeKey(scopes)
    const cached = this.tokens.get(key)
    if (!fresh && cached && cached.expiresAt > Date.now()) return cached.token
    const bearer = this.bearer!
    let realm: URL
    try {
      realm = new URL(bearer.realm)
    } catch {
      throw new RegistryAuthError(`registry ${this.registry} sent an authentication challenge with an invalid token realm "${bearer.realm}"`, { registry: this.registry, reference: ctx.target })
    }
    if (bearer.service) realm.searchParams.set("service", bearer.service)
    for (const s of new Set(scopes)) if (s) realm.searchParams.append("scope", s)
    if (this.credentials) realm.searchParams.set("account", this.credentials.username)
    const headers: Record<string, string> = { Accept: "application/json" }
    const basic = this.basicHeader()
    if (basic) headers.Authorization = basic
    const tctx: RequestContext = { ...ctx, action: `get a token (from ${realm.host}) to ${ctx.action}` }
    const res = await this.fetchWithRetry("GET", realm.toString(), headers, undefined, tctx)
    if (res.status === 401 || res.status === 403) {
      const body = await readErrorBody(res)
      throw this.authError(ctx, true, describeBody(body), res.status)
    }
    if (!res.ok) {
      const body = await readErrorBody(res)
      throw new RegistryError(
        `authentication with registry ${this.registry} failed: its token service ${realm.host} answered HTTP ${res.status}${describeBody(body)} while trying to ${ctx.action} ${ctx.target}`,
        { registry: this.registry, status: res.status, reference: ctx.target },
      )
    }
    let j: { token?: string; access_token?: string; expires_in?: number }
    try {
      j = await res.json()
    } catch {
      throw new RegistryAuthError(`authentication with registry ${this.registry} failed: its token service ${realm.host} did not answer JSON`, { registry: this.registry, reference: ctx.target })
    }
    const token = j.token ?? j.access_token
    if (!token) throw new RegistryAuthError(`authentication with registry ${this.registry} failed: its token service ${realm.host} returned no token`, { registry: this.registry, reference: ctx.target })
    const ttl = Math.max(30, Number(j.expires_in) || 60)
    this.tokens.set(key, { token, expiresAt: Date.now() + (ttl - 10) * 1000 })
    return token
  }

  private authError(ctx: RequestContext, rejected: boolean, detail: string, status = 401): RegistryAuthError {
    const what = `${ctx.action} ${ctx.target}`.trim()
    const right = ctx.push ? "push to" : "pull from"
    const repo = ctx.repository ?? "the repository"
    const message = this.credentials
      ? rejected
        ? `authentication failed at registry ${this.registry}: the credentials for user "${this.credentials.username}" were rejected while trying to ${what}${detail}. Check the username and password (or token), and that the token has the scope to ${right} ${repo}.`
        : `authentication failed at registry ${this.registry}: the credentials for user "${this.credentials.username}" do not grant access to ${what}${detail}. Check the username and password (or token), and that the token has the scope to ${right} ${repo}.`
      : `authentication required by registry ${this.registry} to ${what}${detail}: no credentials were given. Pass a username and password (or token); if the image is public, check the repository name (registries answer 401 for repositories that do not exist).`
    return new RegistryAuthError(message, { registry: this.registry, status, reference: ctx.target })
  }

  /**
   * Send a request with auth and retries; turn 401/403/404 and other failures into typed errors
   * unless the status is in `opts.accept`.
   */
  private async send(opts: SendOptions, ctx: RequestContext): Promise<Response> {
    const url = this.absolute(opts.url)
    const sameOrigin = new URL(url).origin === new URL(this.baseUrl).origin
    let scopes = ctx.scopes
    let freshToken = false
    for (let round = 0; round < 3; round++) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) }
      const auth = sameOrigin ? await this.authorization(scopes, ctx) : undefined
      if (auth) headers.Authorization = auth
      const sentBasic = !!auth?.startsWith("Basic ")
      const res = await this.fetchWithRetry(opts.method, url, headers, opts.body, ctx, opts.blob ? this.blobTimeoutMs : this.timeoutMs)
      if (res.status === 401 && sameOrigin && !(opts.accept ?? []).includes(401)) {
        const header = res.headers.get("www-authenticate") ?? ""
        const body = await readErrorBody(res)
        const challenges = parseWwwAuthenticate(header)
        const bearer = challenges.find((c) => c.scheme === "bearer" && c.params.realm)
        const basic = challenges.find((c) => c.scheme === "basic")
        const streamBody = isStreamBody(opts.body)
        if (bearer && !streamBody) {
          const challengeScopes = (bearer.params.scope ?? "").split(" ").filter(Boolean)
          const wanted = [...new Set([...scopes, ...challengeScopes])]
          // a token fetched fresh for exactly these scopes was already refused: give up
          if (this.scheme === "bearer" && freshToken && this.scopeKey(wanted) === this.scopeKey(scopes))
            throw this.authError(ctx, !!this.credentials, describeBody(body))
          this.scheme = "bearer"
          this.bearer = { realm: bearer.params.realm, service: bearer.params.service }
          scopes = wanted
          await this.token(scopes, ctx, true)
          freshToken = true
          continue
        }
        if (basic && !streamBody) {
          if (!this.credentials) throw this.authError(ctx, false, describeBody(body))
          // decide on what this request sent, not on shared state (requests run concurrently)
          if (sentBasic) throw this.authError(ctx, true, describeBody(body))
          this.scheme = "basic"
          continue
        }
        throw this.authError(ctx, !!this.credentials, describeBody(body))
      }
      if (res.ok || (opts.accept ?? []).includes(res.status)) {
        if (this.scheme === undefined && sameOrigin) this.scheme = "none"
        return res
      }
      throw await this.statusError(res, ctx)
    }
    throw this.authError(ctx, !!this.credentials, "")
  }

  private async statusError(res: Response, ctx: RequestContext): Promise<RegistryError> {
    const body = await readErrorBody(res)
    const detail = describeBody(body)
    const init: RegistryErrorInit = { registry: this.registry, status: res.status, reference: ctx.target, code: body.code }
    const repo = ctx.repository ?? "the repository"
    switch (res.status) {
      case 401:
        return this.authError(ctx, !!this.credentials, detail)
      case 403: {
        const who = this.credentials ? `user "${this.credentials.username}"` : "anonymous access"
        return new RegistryDeniedError(
          `registry ${this.registry} denied access: ${who} may not ${ctx.action} ${ctx.target}${detail}. Check that the credentials have the right to ${ctx.push ? "push to" : "pull from"} ${repo} (for ghcr.io a token needs write:packages to push, and the package must allow the repository or user).`,
          init,
        )
      }
      case 404:
        return new RegistryNotFoundError(
          `${ctx.target} not found on registry ${this.registry}${detail}. Check the repository name and the tag or digest, and that the image was pushed there.`,
          init,
        )
      case 429:
        return new RegistryError(
          `registry ${this.registry} is rate-limiting requests (HTTP 429${detail ? `,${detail.slice(1, -1)}` : ""}) while trying to ${ctx.action} ${ctx.target}; wait and retry, or authenticate to get a higher limit.`,
          init,
        )
      default:
        return new RegistryError(`registry ${this.registry} answered HTTP ${res.status}${detail} while trying to ${ctx.action} ${ctx.target}`, init)
    }
  }
}

/**
 * The body of a fetch Response as a stream that stays readable for as long as the caller holds it.
 *
 * undici (Node's fetch) registers each Response with a FinalizationRegistry and cancels its body
 * when the Response is garbage-collected while the body is neither locked nor read ("Response
 * object has been garbage collected"). Returning `res.body` alone lets that happen: a blob copy
 * holds the source stream while it opens the target's upload session, a GC in that window cancels
 * it, and the PUT fails with "Response body object should not be disturbed or locked" — only
 * under load, when GCs land there. Here the body is locked at once (the finalizer leaves locked
 * bodies alone) and the Response is kept reachable until the body is done or cancelled.
 */
function holdBody(res: Response): ReadableStream<Uint8Array> {
  const held: { response?: Response } = { response: res }
  const reader = res.body!.getReader()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>
        try {
          chunk = await reader.read()
        } catch (e) {
          held.response = undefined
          throw e
        }
        if (chunk.done) {
          held.response = undefined
          controller.close()
        } else controller.enqueue(chunk.value)
      },
      async cancel(reason) {
        held.response = undefined
        await reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

/** A stream body (cannot be replayed)? Checked by shape: stream classes differ between realms. */
function isStreamBody(body: unknown): body is ReadableStream<Uint8Array> {
  return body !== undefined && body !== null && !ArrayBuffer.isView(body) && typeof (body as ReadableStream).getReader === "function"
}

function guessMediaType(json: unknown): string {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const j = json as any
  if (j?.schemaVersion === 1) return "application/vnd.docker.distribution.manifest.v1+json"
  if (Array.isArray(j?.manifests)) return MediaType.OciIndex
  if (j?.config && Array.isArray(j?.layers)) return MediaType.OciManifest
  return ""
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: unknown }).cause
    const c = cause instanceof Error ? cause.message : typeof cause === "string" ? cause : ""
    if (e.name === "TimeoutError") return "the request timed out"
    return c && c !== e.message ? `${e.message}: ${c}` : e.message
  }
  return String(e)
}
