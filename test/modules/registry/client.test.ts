import { createHash } from "node:crypto"
import { afterEach, describe, expect, it } from "vitest"
import {
  MANIFEST_MEDIA_TYPES,
  MediaType,
  parseWwwAuthenticate,
  RegistryAuthError,
  RegistryClient,
  RegistryDeniedError,
  RegistryError,
  RegistryIntegrityError,
  RegistryNetworkError,
  RegistryNotFoundError,
} from "../../../modules/registry/index.js"
import { freePort } from "../../registry/helpers/registry.js"
import { json, registryError, startFakeServer, type FakeServer } from "../../support/fake-registry.js"

const MANIFEST = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: "sha256:" + "0".repeat(64), size: 2 }, layers: [] }))
const MANIFEST_DIGEST = "sha256:" + createHash("sha256").update(MANIFEST).digest("hex")

function serveManifest(res: import("node:http").ServerResponse) {
  res.writeHead(200, { "Content-Type": MediaType.OciManifest, "Docker-Content-Digest": MANIFEST_DIGEST, "Content-Length": String(MANIFEST.length) })
  res.end(MANIFEST)
}

let server: FakeServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

function recorder() {
  const sleeps: number[] = []
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) }
}

describe("parseWwwAuthenticate", () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      [{ scheme: "bearer", params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/alpine:pull" } }],
    ],
    ['Basic realm="multiarch-test"', [{ scheme: "basic", params: { realm: "multiarch-test" } }]],
    [
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/a:pull,push",error="insufficient_scope"',
      [{ scheme: "bearer", params: { realm: "https://ghcr.io/token", service: "ghcr.io", scope: "repository:o/a:pull,push", error: "insufficient_scope" } }],
    ],
    // unquoted values, odd spacing and case, two challenges in one header
    [
      'BEARER realm=https://r.example/t , service = reg, Basic realm="x, y"',
      [
        { scheme: "bearer", params: { realm: "https://r.example/t", service: "reg" } },
        { scheme: "basic", params: { realm: "x, y" } },
      ],
    ],
    ['Bearer realm="a\\"b"', [{ scheme: "bearer", params: { realm: 'a"b' } }]],
    ["", []],
  ])("%s", (header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected)
  })
})

describe("RegistryClient: transport and headers", () => {
  it("uses http for 127.0.0.1, https elsewhere, registry-1.docker.io for docker.io", () => {
    expect(new RegistryClient("127.0.0.1:5000").baseUrl).toBe("http://127.0.0.1:5000")
    expect(new RegistryClient("ghcr.io").baseUrl).toBe("https://ghcr.io")
    expect(new RegistryClient("docker.io").baseUrl).toBe("https://registry-1.docker.io")
    expect(new RegistryClient("reg.internal:5000", { plainHttp: true }).baseUrl).toBe("http://reg.internal:5000")
  })

  it("always sends Accept with the OCI and Docker manifest types, and checks the digest", async () => {
    server = await startFakeServer((_req, res) => serveManifest(res))
    const c = new RegistryClient(server.host)
    const m = await c.getManifest("app", "1.0")
    expect(m.digest).toBe(MANIFEST_DIGEST)
    expect(m.mediaType).toBe(MediaType.OciManifest)
    const accept = String(server.requests[0].headers.accept)
    for (const t of MANIFEST_MEDIA_TYPES) expect(accept).toContain(t)
    expect(server.requests[0].url).toBe("/v2/app/manifests/1.0")
  })

  it("rejects content that does not match the requested digest", async () => {
    server = await startFakeServer((_req, res) => serveManifest(res))
    const c = new RegistryClient(server.host, { retry: { sleep: async () => undefined } })
    const err = await c.getManifest("app", "sha256:" + "1".repeat(64)).catch((e) => e)
    expect(err).toBeInstanceOf(RegistryIntegrityError)
    expect(err.message).toMatch(/does not match its digest sha256:1{64}, read twice/)
    expect(server.requests).toHaveLength(2) // read again once, then failed
  })

  it("refuses schema 1 manifests with a clear message", async () => {
    server = await startFakeServer((_req, res) =>
      json(res, 200, { schemaVersion: 1, name: "app", tag: "old", fsLayers: [] }, { "Content-Type": "application/vnd.docker.distribution.manifest.v1+prettyjws" }),
    )
    await expect(new RegistryClient(server.host).getManifest("app", "old")).rejects.toThrow(/schema 1/)
  })
})

