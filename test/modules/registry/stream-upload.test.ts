/**
 * Regression tests for streamed blob copies (mergeImages → blobCopier → openBlob → uploadBlob).
 *
 * The flaky failure: "Response body object should not be disturbed or locked" on the PUT of a
 * streamed blob, only under load. Cause: undici registers every fetch Response with a
 * FinalizationRegistry and cancels its body when the Response is garbage-collected while the
 * body is neither locked nor read. `openBlob` used to return `res.body` and drop `res`; while the
 * copy then waited for the target's upload session (POST, and on a fresh client its 401/Basic
 * round), a GC could collect the Response, the finalizer cancelled the body, and fetch refused
 * the now "disturbed" stream. These tests force that GC deterministically instead of waiting for
 * memory pressure to do it.
 */
import { createHash } from "node:crypto"
import type { ServerResponse } from "node:http"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Readable } from "node:stream"
import { afterEach, describe, expect, it } from "vitest"
import { MediaType, RegistryClient, RegistryError } from "../../../modules/registry/index.js"
import { mergeImages } from "../../../modules/registry/index.js"
import { json, registryError, startFakeServer, type FakeServer, type RecordedRequest } from "../../support/fake-registry.js"

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

/** Full GCs, with macrotask turns between them so FinalizationRegistry callbacks run. */
async function collectGarbage(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise((r) => setTimeout(r, 5))
  }
}

const sha = (b: Buffer) => "sha256:" + createHash("sha256").update(b).digest("hex")
const enc = (v: unknown) => Buffer.from(JSON.stringify(v))

const servers: FakeServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** A source registry (anonymous) serving `blobs` under /v2/src/blobs/<digest> and manifests by name. */
async function sourceRegistry(blobs: Buffer[], manifests: Record<string, Buffer> = {}) {
  const byDigest = new Map(blobs.map((b) => [sha(b), b]))
  const s = await startFakeServer((req, res) => {
    const m = /^\/v2\/src\/(blobs|manifests)\/(.+)$/.exec(req.url)
    if (m?.[1] === "blobs" && byDigest.has(m[2])) {
      const b = byDigest.get(m[2])!
      res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": String(b.length), "Docker-Content-Digest": m[2] })
      return res.end(b)
    }
    if (m?.[1] === "manifests" && manifests[m[2]]) {
      res.writeHead(200, { "Content-Type": MediaType.OciManifest, "Content-Length": String(manifests[m[2]].length) })
      return res.end(manifests[m[2]])
    }
    registryError(res, 404, "NOT_FOUND", req.url)
  })
  servers.push(s)
  return s
}

const GOOD = "Basic " + Buffer.from("pusher:s3cret").toString("base64")
const CREDS = { username: "pusher", password: "s3cret" }

/**
 * A Basic-auth target registry (like the htpasswd docker-registry of the real rung) that forces a
 * full GC before answering each POST (opening an upload session): the moment a streamed copy waits.
 */
async function gcTargetRegistry() {
  const stored = new Map<string, Buffer>()
  let session = 0
  const s = await startFakeServer((req: RecordedRequest, res: ServerResponse) => {
    if (req.headers.authorization !== GOOD) return registryError(res, 401, "UNAUTHORIZED", "authentication required", { "WWW-Authenticate": 'Basic realm="t"' })
    const u = new URL(req.url, "http://x")
    if (req.method === "HEAD" && /\/blobs\//.test(u.pathname)) {
      res.writeHead(stored.has(u.pathname.split("/").pop()!) ? 200 : 404)
      return res.end()
    }
    if (req.method === "POST" && u.pathname.endsWith("/blobs/uploads/")) {
      void collectGarbage().then(() => {
        res.writeHead(202, { Location: `${u.pathname}session-${++session}` })
        res.end()
      })
      return
    }
    if (req.method === "PUT" && /\/blobs\/uploads\//.test(u.pathname)) {
      const digest = u.searchParams.get("digest")!
      if (sha(req.body) !== digest) return registryError(res, 400, "DIGEST_INVALID", "digest mismatch")
      stored.set(digest, req.body)
      res.writeHead(201, { "Docker-Content-Digest": digest })
      return res.end()
    }
    if (req.method === "PUT" && /\/manifests\//.test(u.pathname)) {
      res.writeHead(201, { "Docker-Content-Digest": sha(req.body) })
      return res.end()
    }
    json(res, 404, { errors: [{ code: "NOT_FOUND", message: req.url }] })
  })
  servers.push(s)
  return { server: s, stored }
}

