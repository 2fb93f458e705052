import { createHash } from "node:crypto"
import { afterEach, describe, expect, it } from "vitest"
import { MultiarchInputError, MultiarchInputErrors } from "../../../modules/core/errors/index.js"
import { MediaType } from "../../../modules/registry/index.js"
import { parseAnnotations } from "../../../modules/core/annotations.js"
import { isAttestationDescriptor, mergeImages, platformOf } from "../../../modules/registry/index.js"
import { registryError, startFakeServer, type FakeServer } from "../../support/fake-registry.js"

describe("parseAnnotations", () => {
  it("accepts key=value strings (values may contain = and commas) and maps", () => {
    expect(
      parseAnnotations([
        "org.opencontainers.image.description=Fast, small: a=b",
        "index:org.opencontainers.image.source=https://github.com/o/r",
        "com.example.team=platform",
        "org.opencontainers.image.created=2025-01-02T03:04:05Z",
      ]),
    ).toEqual({
      "org.opencontainers.image.description": "Fast, small: a=b",
      "org.opencontainers.image.source": "https://github.com/o/r",
      "com.example.team": "platform",
      "org.opencontainers.image.created": "2025-01-02T03:04:05Z",
    })
    expect(parseAnnotations({ "org.opencontainers.image.licenses": "MIT" })).toEqual({ "org.opencontainers.image.licenses": "MIT" })
    expect(parseAnnotations(["a.b=1", "a.b=2"])).toEqual({ "a.b": "2" }) // later wins
    expect(parseAnnotations(undefined)).toEqual({})
  })

  it("reports every bad entry at once, each with a fix", () => {
    let err: unknown
    try {
      parseAnnotations([
        "no-equals-sign",
        "org.opencontainers.image.descripton=typo",
        "manifest:org.opencontainers.image.title=x",
        "bad key=1",
        "org.opencontainers.image.created=yesterday",
      ])
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(MultiarchInputErrors)
    const errors = (err as MultiarchInputErrors).errors
    expect(errors).toHaveLength(5)
    expect(errors[0].message).toMatch(/has no "="/)
    expect(errors[1].fix).toBe('did you mean "org.opencontainers.image.description"?')
    expect(errors[2].message).toMatch(/"manifest:" annotations are not written here/)
    expect(errors[3].message).toMatch(/not a valid annotation key/)
    expect(errors[4].message).toMatch(/RFC 3339/)
    for (const e of errors) expect(e.field).toBe("annotations")
  })

  it("rejects a non-list, non-map input", () => {
    expect(() => parseAnnotations("a=b" as unknown as string[])).toThrow(MultiarchInputError)
  })
})

describe("attestation and platform helpers", () => {
  it.each([
    [{ platform: { os: "unknown", architecture: "unknown" } }, true],
    [{ platform: { os: "linux", architecture: "amd64" }, annotations: { "vnd.docker.reference.type": "attestation-manifest" } }, true],
    [{ platform: { os: "linux", architecture: "amd64" } }, false],
    [{ platform: { os: "linux", architecture: "amd64" }, annotations: { "vnd.docker.reference.type": "other" } }, false],
  ])("isAttestationDescriptor(%j) = %s", (d, expected) => {
    expect(isAttestationDescriptor(d)).toBe(expected)
  })

  it.each([
    [{ os: "linux", architecture: "arm" }, "linux/arm/v7"],
    [{ os: "linux", architecture: "arm64", variant: "v8" }, "linux/arm64"],
    [{ os: "linux", architecture: "arm", variant: "v6" }, "linux/arm/v6"],
    [{ os: "linux", architecture: "x86_64" }, "linux/amd64"],
    [{ os: "windows", architecture: "amd64" }, "windows/amd64"],
    [{ os: "unknown", architecture: "unknown" }, "unknown/unknown"],
  ])("platformOf(%j) = %s", (p, expected) => {
    expect(platformOf(p)).toBe(expected)
  })
})

describe("mergeImages: input errors come before any network call", () => {
  it.each([
    [[], "127.0.0.1:1/x:1", {}, /no source images given/],
    [["127.0.0.1:1/a:1"], `127.0.0.1:1/x@sha256:${"a".repeat(64)}`, {}, /cannot be a digest/],
    [["127.0.0.1:1/a:1"], "127.0.0.1:1/x:1", { format: "docker", annotations: ["a.b=c"] }, /Docker manifest list cannot carry annotations/],
    [["127.0.0.1:1/a:1"], "127.0.0.1:1/x:1", { tags: ["ok", "-bad"] }, /not a valid tag/],
    [["127.0.0.1:1/Upper/a:1"], "127.0.0.1:1/x:1", {}, /lower case/],
    [["127.0.0.1:1/a:1", "127.0.0.1:1/b:1", "127.0.0.1:1/a:1"], "127.0.0.1:1/x:1", {}, /listed twice/],
    [["alpine", "docker.io/library/alpine:latest"], "127.0.0.1:1/x:1", {}, /are the same image \(docker.io\/library\/alpine:latest\)/],
  ] as const)("%j → %s", async (sources, target, opts, re) => {
    const err = await mergeImages(sources as unknown as string[], target, opts as never).catch((e) => e)
    expect(err).toBeInstanceOf(MultiarchInputError)
    expect(err.message).toMatch(re)
  })
})

describe("mergeImages: credentials stay with their registry", () => {
  const servers: FakeServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })

  it("reads a source on another registry anonymously and sends the credentials only to the target", async () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v))
    const sha = (b: Buffer) => "sha256:" + createHash("sha256").update(b).digest("hex")
    const config = enc({ os: "linux", architecture: "arm", variant: "v7", rootfs: { type: "layers", diff_ids: [] } })
    const manifest = enc({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: sha(config), size: config.length }, layers: [] })
    const source = await startFakeServer((req, res) => {
      if (req.url === "/v2/src/manifests/1") {
        res.writeHead(200, { "Content-Type": MediaType.OciManifest })
        return res.end(manifest)
      }
      if (req.url === `/v2/src/blobs/${sha(config)}`) return res.end(config)
      registryError(res, 404, "NOT_FOUND", req.url)
    })
    const good = "Basic " + Buffer.from("pusher:s3cret").toString("base64")
    let pushed: Buffer | undefined
    const target = await startFakeServer((req, res) => {
      if (req.headers.authorization !== good) return registryError(res, 401, "UNAUTHORIZED", "x", { "WWW-Authenticate": 'Basic realm="t"' })
      if (req.method === "HEAD") {
        res.writeHead(200)
        return res.end()
      }
      if (req.method === "PUT") {
        if (req.url === "/v2/dst/manifests/1") pushed = req.body
        res.writeHead(201)
        return res.end()
      }
      registryError(res, 404, "NOT_FOUND", req.url)
    })
    servers.push(source, target)
    const ref = await mergeImages([`${source.host}/src:1`], `${target.host}/dst:1`, { credentials: { username: "pusher", password: "s3cret" } })
    expect(source.requests.length).toBeGreaterThan(0)
    expect(source.requests.every((r) => r.headers.authorization === undefined)).toBe(true)
    expect(pushed).toBeDefined()
    expect(ref).toBe(`${target.host}/dst:1@${sha(pushed!)}`)
    const index = JSON.parse(pushed!.toString())
    expect(index.mediaType).toBe(MediaType.OciIndex)
    expect(index.manifests).toEqual([{ mediaType: MediaType.OciManifest, digest: sha(manifest), size: manifest.length, platform: { architecture: "arm", os: "linux", variant: "v7" } }])
    // the child manifest was PUT by digest into the target repository
    expect(target.requests.some((r) => r.method === "PUT" && r.url === `/v2/dst/manifests/${sha(manifest)}` && r.body.equals(manifest))).toBe(true)
  })
})
