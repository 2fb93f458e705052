/**
 * A read racing a push of the same digest under another tag, on the real registry (Debian's
 * docker-registry, distribution 2.8): the registry answers that read HTTP 500 "invalid checksum
 * digest format" for a moment — its filesystem driver rewrites the digest's revision link
 * (`_manifests/revisions/sha256/<digest>/link`) in place on every manifest PUT of that digest,
 * truncate then write, so a concurrent reader finds it empty. Nothing is wrong with the tag read.
 *
 * This is what failed the fault rung in CI ("reset-before × publish-tags": GET …/manifests/
 * reset-before-publish-tags-x: HTTP 500): its cases run concurrently and push the same index to
 * tags of one repository, and tagState (the oracle for "never dangling") took the registry's
 * transient 500 for an answer. Here:
 * - the race is real and produces those 500s (asserted from the registry's log, so this file
 *   notices when a registry upgrade makes the rest of it moot);
 * - the module's client reads through it (inspect, verify) with its default options — a 500 is
 *   retried like any transient failure;
 * - tagState reads through it too, and still tells absent, complete and dangling apart; a 5xx
 *   that does not heal throws instead of counting as absent or missing.
 */
import { createHash } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { inspectImage, verifyImage } from "../../modules/registry/index.js"
import { hasCommand, rungAvailable } from "../support/rung.js"
import { startFaultProxy, type FaultRule } from "./helpers/fault-proxy.js"
import { startRegistry, type LocalRegistry } from "./helpers/registry.js"
import { tagState, transientAnswers } from "./helpers/tag-state.js"

const available = rungAvailable("registry (concurrent pushes)", { "docker-registry": hasCommand("docker-registry") })

const sha256 = (b: Uint8Array) => "sha256:" + createHash("sha256").update(b).digest("hex")
const json = (v: unknown) => Buffer.from(JSON.stringify(v))
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
const OCI_INDEX = "application/vnd.oci.image.index.v1+json"
/** A registry log line of the race: a read answered 500 because a revision link was empty. */
const RACE_500 = /err\.detail="invalid checksum digest format"[^\n]*http\.response\.status=500/g

