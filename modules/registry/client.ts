/**
 * A small client for the OCI Distribution API (registry v2) on Node's global fetch: manifests
 * (GET/HEAD/PUT), blobs (GET, HEAD, cross-repository mount, monolithic upload). Auth and retries
 * are the transport's (transport/, auth.ts); errors are typed (errors/).
 *
 * No dependencies: Node 20's fetch does everything needed, and a registry client is small enough
 * that a library (and its transitive tree inside every Dagger module container) is not worth it.
 *
 * Every request, its body included, runs inside one retry policy (transport/policy.ts): a reset
 * or stall in the middle of a body is retried like one before the headers; content is checked
 * against its digest (a manifest fetched by tag against the registry's Docker-Content-Digest) and
 * read again once on a mismatch. Writes recover from a lost response: before a PUT is retried, the
 * client asks whether the registry already has the blob or manifest; an upload that failed opens
 * a new session. A streamed blob (openBlob) is checked against its digest as it flows; its last
 * bytes are held back until the digest matches, so a corrupt copy never completes an upload.
 *
 * Credentials come only from the caller (`{ username, password }` or an identity token); the
 * client never reads the environment or a docker config file itself (see docker-config.ts), never
 * logs them, and never puts them in an error message. They are sent only to the registry the
 * client was made for and to the token realm that registry names.
 */
import { createHash } from "node:crypto"
import { Readable } from "node:stream"
import { MultiarchInputError } from "../core/errors/index.js"
import { checkSecretText } from "../core/redact.js"
import { isLocalRegistry, registryApiHost } from "../core/reference.js"
import { sha256Digest, verifyDigest } from "./digest.js"
import { RegistryError, RegistryIntegrityError } from "./errors/index.js"
import { classifyError, type Exchanged } from "./transport/exchange.js"
import { RetryState } from "./transport/policy.js"
import { isStreamBody } from "./transport/body.js"
import type { RequestBody, RequestContext } from "./transport/request.js"
import { AttemptFailed, DigestMismatch, Transport, type Answer } from "./transport/transport.js"
import { MANIFEST_MEDIA_TYPES, MAX_MANIFEST_BYTES, MediaType, type ManifestHead, type ManifestResponse, type RegistryClientOptions, type RegistryCredentials } from "./types.js"

/** Options of one call that serves another request (shares its retry deadline). */
export interface CallOptions {
  /** No attempt of this call starts after this time (ms since the epoch). */
  deadline?: number
}

