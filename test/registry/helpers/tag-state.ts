/**
 * What a tag looks like on the registry itself (read directly, never through a proxy): absent, or
 * present with every digest it references (child manifests, configs, layers) answering HEAD 200.
 * A tag pointing at anything missing is "dangling" — what a failed write must never leave.
 *
 * Only two answers are states: 200 (there) and 404 (not there). The registry is read the way any
 * client reads it: a 5xx, 408/429 or a dropped connection is asked again a few times (bounded,
 * ~4 s), because Debian's docker-registry (distribution 2.8) answers a read with a transient
 * HTTP 500 "invalid checksum digest format" while *another* tag of the same digest is being
 * pushed: its filesystem driver rewrites the digest's revision link in place (truncate, then
 * write), so a concurrent reader sees it empty for a moment (upstream fixed it with
 * write-to-temp-then-rename, distribution PR #4624). The fault rung runs its cases concurrently
 * and many of them push the same index to tags of `pub/app`, so that read can race another case's
 * push. An answer that stays anything but 200/404 throws — it is never taken for "absent" or for
 * a missing reference (which would call a complete tag dangling).
 */
import { createHash } from "node:crypto"

const ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ")

export type TagState =
  | { state: "absent" }
  | { state: "complete"; digest: string; referenced: number }
  | { state: "dangling"; digest: string; missing: string[] }

/** Attempts per read, and the waits between them (ms): ~4 s in all. */
const WAITS_MS = [50, 100, 200, 400, 800, 1000, 1000]
const TRANSIENT = (status: number) => status >= 500 || status === 408 || status === 429

/** Answers to reads that were asked again (transient status or network error), for diagnostics and tests. */
export const transientAnswers: string[] = []

/**
 * One read: the registry's answer, 200 or 404 (with the body for a 200 GET). Transient failures are
 * retried; anything else, or a transient failure that outlasts the retries, throws.
 */
async function read(url: string, method: "GET" | "HEAD", headers: Record<string, string>): Promise<{ status: 200 | 404; bytes: Buffer }> {
  for (let attempt = 0; ; attempt++) {
    let why: string
    try {
      const res = await fetch(url, { method, headers, signal: AbortSignal.timeout(10_000) })
      if (res.status === 200) return { status: 200, bytes: method === "GET" ? Buffer.from(await res.arrayBuffer()) : (await res.body?.cancel(), Buffer.alloc(0)) }
      const body = method === "GET" ? (await res.text()).slice(0, 300) : (await res.body?.cancel(), "")
      if (res.status === 404) return { status: 404, bytes: Buffer.alloc(0) }
      why = `HTTP ${res.status}${body ? ` ${body.trim()}` : ""}`
      if (!TRANSIENT(res.status)) throw new Error(`${method} ${url}: ${why}`)
    } catch (e) {
      if (e instanceof Error && e.message.startsWith(`${method} ${url}:`)) throw e
      why = String((e as Error)?.cause ?? e)
    }
    transientAnswers.push(`${method} ${url}: ${why}`)
    if (attempt >= WAITS_MS.length) throw new Error(`${method} ${url}: ${why} (still, after ${attempt + 1} attempts)`)
    await new Promise((r) => setTimeout(r, WAITS_MS[attempt]))
  }
}

/** The state of `repo:tag` on `registry` ("127.0.0.1:<port>", no auth or Basic `auth`). */
export async function tagState(registry: string, repo: string, tag: string, auth?: { username: string; password: string }): Promise<TagState> {
  const authorization: Record<string, string> = auth ? { Authorization: "Basic " + Buffer.from(`${auth.username}:${auth.password}`).toString("base64") } : {}
  const manifestHeaders: Record<string, string> = { Accept: ACCEPT, ...authorization }
  const base = `http://${registry}/v2/${repo}`
  const top = await read(`${base}/manifests/${tag}`, "GET", manifestHeaders)
  if (top.status === 404) return { state: "absent" }
  const digest = "sha256:" + createHash("sha256").update(top.bytes).digest("hex")
  const missing: string[] = []
  let referenced = 0
  const walk = async (json: { manifests?: { digest: string }[]; config?: { digest: string }; layers?: { digest: string }[] }) => {
    for (const m of json.manifests ?? []) {
      referenced++
      const child = await read(`${base}/manifests/${m.digest}`, "GET", manifestHeaders)
      if (child.status === 404) {
        missing.push(m.digest)
        continue
      }
      await walk(JSON.parse(child.bytes.toString("utf8")))
    }
    for (const b of [...(json.config ? [json.config] : []), ...(json.layers ?? [])]) {
      referenced++
      if ((await read(`${base}/blobs/${b.digest}`, "HEAD", authorization)).status === 404) missing.push(b.digest)
    }
  }
  await walk(JSON.parse(top.bytes.toString("utf8")))
  return missing.length ? { state: "dangling", digest, missing } : { state: "complete", digest, referenced }
}
