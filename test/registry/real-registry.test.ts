/**
 * Real registry rung: Debian's docker-registry (distribution 2.8) on 127.0.0.1, once without auth
 * and once with htpasswd Basic auth. Images are built FROM scratch with buildah for linux/amd64,
 * linux/arm64 and linux/arm/v7 (no pulls) and pushed with buildah; every result of inspect,
 * verify, merge, annotate and tag is read back with `skopeo inspect --raw` (and `skopeo copy`
 * where blobs matter) as the independent reader.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { MultiarchInputError } from "../../modules/core/errors/index.js"
import { MediaType, RegistryAuthError, RegistryNotFoundError } from "../../modules/registry/index.js"
import { annotateImage, inspectImage, mergeImages, PlatformMismatchError, tagImage, verifyImage } from "../../modules/registry/index.js"
import { hasCommand, rungAvailable } from "../support/rung.js"
import { ImageFactory, indexPlatforms, skopeoConfig, skopeoCopyAll, skopeoRaw, type Creds } from "./helpers/images.js"
import { startRegistry, type LocalRegistry } from "./helpers/registry.js"

const available = rungAvailable("registry", {
  "docker-registry": hasCommand("docker-registry"),
  buildah: hasCommand("buildah"),
  skopeo: hasCommand("skopeo"),
  "htpasswd (apache2-utils)": hasCommand("htpasswd"),
})

const CREDS: Creds = { username: "ci-bot", password: "correct horse battery" }
const T = { timeout: 60_000 }

describe.skipIf(!available)("registry rung: real local registry", () => {
  let open: LocalRegistry
  let secure: LocalRegistry
  let f: ImageFactory
  let O: string // open registry host
  let P: string // auth registry host
  const d: Record<string, string> = {} // manifest digests of pushed single images
  const scratch: string[] = []
  const layoutDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "multiarch-layout-"))
    scratch.push(dir)
    return join(dir, "layout")
  }

  beforeAll(async () => {
    ;[open, secure] = await Promise.all([startRegistry(), startRegistry({ auth: CREDS })])
    O = open.host
    P = secure.host
    f = new ImageFactory()
    const amd64 = f.build("app-amd64", "linux/amd64")
    const arm64 = f.build("app-arm64", "linux/arm64")
    const armv7 = f.build("app-armv7", "linux/arm/v7")
    const att = f.build("att", "unknown/unknown", '{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2"}\n')

    // open registry
    f.pushIndex([amd64, arm64, armv7], `${O}/multi:1.0`)
    f.pushIndex([amd64, arm64, armv7], `${O}/to-annotate:1`)
    d.amd64v2 = f.push(amd64, `${O}/single/amd64:1`, { format: "v2s2" })
    d.arm64oci = f.push(arm64, `${O}/single/arm64:1`, { format: "oci" })
    d.armv7v2 = f.push(armv7, `${O}/single/armv7:1`, { format: "v2s2" })
    d.wrap = f.push(arm64, `${O}/wrap:1`, { format: "oci" })
    d.attA = f.push(amd64, `${O}/attested:amd64`)
    d.attB = f.push(arm64, `${O}/attested:arm64`)
    d.attT = f.push(att, `${O}/attested:att`)
    f.composeIndex(
      [
        { ref: `${O}/attested@${d.attA}` },
        { ref: `${O}/attested@${d.attB}` },
        {
          ref: `${O}/attested@${d.attT}`,
          os: "unknown",
          arch: "unknown",
          annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": d.attA },
        },
      ],
      `${O}/attested:1`,
    )

    // registry with Basic auth
    f.pushIndex([amd64, arm64, armv7], `${P}/private/multi:1.0`, { creds: CREDS })
    d.pAmd = f.push(amd64, `${P}/private/amd64:1`, { creds: CREDS })
    d.pArm = f.push(arm64, `${P}/private/arm64:1`, { creds: CREDS })
  }, 120_000)

  afterAll(async () => {
    await Promise.all([open?.stop(), secure?.stop()])
    f?.cleanup()
    for (const s of scratch) rmSync(s, { recursive: true, force: true })
  })

  // ------------------------------------------------------------------ inspect

  it("inspect lists the pushed platforms and digests (as skopeo reads them)", async () => {
    const raw = skopeoRaw(`${O}/multi:1.0`)
    const info = await inspectImage(`${O}/multi:1.0`)
    expect(info.ref).toBe(`${O}/multi:1.0@${raw.digest}`)
    expect(info.digest).toBe(raw.digest)
    expect(info.size).toBe(raw.bytes.length)
    expect(info.isIndex).toBe(true)
    expect(info.mediaType).toBe(MediaType.OciIndex)
    expect(info.platforms.map((p) => p.platform)).toEqual(["linux/amd64", "linux/arm64", "linux/arm/v7"])
    expect(info.platforms.map((p) => [p.digest, p.size, p.mediaType])).toEqual(raw.json.manifests.map((m: { digest: string; size: number; mediaType: string }) => [m.digest, m.size, m.mediaType]))
    expect(info.attestations).toEqual([])
  }, T.timeout)

  it("inspect of a single-platform image reads its platform from the config", async () => {
    const info = await inspectImage(`${O}/single/armv7:1`)
    expect(info.isIndex).toBe(false)
    expect(info.mediaType).toBe(MediaType.DockerManifest)
    expect(info.digest).toBe(d.armv7v2)
    expect(info.platforms).toEqual([expect.objectContaining({ platform: "linux/arm/v7", digest: d.armv7v2 })])
    const cfg = skopeoConfig(`${O}/single/armv7:1`)
    expect([cfg.os, cfg.architecture, cfg.variant]).toEqual(["linux", "arm", "v7"])
  }, T.timeout)

  it("inspect lists attestation manifests separately, not as platforms", async () => {
    const raw = skopeoRaw(`${O}/attested:1`)
    expect(raw.json.manifests).toHaveLength(3)
    const info = await inspectImage(`${O}/attested:1`)
    expect(info.digest).toBe(raw.digest)
    expect(info.platforms.map((p) => [p.platform, p.digest])).toEqual([
      ["linux/amd64", d.attA],
      ["linux/arm64", d.attB],
    ])
    expect(info.attestations).toEqual([expect.objectContaining({ platform: "unknown/unknown", digest: d.attT, subject: d.attA })])
  }, T.timeout)

  it("a missing tag is a RegistryNotFoundError naming the reference", async () => {
    const err = await inspectImage(`${O}/multi:no-such-tag`).catch((e) => e)
    expect(err).toBeInstanceOf(RegistryNotFoundError)
    expect(err.message).toContain(`${O}/multi:no-such-tag not found on registry ${O}`)
  }, T.timeout)

  // ------------------------------------------------------------------ verify

  it("verify passes for the right set, in any spelling and order", async () => {
    const r = await verifyImage(`${O}/multi:1.0`, "linux/arm,arm64,linux/x86_64")
    expect(r.platforms).toEqual(["linux/amd64", "linux/arm64", "linux/arm/v7"])
    expect(r.digest).toBe(skopeoRaw(`${O}/multi:1.0`).digest)
    await expect(verifyImage(`${O}/single/armv7:1`, ["linux/arm/v7"])).resolves.toMatchObject({ platforms: ["linux/arm/v7"] })
  }, T.timeout)

  it("verify fails for a missing platform, naming it", async () => {
    const err = await verifyImage(`${O}/multi:1.0`, "linux/amd64,linux/arm64,linux/arm/v7,linux/riscv64").catch((e) => e)
    expect(err).toBeInstanceOf(PlatformMismatchError)
    expect(err.missing).toEqual(["linux/riscv64"])
    expect(err.unexpected).toEqual([])
    expect(err.message).toContain("missing linux/riscv64")
    expect(err.message).toContain(`${O}/multi:1.0@sha256:`)
  }, T.timeout)

  it("verify fails for an unexpected platform, naming it", async () => {
    const err = await verifyImage(`${O}/multi:1.0`, "linux/amd64,linux/arm64").catch((e) => e)
    expect(err).toBeInstanceOf(PlatformMismatchError)
    expect(err.unexpected).toEqual(["linux/arm/v7"])
    expect(err.message).toContain("unexpected linux/arm/v7")
  }, T.timeout)

  it("verify ignores attestation manifests (unknown/unknown)", async () => {
    await expect(verifyImage(`${O}/attested:1`, "linux/amd64,linux/arm64")).resolves.toMatchObject({ platforms: ["linux/amd64", "linux/arm64"] })
  }, T.timeout)

  // ------------------------------------------------------------------ merge

  it("merge of two single-arch images yields an index skopeo reports with both platforms", async () => {
    const ref = await mergeImages([`${O}/single/amd64:1`, `${O}/single/arm64:1`], `${O}/merged/app:1`)
    const raw = skopeoRaw(`${O}/merged/app:1`)
    expect(ref).toBe(`${O}/merged/app:1@${raw.digest}`)
    expect(raw.json.mediaType).toBe(MediaType.OciIndex) // mixed Docker v2 + OCI children
    expect(indexPlatforms(raw.json)).toEqual(["linux/amd64", "linux/arm64"])
    expect(raw.json.manifests.map((m: { digest: string }) => m.digest)).toEqual([d.amd64v2, d.arm64oci])
    // child manifests were pushed by digest, byte for byte
    expect(skopeoRaw(`${O}/merged/app@${d.amd64v2}`).bytes.equals(skopeoRaw(`${O}/single/amd64:1`).bytes)).toBe(true)
    // every blob is there: a full copy of the index succeeds
    skopeoCopyAll(`${O}/merged/app:1`, layoutDir())
    // blobs were mounted across repositories, not re-uploaded
    expect(open.log()).toMatch(/"POST \/v2\/merged\/app\/blobs\/uploads\/\?mount=sha256%3A[0-9a-f]{64}&from=single%2Famd64 HTTP\/1\.1" 201/)
  }, T.timeout)

  it("merge of Docker v2 images writes a Docker manifest list; with annotations an OCI index", async () => {
    await mergeImages([`${O}/single/amd64:1`, `${O}/single/armv7:1`], `${O}/merged/docker:1`)
    const list = skopeoRaw(`${O}/merged/docker:1`).json
    expect(list.mediaType).toBe(MediaType.DockerManifestList)
    expect(indexPlatforms(list)).toEqual(["linux/amd64", "linux/arm/v7"])

    await mergeImages([`${O}/single/amd64:1`, `${O}/single/armv7:1`], `${O}/merged/docker:annotated`, {
      annotations: ["org.opencontainers.image.description=merged with annotations"],
    })
    const idx = skopeoRaw(`${O}/merged/docker:annotated`).json
    expect(idx.mediaType).toBe(MediaType.OciIndex)
    expect(idx.annotations).toEqual({ "org.opencontainers.image.description": "merged with annotations" })
  }, T.timeout)

  it("merge rejects two sources of the same platform, naming both, and pushes nothing", async () => {
    const err = await mergeImages([`${O}/multi:1.0`, `${O}/single/amd64:1`], `${O}/merged/dup:1`).catch((e) => e)
    expect(err).toBeInstanceOf(MultiarchInputError)
    expect(err.message).toContain(`both ${O}/multi:1.0 and ${O}/single/amd64:1 provide linux/amd64`)
    expect(() => skopeoRaw(`${O}/merged/dup:1`)).toThrow(/manifest unknown|not found/i)
  }, T.timeout)

  it("merge of an index (with an attestation) and a single image keeps the attestation, tags extra tags", async () => {
    const ref = await mergeImages([`${O}/attested:1`, `${O}/single/armv7:1`], `${O}/merged/att:1`, { tags: ["latest"] })
    const raw = skopeoRaw(`${O}/merged/att:1`)
    expect(ref).toBe(`${O}/merged/att:1@${raw.digest}`)
    expect(indexPlatforms(raw.json)).toEqual(["linux/amd64", "linux/arm64", "linux/arm/v7"])
    const att = raw.json.manifests.filter((m: { platform?: { os: string } }) => m.platform?.os === "unknown")
    expect(att).toHaveLength(1)
    expect(att[0].annotations["vnd.docker.reference.digest"]).toBe(d.attA)
    expect(skopeoRaw(`${O}/merged/att:latest`).digest).toBe(raw.digest)
    skopeoCopyAll(`${O}/merged/att:1`, layoutDir())
  }, T.timeout)

  // ------------------------------------------------------------------ annotate / tag

  it("annotate writes the annotations on the index itself (visible in the raw index)", async () => {
    const before = skopeoRaw(`${O}/to-annotate:1`)
    const ref1 = await annotateImage(`${O}/to-annotate:1`, [
      "org.opencontainers.image.description=A tiny test image",
      "org.opencontainers.image.source=https://github.com/example/multiarch",
    ])
    const ref2 = await annotateImage(`${O}/to-annotate:1`, {
      "org.opencontainers.image.description": "Updated description",
      "com.example.team": "platform",
    })
    const after = skopeoRaw(`${O}/to-annotate:1`)
    expect(ref2).toBe(`${O}/to-annotate:1@${after.digest}`)
    expect(ref1).not.toBe(ref2)
    expect(after.json.mediaType).toBe(MediaType.OciIndex)
    expect(after.json.annotations).toEqual({
      "org.opencontainers.image.description": "Updated description",
      "org.opencontainers.image.source": "https://github.com/example/multiarch",
      "com.example.team": "platform",
    })
    // the platform entries are untouched
    expect(after.json.manifests).toEqual(before.json.manifests)
    expect((await inspectImage(`${O}/to-annotate:1`)).annotations["com.example.team"]).toBe("platform")
  }, T.timeout)

  it("annotate on a single-platform manifest wraps it in a one-entry OCI index", async () => {
    const ref = await annotateImage(`${O}/wrap:1`, ["org.opencontainers.image.title=wrapped"])
    const raw = skopeoRaw(`${O}/wrap:1`)
    expect(ref).toBe(`${O}/wrap:1@${raw.digest}`)
    expect(raw.json.mediaType).toBe(MediaType.OciIndex)
    expect(raw.json.manifests).toEqual([expect.objectContaining({ digest: d.wrap, platform: { architecture: "arm64", os: "linux" } })])
    expect(raw.json.annotations).toEqual({ "org.opencontainers.image.title": "wrapped" })
  }, T.timeout)

  it("tagImage points more tags at the same digest", async () => {
    const digest = skopeoRaw(`${O}/multi:1.0`).digest
    const refs = await tagImage(`${O}/multi:1.0`, ["1", "stable"])
    expect(refs).toEqual([`${O}/multi:1@${digest}`, `${O}/multi:stable@${digest}`])
    expect(skopeoRaw(`${O}/multi:stable`).digest).toBe(digest)
  }, T.timeout)

  // ------------------------------------------------------------------ Basic auth registry

  it("auth: inspect and verify with the right credentials", async () => {
    const raw = skopeoRaw(`${P}/private/multi:1.0`, CREDS)
    const info = await inspectImage(`${P}/private/multi:1.0`, { credentials: CREDS })
    expect(info.digest).toBe(raw.digest)
    expect(info.platforms.map((p) => p.platform)).toEqual(["linux/amd64", "linux/arm64", "linux/arm/v7"])
    await expect(verifyImage(`${P}/private/multi:1.0`, "linux/amd64,linux/arm64,linux/arm/v7", { credentials: CREDS })).resolves.toBeTruthy()
  }, T.timeout)

  it("auth: a wrong password is an error naming the registry and 'authentication', not a stack trace", async () => {
    const bad = { username: CREDS.username, password: "wrong-password-123" }
    const err = await inspectImage(`${P}/private/multi:1.0`, { credentials: bad }).catch((e) => e)
    expect(err).toBeInstanceOf(RegistryAuthError)
    expect(err.registry).toBe(P)
    expect(err.message).toContain(`registry ${P}`)
    expect(err.message).toContain("authentication")
    expect(err.message).toMatch(/check the username and password/i)
    expect(err.message).not.toContain("wrong-password-123")
    expect(err.message).not.toMatch(/\n\s+at |\.ts:\d+/)
    const merged = await mergeImages([`${P}/private/amd64:1`], `${P}/private/x:1`, { credentials: bad }).catch((e) => e)
    expect(merged).toBeInstanceOf(RegistryAuthError)
  }, T.timeout)

  it("auth: no credentials is an error saying none were given", async () => {
    const err = await inspectImage(`${P}/private/multi:1.0`).catch((e) => e)
    expect(err).toBeInstanceOf(RegistryAuthError)
    expect(err.message).toContain(`authentication required by registry ${P}`)
    expect(err.message).toContain("no credentials were given")
  }, T.timeout)

  it("auth: merge and annotate with credentials, read back with skopeo --creds", async () => {
    const ref = await mergeImages([`${P}/private/amd64:1`, `${P}/private/arm64:1`], `${P}/private/merged:1`, {
      credentials: CREDS,
      annotations: { "org.opencontainers.image.source": "https://github.com/example/multiarch" },
    })
    const raw = skopeoRaw(`${P}/private/merged:1`, CREDS)
    expect(ref).toBe(`${P}/private/merged:1@${raw.digest}`)
    expect(indexPlatforms(raw.json)).toEqual(["linux/amd64", "linux/arm64"])
    expect(raw.json.annotations).toEqual({ "org.opencontainers.image.source": "https://github.com/example/multiarch" })
    const ref2 = await annotateImage(`${P}/private/merged:1`, ["org.opencontainers.image.version=1.0.0"], { credentials: CREDS })
    const raw2 = skopeoRaw(`${P}/private/merged:1`, CREDS)
    expect(ref2).toBe(`${P}/private/merged:1@${raw2.digest}`)
    expect(raw2.json.annotations["org.opencontainers.image.version"]).toBe("1.0.0")
    skopeoCopyAll(`${P}/private/merged:1`, layoutDir(), CREDS)
  }, T.timeout)

  it("cross-registry merge: blobs copied (buffered and streamed) from the open registry into the auth one", async () => {
    for (const [tag, streamThresholdBytes] of [["buffered", undefined], ["streamed", 0]] as const) {
      // a fresh repository each time, so no blob is there yet
      const target = `${P}/copied-${tag}/app:1`
      const ref = await mergeImages([`${O}/single/amd64:1`, `${O}/single/arm64:1`, `${O}/single/armv7:1`], target, {
        credentials: CREDS, // for the target registry only; the open registry is read anonymously
        streamThresholdBytes,
      })
      const raw = skopeoRaw(target, CREDS)
      expect(ref).toBe(`${target}@${raw.digest}`)
      expect(indexPlatforms(raw.json)).toEqual(["linux/amd64", "linux/arm64", "linux/arm/v7"])
      skopeoCopyAll(target, layoutDir(), CREDS)
      // no mount across registries: each blob was uploaded (POST + PUT ?digest=)
      const uploads = secure.log().match(new RegExp(`"PUT /v2/copied-${tag}/app/blobs/uploads/[^ ]*digest=sha256%3A[0-9a-f]{64}[^ ]* HTTP/1.1" 201`, "g")) ?? []
      expect(uploads.length).toBe(6) // 3 configs + 3 layers
    }
  }, T.timeout)
})
