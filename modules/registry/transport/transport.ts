/**
 * One registry's transport: every request goes through auth (answering 401 challenges, at most
 * three rounds) and retries, and a failed status becomes a typed error whose message says what
 * failed and what to check.
 */
import { Authenticator, parseWwwAuthenticate } from "../auth.js"
import { RegistryDeniedError, RegistryError, RegistryNotFoundError, type RegistryErrorInit } from "../errors/index.js"
import type { RegistryCredentials, RetryOptions } from "../types.js"
import { describeBody, isStreamBody, readErrorBody } from "./body.js"
import type { RequestContext, SendOptions } from "./request.js"
import { RetryingFetch } from "./retry.js"

export interface TransportOptions {
  credentials?: RegistryCredentials
  retry?: RetryOptions
  timeoutMs: number
  blobTimeoutMs: number
  fetch: typeof fetch
  userAgent: string
  log?: (message: string) => void
}

export class Transport {
  private readonly http: RetryingFetch
  private readonly auth: Authenticator
  private readonly credentials?: RegistryCredentials
  private readonly timeoutMs: number
  private readonly blobTimeoutMs: number

  constructor(
    private readonly registry: string,
    /** API root, e.g. "https://registry-1.docker.io". */
    private readonly baseUrl: string,
    o: TransportOptions,
  ) {
    this.http = new RetryingFetch({ registry, baseUrl, fetch: o.fetch, retry: o.retry, timeoutMs: o.timeoutMs, userAgent: o.userAgent, log: o.log })
    this.auth = new Authenticator(registry, o.credentials, this.http)
    this.credentials = o.credentials
    this.timeoutMs = o.timeoutMs
    this.blobTimeoutMs = o.blobTimeoutMs
  }

  /** Path + query under the API root (starts with /v2/), or an absolute URL (upload locations), as a URL. */
  absolute(url: string): string {
    return /^https?:\/\//.test(url) ? url : this.baseUrl + url
  }

  /**
   * Send a request with auth and retries; turn 401/403/404 and other failures into typed errors
   * unless the status is in `opts.accept`.
   */
  async send(opts: SendOptions, ctx: RequestContext): Promise<Response> {
    const url = this.absolute(opts.url)
    const sameOrigin = new URL(url).origin === new URL(this.baseUrl).origin
    let scopes = ctx.scopes
    let freshToken = false
    for (let round = 0; round < 3; round++) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) }
      const auth = sameOrigin ? await this.auth.authorization(scopes, ctx) : undefined
      if (auth) headers.Authorization = auth
      const sentBasic = !!auth?.startsWith("Basic ")
      const res = await this.http.fetch(opts.method, url, headers, opts.body, ctx, opts.blob ? this.blobTimeoutMs : this.timeoutMs)
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
          if (this.auth.scheme === "bearer" && freshToken && this.auth.scopeKey(wanted) === this.auth.scopeKey(scopes))
            throw this.auth.authError(ctx, !!this.credentials, describeBody(body))
          this.auth.scheme = "bearer"
          this.auth.bearer = { realm: bearer.params.realm, service: bearer.params.service }
          scopes = wanted
          await this.auth.token(scopes, ctx, true)
          freshToken = true
          continue
        }
        if (basic && !streamBody) {
          if (!this.credentials) throw this.auth.authError(ctx, false, describeBody(body))
          // decide on what this request sent, not on shared state (requests run concurrently)
          if (sentBasic) throw this.auth.authError(ctx, true, describeBody(body))
          this.auth.scheme = "basic"
          continue
        }
        throw this.auth.authError(ctx, !!this.credentials, describeBody(body))
      }
      if (res.ok || (opts.accept ?? []).includes(res.status)) {
        if (this.auth.scheme === undefined && sameOrigin) this.auth.scheme = "none"
        return res
      }
      throw await this.statusError(res, ctx)
    }
    throw this.auth.authError(ctx, !!this.credentials, "")
  }

  private async statusError(res: Response, ctx: RequestContext): Promise<RegistryError> {
    const body = await readErrorBody(res)
    const detail = describeBody(body)
    const init: RegistryErrorInit = { registry: this.registry, status: res.status, reference: ctx.target, code: body.code }
    const repo = ctx.repository ?? "the repository"
    switch (res.status) {
      case 401:
        return this.auth.authError(ctx, !!this.credentials, detail)
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
