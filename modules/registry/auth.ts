/**
 * Registry auth: parse WWW-Authenticate challenges, answer them with Basic credentials or a Bearer
 * token from the challenge's realm (cached per scope set), and word auth failures.
 *
 * Credentials are bound to origins: they go to the registry this authenticator was made for, and
 * to the token realm named in a challenge *the registry itself* sent (the transport never hands
 * over a challenge from another origin, e.g. a redirect target). A realm over plain http gets
 * credentials only on a loopback host or a host the user opted into plain http for; a realm with
 * userinfo is refused. Tokens with control characters are refused. No secret is ever in a message
 * (`scrub`).
 */
import { redactUserinfo } from "../core/userinfo.js"
import { RegistryAuthError, RegistryError } from "./errors/index.js"
import { describeBody, parseErrorBody } from "./transport/body.js"
import type { RequestContext } from "./transport/request.js"
import type { Transport } from "./transport/transport.js"
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

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

/** The auth state of one registry client: the scheme the registry asked for, its token realm, tokens. */
export class Authenticator {
  /** What the registry asked for so far (undefined: no request answered yet). */
  scheme: "none" | "basic" | "bearer" | undefined
  /** Realm and service of the last Bearer challenge (from the registry itself). */
  bearer?: { realm: URL; service?: string }
  private readonly tokens = new Map<string, CachedToken>()
  /** Every token ever received (to scrub from messages even after they expire). */
  private readonly seen = new Set<string>()

  constructor(
    private readonly registry: string,
    readonly credentials: RegistryCredentials | undefined,
    private readonly transport: Transport,
    private readonly credentialsHint?: string,
  ) {}

  /** Can a Basic challenge be answered (a username and a password, not only an identity token)? */
  canBasic(): boolean {
    return !!this.credentials && this.credentials.password !== ""
  }