describe("RegistryClient: retries with backoff", () => {
  it("retries 429 and 503, then succeeds; delays double", async () => {
    server = await startFakeServer((_req, res, n) => {
      if (n === 1) return registryError(res, 429, "TOOMANYREQUESTS", "slow down")
      if (n === 2) return registryError(res, 503, "UNAVAILABLE", "busy")
      serveManifest(res)
    })
    const r = recorder()
    const c = new RegistryClient(server.host, { retry: { sleep: r.sleep, jitter: false, baseDelayMs: 100 } })
    const m = await c.getManifest("app", "1.0")
    expect(m.digest).toBe(MANIFEST_DIGEST)
    expect(server.requests).toHaveLength(3)
    expect(r.sleeps).toEqual([100, 200])
  })

  it("honours Retry-After (seconds) when longer than the backoff", async () => {
    server = await startFakeServer((_req, res, n) => (n === 1 ? registryError(res, 429, "TOOMANYREQUESTS", "x", { "Retry-After": "2" }) : serveManifest(res)))
    const r = recorder()
    await new RegistryClient(server.host, { retry: { sleep: r.sleep, jitter: false, baseDelayMs: 100 } }).getManifest("app", "1.0")
    expect(r.sleeps).toEqual([2000])
  })

  it("gives up after the bounded number of attempts and says what failed", async () => {
    server = await startFakeServer((_req, res) => registryError(res, 503, "UNAVAILABLE", "maintenance"))
    const r = recorder()
    const c = new RegistryClient(server.host, { retry: { sleep: r.sleep, jitter: false, retries: 3, baseDelayMs: 100, maxDelayMs: 300 } })
    const err = await c.getManifest("app", "1.0").catch((e) => e)
    expect(err).toBeInstanceOf(RegistryError)
    expect(err.status).toBe(503)
    expect(err.message).toContain(`registry ${server.host} answered HTTP 503 (UNAVAILABLE: maintenance)`)
    expect(err.message).toContain(`${server.host}/app:1.0`)
    expect(server.requests).toHaveLength(4)
    expect(r.sleeps).toEqual([100, 200, 300]) // capped at maxDelayMs
  })

  it("does not wait for a Retry-After beyond the limit: fails at once with a rate-limit message", async () => {
    server = await startFakeServer((_req, res) => registryError(res, 429, "TOOMANYREQUESTS", "pull rate limit", { "Retry-After": "3600" }))
    const r = recorder()
    const err = await new RegistryClient(server.host, { retry: { sleep: r.sleep } }).getManifest("app", "1.0").catch((e) => e)
    expect(err.message).toMatch(/rate-limiting/)
    expect(server.requests).toHaveLength(1)
    expect(r.sleeps).toEqual([])
  })

  it("jitter keeps each delay within [d/2, d]", async () => {
    server = await startFakeServer((_req, res) => registryError(res, 502, "BAD_GATEWAY", "x"))
    const r = recorder()
    await new RegistryClient(server.host, { retry: { sleep: r.sleep, retries: 4, baseDelayMs: 1000, maxDelayMs: 100000 } }).getManifest("a", "b").catch(() => {})
    expect(r.sleeps).toHaveLength(4)
    r.sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(1000 * 2 ** i / 2)
      expect(ms).toBeLessThanOrEqual(1000 * 2 ** i)
    })
  })

  it("retries network errors, then reports the registry as unreachable", async () => {
    const port = await freePort() // nothing listens there
    const r = recorder()
    const err = await new RegistryClient(`127.0.0.1:${port}`, { retry: { sleep: r.sleep, retries: 2, jitter: false } }).getManifest("app", "1").catch((e) => e)
    expect(err).toBeInstanceOf(RegistryNetworkError)
    expect(err.registry).toBe(`127.0.0.1:${port}`)
    expect(err.message).toContain(`could not read the manifest of 127.0.0.1:${port}/app:1 on registry 127.0.0.1:${port}`)
    expect(err.message).toMatch(/connection refused\) \(3 attempts in [\d.]+ s\)\. Nothing listens there: check the registry address and port/)
    expect(r.sleeps).toHaveLength(2)
  })

  it("does not retry 404", async () => {
    server = await startFakeServer((_req, res) => registryError(res, 404, "MANIFEST_UNKNOWN", "manifest unknown"))
    const r = recorder()
    await new RegistryClient(server.host, { retry: { sleep: r.sleep } }).getManifest("app", "1").catch(() => {})
    expect(server.requests).toHaveLength(1)
  })
})