describe.skipIf(!available)("registry rung: reads racing pushes of the same digest under other tags", () => {
  let R: LocalRegistry
  let base = ""
  let index: Buffer
  let indexDigest = ""
  let layerDigest = ""

  async function putBlob(repo: string, bytes: Buffer): Promise<string> {
    const digest = sha256(bytes)
    const post = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: "POST" })
    await post.body?.cancel()
    expect(post.status).toBe(202)
    const loc = new URL(post.headers.get("location")!, base)
    loc.searchParams.set("digest", digest)
    const put = await fetch(loc, { method: "PUT", headers: { "Content-Type": "application/octet-stream" }, body: new Uint8Array(bytes) })
    await put.body?.cancel()
    expect(put.status).toBe(201)
    return digest
  }

  async function putManifest(repo: string, ref: string, bytes: Buffer, mediaType: string): Promise<number> {
    const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { method: "PUT", headers: { "Content-Type": mediaType }, body: new Uint8Array(bytes) })
    await res.body?.cancel()
    return res.status
  }

  /** Push a one-platform index (config, one layer, manifest, index) to `repo:tag`; the index bytes. */
  async function pushIndex(repo: string, tag: string): Promise<{ index: Buffer; layer: string }> {
    const layer = Buffer.from(`layer of ${repo}\n`.repeat(100))
    const layerD = await putBlob(repo, layer)
    const config = json({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [layerD] }, config: {} })
    const configD = await putBlob(repo, config)
    const manifest = json({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configD, size: config.length },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: layerD, size: layer.length }],
    })
    expect(await putManifest(repo, sha256(manifest), manifest, OCI_MANIFEST)).toBe(201)
    const idx = json({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: sha256(manifest), size: manifest.length, platform: { architecture: "amd64", os: "linux" } }],
    })
    expect(await putManifest(repo, tag, idx, OCI_INDEX)).toBe(201)
    return { index: idx, layer: layerD }
  }

  /** Run `reads` while the same index is pushed, again and again, to three other tags of `repo`. */
  async function whilePushing<T>(repo: string, reads: () => Promise<T>): Promise<{ result: T; pushes: number; races: number }> {
    const racesBefore = (R.log().match(RACE_500) ?? []).length
    let stop = false
    let pushes = 0
    const pusher = (async () => {
      while (!stop) expect(await putManifest(repo, `other-${pushes++ % 3}`, index, OCI_INDEX)).toBe(201)
    })()
    try {
      const result = await reads()
      return { result, pushes, races: (R.log().match(RACE_500) ?? []).length - racesBefore }
    } finally {
      stop = true
      await pusher
    }
  }

  /** Set by the first test once it has seen the registry answer reads 500 during the pushes. */
  let raceShown = false

  /**
   * whilePushing in rounds until the registry has answered at least one read 500 (at most 12): the
   * race is timing-dependent, and single rounds saw none in the fresh-machine rehearsal and in a root
   * route run of 2026-12-01 (one run saw none in 12 rounds of the client's reads, on a loaded machine).
   * Every result of every round is returned, for the caller to check.
   */
  async function untilRaced<T>(repo: string, reads: () => Promise<T[]>): Promise<{ result: T[]; races: number }> {
    const result: T[] = []
    let races = 0
    for (let round = 0; round < 12 && races === 0; round++) {
      const r = await whilePushing(repo, reads)
      result.push(...r.result)
      races += r.races
    }
    return { result, races }
  }

  /**
   * The reads must have met the race, or at least the first test must have shown it in this registry
   * (then these reads ran under the same pushes; a 5xx the client must retry is also forced through
   * a proxy in the last test). Said loudly when this test's own reads never met it.
   */
  function expectRaced(races: number): void {
    if (races > 0) return
    expect(raceShown, "neither these reads nor the first test's met the registry's 500 race: the test proves nothing").toBe(true)
    console.warn("\n!!! concurrent-push: these reads met no HTTP 500 in 12 rounds of pushes (the race is timing-dependent; the first test showed it in this registry)\n")
  }

  beforeAll(async () => {
    R = await startRegistry()
    base = `http://${R.host}`
    ;({ index, layer: layerDigest } = await pushIndex("race/app", "read-me"))
    indexDigest = sha256(index)
  }, 60_000)

  afterAll(async () => {
    await R?.stop()
  })

  it("the race is real: the registry answers reads of a tag HTTP 500 while the same digest is pushed to other tags", async () => {
    let answers: Record<string, number> = {}
    const { pushes, races } = await whilePushing("race/app", async () => {
      for (let i = 0; i < 400; i++) {
        const res = await fetch(`${base}/v2/race/app/manifests/read-me`, { headers: { Accept: OCI_INDEX } })
        await res.body?.cancel()
        answers = { ...answers, [res.status]: (answers[res.status] ?? 0) + 1 }
      }
    })
    expect(pushes).toBeGreaterThan(5)
    expect(Object.keys(answers).sort(), JSON.stringify(answers)).toEqual(["200", "500"])
    expect(races).toBeGreaterThan(0)
    expect(R.log()).toContain('err.detail="invalid checksum digest format"')
    raceShown = true
  }, 60_000)

  it("the module's client reads through the race with its default options (inspect, verify)", async () => {
    const { result, races } = await untilRaced("race/app", async () => {
      const out: string[] = []
      for (let i = 0; i < 40; i++) {
        const info = await inspectImage(`${R.host}/race/app:read-me`)
        out.push(info.platforms.map((p) => p.platform).join(","))
        const v = await verifyImage(`${R.host}/race/app:read-me`, "linux/amd64")
        out.push(v.platforms.join(","))
      }
      return out
    })
    expect(new Set(result)).toEqual(new Set(["linux/amd64"]))
    expectRaced(races)
  }, 300_000)

  it("tagState reads through the race: the tag is complete every time", async () => {
    const retriedBefore = transientAnswers.length
    const { result, races } = await untilRaced("race/app", async () => {
      const states = []
      for (let i = 0; i < 100; i++) states.push(await tagState(R.host, "race/app", "read-me"))
      return states
    })
    for (const s of result) expect(s).toEqual({ state: "complete", digest: indexDigest, referenced: 3 })
    expectRaced(races)
    if (races > 0) expect(transientAnswers.slice(retriedBefore).join("\n"), "tagState asked again after the registry's 500s").toMatch(/HTTP 500/)
  }, 300_000)

  it("tagState still tells absent and dangling apart (nothing is weakened)", async () => {
    expect(await tagState(R.host, "race/app", "never-pushed")).toEqual({ state: "absent" })
    expect(await tagState(R.host, "nowhere/app", "1")).toEqual({ state: "absent" })
    // a layer the tag references is gone from the repository: dangling, naming it
    const { index: idx, layer } = await pushIndex("dangling/app", "1")
    const del = await fetch(`${base}/v2/dangling/app/blobs/${layer}`, { method: "DELETE" })
    await del.body?.cancel()
    expect(del.status).toBe(202)
    expect(await tagState(R.host, "dangling/app", "1")).toEqual({ state: "dangling", digest: sha256(idx), missing: [layer] })
    expect(layer).not.toBe(layerDigest)
  })

  it("tagState through a proxy: a 5xx that heals is asked again; one that does not throws, never reads as absent or missing", async () => {
    const cases: { rules: FaultRule[]; expect: "complete" | RegExp }[] = [
      { rules: [{ on: ["manifest GET"], fault: { kind: "status", status: 500 }, times: 3 }], expect: "complete" },
      { rules: [{ on: ["blob HEAD"], fault: { kind: "status", status: 503 }, times: 2 }], expect: "complete" },
      { rules: [{ on: ["manifest GET"], fault: { kind: "reset-before-headers" }, times: 2 }], expect: "complete" },
      { rules: [{ on: ["manifest GET"], fault: { kind: "status", status: 500 } }], expect: /manifests\/read-me: HTTP 500 .*still, after 8 attempts/ },
      { rules: [{ on: ["manifest GET"], fault: { kind: "status", status: 500 }, skip: 1 }], expect: /manifests\/sha256:[0-9a-f]{64}: HTTP 500 .*still, after 8 attempts/ },
      { rules: [{ on: ["blob HEAD"], fault: { kind: "status", status: 502 } }], expect: /blobs\/sha256:[0-9a-f]{64}: HTTP 502.*still, after 8 attempts/ },
      { rules: [{ on: ["manifest GET"], fault: { kind: "status", status: 403 } }], expect: /manifests\/read-me: HTTP 403/ },
    ]
    for (const c of cases) {
      const p = await startFaultProxy({ upstream: R.host })
      p.setRules(c.rules)
      try {
        if (c.expect === "complete") expect(await tagState(p.host, "race/app", "read-me")).toEqual({ state: "complete", digest: indexDigest, referenced: 3 })
        else await expect(tagState(p.host, "race/app", "read-me")).rejects.toThrow(c.expect)
      } finally {
        await p.close()
      }
    }
  }, 60_000)
})
