/**
 * A small client for the OCI Distribution API (registry v2) on Node's global fetch: manifests
 * (GET/HEAD/PUT), blobs (GET, HEAD, cross-repository mount, monolithic upload). Auth and retries
 * are the transport's (transport/, auth.ts); errors are typed (errors/).
 *
 * No dependencies: Node 20's fetch does everything needed, and a registry client is small enough
 * that a library (and its transitive tree inside every Dagger module container) is not worth it.
 *
 * Credentials come only from the caller (`{ username, password }`); the client never reads the
 * environment or a docker config file, never logs them, and never puts them in an error message.
 * They are sent only to the registry the client was made for and to the token realm that
 * registry names.
 */
import { isLocalRegistry, registryApiHost } from "../core/reference.js"
import { sha256Digest, verifyDigest } from "./digest.js"
import { RegistryError } from "./errors/index.js"
import { discard, holdBody, isStreamBody } from "./transport/body.js"
import type { RequestContext } from "./transport/request.js"
import { Transport } from "./transport/transport.js"
import { MANIFEST_MEDIA_TYPES, MAX_MANIFEST_BYTES, MediaType, type ManifestHead, type ManifestResponse, type RegistryClientOptions } from "./types.js"

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
  private readonly transport: Transport

  constructor(registry: string, options: RegistryClientOptions = {}) {
    this.registry = registry
    const plain = options.plainHttp ?? isLocalRegistry(registry)
    this.baseUrl = `${plain ? "http" : "https"}://${registryApiHost(registry)}`
    this.transport = new Transport(registry, this.baseUrl, {
      credentials: options.credentials,
      retry: options.retry,
      timeoutMs: options.timeoutMs ?? 120_000,
      blobTimeoutMs: options.blobTimeoutMs ?? 1_800_000,
      fetch: options.fetch ?? globalThis.fetch,
      userAgent: options.userAgent ?? "multiarch-registry-client/0.1",
      log: options.log,
    })
  }

  // ------------------------------------------------------------------ public API

  /** Check that the registry answers and that the credentials (if any) are accepted. */
  async ping(): Promise<void> {
    const ctx: RequestContext = { action: "reach", target: this.registry, scopes: [] }
    const res = await this.transport.send({ method: "GET", url: "/v2/" }, ctx)
    await discard(res)
  }

  /** GET a manifest by tag or digest. Throws RegistryNotFoundError when it does not exist. */
  async getManifest(repository: string, reference: string): Promise<ManifestResponse> {
    const ctx = this.ctx(repository, reference, "read the manifest of", false)
    const res = await this.transport.send(
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
    const res = await this.transport.send(
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
    const res = await this.transport.send(
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
    const res = await this.transport.send({ method: "GET", url: `/v2/${repository}/blobs/${digest}`, blob: true }, ctx)
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
    const res = await this.transport.send({ method: "GET", url: `/v2/${repository}/blobs/${digest}`, blob: true }, ctx)
    if (!res.body) throw new RegistryError(`registry ${this.registry} sent no body for ${ctx.target}`, { registry: this.registry, reference: ctx.target })
    return holdBody(res)
  }

  /** Does the repository have this blob? */
  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const ctx = this.ctx(repository, digest, "check the blob", false)
    const res = await this.transport.send({ method: "HEAD", url: `/v2/${repository}/blobs/${digest}`, accept: [404] }, ctx)
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
    const res = await this.transport.send({ method: "POST", url: `/v2/${repository}/blobs/uploads/?${q}`, accept: [202] }, ctx)
    await discard(res)
    if (res.status === 201) return true
    // 202: mount refused, an upload session was opened; cancel it (best effort)
    const loc = res.headers.get("location")
    if (loc) {
      try {
        const del = await this.transport.send({ method: "DELETE", url: loc, accept: [400, 404, 405, 501] }, ctx)
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
      const start = await this.transport.send({ method: "POST", url: `/v2/${repository}/blobs/uploads/`, accept: [202] }, ctx)
      await discard(start)
      const loc = start.headers.get("location")
      if (start.status !== 202 || !loc)
        throw new RegistryError(`registry ${this.registry} did not open an upload session for ${ctx.target} (HTTP ${start.status})`, { registry: this.registry, reference: ctx.target, status: start.status })
      const url = new URL(loc, this.baseUrl + "/")
      url.searchParams.set("digest", digest)
      if (typeof body === "function") stream = await body()
      const res = await this.transport.send(
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

}

function guessMediaType(json: unknown): string {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const j = json as any
  if (j?.schemaVersion === 1) return "application/vnd.docker.distribution.manifest.v1+json"
  if (Array.isArray(j?.manifests)) return MediaType.OciIndex
  if (j?.config && Array.isArray(j?.layers)) return MediaType.OciManifest
  return ""
}
