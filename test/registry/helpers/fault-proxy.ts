/**
 * A fault-injecting HTTP proxy (Node http) in front of a real registry, for the fault rung.
 *
 * Every request is forwarded to the upstream registry (Host header kept, so the registry's upload
 * Locations point back at the proxy) unless a rule says otherwise. A rule matches a class of
 * request ("manifest GET", "blob GET", "upload PUT", …) and injects one fault into the first
 * `times` matching requests (default: all of them):
 *
 * - status: answer 503/502/429… itself (optionally with Retry-After), the registry never sees it;
 * - reset-before-headers: destroy the connection before any answer;
 * - reset-after-headers: forward, send the registry's headers and half of the body, destroy;
 * - stall-before-headers: never answer (the connection stays open until the proxy closes);
 * - stall-mid-body: send the headers and half of the body, then nothing;
 * - truncate: a clean answer with only the first half of the body (Content-Length adjusted);
 * - corrupt: the body with one byte changed (same length);
 * - lost-response: forward, let the registry finish the request (it stored the blob/manifest),
 *   then destroy the connection without answering.
 *
 * Optional token mode: the proxy plays a Bearer-token registry (like ghcr.io or Docker Hub). A
 * request without a valid token gets 401 with a challenge naming the proxy's /token endpoint;
 * /token checks Basic credentials and issues a token; the token is stripped before forwarding.
 * The issued tokens are listed (`tokens`), so tests can assert that none appears in a message.
 */
import { randomBytes } from "node:crypto"
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http"
import type { Socket } from "node:net"

export type RequestClass =
  | "ping"
  | "manifest GET"
  | "manifest HEAD"
  | "manifest PUT"
  | "blob GET"
  | "blob HEAD"
  | "upload POST"
  | "upload PUT"
  | "upload PATCH"
  | "upload DELETE"
  | "token"
  | "other"

export type Fault =
  | { kind: "status"; status: number; retryAfter?: string }
  | { kind: "reset-before-headers" }
  | { kind: "reset-after-headers" }
  | { kind: "stall-before-headers" }
  | { kind: "stall-mid-body" }
  | { kind: "truncate" }
  | { kind: "corrupt" }
  | { kind: "lost-response" }

export interface FaultRule {
  on: readonly RequestClass[]
  fault: Fault
  /** How many matching requests get the fault (default: every one). */
  times?: number
  /** Let this many matching requests through first (e.g. merge's config reads, to hit its streamed copies). */
  skip?: number
}

export interface ProxiedRequest {
  method: string
  url: string
  class: RequestClass
  authorization?: string
  /** The fault injected into this request, if any. */
  fault?: Fault["kind"]
  status?: number
}

export interface FaultProxy {
  /** "127.0.0.1:<port>" */
  host: string
  port: number
  requests: ProxiedRequest[]
  /** Tokens the token mode issued (secrets: none may appear in an error message). */
  tokens: string[]
  setRules(rules: FaultRule[]): void
  close(): Promise<void>
}

export function classify(method: string, url: string): RequestClass {
  const path = url.split("?")[0]
  if (path === "/token") return "token"
  if (path === "/v2/" || path === "/v2") return "ping"
  if (/\/blobs\/uploads\/?$/.test(path) && method === "POST") return "upload POST"
  if (/\/blobs\/uploads\/[^/]+$/.test(path)) {
    if (method === "PUT") return "upload PUT"
    if (method === "PATCH") return "upload PATCH"
    if (method === "DELETE") return "upload DELETE"
  }
  if (/\/manifests\/[^/]+$/.test(path)) {
    if (method === "GET") return "manifest GET"
    if (method === "HEAD") return "manifest HEAD"
    if (method === "PUT") return "manifest PUT"
  }
  if (/\/blobs\/[^/]+$/.test(path)) {
    if (method === "GET") return "blob GET"
    if (method === "HEAD") return "blob HEAD"
  }
  return "other"
}

export interface FaultProxyOptions {
  /** Upstream registry, "127.0.0.1:<port>". */
  upstream: string
  /** Token mode: the proxy demands Bearer tokens and issues them for these credentials (undefined: anonymous tokens). */
  token?: { username: string; password: string } | "anonymous"
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const [upHost, upPort] = opts.upstream.split(":")
  let rules: Array<FaultRule & { used: number; seen: number }> = []
  const requests: ProxiedRequest[] = []
  const tokens: string[] = []
  const sockets = new Set<Socket>()
  let self = ""