describe("RegistryClient: typed errors", () => {
  it("404 → RegistryNotFoundError naming the reference", async () => {
    server = await startFakeServer((_req, res) => registryError(res, 404, "MANIFEST_UNKNOWN", "manifest unknown"))
    const err = await new RegistryClient(server.host).getManifest("team/app", "v9").catch((e) => e)
    expect(err).toBeInstanceOf(RegistryNotFoundError)
    expect(err.reference).toBe(`${server.host}/team/app:v9`)
    expect(err.code).toBe("MANIFEST_UNKNOWN")
    expect(err.message).toContain(`${server.host}/team/app:v9 not found on registry ${server.host}`)
    expect(err.message).toMatch(/check the repository name and the tag or digest/i)
  })

  it("403 → RegistryDeniedError saying what to check", async () => {
    server = await startFakeServer((_req, res) => registryError(res, 403, "DENIED", "requested access to the resource is denied"))
    const c = new RegistryClient(server.host, { credentials: { username: "bob", password: "hunter2" } })
    const err = await c.putManifest("o/app", "1", MANIFEST, MediaType.OciManifest).catch((e) => e)
    expect(err).toBeInstanceOf(RegistryDeniedError)
    expect(err.message).toContain(`registry ${server.host} denied access`)
    expect(err.message).toContain('user "bob"')
    expect(err.message).toMatch(/right to push to o\/app/)
    expect(err.message).not.toContain("hunter2")
  })

  it("headManifest and hasBlob return null/false on 404 instead of throwing", async () => {
    server = await startFakeServer((_req, res) => {
      res.writeHead(404)
      res.end()
    })
    const c = new RegistryClient(server.host)
    expect(await c.headManifest("app", "1")).toBeNull()
    expect(await c.hasBlob("app", "sha256:" + "0".repeat(64))).toBe(false)
  })
})