describe("streamed blob copies survive garbage collection", () => {
  it("the test harness really reproduces the hazard: a dropped fetch Response has its body cancelled by a GC", async () => {
    const blob = Buffer.from("x".repeat(1000))
    const src = await sourceRegistry([blob])
    const body = await (async () => (await fetch(`http://${src.host}/v2/src/blobs/${sha(blob)}`)).body!)()
    await collectGarbage()
    expect(Readable.isDisturbed(body as never)).toBe(true) // what openBlob used to hand to uploadBlob
  })

  it("a stream from openBlob stays readable after its Response is collected, and uploads", async () => {
    const blob = Buffer.from("layer bytes ".repeat(5000))
    const src = await sourceRegistry([blob])
    const { server: tgt, stored } = await gcTargetRegistry()
    const stream = await new RegistryClient(src.host).openBlob("src", sha(blob))
    await collectGarbage()
    // a fresh client: its first request (the POST) meets the 401 and learns the Basic scheme
    await new RegistryClient(tgt.host, { credentials: CREDS }).uploadBlob("dst", sha(blob), blob.length, stream)
    expect(stored.get(sha(blob))?.equals(blob)).toBe(true)
    expect(tgt.requests.filter((r) => r.method === "PUT").map((r) => r.headers.authorization)).toEqual([GOOD])
  })

  it("cross-registry merge with streamed blobs into a Basic-auth registry (GC while each session opens)", async () => {
    const layers = [0, 1, 2].map((i) => Buffer.from(`layer ${i} `.repeat(3000 + i)))
    const configs = ["amd64", "arm64", "arm"].map((arch) => enc({ os: "linux", architecture: arch, rootfs: { type: "layers", diff_ids: [] } }))
    const manifests: Record<string, Buffer> = {}
    configs.forEach((cfg, i) => {
      manifests[String(i)] = enc({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: { mediaType: MediaType.OciConfig, digest: sha(cfg), size: cfg.length },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: sha(layers[i]), size: layers[i].length }],
      })
    })
    const src = await sourceRegistry([...layers, ...configs], manifests)
    const { server: tgt, stored } = await gcTargetRegistry()
    const ref = await mergeImages(["0", "1", "2"].map((t) => `${src.host}/src:${t}`), `${tgt.host}/dst:1`, { credentials: CREDS, streamThresholdBytes: 0 })
    expect(ref).toMatch(new RegExp(`^${tgt.host}/dst:1@sha256:[0-9a-f]{64}$`))
    for (const b of [...layers, ...configs]) expect(stored.get(sha(b))?.equals(b)).toBe(true)
    // each blob was uploaded exactly once (copies of one digest are shared, never sent twice)
    expect(tgt.requests.filter((r) => r.method === "PUT" && r.url.includes("/blobs/uploads/")).length).toBe(6)
    expect(src.requests.every((r) => r.headers.authorization === undefined)).toBe(true)
  })
})

describe("uploadBlob owns a stream body: sent once, on an authenticated session, or cancelled", () => {
  it("refuses a stream that was already read, with a clear error (not 'could not reach registry')", async () => {
    const { server: tgt } = await gcTargetRegistry()
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([1, 2, 3]))
        c.close()
      },
    })
    const reader = stream.getReader()
    await reader.read()
    reader.releaseLock()
    const err = await new RegistryClient(tgt.host, { credentials: CREDS }).uploadBlob("dst", "sha256:" + "a".repeat(64), 3, stream).catch((e) => e)
    expect(err).toBeInstanceOf(RegistryError)
    expect(err.message).toMatch(/already (been )?read or cancelled/)
    expect(err.message).not.toMatch(/could not reach/)
    expect(tgt.requests.filter((r) => r.method === "PUT")).toEqual([])
  })

  it("opens a lazily given source stream only once the upload session is open (auth settled)", async () => {
    const blob = Buffer.from("lazy ".repeat(2000))
    const src = await sourceRegistry([blob])
    const { server: tgt, stored } = await gcTargetRegistry()
    const order: string[] = []
    const sc = new RegistryClient(src.host)
    await new RegistryClient(tgt.host, { credentials: CREDS }).uploadBlob("dst", sha(blob), blob.length, async () => {
      order.push(`open after ${tgt.requests.map((r) => `${r.method}:${r.headers.authorization ? "auth" : "anon"}`).join(",")}`)
      return sc.openBlob("src", sha(blob))
    })
    expect(order).toEqual(["open after POST:anon,POST:auth"])
    expect(stored.get(sha(blob))?.equals(blob)).toBe(true)
  })

  it("cancels the stream it was given when the upload session cannot be opened", async () => {
    const s = await startFakeServer((_req, res) => registryError(res, 403, "DENIED", "no push"))
    servers.push(s)
    let cancelled: unknown
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array(10))
      },
      cancel(reason) {
        cancelled = reason ?? "cancelled"
      },
    })
    await expect(new RegistryClient(s.host).uploadBlob("dst", "sha256:" + "b".repeat(64), 10, stream)).rejects.toThrow(/denied/)
    expect(cancelled).toBeDefined()
    expect(s.requests.map((r) => r.method)).toEqual(["POST"])
  })
})
