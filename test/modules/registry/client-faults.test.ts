/**
 * The client's fault handling against scripted fake servers (fast; the real-registry version of
 * every fault class is test/registry/faults.test.ts): bodies inside the retry policy, header and
 * idle timeouts, lost responses to PUTs, identity tokens, unusable tokens.
 */
import { createHash } from "node:crypto"
import { afterEach, describe, expect, it } from "vitest"
import { MediaType, RegistryAuthError, RegistryClient, RegistryNetworkError } from "../../../modules/registry/index.js"
import { json, registryError, startFakeServer, type FakeServer } from "../../support/fake-registry.js"

const servers: FakeServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})
async function fake(h: Parameters<typeof startFakeServer>[0]) {
  const s = await startFakeServer(h)
  servers.push(s)
  return s
}
const sha = (b: Buffer) => "sha256:" + createHash("sha256").update(b).digest("hex")
const MANIFEST = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: "sha256:" + "0".repeat(64), size: 2 }, layers: [] }))
const fast = { sleep: async () => undefined, headerTimeoutMs: 300, idleTimeoutMs: 300 }

function serve(res: import("node:http").ServerResponse, body = MANIFEST) {
  res.writeHead(200, { "Content-Type": MediaType.OciManifest, "Content-Length": String(body.length), "Docker-Content-Digest": sha(body) })
  res.end(body)
}