describe("RegistryClient: Bearer token auth (WWW-Authenticate challenge)", () => {
  const setup = async () => {
    const s = await startFakeServer((req, res) => {
      const u = new URL(req.url, "http://x")
      if (u.pathname === "/token") {
        const auth = req.headers.authorization
        if (auth === undefined) return json(res, 200, { token: "anonymous-token" })
        if (auth === "Basic " + Buffer.from("alice:correct").toString("base64")) return json(res, 200, { token: "alice-token", expires_in: 300 })
        return json(res, 401, { details: "incorrect username or password" })
      }
      if (req.headers.authorization === "Bearer alice-token") return serveManifest(res)
      registryError(res, 401, "UNAUTHORIZED", "authentication required", {
        "WWW-Authenticate": `Bearer realm="http://${s.host}/token",service="fake-registry",scope="repository:private/app:pull"`,
      })
    })
    return s
  }

  it("fetches a token with Basic credentials, retries, and reuses the token", async () => {
    server = await setup()
    const c = new RegistryClient(server.host, { credentials: { username: "alice", password: "correct" } })
    expect((await c.getManifest("private/app", "1")).digest).toBe(MANIFEST_DIGEST)
    await c.getManifest("private/app", "1")
    const tokenReqs = server.requests.filter((r) => r.url.startsWith("/token"))
    expect(tokenReqs).toHaveLength(1)
    const q = new URL(tokenReqs[0].url, "http://x").searchParams
    expect(q.get("service")).toBe("fake-registry")
    expect(q.getAll("scope")).toEqual(["repository:private/app:pull"])
    // first request anonymous, then with the token; the second call goes straight in with the token
    expect(server.requests.map((r) => r.headers.authorization ?? "-")).toEqual(["-", expect.stringMatching(/^Basic /), "Bearer alice-token", "Bearer alice-token"])
  })

  it("wrong password → RegistryAuthError naming the registry and 'authentication', no secrets, no stack", async () => {
    server = await setup()
    const c = new RegistryClient(server.host, { credentials: { username: "alice", password: "WRONG-secret" } })
    const err = await c.getManifest("private/app", "1").catch((e) => e)
    expect(err).toBeInstanceOf(RegistryAuthError)
    expect(err.message).toContain(`registry ${server.host}`)
    expect(err.message).toContain("authentication")
    expect(err.message).toMatch(/check the username and password/i)
    expect(err.message).not.toContain("WRONG-secret")
    expect(err.message).not.toMatch(/\n\s+at /)
  })

  it("anonymous token refused by the registry → RegistryAuthError saying no credentials were given", async () => {
    server = await setup()
    const err = await new RegistryClient(server.host).getManifest("private/app", "1").catch((e) => e)
    expect(err).toBeInstanceOf(RegistryAuthError)
    expect(err.message).toMatch(/authentication required by registry .* no credentials were given/)
    // challenge → token → retry → refused again: no loop
    expect(server.requests.length).toBeLessThanOrEqual(4)
  })

  it("adds push and mount scopes for cross-repository mounts", async () => {
    server = await startFakeServer((req, res) => {
      const u = new URL(req.url, "http://x")
      if (u.pathname === "/token") return json(res, 200, { token: "t:" + u.searchParams.getAll("scope").join(" ") })
      if (!req.headers.authorization) return registryError(res, 401, "UNAUTHORIZED", "x", { "WWW-Authenticate": `Bearer realm="http://${server!.host}/token",service="s"` })
      res.writeHead(201, { Location: "/v2/dst/blobs/sha256:x" })
      res.end()
    })
    const c = new RegistryClient(server.host)
    expect(await c.mountBlob("dst", "sha256:" + "a".repeat(64), "src")).toBe(true)
    const last = server.requests[server.requests.length - 1]
    expect(last.url).toBe(`/v2/dst/blobs/uploads/?mount=sha256%3A${"a".repeat(64)}&from=src`)
    expect(last.headers.authorization).toBe("Bearer t:repository:dst:pull,push repository:src:pull")
  })
})

describe("RegistryClient: Basic auth and uploads", () => {
  it("answers a Basic challenge with the credentials; wrong ones → RegistryAuthError", async () => {
    const good = "Basic " + Buffer.from("u:p").toString("base64")
    server = await startFakeServer((req, res) => (req.headers.authorization === good ? serveManifest(res) : registryError(res, 401, "UNAUTHORIZED", "x", { "WWW-Authenticate": 'Basic realm="r"' })))
    expect((await new RegistryClient(server.host, { credentials: { username: "u", password: "p" } }).getManifest("a", "1")).digest).toBe(MANIFEST_DIGEST)
    const err = await new RegistryClient(server.host, { credentials: { username: "u", password: "nope" } }).getManifest("a", "1").catch((e) => e)
    expect(err).toBeInstanceOf(RegistryAuthError)
    expect(err.message).toContain(`authentication failed at registry ${server.host}`)
  })

  it("a refused mount (202) returns false and cancels the session; uploadBlob does POST + PUT ?digest", async () => {
    const blob = Buffer.from("hello blob")
    const digest = "sha256:" + createHash("sha256").update(blob).digest("hex")
    server = await startFakeServer((req, res) => {
      if (req.method === "POST") {
        res.writeHead(202, { Location: `/v2/dst/blobs/uploads/uuid-1?_state=abc` })
        return res.end()
      }
      if (req.method === "DELETE") {
        res.writeHead(204)
        return res.end()
      }
      if (req.method === "PUT") {
        res.writeHead(201, { "Docker-Content-Digest": digest })
        return res.end()
      }
      res.writeHead(404)
      res.end()
    })
    const c = new RegistryClient(server.host)
    expect(await c.mountBlob("dst", digest, "src")).toBe(false)
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "DELETE"])
    await c.uploadBlob("dst", digest, blob.length, new Uint8Array(blob))
    const put = server.requests.find((r) => r.method === "PUT")!
    const u = new URL(put.url, "http://x")
    expect(u.pathname).toBe("/v2/dst/blobs/uploads/uuid-1")
    expect(u.searchParams.get("_state")).toBe("abc")
    expect(u.searchParams.get("digest")).toBe(digest)
    expect(put.body.equals(blob)).toBe(true)
  })
})
