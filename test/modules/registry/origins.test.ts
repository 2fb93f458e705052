/**
 * Credentials are bound to origins (issue 19, M1/M2), with fake servers on 127.0.0.1 — several
 * ports as several origins:
 *
 * - M1: the registry redirects a blob to a second host; that host answers 401 with a Bearer
 *   challenge naming a third host. No credentials go to the second or the third host (the third
 *   is never contacted); the error says what happened.
 * - M2: Basic credentials never go over http to a non-loopback host unless the user opted in for
 *   that host. "Non-loopback" is decided by name (localhost, 127.0.0.0/8, ::1), never by a DNS
 *   lookup — so 127.0.0.2 would count as loopback. These tests give the token service a
 *   non-loopback *name* (auth.example.test) and route it to 127.0.0.1 through the client's
 *   injectable fetch (a resolver, in effect): the client sees the name, the bytes reach the fake.
 */
import { createHash } from "node:crypto"
import { afterEach, describe, expect, it } from "vitest"
import { inspectImage, MediaType, RegistryAuthError, RegistryClient } from "../../../modules/registry/index.js"
import { json, registryError, startFakeServer, type FakeServer } from "../../support/fake-registry.js"

const servers: FakeServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})
async function fake(h: Parameters<typeof startFakeServer>[0]): Promise<FakeServer> {
  const s = await startFakeServer(h)
  servers.push(s)
  return s
}

const CREDS = { username: "alice", password: "s3cret-never-elsewhere" }
const BASIC = "Basic " + Buffer.from(`${CREDS.username}:${CREDS.password}`).toString("base64")
const sha = (b: Buffer) => "sha256:" + createHash("sha256").update(b).digest("hex")
const CONFIG = Buffer.from(JSON.stringify({ os: "linux", architecture: "arm64", rootfs: { type: "layers", diff_ids: [] } }))
const MANIFEST = Buffer.from(
  JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: sha(CONFIG), size: CONFIG.length }, layers: [] }),
)

/** A fetch that resolves `names` (host name → 127.0.0.1 port) like a DNS would, keeping the URL the client chose. */
function resolving(names: Record<string, number>): typeof fetch {
  return (input, init) => {
    const u = new URL(String(input))
    const port = names[u.hostname]
    if (port !== undefined) {
      u.hostname = "127.0.0.1"
      u.port = String(port)
    }
    return fetch(u, init)
  }
}

describe("M1: a 401 from a redirect target never triggers sending credentials", () => {
  it("registry 307 → second host 401 (Bearer realm on a third host): nothing sent to either, a clear error", async () => {
    const third = await fake((_req, res) => json(res, 200, { token: "stolen" }))
    const second = await fake((_req, res) =>
      registryError(res, 401, "UNAUTHORIZED", "auth required", { "WWW-Authenticate": `Bearer realm="http://${third.host}/token",service="evil"` }),
    )
    const registry = await fake((req, res) => {
      if (req.headers.authorization !== BASIC) return registryError(res, 401, "UNAUTHORIZED", "x", { "WWW-Authenticate": 'Basic realm="r"' })
      if (req.url.includes("/manifests/")) {
        res.writeHead(200, { "Content-Type": MediaType.OciManifest, "Content-Length": String(MANIFEST.length) })
        return res.end(MANIFEST)
      }
      res.writeHead(307, { Location: `http://${second.host}/blobs/config` })
      res.end()
    })
    const t0 = Date.now()
    const err = await inspectImage(`${registry.host}/app:1`, { credentials: CREDS }).catch((e) => e)
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(err).toBeInstanceOf(RegistryAuthError)
    expect(err.message).toContain(`registry ${registry.host} redirected the request to http://${second.host}, which asked for authentication`)
    expect(err.message).toContain("none were sent there")
    expect(err.message).not.toContain(CREDS.password)
    expect(third.requests, "the third host is never contacted").toEqual([])
    expect(second.requests.length).toBeGreaterThan(0)
    for (const r of second.requests) expect(r.headers.authorization, "no Authorization to the redirect target").toBeUndefined()
  })

  it("a token realm the registry itself names (another origin, loopback) does get the credentials", async () => {
    const auth = await fake((req, res) => (req.headers.authorization === BASIC ? json(res, 200, { token: "good" }) : json(res, 401, {})))
    const registry = await fake((req, res) => {
      if (req.headers.authorization !== "Bearer good")
        return registryError(res, 401, "UNAUTHORIZED", "x", { "WWW-Authenticate": `Bearer realm="http://${auth.host}/token",service="reg"` })
      res.writeHead(200, { "Content-Type": MediaType.OciManifest, "Content-Length": String(MANIFEST.length) })
      res.end(MANIFEST)
    })
    const m = await new RegistryClient(registry.host, { credentials: CREDS }).getManifest("app", "1")
    expect(m.digest).toBe(sha(MANIFEST))
    expect(auth.requests.map((r) => r.headers.authorization)).toEqual([BASIC])
  })
})

