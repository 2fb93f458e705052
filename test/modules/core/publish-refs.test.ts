/**
 * What `publish --git-ref/--git-sha/--tags/--address` accept and refuse (issue 21, found by
 * mutation testing): full git refs only (anchored: `xrefs/tags/v1` and `refs/pull/42/mergex` are
 * refused), commit SHAs of 7 to 64 hex digits and nothing around them, tags at their 128-character
 * limit, and every refusal with the input and the fix.
 */
import { describe, expect, it } from "vitest"
import { explicitFromGitRef, parseCompression, parseImageFormat, parseMediaTypes, parsePublishRequest, publishTargets } from "../../../modules/core/publish.js"
import { inputError } from "../../support/errors.js"

const SHA = "0123456789abcdef0123456789abcdef01234567"
const GIT_REF_FIX = "pass refs/tags/<tag>, refs/heads/<branch>, refs/pull/<n>/merge or refs/merge-requests/<n>/head (GitHub: $GITHUB_REF)"
const SHA_FIX = "pass the full hex SHA, e.g. $GITHUB_SHA or $CI_COMMIT_SHA"

describe("explicitFromGitRef: --git-ref", () => {
  it.each([
    ["refs/tags/v1.2.3", { tag: "v1.2.3" }],
    ["refs/tags/app/v1", { tag: "app/v1" }],
    ["refs/heads/main", { branch: "main" }],
    ["refs/heads/feature/x", { branch: "feature/x" }],
    ["refs/pull/42/merge", { pr: 42 }],
    ["refs/pull/42/head", { pr: 42 }],
    ["refs/merge-requests/7/head", { pr: 7 }],
    ["refs/merge-requests/7/merge", { pr: 7 }],
    ["  refs/heads/main\n", { branch: "main" }],
    ["", {}],
    ["   ", {}],
  ])("%j → %j", (gitRef, want) => {
    expect(explicitFromGitRef({ gitRef })).toEqual(want)
  })

  it.each([
    "xrefs/tags/v1",
    "refs/tags/",
    "refs/heads/",
    "tags/v1",
    "v1.2.3",
    "main",
    "refs/pull/42/mergex",
    "refs/pull/42/merge/x",
    "refs/pull/4a/merge",
    "refs/pull//merge",
    "refs/pulls/42/merge",
    "xrefs/pull/42/merge",
    "refs/merge-requests/7",
    "refs/remotes/origin/main",
    "xrefs/heads/main",
    "refs/tags/v1\nrefs/heads/x",
    "refs/heads/main\nextra",
  ])("%j is not a full git ref: named, with the forms that are", (gitRef) => {
    const e = inputError(() => explicitFromGitRef({ gitRef }))
    expect(e.field).toBe("git-ref")
    expect(e.input).toBe(gitRef.trim())
    expect(e.message).toMatch(/not a full git ref/)
    expect(e.fix).toBe(GIT_REF_FIX)
  })
})

describe("explicitFromGitRef: --git-sha", () => {
  it.each(["0123456", SHA, "a".repeat(64), SHA.toUpperCase()])("%s is a commit SHA (7 to 64 hex digits, either case)", (gitSha) => {
    expect(explicitFromGitRef({ gitSha })).toEqual({ sha: gitSha })
  })

  it.each([
    ["012345", "6 hex digits"],
    ["a".repeat(65), "65 hex digits"],
    [`${SHA}x`, "a suffix"],
    [`${SHA}\n`, "a trailing newline"],
    [`x${SHA}`, "a prefix"],
    ["abcdefg", "a non-hex letter"],
    ["", "empty"],
    ["0123456 ", "a trailing space"],
  ])("%j is refused (%s), named, with the fix", (gitSha) => {
    const e = inputError(() => explicitFromGitRef({ gitSha }))
    expect(e.field).toBe("git-sha")
    expect(e.input).toBe(gitSha)
    expect(e.message).toMatch(/not a commit SHA/)
    expect(e.fix).toBe(SHA_FIX)
  })

  it("the default branch is passed on when given, not when empty", () => {
    expect(explicitFromGitRef({ defaultBranch: "main", gitRef: "refs/heads/main" })).toEqual({ defaultBranch: "main", branch: "main" })
    expect(explicitFromGitRef({ defaultBranch: "" })).toEqual({})
  })
})