describe("bodies are inside the retry policy", () => {
  it("a reset in the middle of a manifest body is retried (no raw TypeError)", async () => {
    const s = await fake((_req, res, n) => {
      if (n > 1) return serve(res)
      res.writeHead(200, { "Content-Type": MediaType.OciManifest, "Content-Length": String(MANIFEST.length) })
      res.write(MANIFEST.subarray(0, 10))
      setTimeout(() => res.socket?.destroy(), 10)
    })
    const m = await new RegistryClient(s.host, { retry: fast }).getManifest("app", "1")
    expect(m.digest).toBe(sha(MANIFEST))
    expect(s.requests).toHaveLength(2)
  })

  it("a body that stalls is cut by the idle timeout and retried; one that always stalls ends in a typed error", async () => {
    let always = false
    const s = await fake((_req, res, n) => {
      if (n > 1 && !always) return serve(res)
      res.writeHead(200, { "Content-Type": MediaType.OciManifest, "Content-Length": String(MANIFEST.length) })
      res.write(MANIFEST.subarray(0, 10)) // then nothing
    })
    expect((await new RegistryClient(s.host, { retry: fast }).getManifest("app", "1")).digest).toBe(sha(MANIFEST))
    always = true
    const t0 = Date.now()
    const err = await new RegistryClient(s.host, { retry: { ...fast, retries: 2 } }).getManifest("app", "1").catch((e) => e)
    expect(err).toBeInstanceOf(RegistryNetworkError)
    expect(err.message).toMatch(/the response stalled \(no data for 0\.3 s in the middle of the body\) \(3 attempts in/)
    expect(Date.now() - t0).toBeLessThan(3000)
  })

  it("no response headers within the header timeout: retried, then a typed error naming the registry and the fix", async () => {
    const s = await fake(() => undefined) // never answers
    const err = await new RegistryClient(s.host, { retry: { ...fast, retries: 1 } }).getManifest("team/app", "1").catch((e) => e)
    expect(err).toBeInstanceOf(RegistryNetworkError)
    expect(err.registry).toBe(s.host)
    expect(err.repository).toBe("team/app")
    expect(err.operation).toBe("read the manifest of")
    expect(err.message).toMatch(/no answer \(no response headers within 0\.3 s\) \(2 attempts in .* s\)\. The registry \(or a proxy in between\) stopped answering/)
    expect(s.requests).toHaveLength(2)
  })
})

describe("lost responses to writes", () => {
  it("manifest PUT: the answer is lost, the HEAD finds the manifest, no second PUT", async () => {
    const stored = new Map<string, Buffer>()
    const s = await fake((req, res) => {
      if (req.method === "PUT") {
        stored.set("1", req.body)
        return res.socket?.destroy() // stored, answer lost
      }
      if (req.method === "HEAD") {
        const b = stored.get("1")
        if (!b) return registryError(res, 404, "MANIFEST_UNKNOWN", "x")
        res.writeHead(200, { "Content-Type": MediaType.OciManifest, "Content-Length": String(b.length), "Docker-Content-Digest": sha(b) })
        return res.end()
      }
      registryError(res, 404, "X", "x")
    })
    const d = await new RegistryClient(s.host, { retry: fast }).putManifest("app", "1", MANIFEST, MediaType.OciManifest)
    expect(d).toBe(sha(MANIFEST))
    expect(s.requests.map((r) => r.method)).toEqual(["PUT", "HEAD"])
  })

  it("blob upload: the PUT's answer is lost, the HEAD finds the blob; else a NEW session is opened", async () => {
    const blob = Buffer.from("blob ".repeat(100))
    let storedOnLost = true
    let have = false
    let sessions = 0
    const s = await fake((req, res) => {
      const u = new URL(req.url, "http://x")
      if (req.method === "HEAD") {
        res.writeHead(have ? 200 : 404)
        return res.end()
      }
      if (req.method === "POST") {
        res.writeHead(202, { Location: `/v2/app/blobs/uploads/s${++sessions}` })
        return res.end()
      }
      if (req.method === "PUT") {
        if (u.pathname.endsWith("/s1")) {
          have = storedOnLost
          return res.socket?.destroy()
        }
        have = true
        res.writeHead(201)
        return res.end()
      }
    })
    await new RegistryClient(s.host, { retry: fast }).uploadBlob("app", sha(blob), blob.length, new Uint8Array(blob))
    expect(s.requests.map((r) => r.method)).toEqual(["POST", "PUT", "HEAD"])
    // not stored: HEAD says no, a new session, a new PUT (never the closed session again)
    storedOnLost = false
    have = false
    sessions = 0
    s.requests.length = 0
    await new RegistryClient(s.host, { retry: fast }).uploadBlob("app", sha(blob), blob.length, new Uint8Array(blob))
    expect(s.requests.map((r) => `${r.method} ${new URL(r.url, "http://x").pathname}`)).toEqual([
      "POST /v2/app/blobs/uploads/",
      "PUT /v2/app/blobs/uploads/s1",
      "HEAD /v2/app/blobs/" + sha(blob),
      "POST /v2/app/blobs/uploads/",
      "PUT /v2/app/blobs/uploads/s2",
    ])
  })
})

describe("tokens", () => {
  it("an identity token (docker config identitytoken) is exchanged with POST grant_type=refresh_token", async () => {
    const s = await fake((req, res) => {
      if (req.url.startsWith("/token")) {
        const form = new URLSearchParams(req.body.toString())
        if (req.method === "POST" && form.get("grant_type") === "refresh_token" && form.get("refresh_token") === "rt-123" && form.get("scope") === "repository:app:pull")
          return json(res, 200, { access_token: "acc" })
        return json(res, 401, {})
      }
      if (req.headers.authorization === "Bearer acc") return serve(res)
      registryError(res, 401, "UNAUTHORIZED", "x", { "WWW-Authenticate": `Bearer realm="http://${s.host}/token",service="svc"` })
    })
    const c = new RegistryClient(s.host, { credentials: { username: "00000000-0000-0000-0000-000000000000", password: "", identityToken: "rt-123" } })
    expect((await c.getManifest("app", "1")).digest).toBe(sha(MANIFEST))
    const tok = s.requests.find((r) => r.url.startsWith("/token"))!
    expect(tok.method).toBe("POST")
    expect(tok.headers.authorization).toBeUndefined()
  })

  it("a token with a line break is refused, and never echoed", async () => {
    const s = await fake((req, res) => {
      if (req.url.startsWith("/token")) return json(res, 200, { token: "abc\ndef-secret-tok" })
      registryError(res, 401, "UNAUTHORIZED", "x", { "WWW-Authenticate": `Bearer realm="http://${s.host}/token"` })
    })
    const err = await new RegistryClient(s.host).getManifest("app", "1").catch((e) => e)
    expect(err).toBeInstanceOf(RegistryAuthError)
    expect(err.message).toMatch(/returned a token with control characters/)
    expect(err.message).not.toContain("def-secret-tok")
  })

  it("a password with a line break is refused before any request", async () => {
    const s = await fake((_req, res) => serve(res))
    expect(() => new RegistryClient(s.host, { credentials: { username: "u", password: "tok\n" } })).toThrow(/invalid password "\(secret, not shown\)": the secret contains a line break at its end/)
    expect(s.requests).toEqual([])
  })
})
