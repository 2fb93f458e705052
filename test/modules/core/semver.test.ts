/**
 * core/semver.ts on its own (issue 21: it was tested only through the tag grammar): the SemVer
 * 2.0.0 grammar's near misses and precedence rule by rule.
 */
import { describe, expect, it } from "vitest"
import { compareSemver, parseSemver } from "../../../modules/core/semver.js"

const v = (s: string) => parseSemver(s)!
const sign = (a: string, b: string) => Math.sign(compareSemver(v(a), v(b)))

describe("parseSemver", () => {
  it("splits every part; numeric pre-release identifiers become numbers; build metadata is kept apart", () => {
    expect(parseSemver(" v1.20.3-rc.11.x-y+b.7 ")).toEqual({ major: 1, minor: 20, patch: 3, prerelease: ["rc", 11, "x-y"], build: ["b", "7"], version: "1.20.3-rc.11.x-y" })
    expect(parseSemver("0.0.0")).toEqual({ major: 0, minor: 0, patch: 0, prerelease: [], build: [], version: "0.0.0" })
    expect(parseSemver("1.0.0-0a.1")?.prerelease).toEqual(["0a", 1])
  })

  it.each(["x1.2.3", "1.2.3x", "1.2.3-", "1.2.3+", "1.2.3-a..b", "1.2.3+a..b", "01.2.3", "1.02.3", "1.2.03", "1.2.3-01", "vv1.2.3", "1.2.3 4", `${"9".repeat(20)}.0.0`])(
    "%j is not semver",
    (s) => {
      expect(parseSemver(s)).toBeUndefined()
    },
  )
})

describe("compareSemver", () => {
  it.each([
    ["2.0.0", "1.9.9", 1],
    ["1.3.0", "1.2.9", 1],
    ["1.2.4", "1.2.3", 1],
    ["1.2.3", "1.2.3-rc.1", 1],
    ["1.2.3-rc.1", "1.2.3", -1],
    ["1.2.3", "1.2.3+build", 0],
    ["1.2.3-rc.1", "1.2.3-rc.1+x", 0],
    ["1.0.0-alpha", "1.0.0-alpha.1", -1],
    ["1.0.0-alpha.1", "1.0.0-alpha", 1],
    ["1.0.0-2", "1.0.0-10", -1],
    ["1.0.0-10", "1.0.0-2", 1],
    ["1.0.0-1", "1.0.0-a", -1],
    ["1.0.0-a", "1.0.0-1", 1],
    ["1.0.0-b", "1.0.0-a", 1],
    ["1.0.0-a", "1.0.0-b", -1],
    ["1.0.0-a.b", "1.0.0-a.b", 0],
  ])("%s vs %s → %i", (a, b, want) => {
    expect(sign(a, b)).toBe(want)
  })

  it("the difference of the first differing number", () => {
    expect(compareSemver(v("3.0.0"), v("1.0.0"))).toBe(2)
    expect(compareSemver(v("1.0.0-5"), v("1.0.0-2"))).toBe(3)
  })
})
