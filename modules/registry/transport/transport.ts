/**
 * One registry's transport. Every request runs inside one retry policy (policy.ts) *with its
 * body*: an attempt is the exchange (exchange.ts: header and idle timeouts), the auth rounds it
 * needs (answering 401 challenges, at most three), and the reading of the response body by the
 * caller — so a reset or stall in the middle of a body is retried like one before the headers,
 * and a digest mismatch is read again once. A request that cannot succeed ends in a typed error
 * (errors/) naming the registry, what was being done and why, with the fix when there is one;
 * no raw TypeError/TimeoutError escapes, and no secret is ever in a message.
 *
 * Credentials are bound to origins (auth.ts): the registry's own, and the token realm the
 * registry names in a challenge it sent itself. A 401 from any other origin (the target of a
 * redirect) never makes the client send credentials anywhere.
 */
import { isLocalRegistry } from "../../core/reference.js"
import { Authenticator, parseWwwAuthenticate } from "../auth.js"
import {
  RegistryAuthError,
  RegistryDeniedError,
  RegistryError,
  RegistryIntegrityError,
  RegistryNetworkError,
  RegistryNotFoundError,
  type RegistryErrorInit,
} from "../errors/index.js"
import type { RegistryCredentials, RetryOptions } from "../types.js"
import { describeBody, parseErrorBody, type RegistryErrorBody } from "./body.js"
import { classifyError, exchange, readAll, type Exchanged } from "./exchange.js"
import { describeFailure, parseRetryAfter, resolveRetry, RetryState, RETRY_STATUS, type Failure, type ResolvedRetry } from "./policy.js"
import type { RequestContext, SendOptions } from "./request.js"

export interface TransportOptions {
  credentials?: RegistryCredentials
  retry?: RetryOptions
  fetch: typeof fetch
  userAgent: string
  log?: (message: string) => void
  /** The user opted into plain http for this registry. */
  plainHttp: boolean
  /** Other hosts the user opted into plain http for (their http token realms may get credentials). */
  plainHttpHosts: readonly string[]
  /** Where credentials were looked for, said when the registry wants some and none were given. */
  credentialsHint?: string
}

/** One attempt failed in a way the policy may retry; `final` is the error to throw if it does not. */
export class AttemptFailed extends Error {
  constructor(
    readonly failure: Failure,
    readonly final?: RegistryError,
  ) {
    super(describeFailure(failure))
    this.name = "AttemptFailed"
  }
}

/** Content did not match its digest (the caller's check); retried once, then a RegistryIntegrityError. */
export class DigestMismatch extends Error {
  constructor(
    readonly digest: string,
    readonly what: string,
  ) {
    super(`${what} does not match its digest ${digest}`)
    this.name = "DigestMismatch"
  }
}

/** The status and headers of a finished exchange whose body was discarded. */
export interface Answer {
  status: number
  headers: Headers
  /** The final URL (after redirects). */
  url: string
}

const ERROR_BODY_LIMIT = 64 * 1024

export class Transport {
  readonly policy: ResolvedRetry
  /** Origin of the API root, e.g. "https://ghcr.io". */
  readonly origin: string
  readonly auth: Authenticator
  private readonly registryHostname: string

  constructor(
    readonly registry: string,
    /** API root, e.g. "https://registry-1.docker.io". */
    readonly baseUrl: string,
    readonly o: TransportOptions,
  ) {
    this.policy = resolveRetry(o.retry)
    this.origin = new URL(baseUrl).origin
    this.registryHostname = new URL(baseUrl).hostname.toLowerCase()
    this.auth = new Authenticator(registry, o.credentials, this, o.credentialsHint)
    if (o.credentials && baseUrl.startsWith("http:") && !isLoopbackHostname(this.registryHostname))
      o.log?.(`registry ${registry}: sending credentials over plain http (no TLS), as opted in with plain-http`)
  }

  get credentials(): RegistryCredentials | undefined {
    return this.o.credentials
  }

  /** Path + query under the API root (starts with /v2/), or an absolute URL (upload locations), as a URL. */
  absolute(url: string): string {
    return /^https?:\/\//.test(url) ? url : this.baseUrl + url
  }

