import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  formatPlatform,
  isInputError,
  MultiarchInputError,
  normalizePlatformParts,
  parsePlatform,
  parsePlatforms,
  SUPPORTED_PLATFORMS,
} from "../../../modules/core/index.js"

describe("parsePlatform: containerd normalisation", () => {
  const cases: [string, string][] = [
    ["arm64", "linux/arm64"],
    ["aarch64", "linux/arm64"],
    ["linux/aarch64", "linux/arm64"],
    ["x86_64", "linux/amd64"],
    ["x86-64", "linux/amd64"],
    ["linux/x86_64", "linux/amd64"],
    ["armhf", "linux/arm/v7"],
    ["armel", "linux/arm/v6"],
    ["i386", "linux/386"],
    ["linux/i386", "linux/386"],
    ["arm", "linux/arm/v7"],
    ["linux/arm", "linux/arm/v7"],
    ["linux/arm/7", "linux/arm/v7"],
    ["linux/arm/v6", "linux/arm/v6"],
    ["linux/arm/5", "linux/arm/v5"],
    ["arm64/v8", "linux/arm64"],
    ["linux/arm64/v8", "linux/arm64"],
    ["linux/arm64/8", "linux/arm64"],
    ["amd64/v1", "linux/amd64"],
    ["linux/amd64/v1", "linux/amd64"],
    ["linux/amd64/v3", "linux/amd64/v3"],
    ["LINUX/AMD64", "linux/amd64"],
    ["  linux/riscv64 ", "linux/riscv64"],
    ["ppc64el", "linux/ppc64le"],
    ["s390x", "linux/s390x"],
    ["loong64", "linux/loong64"],
    ["mipsel", "linux/mipsle"],
    ["linux/mips64el", "linux/mips64le"],
    ["linux/armhf", "linux/arm/v7"],
    ["linux/armel", "linux/arm/v6"],
    // containerd: armhf and armel fix the variant, i386 drops it (database.go normalizeArch)
    ["linux/armhf/v6", "linux/arm/v7"],
    ["linux/armel/v7", "linux/arm/v6"],
    ["linux/i386/v7", "linux/386"],
    // ours: uname -m spellings behave the same way
    ["linux/armv6l/v7", "linux/arm/v6"],
    ["linux/i686/v2", "linux/386"],
    ["linux/mipsel", "linux/mipsle"],
  ]
  it.each(cases)("%s → %s", (input, want) => {
    expect(parsePlatform(input)).toBe(want)
  })

  it("arm64 v9 spellings normalise to v9 (containerd), which is then not a target", () => {
    for (const v of ["9", "9.0", "v9.0", "v9"]) {
      expect(formatPlatform(normalizePlatformParts(`linux/aarch64/${v}`))).toBe("linux/arm64/v9")
      expect(() => parsePlatform(`linux/arm64/${v}`)).toThrow(/arm64 has no v9 variant/)
    }
  })

  it("accepts every supported platform verbatim", () => {
    for (const p of SUPPORTED_PLATFORMS) expect(parsePlatform(p)).toBe(p)
  })
})

