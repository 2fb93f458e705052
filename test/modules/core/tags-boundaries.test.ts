/**
 * Tag grammar at its edges (issue 21, found by mutation testing): the 128-character cut, a context
 * whose fields disagree with its kind (computeTags trusts `kind`), `edge` naming a branch, and
 * `latest: "auto"` off a tag.
 */
import { describe, expect, it } from "vitest"
import type { CiContext } from "../../../modules/core/ci-context.js"
import { computeTags, isValidTag, sanitizeTag } from "../../../modules/core/tags.js"

const ctx = (c: Omit<CiContext, "provider">): CiContext => ({ provider: "explicit", ...c })

describe("sanitizeTag: the 128-character limit", () => {
  it("keeps a trailing '-' or '.' when nothing is cut (a branch `release/` stays `release-`)", () => {
    expect(sanitizeTag("release/")).toBe("release-")
    expect(sanitizeTag("v1.")).toBe("v1.")
  })

  it("a name of exactly 128 characters is kept whole, trailing '-' included", () => {
    const name = "a".repeat(127) + "-"
    expect(sanitizeTag(name)).toBe(name)
    expect(isValidTag(name)).toBe(true)
  })

  it("129 characters: cut to 128; every '.' and '-' the cut leaves at the end is dropped", () => {
    expect(sanitizeTag("a".repeat(129))).toBe("a".repeat(128))
    expect(sanitizeTag("a".repeat(125) + ".-.xyz")).toBe("a".repeat(125))
    expect(sanitizeTag("a".repeat(126) + "..b")).toBe("a".repeat(126))
  })
})

describe("computeTags follows the context's kind, not whichever fields are set", () => {
  it("a pull request that also names its branch is tagged pr-<n>, not with the branch", () => {
    expect(computeTags(ctx({ kind: "pr", pr: 7, branch: "feature/x", tag: "v9.9.9" }))).toEqual(["pr-7"])
  })

  it("a branch context that carries a tag name is tagged with the branch only", () => {
    expect(computeTags(ctx({ kind: "branch", branch: "main", tag: "v1.2.3" }))).toEqual(["main"])
  })

  it("kind pr without a number gives no pr tag (never `pr-undefined`)", () => {
    expect(computeTags(ctx({ kind: "pr", sha: "abcdef0123456789" }))).toEqual(["sha-abcdef0"])
  })

  it("an unknown kind gives only the sha tag, whatever else is set", () => {
    expect(computeTags(ctx({ kind: "unknown", branch: "main", tag: "v1.0.0", pr: 3, sha: "ABCDEF0123" }))).toEqual(["sha-abcdef0"])
  })
})

describe("edge, major.minor and latest", () => {
  it("edge: '<branch>' tags that branch `edge` (and only that one)", () => {
    expect(computeTags(ctx({ kind: "branch", branch: "main" }), { edge: "main" })).toEqual(["edge"])
    expect(computeTags(ctx({ kind: "branch", branch: "dev" }), { edge: "main" })).toEqual(["dev"])
    expect(computeTags(ctx({ kind: "branch", branch: "main", defaultBranch: "main" }), { edge: false })).toEqual(["main"])
  })

  it("a higher version of another major with the same minor does not take `<major>.<minor>`", () => {
    expect(computeTags(ctx({ kind: "tag", tag: "v1.2.3" }), { existingVersions: ["2.2.0"] })).toEqual(["1.2.3", "1.2", "1"])
  })

  it('latest: "auto" gives latest only to the highest stable tag, never to a branch', () => {
    expect(computeTags(ctx({ kind: "branch", branch: "main" }), { latest: "auto" })).toEqual(["main"])
    expect(computeTags(ctx({ kind: "tag", tag: "v1.0.0" }), { latest: "auto" })).toEqual(["1.0.0", "1.0", "1", "latest"])
    expect(computeTags(ctx({ kind: "branch", branch: "main" }), { latest: true })).toEqual(["main", "latest"])
  })
})