  /**
   * May credentials go over plain http to `hostname`? Only to loopback (by name: localhost,
   * 127.0.0.0/8, ::1 — never by a DNS lookup), to this registry when the user opted into plain
   * http for it, and to hosts the user listed for plain http.
   */
  httpAllowed(hostname: string): boolean {
    const h = hostname.toLowerCase().replace(/^\[|\]$/g, "")
    if (isLoopbackHostname(h)) return true
    if (this.o.plainHttp && h === this.registryHostname.replace(/^\[|\]$/g, "")) return true
    return this.o.plainHttpHosts.some((x) => hostnameOf(x) === h)
  }

  /**
   * Run `attempt` under the retry policy. Before a retry, `recover` (if given) may find the work
   * already done (a lost response to a PUT: the registry stored it) and return its result.
   */
  async retrying<T>(ctx: RequestContext, attempt: (state: RetryState) => Promise<T>, o: { recover?: (state: RetryState) => Promise<T | undefined> } = {}): Promise<T> {
    const state = new RetryState(this.policy, ctx.deadline)
    for (;;) {
      state.begin()
      try {
        if (state.attempts > 1 && o.recover) {
          const done = await o.recover(state)
          if (done !== undefined) return done
        }
        return await attempt(state)
      } catch (e) {
        let failure: Failure
        /** The registry at fault when it is not this one (the source of a streamed copy). */
        let source: string | undefined
        /** The error to throw when the policy gives up (built then, with the attempts so far). */
        let final: (why: string) => RegistryError
        if (e instanceof AttemptFailed) {
          failure = e.failure
          const given = e.final
          final = (why) => (given ? withAttempts(given, state) : this.networkError(e.failure, state, ctx, why))
        } else if (e instanceof DigestMismatch) {
          failure = { kind: "digest" }
          final = () =>
            new RegistryIntegrityError(
              `${e.what} read from registry ${this.registry} does not match its digest ${e.digest}, read twice; the registry's copy is corrupt or something in between changes the data (a proxy?). Re-push the image.`,
              { registry: this.registry, reference: ctx.target, repository: ctx.repository, operation: ctx.action, digest: e.digest },
            )
        } else if ((e instanceof RegistryNetworkError || e instanceof RegistryIntegrityError) && e.registry !== this.registry) {
          // a streamed copy's source broke mid-transfer: reopen it (the source is blamed if it keeps failing)
          failure = e instanceof RegistryNetworkError ? e.failure : { kind: "digest" }
          source = e.registry
          final = () => {
            if (state.attempts > 1) e.message += ` (the copy into registry ${this.registry} opened the source ${state.attempts} times in ${state.elapsedSeconds().toFixed(1)} s)`
            return e
          }
        } else if (e instanceof Error && (e.name === "MultiarchInputError" || e instanceof RegistryError)) {
          throw this.scrub(e)
        } else {
          failure = classifyError(e, "request")
          final = (why) => this.networkError(failure, state, ctx, why)
        }
        const d = state.decide(failure)
        if (!d.retry) throw this.scrub(final(d.why))
        this.o.log?.(
          source
            ? `registry ${source} (the source): ${describeFailure(failure)} while copying into ${ctx.target}; opening the source again in ${d.delayMs} ms`
            : `registry ${this.registry}: ${describeFailure(failure)} while trying to ${ctx.action} ${ctx.target}; retrying in ${d.delayMs} ms`,
        )
        await this.policy.sleep(d.delayMs)
      }
    }
  }