  const pickFault = (cls: RequestClass): Fault | undefined => {
    for (const r of rules) {
      if (!r.on.includes(cls)) continue
      if (r.seen++ < (r.skip ?? 0)) continue
      if (r.times !== undefined && r.used >= r.times) continue
      r.used++
      return r.fault
    }
    return undefined
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/"
    const method = req.method ?? "GET"
    const cls = classify(method, url)
    const rec: ProxiedRequest = { method, url, class: cls, authorization: req.headers.authorization }
    requests.push(rec)
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("error", () => undefined)
    req.on("end", () => {
      const body = Buffer.concat(chunks)
      // token mode: a request without a valid token gets its 401 challenge and uses up no fault
      // (faults hit the requests that do the work, and the token endpoint itself)
      if (opts.token && cls !== "token" && !hasToken(req)) return challenge(req, res, rec)
      const fault = pickFault(cls)
      rec.fault = fault?.kind
      handle(req, res, rec, body, fault).catch(() => res.socket?.destroy())
    })
  })
  // no server-side timeouts of its own: the client under test decides when a stall is too long
  server.keepAliveTimeout = 120_000
  server.requestTimeout = 0
  server.on("connection", (s: Socket) => {
    sockets.add(s)
    s.on("close", () => sockets.delete(s))
  })

  const handle = async (req: IncomingMessage, res: ServerResponse, rec: ProxiedRequest, body: Buffer, fault: Fault | undefined) => {
    if (fault?.kind === "status") {
      const payload = Buffer.from(JSON.stringify({ errors: [{ code: "UNAVAILABLE", message: `injected HTTP ${fault.status}` }] }))
      const h: Record<string, string> = { "Content-Type": "application/json", "Content-Length": String(payload.length) }
      if (fault.retryAfter) h["Retry-After"] = fault.retryAfter
      rec.status = fault.status
      res.writeHead(fault.status, h)
      res.end(payload)
      return
    }
    if (fault?.kind === "reset-before-headers") {
      req.socket.destroy()
      return
    }
    if (fault?.kind === "stall-before-headers") return // never answer

    // token mode: the token endpoint, and the token stripped before forwarding
    let headers: IncomingHttpHeaders = { ...req.headers }
    if (opts.token) {
      if (rec.class === "token") return answerToken(req, res, rec)
      headers = { ...headers }
      delete headers.authorization
    }

    const upstream = await forward(req.method ?? "GET", rec.url, headers, body)
    rec.status = upstream.status
    if (fault?.kind === "lost-response") {
      req.socket.destroy()
      return
    }
    const out = { ...upstream.headers }
    let payload = upstream.body
    if (fault?.kind === "truncate" && payload.length > 1) {
      payload = payload.subarray(0, Math.floor(payload.length / 2))
      out["content-length"] = String(payload.length)
    }
    if (fault?.kind === "corrupt" && payload.length > 0) {
      payload = Buffer.from(payload)
      payload[Math.floor(payload.length / 2)] ^= 0xff
    }
    if ((fault?.kind === "reset-after-headers" || fault?.kind === "stall-mid-body") && req.method !== "HEAD") {
      out["content-length"] = String(payload.length)
      res.writeHead(upstream.status, out)
      res.flushHeaders()
      const half = payload.subarray(0, Math.max(1, Math.floor(payload.length / 2)))
      res.write(half)
      if (fault.kind === "reset-after-headers") setTimeout(() => req.socket.destroy(), 20)
      return // stall-mid-body: nothing more, ever
    }
    res.writeHead(upstream.status, out)
    res.end(req.method === "HEAD" ? undefined : payload)
  }

  const hasToken = (req: IncomingMessage) => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")
    return !!m && tokens.includes(m[1])
  }

  const challenge = (req: IncomingMessage, res: ServerResponse, rec: ProxiedRequest) => {
    const repo = /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(rec.url.split("?")[0])?.[1]
    const scope = repo ? `,scope="repository:${repo}:${req.method === "GET" || req.method === "HEAD" ? "pull" : "pull,push"}"` : ""
    const payload = Buffer.from(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }))
    rec.status = 401
    res.writeHead(401, {
      "Content-Type": "application/json",
      "Content-Length": String(payload.length),
      "WWW-Authenticate": `Bearer realm="http://${self}/token",service="fault-proxy"${scope}`,
    })
    res.end(payload)
  }

  const answerToken = (req: IncomingMessage, res: ServerResponse, rec: ProxiedRequest) => {
    const send = (status: number, v: unknown) => {
      const payload = Buffer.from(JSON.stringify(v))
      rec.status = status
      res.writeHead(status, { "Content-Type": "application/json", "Content-Length": String(payload.length) })
      res.end(payload)
    }
    if (opts.token !== "anonymous") {
      const want = "Basic " + Buffer.from(`${opts.token!.username}:${opts.token!.password}`).toString("base64")
      if (req.headers.authorization !== want) return send(401, { details: "incorrect username or password" })
    }
    const token = "tok-" + randomBytes(12).toString("hex")
    tokens.push(token)
    send(200, { token, expires_in: 300 })
  }

  const forward = (method: string, url: string, headers: IncomingHttpHeaders, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const h = { ...headers }
      delete h.connection
      delete h["transfer-encoding"]
      if (body.length || ["PUT", "POST", "PATCH"].includes(method)) h["content-length"] = String(body.length)
      const r = httpRequest({ host: upHost, port: Number(upPort), method, path: url, headers: h }, (up) => {
        const parts: Buffer[] = []
        up.on("data", (c: Buffer) => parts.push(c))
        up.on("end", () => {
          const out = { ...up.headers }
          delete out.connection
          delete out["transfer-encoding"]
          delete out["keep-alive"]
          const b = Buffer.concat(parts)
          if (method !== "HEAD") out["content-length"] = String(b.length)
          resolve({ status: up.statusCode ?? 502, headers: out, body: b })
        })
        up.on("error", reject)
      })
      r.on("error", reject)
      r.end(body)
    })

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const addr = server.address()
  const port = typeof addr === "object" && addr ? addr.port : 0
  self = `127.0.0.1:${port}`
  return {
    host: self,
    port,
    requests,
    tokens,
    setRules(r) {
      rules = r.map((x) => ({ ...x, used: 0, seen: 0 }))
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