describe("parsePlatform: rejections name the input and the fix", () => {
  const bad: [string, RegExp][] = [
    ["linux/arm64/v7", /"linux\/arm64\/v7".*arm64 has no v7 variant; did you mean linux\/arm\/v7 or linux\/arm64\?/],
    ["windows/amd64", /"windows\/amd64".*linux images.*use "linux\/amd64"/],
    ["darwin/arm64", /"darwin\/arm64".*linux images.*use "linux\/arm64"/],
    ["linux/sparc", /unknown architecture "sparc".*use one of: linux\/amd64, .*linux\/mips64le/],
    ["linux/ppc64", /ppc64 is not a supported target.*use one of/],
    ["linux/arm/v8", /arm has no v8 variant.*did you mean linux\/arm\/v7\?/],
    ["linux/amd64/v5", /amd64 has no v5 variant \(it has v2, v3, v4\)/],
    ["linux/arm64/v9", /arm64 has no v9 variant; did you mean linux\/arm64\?/],
    ["", /the platform is empty/],
    ["linux", /names an OS but no architecture.*linux\/amd64/],
    ["macOS", /names an OS but no architecture.*darwin\/amd64/],
    ["current", /depends on the machine the command runs on/],
    ["linux//arm64", /path element is empty/],
    ["linux/arm/v7/x", /at most three elements/],
    ["linux/arm 64", /no spaces/],
    ["linux/ar$m", /characters a platform cannot have/],
    ["foo/amd64", /"foo" is not an operating system/],
  ]
  it.each(bad)("%j", (input, msg) => {
    let err: unknown
    try {
      parsePlatform(input)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(MultiarchInputError)
    const e = err as MultiarchInputError
    expect(e.message).toMatch(msg)
    expect(e.input).toBe(input)
    expect(e.fix.length).toBeGreaterThan(5)
  })
})

describe("parsePlatforms", () => {
  it("accepts comma-separated strings and arrays, normalising each", () => {
    expect(parsePlatforms("linux/amd64, arm64,armhf")).toEqual(["linux/amd64", "linux/arm64", "linux/arm/v7"])
    expect(parsePlatforms(["linux/amd64", "aarch64"])).toEqual(["linux/amd64", "linux/arm64"])
    expect(parsePlatforms(["linux/amd64,linux/arm64"])).toEqual(["linux/amd64", "linux/arm64"])
  })
  it("rejects duplicates after normalisation", () => {
    expect(() => parsePlatforms("linux/arm,linux/arm/v7")).toThrow(/"linux\/arm\/v7" and "linux\/arm" are the same platform \(linux\/arm\/v7\)/)
    expect(() => parsePlatforms(["arm64", "linux/arm64/v8"])).toThrow(/same platform \(linux\/arm64\)/)
    expect(() => parsePlatforms("linux/amd64,linux/amd64")).toThrow(/listed twice/)
  })
  it("reports every problem at once", () => {
    try {
      parsePlatforms(["linux/arm64/v7", "linux/amd64", "windows/amd64", "amd64"])
      expect.unreachable()
    } catch (e) {
      expect(isInputError(e)).toBe(true)
      const m = (e as Error).message
      expect(m).toMatch(/^3 problems:/)
      expect(m).toMatch(/linux\/arm64\/v7/)
      expect(m).toMatch(/windows\/amd64/)
      expect(m).toMatch(/"amd64" and "linux\/amd64" are the same platform/)
    }
  })
  it("rejects an empty list", () => {
    expect(() => parsePlatforms("")).toThrow(/empty/)
    expect(() => parsePlatforms([])).toThrow(/empty/)
  })
})

// Property tests: 10,000+ generated strings from platform-like pieces and from arbitrary text.
const piece = fc.constantFrom(
  "linux", "windows", "darwin", "freebsd", "", "amd64", "arm64", "arm", "aarch64", "x86_64", "x86-64", "i386", "386",
  "armhf", "armel", "riscv64", "ppc64le", "ppc64el", "s390x", "loong64", "mips", "mipsle", "mips64", "mips64le",
  "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "7", "8", "sparc", "current", "LINUX", "ARM64", " ", "wasm", "js",
)
const platformLike = fc.array(piece, { minLength: 1, maxLength: 4 }).map((a) => a.join("/"))

describe("properties", () => {
  it("never throws anything but an input error; parse∘format is idempotent (platform-like input)", () => {
    fc.assert(
      fc.property(platformLike, (s) => {
        let p: string
        try {
          p = parsePlatform(s)
        } catch (e) {
          if (!(e instanceof MultiarchInputError)) throw e
          expect(e.message).toContain(JSON.stringify(s))
          return
        }
        expect(parsePlatform(p)).toBe(p)
        expect(formatPlatform(normalizePlatformParts(p))).toBe(p)
        expect(SUPPORTED_PLATFORMS).toContain(p)
      }),
      { numRuns: 8000 },
    )
  })
  it("never throws anything but an input error on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        try {
          const p = parsePlatform(s)
          expect(parsePlatform(p)).toBe(p)
        } catch (e) {
          if (!(e instanceof MultiarchInputError)) throw e
        }
      }),
      { numRuns: 4000 },
    )
  })
  it("lists: normalised, unique, or an input error", () => {
    fc.assert(
      fc.property(fc.array(platformLike, { minLength: 1, maxLength: 5 }), (list) => {
        try {
          const out = parsePlatforms(list)
          expect(new Set(out).size).toBe(out.length)
        } catch (e) {
          if (!(e instanceof MultiarchInputError)) throw e
        }
      }),
      { numRuns: 2000 },
    )
  })
})
