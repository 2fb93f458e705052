/**
 * What a tag looks like on the registry itself (read directly, never through a proxy): absent, or
 * present with every digest it references (child manifests, configs, layers) answering HEAD 200.
 * A tag pointing at anything missing is "dangling" — what a failed write must never leave.
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

async function head(url: string, manifest: boolean): Promise<number> {
  const res = await fetch(url, { method: "HEAD", headers: manifest ? { Accept: ACCEPT } : {}, signal: AbortSignal.timeout(10_000) })
  await res.body?.cancel()
  return res.status
}

/** The state of `repo:tag` on `registry` ("127.0.0.1:<port>", no auth or Basic `auth`). */
export async function tagState(registry: string, repo: string, tag: string, auth?: { username: string; password: string }): Promise<TagState> {
  const headers: Record<string, string> = { Accept: ACCEPT }
  if (auth) headers.Authorization = "Basic " + Buffer.from(`${auth.username}:${auth.password}`).toString("base64")
  const base = `http://${registry}/v2/${repo}`
  const res = await fetch(`${base}/manifests/${tag}`, { headers, signal: AbortSignal.timeout(10_000) })
  if (res.status === 404) {
    await res.body?.cancel()
    return { state: "absent" }
  }
  if (res.status !== 200) throw new Error(`GET ${base}/manifests/${tag}: HTTP ${res.status}`)
  const bytes = Buffer.from(await res.arrayBuffer())
  const digest = "sha256:" + createHash("sha256").update(bytes).digest("hex")
  const missing: string[] = []
  let referenced = 0
  const headAuth = async (url: string, manifest: boolean) => {
    if (!auth) return head(url, manifest)
    const r = await fetch(url, { method: "HEAD", headers: manifest ? headers : { Authorization: headers.Authorization }, signal: AbortSignal.timeout(10_000) })
    await r.body?.cancel()
    return r.status
  }
  const walk = async (json: { manifests?: { digest: string }[]; config?: { digest: string }; layers?: { digest: string }[] }) => {
    for (const m of json.manifests ?? []) {
      referenced++
      if ((await headAuth(`${base}/manifests/${m.digest}`, true)) !== 200) {
        missing.push(m.digest)
        continue
      }
      const child = await fetch(`${base}/manifests/${m.digest}`, { headers, signal: AbortSignal.timeout(10_000) })
      await walk(JSON.parse(Buffer.from(await child.arrayBuffer()).toString("utf8")))
    }
    for (const b of [...(json.config ? [json.config] : []), ...(json.layers ?? [])]) {
      referenced++
      if ((await headAuth(`${base}/blobs/${b.digest}`, false)) !== 200) missing.push(b.digest)
    }
  }
  await walk(JSON.parse(bytes.toString("utf8")))
  return missing.length ? { state: "dangling", digest, missing } : { state: "complete", digest, referenced }
}