describe("publishTargets", () => {
  it("with neither tags nor a git context, the address's tag, else latest", () => {
    expect(publishTargets("ghcr.io/o/app")).toEqual({ refs: ["ghcr.io/o/app:latest"], repository: "ghcr.io/o/app", registry: "ghcr.io" })
    expect(publishTargets("ghcr.io/o/app:1.0").refs).toEqual(["ghcr.io/o/app:1.0"])
  })

  it("--git-ref alone gives the ref's tags (no sha tag); a tag it computes that --tags named is given once", () => {
    expect(publishTargets("ghcr.io/o/app", [], { gitRef: "refs/heads/main" }).refs).toEqual(["ghcr.io/o/app:main"])
    expect(publishTargets("ghcr.io/o/app", ["main", "x"], { gitRef: "refs/heads/main" }).refs).toEqual(["main", "x"].map((t) => `ghcr.io/o/app:${t}`))
  })

  it("--git-sha alone gives the sha tag only", () => {
    expect(publishTargets("ghcr.io/o/app", [], { gitSha: SHA }).refs).toEqual(["ghcr.io/o/app:sha-0123456"])
  })

  it("an empty --git-ref with a tagged address is no conflict", () => {
    expect(publishTargets("ghcr.io/o/app:1", [], { gitRef: " " }).refs).toEqual(["ghcr.io/o/app:1"])
  })

  it("tags are trimmed and given once, in order", () => {
    expect(publishTargets("ghcr.io/o/app:a", [" b ", "a", "b", "c"]).refs).toEqual(["a", "b", "c"].map((t) => `ghcr.io/o/app:${t}`))
  })

  it("a 128-character tag is pushed, 129 is refused naming --tags", () => {
    const t128 = "t".repeat(128)
    expect(publishTargets("ghcr.io/o/app", [t128]).refs).toEqual([`ghcr.io/o/app:${t128}`])
    const e = inputError(() => publishTargets("ghcr.io/o/app", [`${t128}x`]))
    expect(e.field).toBe("tags")
    expect(e.input).toBe(`${t128}x`)
    expect(e.message).toMatch(/not a valid tag/)
    expect(e.fix).toBe("tags use [A-Za-z0-9_.-], at most 128 characters, not starting with . or -")
  })

  it("an address with a digest: push to a tag instead", () => {
    const address = `ghcr.io/o/app@sha256:${"a".repeat(64)}`
    const e = inputError(() => publishTargets(address))
    expect(e.field).toBe("address")
    expect(e.input).toBe(address)
    expect(e.message).toMatch(/a digest cannot be pushed to/)
    expect(e.fix).toBe("push to a tag, e.g. ghcr.io/o/app:latest")
  })

  it("an address with a tag and --git-ref: both named, either to drop", () => {
    const e = inputError(() => publishTargets("ghcr.io/o/app:1.0", [], { gitRef: " refs/tags/v1.0.0 " }))
    expect(e.field).toBe("address")
    expect(e.message).toContain("--git-ref computes the tags (refs/tags/v1.0.0), and the address names one too (1.0)")
    expect(e.fix).toBe('drop ":1.0" from --address (--git-ref gives the tags), or drop --git-ref and list the tags with --tags')
  })

  it("the address field is named in address errors", () => {
    expect(inputError(() => publishTargets("ghcr.io/o/app:")).field).toBe("address")
  })
})

describe("--compression and --media-types", () => {
  it("defaults: gzip and oci; values case-insensitive", () => {
    expect(parseImageFormat(undefined, undefined)).toEqual({ compression: "gzip", mediaTypes: "oci" })
    expect(parseImageFormat("ZSTD", "OCI")).toEqual({ compression: "zstd", mediaTypes: "oci" })
    expect(parseImageFormat("estargz", "docker")).toEqual({ compression: "estargz", mediaTypes: "docker" })
    expect(parseImageFormat("uncompressed", undefined).compression).toBe("uncompressed")
  })

  it("zstd with Docker media types is refused with both ways out", () => {
    const e = inputError(() => parseImageFormat("zstd", "docker"))
    expect(e.field).toBe("compression")
    expect(e.input).toBe("zstd")
    expect(e.message).toMatch(/Docker \(schema 2\) media types have no zstd layer type/)
    expect(e.fix).toBe("drop --media-types docker (OCI is the default), or use --compression gzip for old Docker clients")
  })

  it.each([
    ["gz", "gzip"],
    ["zst", "zstd"],
    ["none", "uncompressed"],
    ["tar", "uncompressed"],
    ["stargz", "estargz"],
    ["estar-gz", "estargz"],
  ])("--compression %s: did you mean %s", (value, meant) => {
    const e = inputError(() => parseCompression(value))
    expect(e.field).toBe("compression")
    expect(e.message).toMatch(/not a layer compression/)
    expect(e.fix).toBe(`did you mean ${meant}? (--compression ${meant}; the values are: gzip, zstd, uncompressed, estargz)`)
  })

  it.each([
    ["v2", "docker"],
    ["schema2", "docker"],
    ["docker-v2", "docker"],
    ["dockerv2", "docker"],
    ["opencontainers", "oci"],
  ])("--media-types %s: did you mean %s", (value, meant) => {
    const e = inputError(() => parseMediaTypes(value))
    expect(e.field).toBe("media-types")
    expect(e.message).toMatch(/not a manifest media type set/)
    expect(e.fix).toBe(`did you mean ${meant}? (--media-types ${meant}; the values are: oci, docker)`)
  })
})

describe("parsePublishRequest", () => {
  it("plain http and verify are off unless asked; an empty annotation list is none", () => {
    const r = parsePublishRequest({ address: "localhost:5000/app", annotations: [] })
    expect(r).toMatchObject({ plainHttp: false, verify: false, first: "localhost:5000/app:latest", otherTags: [] })
    expect("annotations" in r).toBe(false)
    expect("username" in r).toBe(false)
    expect(parsePublishRequest({ address: "localhost:5000/app", plainHttp: true }).plainHttp).toBe(true)
  })

  it("annotations on Docker manifest lists: the annotations are named, with the fix", () => {
    const e = inputError(() => parsePublishRequest({ address: "ghcr.io/o/app:1", annotations: ["a.b=c", "d.e=f"], mediaTypes: "docker" }))
    expect(e.field).toBe("annotations")
    expect(e.input).toBe("a.b=c,d.e=f")
    expect(e.message).toMatch(/Docker manifest lists cannot carry annotations/)
    expect(e.fix).toBe("drop --media-types docker (OCI is the default)")
  })

  it("--git-ref and --git-sha reach the tags; --tags keep their order after the address's", () => {
    const r = parsePublishRequest({ address: "ghcr.io/o/app", tags: ["x"], gitRef: "refs/heads/main", gitSha: SHA })
    expect(r.refs).toEqual(["x", "main", "sha-0123456"].map((t) => `ghcr.io/o/app:${t}`))
    expect(r.otherTags).toEqual(["main", "sha-0123456"])
  })
})
