import { describe, expect, it } from "vitest"
import {
  formatReference,
  isLocalRegistry,
  isValidTag,
  manifestReference,
  parseReference,
  registryApiHost,
  withDigest,
  withTag,
} from "../../../modules/core/reference.js"
import { inputError } from "../../support/errors.js"

const D = "sha256:" + "ab".repeat(32)

describe("parseReference: normalisation", () => {
  it.each([
    ["alpine", "docker.io", "library/alpine", "latest", undefined],
    ["alpine:3.20", "docker.io", "library/alpine", "3.20", undefined],
    ["docker.io/alpine", "docker.io", "library/alpine", "latest", undefined],
    ["index.docker.io/library/alpine:edge", "docker.io", "library/alpine", "edge", undefined],
    ["registry-1.docker.io/bitnami/redis:7", "docker.io", "bitnami/redis", "7", undefined],
    ["bitnami/redis", "docker.io", "bitnami/redis", "latest", undefined],
    ["ghcr.io/owner/app:v1.2.3", "ghcr.io", "owner/app", "v1.2.3", undefined],
    ["GHCR.IO/owner/app", "ghcr.io", "owner/app", "latest", undefined],
    ["localhost/app", "localhost", "app", "latest", undefined],
    ["localhost:5000/a/b/c:t", "localhost:5000", "a/b/c", "t", undefined],
    ["127.0.0.1:5000/app:1.0", "127.0.0.1:5000", "app", "1.0", undefined],
    [`127.0.0.1:5000/app@${D}`, "127.0.0.1:5000", "app", undefined, D],
    [`127.0.0.1:5000/app:1.0@${D}`, "127.0.0.1:5000", "app", "1.0", D],
    [`docker://quay.io/org/app:MixedCase_Tag`, "quay.io", "org/app", "MixedCase_Tag", undefined],
    ["[::1]:5000/app", "[::1]:5000", "app", "latest", undefined],
    ["gcr.io/my-proj/sub__dir/app.name-x:1", "gcr.io", "my-proj/sub__dir/app.name-x", "1", undefined],
  ])("%s", (input, registry, repository, tag, digest) => {
    const r = parseReference(input)
    expect(r.registry).toBe(registry)
    expect(r.repository).toBe(repository)
    expect(r.tag).toBe(tag)
    expect(r.digest).toBe(digest)
  })

  it("can leave the tag empty", () => {
    expect(parseReference("ghcr.io/o/a", { defaultTag: null }).tag).toBeUndefined()
  })

  it("formats fully qualified and round-trips", () => {
    const r = parseReference("alpine")
    expect(formatReference(r)).toBe("docker.io/library/alpine:latest")
    expect(formatReference(withDigest(r, D))).toBe(`docker.io/library/alpine:latest@${D}`)
    expect(formatReference(withTag(withDigest(r, D), "edge"))).toBe("docker.io/library/alpine:edge")
    expect(parseReference(formatReference(withDigest(r, D)))).toEqual({ ...r, digest: D })
    expect(manifestReference(withDigest(r, D))).toBe(D)
    expect(manifestReference(r)).toBe("latest")
  })

  it("API host and transport", () => {
    expect(registryApiHost("docker.io")).toBe("registry-1.docker.io")
    expect(registryApiHost("index.docker.io")).toBe("registry-1.docker.io")
    expect(registryApiHost("ghcr.io")).toBe("ghcr.io")
    for (const h of ["localhost", "localhost:5000", "127.0.0.1:5000", "127.1.2.3", "[::1]:5000"]) expect(isLocalRegistry(h), h).toBe(true)
    for (const h of ["ghcr.io", "docker.io", "10.0.0.1:5000", "localhost.example.com", "128.0.0.1"]) expect(isLocalRegistry(h), h).toBe(false)
  })

  it("tag grammar", () => {
    expect(isValidTag("v1.2.3-rc.1")).toBe(true)
    expect(isValidTag("_x")).toBe(true)
    expect(isValidTag("a".repeat(128))).toBe(true)
    expect(isValidTag("a".repeat(129))).toBe(false)
    expect(isValidTag(".x")).toBe(false)
    expect(isValidTag("-x")).toBe(false)
    expect(isValidTag("a/b")).toBe(false)
    expect(isValidTag("")).toBe(false)
  })
})


describe("parseReference: errors say how to fix the input", () => {
  it("upper-case GitHub owner: rejected with the lower-cased reference as fix", () => {
    const e = inputError(() => parseReference("ghcr.io/MyOrg/My-App:v1.0"))
    expect(e.field).toBe("address")
    expect(e.input).toBe("ghcr.io/MyOrg/My-App:v1.0")
    expect(e.message).toMatch(/lower case/)
    expect(e.fix).toContain('"ghcr.io/myorg/my-app:v1.0"')
  })

  it("upper-case Docker Hub owner without registry: fix points at docker.io", () => {
    const e = inputError(() => parseReference("MyOrg/app"))
    expect(e.fix).toContain('"docker.io/myorg/app"')
  })

  it("the tag keeps its case and the digest is kept in the fix", () => {
    const e = inputError(() => parseReference(`ghcr.io/Owner/app:RC1@${D}`))
    expect(e.fix).toContain(`"ghcr.io/owner/app:RC1@${D}"`)
  })

  it("uses the given field name", () => {
    expect(inputError(() => parseReference("ghcr.io/A/b", { field: "sources" })).field).toBe("sources")
  })

  it.each([
    ["", /empty/],
    ["ghcr.io/o/app:", /tag after ':' is empty/],
    ["ghcr.io/o/app:-bad", /not a valid tag/],
    ["ghcr.io/o/app@sha256:abc", /exactly 64 hex/],
    [`ghcr.io/o/app@md5:${"a".repeat(32)}`, /unsupported digest algorithm/],
    [`ghcr.io/o/app@sha256:${"AB".repeat(32)}`, /lower-case hex/],
    ["https://ghcr.io/o/app", /scheme/],
    ["ghcr.io//app", /path element is empty/],
    ["ghcr.io/o/app$", /not a valid repository path element/],
    ["ghcr.io/o/-app", /not a valid repository path element/],
    ["127.0.0.1:5000", /registry but no repository/],
    ["ghcr.io/o/app name", /no spaces/],
    [`ghcr.io/${"a".repeat(260)}`, /longer than 255/],
  ])("%j", (input, re) => {
    const e = inputError(() => parseReference(input))
    expect(e.message).toMatch(re)
    expect(e.fix.length).toBeGreaterThan(0)
  })

  it("a missing repository after a bare registry suggests one", () => {
    expect(inputError(() => parseReference("127.0.0.1:5000")).fix).toContain("127.0.0.1:5000/app:latest")
  })
})