/** Reject credentials that cannot be sent (control characters) before any request; never echoes them. */
export function checkCredentials(c: RegistryCredentials | undefined): void {
  if (!c) return
  if (typeof c.username !== "string" || typeof c.password !== "string")
    throw new MultiarchInputError("username", String(c.username), "credentials need a username and a password (strings)", "pass both, e.g. { username: \"me\", password: process.env.TOKEN }")
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(c.username))
    throw new MultiarchInputError("username", c.username.replace(/[\u0000-\u001f\u007f]/g, "?"), "the user name contains a control character (a line break?)", "pass the user name on one line")
  checkSecretText("password", c.password)
  if (c.identityToken !== undefined) checkSecretText("identitytoken", c.identityToken)
  if (c.password === "" && !c.identityToken)
    throw new MultiarchInputError("password", "(empty)", "the password is empty", "pass the password or token (or neither, for anonymous access)")
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
  private readonly transport: Transport
  private readonly log?: (message: string) => void

  constructor(registry: string, options: RegistryClientOptions = {}) {
    checkCredentials(options.credentials)
    this.registry = registry
    this.log = options.log
    const plain = options.plainHttp ?? isLocalRegistry(registry)
    this.baseUrl = `${plain ? "http" : "https"}://${registryApiHost(registry)}`
    this.transport = new Transport(registry, this.baseUrl, {
      credentials: options.credentials,
      retry: options.retry,
      fetch: options.fetch ?? globalThis.fetch,
      userAgent: options.userAgent ?? "multiarch-registry-client/0.1",
      log: options.log,
      plainHttp: options.plainHttp === true,
      plainHttpHosts: options.plainHttpHosts ?? [],
      credentialsHint: options.credentialsHint,
    })
  }

  // ------------------------------------------------------------------ public API

  /** Check that the registry answers and that the credentials (if any) are accepted. */
  async ping(): Promise<void> {
    const ctx: RequestContext = { action: "reach", target: this.registry, scopes: [] }
    await this.transport.send({ method: "GET", url: "/v2/" }, ctx)
  }

  /**
   * Check, before anything is written, that the credentials may push to `repository`: open an
   * upload session and cancel it (what go-containerregistry's CheckPushPermission does; a token
   * service may hand out a pull-only token without complaint, only the registry knows).
   */
  async checkPush(repository: string): Promise<void> {
    const ctx = this.ctx(repository, "", "push to", true)
    ctx.target = `${this.registry}/${repository}`
    const a = await this.transport.send({ method: "POST", url: `/v2/${repository}/blobs/uploads/`, accept: [202] }, ctx)
    await this.cancelSession(a, ctx)
  }

  /** Check that the credentials may read `repository` (a repository that does not exist yet passes). */
  async checkPull(repository: string): Promise<void> {
    const ctx = this.ctx(repository, "", "read from", false)
    ctx.target = `${this.registry}/${repository}`
    await this.transport.send({ method: "GET", url: `/v2/${repository}/tags/list?n=1`, accept: [404] }, ctx)
  }

  /** GET a manifest by tag or digest. Throws RegistryNotFoundError when it does not exist. */
  async getManifest(repository: string, reference: string, o: CallOptions = {}): Promise<ManifestResponse> {
    const ctx = this.ctx(repository, reference, "read the manifest of", false, o)
    return this.transport.request(
      { method: "GET", url: `/v2/${repository}/manifests/${reference}`, headers: { Accept: MANIFEST_MEDIA_TYPES.join(", ") } },
      ctx,
      (x) => this.readManifest(x, reference, ctx),
    )
  }

  private async readManifest(x: Exchanged, reference: string, ctx: RequestContext): Promise<ManifestResponse> {
    const res = x.res
    const init = { registry: this.registry, reference: ctx.target, repository: ctx.repository, operation: ctx.action }
    const length = Number(res.headers.get("content-length") ?? "0")
    if (length > MAX_MANIFEST_BYTES) throw new RegistryError(`the manifest of ${ctx.target} is ${length} bytes, more than the ${MAX_MANIFEST_BYTES} a manifest may have`, { ...init, status: res.status })
    let bytes: Uint8Array
    try {
      bytes = await this.transport.readBody(x, MAX_MANIFEST_BYTES)
    } catch (e) {
      if (e instanceof Error && e.name === "BodyTooLarge") throw new RegistryError(`the manifest of ${ctx.target} is larger than ${MAX_MANIFEST_BYTES} bytes`, init)
      throw e
    }
    const byDigest = reference.includes(":")
    const served = res.headers.get("docker-content-digest") ?? ""
    if (byDigest && !verifyDigest(bytes, reference)) throw new DigestMismatch(reference, `the manifest of ${ctx.target}`)
    if (!byDigest && /^sha(256|384|512):[0-9a-f]+$/.test(served) && !verifyDigest(bytes, served)) throw new DigestMismatch(served, `the manifest of ${ctx.target}`)
    let json: unknown
    try {
      json = JSON.parse(new TextDecoder().decode(bytes))
    } catch {
      // cut short in transit looks the same: read it once more before blaming the registry
      throw new AttemptFailed({ kind: "digest" }, new RegistryError(`registry ${this.registry} returned a manifest for ${ctx.target} that is not JSON`, { ...init, status: res.status }))
    }
    const headerType = (res.headers.get("content-type") ?? "").split(";")[0].trim()
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const bodyType = typeof (json as any)?.mediaType === "string" ? (json as any).mediaType : ""
    const mediaType = MANIFEST_MEDIA_TYPES.includes(bodyType) ? bodyType : MANIFEST_MEDIA_TYPES.includes(headerType) ? headerType : bodyType || headerType || guessMediaType(json)
    if (!MANIFEST_MEDIA_TYPES.includes(mediaType))
      throw new RegistryError(
        `registry ${this.registry} returned ${mediaType || "an unknown manifest type"} for ${ctx.target}; only OCI and Docker schema 2 manifests and indexes are supported (schema 1 means the image is very old or the registry ignored the Accept header)`,
        init,
      )
    return { mediaType, digest: byDigest ? reference : sha256Digest(bytes), size: bytes.length, bytes, json }
  }

  /** HEAD a manifest: its digest, media type and size, or null when it does not exist. */
  async headManifest(repository: string, reference: string, o: CallOptions = {}): Promise<ManifestHead | null> {
    const ctx = this.ctx(repository, reference, "check the manifest of", false, o)
    const res = await this.transport.send({ method: "HEAD", url: `/v2/${repository}/manifests/${reference}`, headers: { Accept: MANIFEST_MEDIA_TYPES.join(", ") }, accept: [404] }, ctx)
    if (res.status === 404) return null
    const digest = res.headers.get("docker-content-digest")
    const mediaType = (res.headers.get("content-type") ?? "").split(";")[0].trim()
    const size = Number(res.headers.get("content-length") ?? "NaN")
    if (!digest || !mediaType || !Number.isFinite(size)) {
      // some registries omit headers on HEAD: fall back to GET
      const m = await this.getManifest(repository, reference, o)
      return { mediaType: m.mediaType, digest: m.digest, size: m.size }
    }
    return { mediaType, digest, size }
  }

  /**
   * PUT a manifest under a tag or its digest. Returns the digest of `bytes` (checked against the
   * registry's Docker-Content-Digest when it sends one). Retried like a GET; before a retry the
   * client checks whether the registry already has it (the answer to the first PUT was lost).
   */
  async putManifest(repository: string, reference: string, bytes: Uint8Array | string, mediaType: string): Promise<string> {
    const body = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes
    const ctx = this.ctx(repository, reference, "push the manifest", true)
    const digest = sha256Digest(body)
    const res = await this.transport.send({ method: "PUT", url: `/v2/${repository}/manifests/${reference}`, headers: { "Content-Type": mediaType }, body }, ctx, {
      recover: async (state) => {
        const h = await this.headManifest(repository, reference, { deadline: state.deadline }).catch(() => null)
        return h?.digest === digest ? ({ status: 201, headers: new Headers(), url: "" } satisfies Answer) : undefined
      },
    })
    const served = res.headers.get("docker-content-digest")
    if (served && served.startsWith("sha256:") && served !== digest)
      throw new RegistryError(`registry ${this.registry} stored the manifest for ${ctx.target} under ${served}, not under its digest ${digest}`, { registry: this.registry, reference: ctx.target, repository, operation: ctx.action })
    return digest
  }

  /** GET a blob into memory and check its digest (for image configs and small blobs); a mismatch is read again once. */
  async getBlob(repository: string, digest: string, o: CallOptions = {}): Promise<Uint8Array> {
    const ctx = this.ctx(repository, digest, "read the blob", false, o)
    return this.transport.request({ method: "GET", url: `/v2/${repository}/blobs/${digest}` }, ctx, async (x) => {
      const bytes = await this.transport.readBody(x)
      if (!verifyDigest(bytes, digest)) throw new DigestMismatch(digest, `the blob ${ctx.target}`)
      return bytes
    })
  }

  /**
   * GET a blob as a stream (for copying large layers). The caller must consume or cancel it.
   *
   * Opening is retried (until the headers). The stream checks the digest as it flows and holds
   * back its last chunk until it matches: a mismatch errors the stream with a
   * RegistryIntegrityError instead of ending it, so an upload fed by it never completes. A
   * failure while reading errors it with a RegistryNetworkError naming this registry: a copy
   * reopens the source to retry, and blames this registry if it keeps failing.
   */
  async openBlob(repository: string, digest: string, o: CallOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const ctx = this.ctx(repository, digest, "read the blob", false, o)
    const x = await this.transport.retrying(ctx, (s) => this.transport.once({ method: "GET", url: `/v2/${repository}/blobs/${digest}` }, ctx, s))
    const body = x.body
    if (!body) throw new RegistryError(`registry ${this.registry} sent no body for ${ctx.target}`, { registry: this.registry, reference: ctx.target, repository, operation: ctx.action })
    const [alg, hex] = digest.split(":")
    const hash = ["sha256", "sha384", "sha512"].includes(alg) ? createHash(alg) : undefined
    const reader = body.getReader()
    let held: Uint8Array | undefined
    const transport = this.transport
    return new ReadableStream<Uint8Array>(
      {
        async pull(c) {
          for (;;) {
            let r: ReadableStreamReadResult<Uint8Array>
            try {
              r = await reader.read()
            } catch (e) {
              throw transport.scrub(transport.streamError(classifyError(e, "body"), ctx))
            }
            if (r.done) {
              if (hash && hash.digest("hex") !== hex)
                throw new RegistryIntegrityError(`the blob ${ctx.target} read from registry ${transport.registry} does not match its digest (corrupted or cut short in transit, or a corrupt copy on the registry)`, {
                  registry: transport.registry,
                  reference: ctx.target,
                  repository,
                  operation: ctx.action,
                  digest,
                })
              if (held) c.enqueue(held)
              held = undefined
              c.close()
              return
            }
            hash?.update(r.value)
            const prev = held
            held = r.value
            if (prev) {
              c.enqueue(prev)
              return
            }
          }
        },
        async cancel(reason) {
          await reader.cancel(reason).catch(() => undefined)
          await x.close()
        },
      },
      { highWaterMark: 0 },
    )
  }

  /** Does the repository have this blob? */
  async hasBlob(repository: string, digest: string, o: CallOptions = {}): Promise<boolean> {
    const ctx = this.ctx(repository, digest, "check the blob", false, o)
    const res = await this.transport.send({ method: "HEAD", url: `/v2/${repository}/blobs/${digest}`, accept: [404] }, ctx)
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
    const res = await this.transport.send({ method: "POST", url: `/v2/${repository}/blobs/uploads/?${q}`, accept: [202] }, ctx, {
      // a lost answer to a mount: the blob may be there already
      recover: async (state) => ((await this.hasBlob(repository, digest, { deadline: state.deadline }).catch(() => false)) ? { status: 201, headers: new Headers(), url: "" } : undefined),
    })
    if (res.status === 201) return true
    await this.cancelSession(res, ctx)
    return false
  }

  /**
   * Upload a blob in one request (POST to open a session, then PUT with the digest), under the
   * retry policy as one unit: a failed PUT (its answer lost, the connection reset, a stall, a 5xx)
   * is followed by a HEAD — the registry may have stored it — and else by a new session and a new
   * PUT. `body` is the bytes, or a function that opens the source (a stream) for each attempt:
   * the source is opened only once the session is open (auth settled), and opened again to retry;
   * a source that keeps failing is blamed on the source registry.
   */
  async uploadBlob(
    repository: string,
    digest: string,
    size: number,
    body: Uint8Array | ReadableStream<Uint8Array> | ((deadline?: number) => Promise<ReadableStream<Uint8Array>>),
  ): Promise<void> {
    const ctx = this.ctx(repository, digest, "upload a blob to", true)
    // a stream given as such is owned by this call: sent once (it cannot be replayed), or cancelled
    let given = isStreamBody(body) ? body : undefined
    if (given && (given.locked || Readable.isDisturbed(given as unknown as Readable)))
      throw new RegistryError(`cannot ${ctx.action} ${ctx.target}: its data stream has already been read or cancelled (a stream body can be sent only once)`, { registry: this.registry, reference: ctx.target, repository, operation: ctx.action })
    const put: RequestBody =
      typeof body === "function"
        ? (deadline) => body(deadline)
        : given
          ? async () => {
              const s = given
              given = undefined
              if (!s)
                throw new RegistryError(`the upload of ${ctx.target} to registry ${this.registry} failed and cannot be retried: a stream body can be sent only once (pass a function that opens the source, as merge does, to allow retries)`, {
                  registry: this.registry,
                  reference: ctx.target,
                  repository,
                  operation: ctx.action,
                })
              return s
            }
          : (body as Uint8Array)
    try {
      await this.upload(repository, digest, size, put, ctx)
    } finally {
      // not sent (the session was refused): release the source and its connection
      if (given) await given.cancel().catch(() => undefined)
    }
  }

  private async upload(repository: string, digest: string, size: number, put: RequestBody, ctx: RequestContext): Promise<void> {
    await this.transport.retrying(
      ctx,
      async (state) => {
        const start = await this.transport.send({ method: "POST", url: `/v2/${repository}/blobs/uploads/`, accept: [202] }, { ...ctx, deadline: state.deadline })
        const loc = start.headers.get("location")
        if (start.status !== 202 || !loc)
          throw new RegistryError(`registry ${this.registry} did not open an upload session for ${ctx.target} (HTTP ${start.status})`, { registry: this.registry, reference: ctx.target, status: start.status, repository, operation: ctx.action })
        const url = new URL(loc, this.baseUrl + "/")
        url.searchParams.set("digest", digest)
        const x = await this.transport.once(
          { method: "PUT", url: url.toString(), headers: { "Content-Type": "application/octet-stream", "Content-Length": String(size) }, body: put },
          ctx,
          state,
        )
        await x.close()
      },
      {
        recover: async (state) => {
          if (!(await this.hasBlob(repository, digest, { deadline: state.deadline }).catch(() => false))) return undefined
          this.log?.(`registry ${this.registry}: ${ctx.target} is there already (the answer to its upload was lost)`)
          return true as unknown as void
        },
      },
    )
  }

  // ------------------------------------------------------------------ internals

  /** Cancel the upload session a 202 opened (best effort, one attempt). */
  private async cancelSession(a: Answer, ctx: RequestContext): Promise<void> {
    const loc = a.status === 202 ? a.headers.get("location") : null
    if (!loc) return
    try {
      const state = new RetryState(this.transport.policy)
      state.begin()
      const x = await this.transport.once({ method: "DELETE", url: new URL(loc, this.baseUrl + "/").toString(), accept: [400, 404, 405, 501] }, ctx, state)
      await x.close()
    } catch {
      /* best effort: an abandoned session expires on its own */
    }
  }

  // ------------------------------------------------------------------ internals

  private ctx(repository: string, reference: string, action: string, push: boolean, o: CallOptions = {}): RequestContext {
    const sep = reference.includes(":") ? "@" : ":"
    return {
      action,
      target: `${this.registry}/${repository}${reference ? sep + reference : ""}`,
      repository,
      scopes: [`repository:${repository}:${push ? "pull,push" : "pull"}`],
      push,
      ...(o.deadline !== undefined ? { deadline: o.deadline } : {}),
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