describe("M2: no Basic credentials over http to a non-loopback host without the user's opt-in", () => {
  async function setup() {
    const auth = await fake((req, res) => (req.headers.authorization === BASIC ? json(res, 200, { token: "t0k" }) : json(res, 401, {})))
    const registry = await fake((req, res) => {
      if (req.headers.authorization !== "Bearer t0k")
        return registryError(res, 401, "UNAUTHORIZED", "x", { "WWW-Authenticate": `Bearer realm="http://auth.example.test:${auth.port}/token",service="reg"` })
      res.writeHead(200, { "Content-Type": MediaType.OciManifest, "Content-Length": String(MANIFEST.length) })
      res.end(MANIFEST)
    })
    return { auth, registry, fetch: resolving({ "auth.example.test": auth.port }) }
  }

  it("an http token realm on a non-loopback host gets no credentials: refused, with the fix", async () => {
    const { auth, registry, fetch } = await setup()
    const err = await new RegistryClient(registry.host, { credentials: CREDS, fetch }).getManifest("app", "1").catch((e) => e)
    expect(err).toBeInstanceOf(RegistryAuthError)
    expect(err.message).toContain(`names a token service over plain http on auth.example.test:${auth.port}`)
    expect(err.message).toMatch(/opt in to plain http for auth\.example\.test \(--plain-http covers a token service on the registry.s own host/)
    expect(err.message).not.toContain(CREDS.password)
    expect(auth.requests, "the credentials never left").toEqual([])
  })

  it("with the user's plain-http opt-in for that host, the credentials go there", async () => {
    const { auth, registry, fetch } = await setup()
    const m = await new RegistryClient(registry.host, { credentials: CREDS, fetch, plainHttpHosts: ["auth.example.test"] }).getManifest("app", "1")
    expect(m.digest).toBe(sha(MANIFEST))
    expect(auth.requests.map((r) => r.headers.authorization)).toEqual([BASIC])
  })

  it("the same realm for an anonymous client is fine (no credentials to protect)", async () => {
    const auth = await fake((_req, res) => json(res, 200, { token: "anon" }))
    const registry = await fake((req, res) => {
      if (req.headers.authorization !== "Bearer anon")
        return registryError(res, 401, "UNAUTHORIZED", "x", { "WWW-Authenticate": `Bearer realm="http://auth.example.test:${auth.port}/token"` })
      res.writeHead(200, { "Content-Type": MediaType.OciManifest, "Content-Length": String(MANIFEST.length) })
      res.end(MANIFEST)
    })
    const m = await new RegistryClient(registry.host, { fetch: resolving({ "auth.example.test": auth.port }) }).getManifest("app", "1")
    expect(m.digest).toBe(sha(MANIFEST))
  })

  it("a plain-http registry on a non-loopback host: https unless opted in; with the opt-in, Basic goes over http and the log says so", async () => {
    const registry = await fake((req, res) => {
      if (req.headers.authorization !== BASIC) return registryError(res, 401, "UNAUTHORIZED", "x", { "WWW-Authenticate": 'Basic realm="r"' })
      res.writeHead(200, { "Content-Type": MediaType.OciManifest, "Content-Length": String(MANIFEST.length) })
      res.end(MANIFEST)
    })
    const fetch = resolving({ "registry.example.test": registry.port })
    const name = `registry.example.test:${registry.port}`
    // no opt-in: https, so nothing is ever sent in clear (here the TLS handshake fails against the http fake)
    expect(new RegistryClient(name, { credentials: CREDS, fetch }).baseUrl).toBe(`https://${name}`)
    const noOptIn = await new RegistryClient(name, { credentials: CREDS, fetch, retry: { retries: 0 } }).getManifest("app", "1").catch((e) => e)
    expect(noOptIn.message).toMatch(/pass --plain-http/)
    expect(registry.requests.every((r) => r.headers.authorization === undefined)).toBe(true)
    // opt-in: http, credentials sent, and said
    const log: string[] = []
    const m = await new RegistryClient(name, { credentials: CREDS, fetch, plainHttp: true, log: (l) => log.push(l) }).getManifest("app", "1")
    expect(m.digest).toBe(sha(MANIFEST))
    expect(registry.requests.some((r) => r.headers.authorization === BASIC)).toBe(true)
    expect(log.join("\n")).toMatch(/sending credentials over plain http \(no TLS\), as opted in/)
  })

  it("a token realm with userinfo in its URL is refused and never echoed", async () => {
    const registry = await fake((_req, res) =>
      registryError(res, 401, "UNAUTHORIZED", "x", { "WWW-Authenticate": `Bearer realm="https://bob:hunter22@auth.example.test/token"` }),
    )
    const err = await new RegistryClient(registry.host, { credentials: CREDS }).getManifest("app", "1").catch((e) => e)
    expect(err).toBeInstanceOf(RegistryAuthError)
    expect(err.message).toContain("https://***@auth.example.test/token")
    expect(err.message).not.toContain("hunter22")
  })
})
