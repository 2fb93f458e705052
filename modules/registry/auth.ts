/**
 * Registry auth: parse WWW-Authenticate challenges, answer them with Basic credentials or a Bearer
 * token from the challenge's realm (cached per scope set), and word auth failures. Credentials go
 * only to the registry this authenticator was made for and to the token realm it names; they never
 * appear in a message.
 */
import { RegistryAuthError, RegistryError } from "./errors/index.js"
import { describeBody, readErrorBody } from "./transport/body.js"
import type { RequestContext } from "./transport/request.js"
import type { RetryingFetch } from "./transport/retry.js"
import type { RegistryCredentials } from "./types.js"

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

interface CachedToken {
  token: string
  expiresAt: number
}

/** The auth state of one registry client: the scheme the registry asked for, its token realm, tokens. */
export class Authenticator {
  /** What the registry asked for so far (undefined: no request answered yet). */
  scheme: "none" | "basic" | "bearer" | undefined
  /** Realm and service of the last Bearer challenge. */
  bearer?: { realm: string; service?: string }
  private readonly tokens = new Map<string, CachedToken>()

  constructor(
    private readonly registry: string,
    readonly credentials: RegistryCredentials | undefined,
    private readonly http: RetryingFetch,
  ) {}

  basicHeader(): string | undefined {
    if (!this.credentials) return undefined
    const { username, password } = this.credentials
    return "Basic " + Buffer.from(`${username}:${password}`, "utf8").toString("base64")
  }

  async authorization(scopes: string[], ctx: RequestContext): Promise<string | undefined> {
    if (this.scheme === "basic") return this.basicHeader()
    if (this.scheme === "bearer") return `Bearer ${await this.token(scopes, ctx, false)}`
    return undefined
  }

  scopeKey(scopes: string[]): string {
    return [...new Set(scopes)].sort().join(" ")
  }

  /** Get (or reuse) a Bearer token for `scopes` from the realm of the last challenge. */
  async token(scopes: string[], ctx: RequestContext, fresh: boolean): Promise<string> {
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
    const res = await this.http.fetch("GET", realm.toString(), headers, undefined, tctx)
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

  authError(ctx: RequestContext, rejected: boolean, detail: string, status = 401): RegistryAuthError {
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
}