  basicHeader(): string | undefined {
    if (!this.canBasic()) return undefined
    const { username, password } = this.credentials!
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

  /**
   * Take the realm of a Bearer challenge the registry sent. Refuses a realm that is not an
   * http(s) URL or carries userinfo, and — when there are credentials to send — an http realm on
   * a host that is neither loopback nor opted into plain http.
   */
  useBearer(realm: string, service: string | undefined, ctx: RequestContext): void {
    let url: URL
    try {
      url = new URL(realm)
    } catch {
      throw new RegistryAuthError(`registry ${this.registry} sent an authentication challenge with an invalid token realm "${redactUserinfo(realm).slice(0, 200)}"`, { registry: this.registry, reference: ctx.target, repository: ctx.repository, operation: ctx.action })
    }
    const shown = `${url.protocol}//${url.host}${url.pathname}`
    if (url.protocol !== "https:" && url.protocol !== "http:")
      throw new RegistryAuthError(`registry ${this.registry} names a token realm that is not http(s): ${shown}`, { registry: this.registry, reference: ctx.target, repository: ctx.repository, operation: ctx.action })
    if (url.username || url.password)
      throw new RegistryAuthError(`registry ${this.registry} names a token realm with credentials in its URL (${url.protocol}//***@${url.host}${url.pathname}); refusing to use it`, { registry: this.registry, reference: ctx.target, repository: ctx.repository, operation: ctx.action })
    if (url.protocol === "http:" && this.credentials && !this.transport.httpAllowed(url.hostname))
      throw new RegistryAuthError(
        `registry ${this.registry} names a token service over plain http on ${url.host} (${shown}); the credentials are not sent there: over http anyone on the way can read them. Use an https token realm, or — only on a network you trust — opt in to plain http for ${url.hostname} (--plain-http covers a token service on the registry's own host; the library's plainHttp: ["${this.registry}", "${url.hostname}"] any other).`,
        { registry: this.registry, reference: ctx.target, repository: ctx.repository, operation: ctx.action },
      )
    this.scheme = "bearer"
    this.bearer = { realm: url, service }
  }

  /** Get (or reuse) a Bearer token for `scopes` from the realm of the last challenge. */
  async token(scopes: string[], ctx: RequestContext, fresh: boolean): Promise<string> {
    const key = this.scopeKey(scopes)
    const cached = this.tokens.get(key)
    if (!fresh && cached && cached.expiresAt > Date.now()) return cached.token
    const realm = new URL(this.bearer!.realm)
    const service = this.bearer!.service
    const tctx: RequestContext = { ...ctx, action: `get a token (from ${realm.host}) to ${ctx.action}` }
    const headers: Record<string, string> = { Accept: "application/json" }
    let method = "GET"
    let body: Uint8Array | undefined
    const c = this.credentials
    if (c?.identityToken) {
      // OAuth2 refresh-token grant (docker config.json's identitytoken), as docker and containerd do
      const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: c.identityToken, client_id: "multiarch" })
      if (service) form.set("service", service)
      const sc = [...new Set(scopes)].filter(Boolean).join(" ")
      if (sc) form.set("scope", sc)
      method = "POST"
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      body = new TextEncoder().encode(form.toString())
    } else {
      if (service) realm.searchParams.set("service", service)
      for (const s of new Set(scopes)) if (s) realm.searchParams.append("scope", s)
      if (c) realm.searchParams.set("account", c.username)
      const basic = this.basicHeader()
      if (basic) headers.Authorization = basic
    }
    const res = await this.transport.tokenRequest(method, realm.toString(), headers, body, tctx, realm.host)
    if (res.status === 401 || res.status === 403) throw this.authError(ctx, true, describeBody(parseErrorBody(res.bytes)), res.status)
    if (res.status < 200 || res.status > 299)
      throw new RegistryError(
        `authentication with registry ${this.registry} failed: its token service ${realm.host} answered HTTP ${res.status}${describeBody(parseErrorBody(res.bytes))} while trying to ${ctx.action} ${ctx.target}`,
        { registry: this.registry, status: res.status, reference: ctx.target, repository: ctx.repository, operation: ctx.action },
      )
    let j: { token?: unknown; access_token?: unknown; expires_in?: unknown }
    try {
      j = JSON.parse(new TextDecoder().decode(res.bytes))
    } catch {
      throw new RegistryAuthError(`authentication with registry ${this.registry} failed: its token service ${realm.host} did not answer JSON`, { registry: this.registry, reference: ctx.target, repository: ctx.repository, operation: ctx.action })
    }
    const token = typeof j.token === "string" && j.token ? j.token : typeof j.access_token === "string" ? j.access_token : ""
    if (token) this.seen.add(token)
    if (!token) throw new RegistryAuthError(`authentication with registry ${this.registry} failed: its token service ${realm.host} returned no token`, { registry: this.registry, reference: ctx.target, repository: ctx.repository, operation: ctx.action })
    if (CONTROL.test(token))
      throw new RegistryAuthError(`authentication with registry ${this.registry} failed: its token service ${realm.host} returned a token with control characters (a line break?), which cannot go into a header`, { registry: this.registry, reference: ctx.target, repository: ctx.repository, operation: ctx.action })
    const ttl = Math.max(30, Number(j.expires_in) || 60)
    this.tokens.set(key, { token, expiresAt: Date.now() + (ttl - 10) * 1000 })
    return token
  }

  authError(ctx: RequestContext, rejected: boolean, detail: string, status = 401): RegistryAuthError {
    const what = `${ctx.action} ${ctx.target}`.trim()
    const right = ctx.push ? "push to" : "pull from"
    const repo = ctx.repository ?? "the repository"
    const who = this.credentials ? (this.credentials.username ? `user "${this.credentials.username}"` : "the identity token") : ""
    const message = this.credentials
      ? rejected
        ? `authentication failed at registry ${this.registry}: the credentials for ${who} were rejected while trying to ${what}${detail}. Check the username and password (or token), and that the token has the scope to ${right} ${repo}.`
        : `authentication failed at registry ${this.registry}: the credentials for ${who} do not grant access to ${what}${detail}. Check the username and password (or token), and that the token has the scope to ${right} ${repo}.`
      : `authentication required by registry ${this.registry} to ${what}${detail}: no credentials were given${this.credentialsHint ? ` (${this.credentialsHint})` : ""}. Pass a username and password (or token), or a docker config (--registry-config); if the image is public, check the repository name (registries answer 401 for repositories that do not exist).`
    return new RegistryAuthError(message, { registry: this.registry, status, reference: ctx.target, repository: ctx.repository, operation: ctx.action })
  }

  /** `text` without any secret this authenticator knows. */
  scrub(text: string): string {
    const secrets: string[] = []
    const c = this.credentials
    if (c?.password) secrets.push(c.password, Buffer.from(`${c.username}:${c.password}`, "utf8").toString("base64"))
    if (c?.identityToken) secrets.push(c.identityToken)
    secrets.push(...this.seen)
    let out = text
    for (const s of secrets) if (s.length >= 4) out = out.split(s).join("***")
    return redactUserinfo(out)
  }
}
