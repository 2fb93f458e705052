/**
 * Fault rung: the real registry (Debian's docker-registry) behind a fault-injecting proxy
 * (helpers/fault-proxy.ts) that also plays a Bearer-token registry (401 challenge → /token with
 * Basic credentials → token), through the package export with the client's DEFAULT options.
 *
 * Every fault class × every operation (inspect, verify, merge across registries with streamed
 * blobs, annotate, and publish's follow-ups after an engine push) must end — in success or in a
 * typed RegistryError naming registry, repository and cause — within 60 s, leave every written
 * tag absent, unchanged or complete (each referenced digest HEADs 200 on the registry itself), and
 * put no secret (password, Basic header, token) in any message.
 *
 * The table of outcomes is printed at the end (and written to $FAULT_TABLE when set).
 */
import { writeFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { checkPublishAccess, finishPublish, inspectImage, mergeImages, annotateImage, verifyImage, RegistryError, type RegistryOptions } from "../../modules/registry/index.js"
import { hasCommand, rungAvailable } from "../support/rung.js"
import { startFaultProxy, type FaultProxy, type FaultRule, type RequestClass } from "./helpers/fault-proxy.js"
import { ImageFactory, skopeoRaw } from "./helpers/images.js"
import { startRegistry, type LocalRegistry } from "./helpers/registry.js"
import { tagState, type TagState } from "./helpers/tag-state.js"

const available = rungAvailable("registry faults", {
  "docker-registry": hasCommand("docker-registry"),
  buildah: hasCommand("buildah"),
  skopeo: hasCommand("skopeo"),
})

const CREDS = { username: "fault-bot", password: "pa55-correct-horse" }
const WRONG = { username: "fault-bot", password: "WRONG-pa55-battery" }
const BOUND_S = 60

const ALL: RequestClass[] = ["ping", "manifest GET", "manifest HEAD", "manifest PUT", "blob GET", "blob HEAD", "upload POST", "upload PUT", "token"]
const BODY_GETS: RequestClass[] = ["manifest GET", "blob GET"]

interface FaultCase {
  id: string
  what: string
  rules: FaultRule[]
  /** Operations this fault cannot reach (they send no such request). */
  na?: OpName[]
  expect: "ok" | "error"
  /** For errors: a phrase the message must contain. */
  phrase?: RegExp
  /** Use wrong credentials. */
  wrong?: boolean
  /** Minimum seconds (Retry-After honoured). */
  atLeast?: number
}

const FAULTS: FaultCase[] = [
  { id: "503x2", what: "503 on the first 2 requests", rules: [{ on: ALL, fault: { kind: "status", status: 503 }, times: 2 }], expect: "ok" },
  { id: "502-get-always", what: "502 on every manifest GET", rules: [{ on: ["manifest GET"], fault: { kind: "status", status: 502 } }], expect: "error", phrase: /HTTP 502/ },
  {
    id: "503-put-always",
    what: "503 on every upload/manifest PUT",
    rules: [{ on: ["manifest PUT", "upload PUT"], fault: { kind: "status", status: 503 } }],
    na: ["inspect", "verify"],
    expect: "error",
    phrase: /HTTP 503/,
  },
  {
    id: "503-post-always",
    what: "503 on every upload POST (publish: its check before the push)",
    rules: [{ on: ["upload POST"], fault: { kind: "status", status: 503 } }],
    na: ["inspect", "verify", "annotate"],
    expect: "error",
    phrase: /HTTP 503/,
  },
  { id: "429-retry-after", what: "429 + Retry-After: 2 on the first request", rules: [{ on: ALL, fault: { kind: "status", status: 429, retryAfter: "2" }, times: 1 }], expect: "ok", atLeast: 2 },
  { id: "reset-before", what: "reset before headers, first 2 requests", rules: [{ on: ALL, fault: { kind: "reset-before-headers" }, times: 2 }], expect: "ok" },
  { id: "reset-after", what: "reset after headers (mid-body), first manifest and blob GET", rules: [{ on: ["manifest GET"], fault: { kind: "reset-after-headers" }, times: 1 }, { on: ["blob GET"], fault: { kind: "reset-after-headers" }, times: 1 }], expect: "ok" },
  { id: "reset-after-always", what: "reset mid-body on every body GET", rules: [{ on: BODY_GETS, fault: { kind: "reset-after-headers" } }], expect: "error", phrase: /connection|reset|closed/i },
  { id: "stall-before", what: "no answer (stall before headers), first request", rules: [{ on: ALL, fault: { kind: "stall-before-headers" }, times: 1 }], expect: "ok" },
  { id: "stall-mid", what: "stall mid-body, first manifest and blob GET", rules: [{ on: ["manifest GET"], fault: { kind: "stall-mid-body" }, times: 1 }, { on: ["blob GET"], fault: { kind: "stall-mid-body" }, times: 1 }], expect: "ok" },
  { id: "stall-always", what: "no answer to any manifest GET", rules: [{ on: ["manifest GET"], fault: { kind: "stall-before-headers" } }], expect: "error", phrase: /no answer|no data|timed out|stalled/i },
  { id: "truncate", what: "truncated body, first manifest and blob GET", rules: [{ on: ["manifest GET"], fault: { kind: "truncate" }, times: 1 }, { on: ["blob GET"], fault: { kind: "truncate" }, times: 1 }], expect: "ok" },
  { id: "corrupt", what: "corrupted body, first manifest and blob GET", rules: [{ on: ["manifest GET"], fault: { kind: "corrupt" }, times: 1 }, { on: ["blob GET"], fault: { kind: "corrupt" }, times: 1 }], expect: "ok" },
  {
    id: "corrupt-blob-always",
    what: "every blob GET corrupted",
    rules: [{ on: ["blob GET"], fault: { kind: "corrupt" } }],
    na: ["verify", "annotate", "publish", "publish-tags"],
    expect: "error",
    phrase: /does not match its digest/,
  },
  // merge reads each source's config first (2 blob GETs), then streams configs and layers (skip: 2)
  { id: "stream-reset", what: "reset mid-body in a streamed copy (source), once", rules: [{ on: ["blob GET"], fault: { kind: "reset-after-headers" }, times: 1, skip: 2 }], na: ["inspect", "verify", "annotate", "publish", "publish-tags"], expect: "ok" },
  { id: "stream-stall", what: "stall mid-body in a streamed copy (source), once", rules: [{ on: ["blob GET"], fault: { kind: "stall-mid-body" }, times: 1, skip: 2 }], na: ["inspect", "verify", "annotate", "publish", "publish-tags"], expect: "ok" },
  { id: "stream-corrupt", what: "corrupted streamed copy (source), once", rules: [{ on: ["blob GET"], fault: { kind: "corrupt" }, times: 1, skip: 2 }], na: ["inspect", "verify", "annotate", "publish", "publish-tags"], expect: "ok" },
  {
    id: "stream-reset-always",
    what: "reset mid-body in every streamed copy (source)",
    rules: [{ on: ["blob GET"], fault: { kind: "reset-after-headers" }, skip: 2 }],
    na: ["inspect", "verify", "annotate", "publish", "publish-tags"],
    expect: "error",
    phrase: /connection broke in the middle of the body/,
  },
  {
    id: "stream-corrupt-always",
    what: "every streamed copy corrupted (source)",
    rules: [{ on: ["blob GET"], fault: { kind: "corrupt" }, skip: 2 }],
    na: ["inspect", "verify", "annotate", "publish", "publish-tags"],
    expect: "error",
    phrase: /does not match its digest/,
  },
  { id: "lost-blob-put", what: "lost response to the first blob upload PUT", rules: [{ on: ["upload PUT"], fault: { kind: "lost-response" }, times: 1 }], na: ["inspect", "verify", "annotate", "publish", "publish-tags"], expect: "ok" },
  { id: "lost-manifest-put", what: "lost response to the first manifest PUT", rules: [{ on: ["manifest PUT"], fault: { kind: "lost-response" }, times: 1 }], na: ["inspect", "verify"], expect: "ok" },
  { id: "token-500x2", what: "token endpoint 500, twice", rules: [{ on: ["token"], fault: { kind: "status", status: 500 }, times: 2 }], expect: "ok" },
  { id: "token-500-always", what: "token endpoint 500, always", rules: [{ on: ["token"], fault: { kind: "status", status: 500 } }], expect: "error", phrase: /token service .* answered HTTP 500/ },
  { id: "wrong-creds", what: "wrong password", rules: [], wrong: true, expect: "error", phrase: /credentials for user "fault-bot" were rejected/ },
]

type OpName = "inspect" | "verify" | "merge" | "annotate" | "publish" | "publish-tags"
const OPS: OpName[] = ["inspect", "verify", "merge", "annotate", "publish", "publish-tags"]

interface Row {
  fault: string
  op: OpName
  outcome: string
  seconds: number
  tag: string
}
const rows: Row[] = []

describe.skipIf(!available)("registry faults: every fault class × operation ends within 60 s, typed, nothing dangling, no secret", () => {
  let A: LocalRegistry // source registry (images to inspect, verify, merge from)
  let B: LocalRegistry // target registry (merge target, annotate, publish)
  let f: ImageFactory
  let indexBytes: Buffer // the index pushed to B as "ann/app" and "pub/app"
  let indexDigest = ""
  let amd64Digest = ""
  let arm64Digest = ""

  beforeAll(async () => {
    ;[A, B] = await Promise.all([startRegistry(), startRegistry()])
    f = new ImageFactory()
    const amd64 = f.build("fault-amd64", "linux/amd64", "amd64 payload ".repeat(2000))
    const arm64 = f.build("fault-arm64", "linux/arm64", "arm64 payload ".repeat(2000))
    amd64Digest = f.push(amd64, `${A.host}/src/amd64:1`)
    arm64Digest = f.push(arm64, `${A.host}/src/arm64:1`)
    f.push(amd64, `${A.host}/src/single:1`)
    f.pushIndex([amd64, arm64], `${A.host}/src/multi:1`)
    f.pushIndex([amd64, arm64], `${B.host}/ann/app:base`)
    f.pushIndex([amd64, arm64], `${B.host}/pub/app:base`)
    const raw = skopeoRaw(`${B.host}/ann/app:base`)
    indexBytes = raw.bytes
    indexDigest = raw.digest
    expect(skopeoRaw(`${B.host}/pub/app:base`).digest).toBe(indexDigest)
  }, 180_000)

  afterAll(async () => {
    await Promise.all([A?.stop(), B?.stop()])
    f?.cleanup()
    if (rows.length) {
      const faults = FAULTS.map((c) => c.what).filter((w) => rows.some((r) => r.fault === w))
      const lines = [`| fault | ${OPS.join(" | ")} |`, `|---|${OPS.map(() => "---").join("|")}|`]
      for (const fa of faults) {
        const cells = OPS.map((op) => {
          const r = rows.find((x) => x.fault === fa && x.op === op)
          return r ? `${r.outcome}, ${r.seconds.toFixed(1)} s${r.tag ? ` (${r.tag})` : ""}` : "n/a"
        })
        lines.push(`| ${fa} | ${cells.join(" | ")} |`)
      }
      const table = lines.join("\n")
      console.log("\n" + table + "\n")
      if (process.env.FAULT_TABLE) writeFileSync(process.env.FAULT_TABLE, table + "\n")
    }
  })

  /** PUT the test index under `tag` directly on B (the "engine push" of publish, the "before" of annotate). */
  async function seedTag(repo: string, tag: string): Promise<void> {
    const res = await fetch(`http://${B.host}/v2/${repo}/manifests/${tag}`, {
      method: "PUT",
      headers: { "Content-Type": "application/vnd.oci.image.index.v1+json" },
      body: new Uint8Array(indexBytes),
    })
    expect(res.status).toBe(201)
  }

  function assertClean(err: unknown, proxies: FaultProxy[], c: FaultCase, op: OpName) {
    expect(err, `${c.id} × ${op}: expected a RegistryError, got ${String(err)}`).toBeInstanceOf(RegistryError)
    const e = err as RegistryError
    expect(e.message).not.toMatch(/TypeError|TimeoutError|AbortError|^terminated|fetch failed/)
    expect(e.message).not.toMatch(/\n\s+at /)
    const secrets = [CREDS.password, WRONG.password, Buffer.from(`${CREDS.username}:${CREDS.password}`).toString("base64"), Buffer.from(`${WRONG.username}:${WRONG.password}`).toString("base64"), ...proxies.flatMap((p) => p.tokens)]
    for (const s of secrets) expect(e.message, "no secret in the message").not.toContain(s)
    expect(e.registry).toBeTruthy()
    expect(e.message).toContain(e.registry)
    if (c.phrase) expect(e.message).toMatch(c.phrase)
  }

  const cases = FAULTS.flatMap((c) => OPS.filter((op) => !c.na?.includes(op)).map((op) => [c, op] as const))

  it.concurrent.each(cases.map(([c, op]) => [`${c.id} × ${op}`, c, op] as const))("%s", async (_name, c, op) => {
    const id = `${c.id}-${op}`.replace(/[^a-z0-9-]/g, "")
    const pa = await startFaultProxy({ upstream: A.host, token: CREDS })
    const pb = await startFaultProxy({ upstream: B.host, token: CREDS })
    pa.setRules(c.rules)
    pb.setRules(c.rules)
    const opts: RegistryOptions = { credentials: c.wrong ? WRONG : CREDS }
    let written: { repo: string; tags: string[]; before?: string } | undefined
    let run: () => Promise<unknown>
    switch (op) {
      case "inspect":
        run = () => inspectImage(`${pa.host}/src/single:1`, opts)
        break
      case "verify":
        run = () => verifyImage(`${pa.host}/src/multi:1`, "linux/amd64,linux/arm64", opts)
        break
      case "merge":
        written = { repo: `m-${id}/app`, tags: ["1"] }
        run = () =>
          mergeImages([`${pa.host}/src/amd64:1`, `${pa.host}/src/arm64:1`], `${pb.host}/m-${id}/app:1`, {
            ...opts,
            credentialsFor: (r) => (r === pa.host || r === pb.host ? opts.credentials : undefined),
            streamThresholdBytes: 0,
          })
        break
      case "annotate":
        await seedTag("ann/app", id)
        written = { repo: "ann/app", tags: [id], before: indexDigest }
        run = () => annotateImage(`${pb.host}/ann/app:${id}`, { "org.example.fault": c.id }, opts)
        break
      case "publish":
      case "publish-tags": {
        // what publishImage does: check the module's client can do its part, the engine pushes
        // (here: a direct PUT of the index), then the follow-ups (annotate, tag, verify)
        const followUps = {
          ...(op === "publish" ? { annotations: { "org.example.fault": c.id } } : {}),
          tags: [`${id}-x`, `${id}-y`],
          verify: ["linux/amd64", "linux/arm64"],
        }
        written = { repo: "pub/app", tags: [id, `${id}-x`, `${id}-y`] }
        run = async () => {
          await checkPublishAccess(`${pb.host}/pub/app:${id}`, followUps, opts)
          await seedTag("pub/app", id)
          return finishPublish(`${pb.host}/pub/app:${id}@${indexDigest}`, followUps, opts)
        }
        break
      }
    }
    const t0 = Date.now()
    let err: unknown
    let result: unknown
    try {
      result = await run!()
    } catch (e) {
      err = e
    }
    const seconds = (Date.now() - t0) / 1000
    await Promise.all([pa.close(), pb.close()])

    // tags written: absent, unchanged or complete — never dangling
    const states: TagState[] = []
    if (written) for (const t of written.tags) states.push(await tagState(B.host, written.repo, t))
    const tagSummary = states
      .map((s) => (s.state === "complete" ? (written?.before && s.digest === written.before ? "unchanged" : "complete") : s.state))
      .join("/")
    const firstLine = err instanceof Error ? err.message.split("\n")[0] : ""
    rows.push({
      fault: c.what,
      op,
      outcome: err ? `${err instanceof RegistryError ? err.name : `RAW ${(err as Error)?.name}`}${(err as RegistryError)?.status ? ` ${(err as RegistryError).status}` : ""}` : "ok",
      seconds,
      tag: tagSummary,
    })
    if (err && process.env.FAULT_VERBOSE) console.log(`${c.id} × ${op}: ${firstLine}`)

    expect(seconds, `${c.id} × ${op} took ${seconds} s`).toBeLessThan(BOUND_S)
    if (c.atLeast) expect(seconds).toBeGreaterThanOrEqual(c.atLeast)
    for (const s of states) expect(s.state, `${c.id} × ${op}: ${JSON.stringify(s)}`).not.toBe("dangling")
    if (c.expect === "ok") {
      expect(err, `${c.id} × ${op}: ${firstLine}`).toBeUndefined()
      if (op === "inspect") expect((result as { platforms: { platform: string }[] }).platforms.map((p) => p.platform)).toEqual(["linux/amd64"])
      if (op === "verify") expect((result as { platforms: string[] }).platforms).toEqual(["linux/amd64", "linux/arm64"])
      if (op === "merge") {
        const raw = skopeoRaw(`${B.host}/${written!.repo}:1`)
        expect(raw.json.manifests.map((m: { digest: string }) => m.digest)).toEqual([amd64Digest, arm64Digest])
      }
      if (written) for (const s of states) expect(s.state).toBe("complete")
      if (op === "publish-tags") for (const st of states) expect((st as { digest: string }).digest).toBe(indexDigest)
      if (op === "annotate" || op === "publish") {
        const raw = skopeoRaw(`${B.host}/${written!.repo}:${written!.tags[0]}`)
        expect(raw.json.annotations).toEqual({ "org.example.fault": c.id })
        for (const s of states) expect((s as { digest: string }).digest).toBe(raw.digest)
      }
    } else {
      assertClean(err, [pa, pb], c, op)
      if (op === "merge" && c.id === "502-get-always") expect((err as RegistryError).registry, "a source fault is blamed on the source").toBe(pa.host)
      if (op === "merge" && ["corrupt-blob-always", "stream-reset-always", "stream-corrupt-always"].includes(c.id))
        expect((err as RegistryError).registry, "a source fault is blamed on the source").toBe(pa.host)
      if (op.startsWith("publish") && c.id === "503-post-always") {
        expect((err as Error).message).toMatch(/nothing was pushed/)
        for (const st of states) expect(st.state, "the check failed before the engine's push").toBe("absent")
      }
      if (c.id.startsWith("stream-")) expect(pa.requests.filter((r) => r.class === "blob GET").length, "the source was reopened to retry").toBeGreaterThan(4)
    }
  }, 90_000)
})