  /**
   * One authorized exchange (at most three auth rounds). Returns the exchange for a 2xx or an
   * accepted status (the caller reads or closes its body); throws AttemptFailed for a retryable
   * status or a network failure, a typed RegistryError otherwise.
   */
  async once(opts: SendOptions, ctx: RequestContext, state: RetryState): Promise<Exchanged> {
    const url = this.absolute(opts.url)
    const sameOrigin = new URL(url).origin === this.origin
    let scopes = ctx.scopes
    let freshToken = false
    for (let round = 0; round < 3; round++) {
      const headers: Record<string, string> = { "User-Agent": this.o.userAgent, ...(opts.headers ?? {}) }
      const authz = sameOrigin ? await this.auth.authorization(scopes, { ...ctx, deadline: state.deadline }) : undefined
      if (authz) headers.Authorization = authz
      const sentBasic = !!authz?.startsWith("Basic ")
      const body = typeof opts.body === "function" ? await opts.body(state.deadline) : opts.body
      if (body instanceof Uint8Array && !Object.keys(headers).some((k) => k.toLowerCase() === "content-length")) headers["Content-Length"] = String(body.length)
      let x: Exchanged
      try {
        x = await exchange({ method: opts.method, url, headers, body, headerTimeoutMs: this.policy.headerTimeoutMs, idleTimeoutMs: this.policy.idleTimeoutMs, fetch: this.o.fetch })
      } catch (e) {
        if (e instanceof RegistryError) throw e // the source of a streamed body failed: the caller decides
        throw new AttemptFailed(classifyError(e, "request"))
      }
      const res = x.res
      const accepted = (opts.accept ?? []).includes(res.status)
      if (res.status === 401 && !accepted) {
        const detail = describeBody(await this.errorBody(x))
        const answeredBy = res.redirected && res.url ? new URL(res.url).origin : new URL(url).origin
        if (!sameOrigin || answeredBy !== this.origin)
          // M1: only the registry's own challenges are answered; a redirect target asking for
          // credentials gets none (and neither does any token service it names)
          throw new RegistryAuthError(
            `registry ${this.registry} redirected the request to ${answeredBy}, which asked for authentication while trying to ${ctx.action} ${ctx.target}${detail}; credentials are only sent to the registry itself and to the token service it names, so none were sent there. The registry's storage redirect is misconfigured or the redirect was tampered with.`,
            { registry: this.registry, status: 401, reference: ctx.target, repository: ctx.repository, operation: ctx.action },
          )
        const challenges = parseWwwAuthenticate(res.headers.get("www-authenticate") ?? "")
        const bearer = challenges.find((c) => c.scheme === "bearer" && c.params.realm)
        const basic = challenges.find((c) => c.scheme === "basic")
        if (bearer) {
          const challengeScopes = (bearer.params.scope ?? "").split(" ").filter(Boolean)
          const wanted = [...new Set([...scopes, ...challengeScopes])]
          // a token fetched fresh for exactly these scopes was already refused: give up
          if (this.auth.scheme === "bearer" && freshToken && this.auth.scopeKey(wanted) === this.auth.scopeKey(scopes)) throw this.auth.authError(ctx, !!this.credentials, detail)
          this.auth.useBearer(bearer.params.realm, bearer.params.service, ctx)
          scopes = wanted
          await this.auth.token(scopes, { ...ctx, deadline: state.deadline }, true)
          freshToken = true
          continue
        }
        if (basic) {
          if (this.credentials?.identityToken && !this.auth.canBasic())
            throw new RegistryAuthError(
              `registry ${this.registry} asks for Basic authentication to ${ctx.action} ${ctx.target}${detail}, but its credentials are only an identity token (an OAuth2 refresh token, usable with a token service). Pass --username and --password instead.`,
              { registry: this.registry, status: 401, reference: ctx.target, repository: ctx.repository, operation: ctx.action },
            )
          if (!this.auth.canBasic()) throw this.auth.authError(ctx, false, detail)
          // decide on what this request sent, not on shared state (requests run concurrently)
          if (sentBasic) throw this.auth.authError(ctx, true, detail)
          this.auth.scheme = "basic"
          continue
        }
        throw this.auth.authError(ctx, !!this.credentials, detail)
      }
      if (res.ok || accepted) {
        if (this.auth.scheme === undefined && sameOrigin) this.auth.scheme = "none"
        return x
      }
      const errBody = await this.errorBody(x)
      const final = this.statusError(res.status, errBody, ctx)
      if (RETRY_STATUS.has(res.status)) throw new AttemptFailed({ kind: "status", status: res.status, retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), this.policy.now()) }, final)
      throw final
    }
    throw this.auth.authError(ctx, !!this.credentials, "")
  }

  /** A request under the retry policy; `read` consumes the body inside the attempt (its failures are retried too). */
  async request<T>(opts: SendOptions, ctx: RequestContext, read: (x: Exchanged, state: RetryState) => Promise<T>, o: { recover?: (state: RetryState) => Promise<T | undefined> } = {}): Promise<T> {
    return this.retrying(
      ctx,
      async (state) => {
        const x = await this.once(opts, ctx, state)
        try {
          return await read(x, state)
        } finally {
          await x.close()
        }
      },
      o,
    )
  }

  /** A request whose body does not matter: status, headers and final URL. */
  async send(opts: SendOptions, ctx: RequestContext, o: { recover?: (state: RetryState) => Promise<Answer | undefined> } = {}): Promise<Answer> {
    return this.request(opts, ctx, async (x) => ({ status: x.res.status, headers: x.res.headers, url: x.res.url }), o)
  }

  /** Read a response body inside an attempt: a broken or stalled body is an AttemptFailed (retried). */
  async readBody(x: Exchanged, limit = Infinity): Promise<Uint8Array> {
    try {
      return await readAll(x.body, limit)
    } catch (e) {
      if (e instanceof Error && e.name === "BodyTooLarge") throw e
      throw new AttemptFailed(classifyError(e, "body"))
    }
  }

  /**
   * A request to a token service (no registry auth; its own Basic/form credentials in `headers`
   * and `body`), retried like any other. Returns status, headers and body bytes.
   */
  async tokenRequest(method: string, url: string, headers: Record<string, string>, body: Uint8Array | undefined, ctx: RequestContext, host: string): Promise<{ status: number; bytes: Uint8Array }> {
    return this.retrying(ctx, async (state) => {
      let x: Exchanged
      try {
        x = await exchange({
          method,
          url,
          headers: { "User-Agent": this.o.userAgent, ...headers },
          body,
          headerTimeoutMs: this.policy.headerTimeoutMs,
          idleTimeoutMs: this.policy.idleTimeoutMs,
          fetch: this.o.fetch,
        })
      } catch (e) {
        const f = classifyError(e, "request")
        throw new AttemptFailed(f, this.tokenNetworkError(f, state, ctx, host))
      }
      try {
        if (RETRY_STATUS.has(x.res.status)) {
          const b = await this.errorBody(x)
          throw new AttemptFailed(
            { kind: "status", status: x.res.status, retryAfterMs: parseRetryAfter(x.res.headers.get("retry-after"), this.policy.now()) },
            new RegistryError(
              `authentication with registry ${this.registry} failed: its token service ${host} answered HTTP ${x.res.status}${describeBody(b)} while trying to ${ctx.action} ${ctx.target}. The token service is failing; retry later.`,
              { registry: this.registry, status: x.res.status, reference: ctx.target, repository: ctx.repository, operation: ctx.action },
            ),
          )
        }
        let bytes: Uint8Array
        try {
          bytes = await readAll(x.body, 1024 * 1024)
        } catch (e) {
          const f = classifyError(e, "body")
          throw new AttemptFailed(f, this.tokenNetworkError(f, state, ctx, host))
        }
        return { status: x.res.status, bytes }
      } finally {
        await x.close()
      }
    })
  }

  /** The error body of an exchange (best effort: never throws). */
  async errorBody(x: Exchanged): Promise<RegistryErrorBody> {
    try {
      return parseErrorBody(await readAll(x.body, ERROR_BODY_LIMIT))
    } catch {
      await x.close()
      return {}
    }
  }

  /** The error for a network failure (or timeout) that the policy did not retry further. */
  networkError(f: Failure, state: RetryState, ctx: RequestContext, why?: string): RegistryNetworkError {
    const cause = describeFailure(f)
    const tries = `${state.attempts} attempt${state.attempts > 1 ? "s" : ""} in ${state.elapsedSeconds().toFixed(1)} s${why === "budget" ? ", retry budget spent" : ""}`
    let fix = "Check the network and that the registry is up, then retry."
    if (f.kind === "timeout") fix = "The registry (or a proxy in between) stopped answering; retry later, or raise retry.headerTimeoutMs / retry.idleTimeoutMs for a very slow link."
    else if (f.kind === "network" && /refused/.test(f.cause)) fix = "Nothing listens there: check the registry address and port."
    else if (f.kind === "network" && /no such host/.test(f.cause)) fix = "Check the registry host name."
    if (f.kind === "network" && this.baseUrl.startsWith("https:") && /wrong version number|ssl|tls|certificate|EPROTO/i.test(`${f.cause} ${f.code ?? ""}`))
      fix = "If the registry speaks plain http (no TLS), pass --plain-http (plainHttp: true); if it uses a private CA, add the CA to the trust store."
    else if (f.kind === "network" && this.baseUrl.startsWith("https:") && /closed|reset/.test(f.cause) && state.attempts === 1)
      fix += " If the registry speaks plain http, pass --plain-http (plainHttp: true)."
    return new RegistryNetworkError(`could not ${ctx.action} ${ctx.target} on registry ${this.registry} (${this.baseUrl}): ${cause} (${tries}). ${fix}`, {
      registry: this.registry,
      reference: ctx.target,
      repository: ctx.repository,
      operation: ctx.action,
      networkCause: cause,
      attempts: state.attempts,
      failure: f,
    })
  }

  /** The error of a body that broke while the caller streamed it (a copy retries by opening it again). */
  streamError(f: Failure, ctx: RequestContext): RegistryNetworkError {
    const cause = describeFailure(f)
    return new RegistryNetworkError(`could not ${ctx.action} ${ctx.target} from registry ${this.registry} (${this.baseUrl}): ${cause}. Check the network and that the registry is up, then retry.`, {
      registry: this.registry,
      reference: ctx.target,
      repository: ctx.repository,
      operation: ctx.action,
      networkCause: cause,
      attempts: 1,
      failure: f,
    })
  }

  private tokenNetworkError(f: Failure, state: RetryState, ctx: RequestContext, host: string): RegistryNetworkError {
    const cause = describeFailure(f)
    return new RegistryNetworkError(
      `authentication with registry ${this.registry} failed: its token service ${host} could not be reached: ${cause} (${state.attempts} attempt${state.attempts > 1 ? "s" : ""} in ${state.elapsedSeconds().toFixed(1)} s) while trying to ${ctx.action} ${ctx.target}. Check the network, then retry.`,
      { registry: this.registry, reference: ctx.target, repository: ctx.repository, operation: ctx.action, networkCause: cause, attempts: state.attempts, failure: f },
    )
  }

  statusError(status: number, body: RegistryErrorBody, ctx: RequestContext): RegistryError {
    const detail = describeBody(body)
    const init: RegistryErrorInit = { registry: this.registry, status, reference: ctx.target, code: body.code, repository: ctx.repository, operation: ctx.action }
    const repo = ctx.repository ?? "the repository"
    switch (status) {
      case 401:
        return this.auth.authError(ctx, !!this.credentials, detail)
      case 403: {
        const who = this.credentials ? `user "${this.credentials.username || "(identity token)"}"` : "anonymous access"
        return new RegistryDeniedError(
          `registry ${this.registry} denied access: ${who} may not ${ctx.action} ${ctx.target}${detail}. Check that the credentials have the right to ${ctx.push ? "push to" : "pull from"} ${repo} (for ghcr.io a token needs write:packages to push, and the package must allow the repository or user).`,
          init,
        )
      }
      case 404:
        return new RegistryNotFoundError(`${ctx.target} not found on registry ${this.registry}${detail}. Check the repository name and the tag or digest, and that the image was pushed there.`, init)
      case 429:
        return new RegistryError(
          `registry ${this.registry} is rate-limiting requests (HTTP 429${detail ? `,${detail.slice(1, -1)}` : ""}) while trying to ${ctx.action} ${ctx.target}; wait and retry, or authenticate to get a higher limit.`,
          init,
        )
      default:
        return new RegistryError(
          `registry ${this.registry} answered HTTP ${status}${detail} while trying to ${ctx.action} ${ctx.target}${status >= 500 ? ". The registry is failing; retry later" : ""}`,
          init,
        )
    }
  }

  /** Remove every secret this transport knows (password, Basic header, identity token, tokens) from an error's message. */
  scrub<E extends Error>(e: E): E {
    const m = this.auth.scrub(e.message)
    if (m !== e.message) e.message = m
    return e
  }
}

/** Add "(N attempts in S s)" to a final status error after retries. */
function withAttempts(e: RegistryError, state: RetryState): RegistryError {
  if (state.attempts > 1 && !/ attempts in /.test(e.message)) e.message = e.message.replace(/(\.?)$/, ` (${state.attempts} attempts in ${state.elapsedSeconds().toFixed(1)} s)$1`)
  return e
}

export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "")
  return h === "::1" ? true : isLocalRegistry(h)
}

function hostnameOf(hostOrHostPort: string): string {
  const s = hostOrHostPort.trim().toLowerCase()
  if (s.startsWith("[")) return s.slice(1, s.indexOf("]"))
  return s.replace(/:\d+$/, "")
}
