/** The one PublishRequest (`publish` and `merge`), parsed and checked before any engine or registry work. */
import { describe, expect, it } from "vitest"
import { checkCredentialPair, missingCredential } from "../../../modules/core/credentials.js"
import { parsePublishRequest, tagOf } from "../../../modules/core/publish.js"
import { inputError } from "../../support/errors.js"


describe("parsePublishRequest", () => {
  it("references: the address's tag, then --tags, then tags from the git ref; defaults", () => {
    const r = parsePublishRequest({ address: "ghcr.io/o/app", tags: ["edge"], gitRef: "refs/tags/v1.2.3", gitSha: "0123456789abcdef0123456789abcdef01234567" })
    expect(r.refs).toEqual(["edge", "1.2.3", "1.2", "1", "sha-0123456", "latest"].map((t) => `ghcr.io/o/app:${t}`))
    expect(r.first).toBe("ghcr.io/o/app:edge")
    expect(r.otherTags).toEqual(["1.2.3", "1.2", "1", "sha-0123456", "latest"])
    expect(r).toMatchObject({ repository: "ghcr.io/o/app", registry: "ghcr.io", mediaTypes: "oci", compression: "gzip", verify: false })
    expect(r.annotations).toBeUndefined()
    expect(r.username).toBeUndefined()
    expect(parsePublishRequest({ address: "localhost:5000/app" }).refs).toEqual(["localhost:5000/app:latest"])
  })

  it("annotations are parsed once; Docker manifest lists cannot carry them", () => {
    const r = parsePublishRequest({ address: "ghcr.io/o/app:1", annotations: ["org.opencontainers.image.description=My app"], mediaTypes: "oci", verify: true, compression: "zstd" })
    expect(r.annotations).toEqual({ "org.opencontainers.image.description": "My app" })
    expect(r).toMatchObject({ verify: true, compression: "zstd" })
    expect(inputError(() => parsePublishRequest({ address: "ghcr.io/o/app:1", annotations: ["a.b=c"], mediaTypes: "docker" })).fix).toMatch(/drop --media-types docker/)
    expect(inputError(() => parsePublishRequest({ address: "ghcr.io/o/app:1", annotations: ["org.opencontainers.image.sorce=x"] })).message).toMatch(/did you mean "org\.opencontainers\.image\.source"/)
    expect(inputError(() => parsePublishRequest({ address: "ghcr.io/o/app:1", compression: "lz4" as never })).field).toBe("compression")
  })

  it("credentials: both or neither, before anything else is done", () => {
    expect(parsePublishRequest({ address: "ghcr.io/o/app:1", username: "u", password: {} }).username).toBe("u")
    expect(inputError(() => parsePublishRequest({ address: "ghcr.io/o/app:1", username: "u" })).field).toBe("password")
    expect(inputError(() => parsePublishRequest({ address: "ghcr.io/o/app:1", password: {} })).field).toBe("username")
  })

  it("bad addresses and tags name the input and the fix", () => {
    expect(inputError(() => parsePublishRequest({ address: "ghcr.io/Owner/App" })).fix).toContain("ghcr.io/owner/app")
    expect(inputError(() => parsePublishRequest({ address: "ghcr.io/o/app", tags: ["-bad"] })).field).toBe("tags")
    expect(inputError(() => parsePublishRequest({ address: `ghcr.io/o/app@sha256:${"a".repeat(64)}` })).message).toMatch(/digest cannot be pushed to/)
  })

  it("tagOf", () => {
    expect(tagOf("127.0.0.1:5000/app:1.2")).toBe("1.2")
  })
})

describe("the credential-pair rule", () => {
  it("missingCredential / checkCredentialPair", () => {
    expect(missingCredential(undefined, undefined)).toBeUndefined()
    expect(missingCredential("u", "p")).toBeUndefined()
    expect(missingCredential("u", undefined)).toBe("password")
    expect(missingCredential(undefined, "p")).toBe("username")
    expect(() => checkCredentialPair("u", "p")).not.toThrow()
    expect(inputError(() => checkCredentialPair("u", undefined)).message).toMatch(/invalid password "u": registry auth needs both a username and a password/)
    expect(inputError(() => checkCredentialPair(undefined, {})).input).toBe("(secret)")
  })
})
