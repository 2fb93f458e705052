/**
 * Platform strings at the edges (issue 21, found by mutation testing): every containerd alias,
 * variant spellings next to the accepted ones (amd64/12, arm/55, arm64/v8.1), characters around a
 * valid element, OS-only and OS-less forms, and each rejection's exact problem and fix.
 */
import { describe, expect, it } from "vitest"
import { MultiarchInputErrors } from "../../../modules/core/errors/index.js"
import {
  formatPlatform,
  normalizePlatformParts,
  parsePlatform,
  parsePlatforms,
  platformListEntries,
  rowOf,
  targetOf,
} from "../../../modules/core/platform.js"
import { SUPPORTED_PLATFORMS, TARGETS } from "../../../modules/core/targets.js"
import { inputError } from "../../support/errors.js"

const ALL = SUPPORTED_PLATFORMS.join(", ")

describe("aliases and variant spellings", () => {
  it.each([
    ["i686", "linux/386"],
    ["armv7l", "linux/arm/v7"],
    ["armv6l", "linux/arm/v6"],
    ["armv5l", "linux/arm/v5"],
    ["loongarch64", "linux/loong64"],
    ["mips64el", "linux/mips64le"],
    ["x86-64/v3", "linux/amd64/v3"],
    // an alias that names a variant fixes it; i386/i686 drop it; the others keep the written one
    ["linux/armhf/v6", "linux/arm/v7"],
    ["linux/armel/v7", "linux/arm/v6"],
    ["armv6l/v7", "linux/arm/v6"],
    ["armv5l/v7", "linux/arm/v5"],
    ["armv7l/v5", "linux/arm/v7"],
    ["linux/i386/v7", "linux/386"],
    ["i686/x", "linux/386"],
    ["i386/x", "linux/386"],
    ["x86_64/v2", "linux/amd64/v2"],
    ["aarch64/v8", "linux/arm64"],
    ["arm/v7", "linux/arm/v7"],
    ["arm/6", "linux/arm/v6"],
    ["linux/amd64/1", "linux/amd64"],
    ["linux/amd64/2", "linux/amd64/v2"],
    ["linux/amd64/4", "linux/amd64/v4"],
    ["linux/arm64/v8.0", "linux/arm64"],
    ["macos/arm64", "darwin"],
  ])("%s → %s", (input, want) => {
    if (want === "darwin") expect(normalizePlatformParts(input)).toEqual({ os: "darwin", arch: "arm64" })
    else expect(parsePlatform(input)).toBe(want)
  })

  it("the normalised parts carry no variant key when there is none", () => {
    expect("variant" in normalizePlatformParts("linux/amd64/v1")).toBe(false)
    expect("variant" in normalizePlatformParts("arm64/v8")).toBe(false)
    expect(normalizePlatformParts("armhf")).toEqual({ os: "linux", arch: "arm", variant: "v7" })
    expect(normalizePlatformParts("freebsd/amd64/x")).toEqual({ os: "freebsd", arch: "amd64", variant: "x" })
  })

  it.each([
    ["linux/amd64/12", "amd64 has no 12 variant (it has v2, v3, v4)", "did you mean linux/amd64?"],
    ["linux/amd64/5", "amd64 has no 5 variant (it has v2, v3, v4)", "did you mean linux/amd64?"],
    ["linux/amd64/x2", "amd64 has no x2 variant (it has v2, v3, v4)", "did you mean linux/amd64?"],
    ["linux/arm/9", "arm has no 9 variant (it has v7, v6, v5)", "did you mean linux/arm/v7?"],
    ["linux/arm/5x", "arm has no 5x variant (it has v7, v6, v5)", "did you mean linux/arm/v7?"],
    ["linux/amd64/2x", "amd64 has no 2x variant (it has v2, v3, v4)", "did you mean linux/amd64?"],
    ["linux/arm/55", "arm has no 55 variant (it has v7, v6, v5)", "did you mean linux/arm/v7?"],
    ["linux/arm/v8", "arm has no v8 variant (it has v7, v6, v5)", "did you mean linux/arm/v7?"],
    ["linux/arm/8", "arm has no v8 variant (it has v7, v6, v5)", "did you mean linux/arm/v7?"],
    ["linux/arm/v2", "arm has no v2 variant (it has v7, v6, v5)", "did you mean linux/amd64/v2 or linux/arm/v7?"],
    ["linux/arm64/v8.1", "arm64 has no v8.1 variant", "did you mean linux/arm64?"],
    ["linux/arm64/v1", "arm64 has no v1 variant", "did you mean linux/arm64?"],
    ["linux/arm64/9", "arm64 has no v9 variant", "did you mean linux/arm64?"],
    ["linux/arm64/9.0", "arm64 has no v9 variant", "did you mean linux/arm64?"],
    ["linux/arm64/v9.0", "arm64 has no v9 variant", "did you mean linux/arm64?"],
    ["linux/arm64/9.1", "arm64 has no 9.1 variant", "did you mean linux/arm64?"],
    ["linux/aarch64/v2", "arm64 has no v2 variant", "did you mean linux/amd64/v2 or linux/arm64?"],
    ["mipsel/v2", "mipsle has no v2 variant", "did you mean linux/amd64/v2 or linux/mipsle?"],
    ["mips64el/v2", "mips64le has no v2 variant", "did you mean linux/amd64/v2 or linux/mips64le?"],
    ["ppc64el/v2", "ppc64le has no v2 variant", "did you mean linux/amd64/v2 or linux/ppc64le?"],
    ["loongarch64/v2", "loong64 has no v2 variant", "did you mean linux/amd64/v2 or linux/loong64?"],
    ["linux/riscv64/v2", "riscv64 has no v2 variant", "did you mean linux/amd64/v2 or linux/riscv64?"],
    ["linux/386/v6", "386 has no v6 variant", "did you mean linux/arm/v6 or linux/386?"],
  ])("%s: %s; %s", (input, problem, fix) => {
    const e = inputError(() => parsePlatform(input))
    expect(e.field).toBe("platform")
    expect(e.input).toBe(input)
    expect(e.message).toBe(`invalid platform ${JSON.stringify(input)}: ${problem}; ${fix}`)
    expect(e.fix).toBe(fix)
  })
})

describe("rejections, exactly", () => {
  it.each([
    ["native", '"native" depends on the machine the command runs on (on a Mac it is darwin/arm64), not on the image', 'name the platform, e.g. "linux/amd64" or "linux/arm64"'],
    ["Local", '"local" depends on the machine the command runs on (on a Mac it is darwin/arm64), not on the image', 'name the platform, e.g. "linux/amd64" or "linux/arm64"'],
    ["current", '"current" depends on the machine the command runs on (on a Mac it is darwin/arm64), not on the image', 'name the platform, e.g. "linux/amd64" or "linux/arm64"'],
    ["", "the platform is empty", `use e.g. "linux/amd64" (supported: ${ALL})`],
    ["  ", "the platform is empty", `use e.g. "linux/amd64" (supported: ${ALL})`],
    ["linux/amd64 linux/arm64", "a platform has no spaces", 'separate platforms with commas, e.g. "linux/amd64,linux/arm64"'],
    ["/linux/amd64", "a path element is empty", 'write os/arch[/variant] without leading, trailing or doubled slashes, e.g. "linux/arm/v7"'],
    ["linux/amd64/", "a path element is empty", 'write os/arch[/variant] without leading, trailing or doubled slashes, e.g. "linux/arm/v7"'],
    ["linux/arm/v7/x", "a platform has at most three elements (os/arch/variant)", 'e.g. "linux/arm/v7"'],
    ["linux/$arm64", '"$arm64" contains characters a platform cannot have', 'use letters, digits, "_", "-", ".", e.g. "linux/arm64"'],
    ["linux/arm64$", '"arm64$" contains characters a platform cannot have', 'use letters, digits, "_", "-", ".", e.g. "linux/arm64"'],
    ["windows", "the platform names an OS but no architecture", 'add one, e.g. "windows/amd64" or "windows/arm64"'],
    ["linux", "the platform names an OS but no architecture", 'add one, e.g. "linux/amd64" or "linux/arm64"'],
    ["foo/amd64", '"foo" is not an operating system', 'write os/arch[/variant] with os "linux", e.g. "linux/amd64"'],
    ["armhf/foo/bar", '"armhf" is not an operating system', 'write os/arch[/variant] with os "linux", e.g. "linux/arm"'],
    ["windows/arm/v7", "container images built here are linux images (windows images need a windows host and base image; Go/Rust binaries for windows are not images)", 'use "linux/arm" or "linux/arm/v7"'],
    ["macos/arm64", "container images built here are linux images (darwin images need a darwin host and base image; Go/Rust binaries for darwin are not images)", 'use "linux/arm64"'],
    ["linux/sparc", 'unknown architecture "sparc"', `use one of: ${ALL}`],
    ["sparc", 'unknown architecture "sparc"', `use one of: ${ALL}`],
    ["linux/sparc64", "sparc64 is not a supported target", `use one of: ${ALL}`],
    ["wasm", "wasm is not a supported target", `use one of: ${ALL}`],
  ])("%j", (input, problem, fix) => {
    const e = inputError(() => parsePlatform(input))
    expect(e.field).toBe("platform")
    expect(e.input).toBe(input)
    expect(e.message).toBe(`invalid platform ${JSON.stringify(input)}: ${problem}; ${fix}`)
  })

  it("a value that is not a string", () => {
    const e = inputError(() => normalizePlatformParts(42 as unknown as string))
    expect(e.input).toBe("42")
    expect(e.message).toMatch(/a platform must be a string; use e\.g\. "linux\/arm64"/)
  })
})

describe("rows, formatting and the zod schemas", () => {
  it("targetOf / rowOf: the table row, a row passes through as it is", () => {
    expect(targetOf("aarch64")).toBe(TARGETS.get("linux/arm64"))
    const row = TARGETS.get("linux/s390x")!
    expect(rowOf(row)).toBe(row)
    expect(rowOf("s390x")).toBe(row)
    expect(() => targetOf("linux/sparc")).toThrow(/unknown architecture/)
  })

  it("formatPlatform", () => {
    expect(formatPlatform({ os: "linux", arch: "arm", variant: "v7" })).toBe("linux/arm/v7")
    expect(formatPlatform({ os: "linux", arch: "arm64" })).toBe("linux/arm64")
    expect(formatPlatform({ os: "linux", arch: "arm64", variant: "" })).toBe("linux/arm64")
  })
})

describe("parsePlatforms", () => {
  it("a trailing comma is no entry", () => {
    expect(parsePlatforms("linux/amd64,")).toEqual(["linux/amd64"])
    expect(parsePlatforms(["linux/amd64", ""])).toEqual(["linux/amd64"])
  })

  it.each([[""], [" , "], [[]], [[""]], [[",", " "]]])("%j is an empty list: named, with an example", (list) => {
    const e = inputError(() => parsePlatforms(list as string | string[]))
    expect(e.field).toBe("platforms")
    expect(e.message).toMatch(/the platform list is empty; pass e\.g\. "linux\/amd64,linux\/arm64"$/)
  })

  it("platformListEntries: strings and arrays of strings, split on commas, trimmed; anything else is no list", () => {
    expect(platformListEntries(" a , b")).toEqual(["a", "b"])
    expect(platformListEntries(["a,b", " c "])).toEqual(["a", "b", "c"])
    expect(platformListEntries("")).toEqual([""])
    expect(platformListEntries([])).toEqual([])
    for (const v of [42, null, undefined, {}, ["a", 1], [["a"]]]) expect(platformListEntries(v)).toBeUndefined()
  })

  it("a list with an entry that is not a string", () => {
    const e = inputError(() => parsePlatforms(["linux/amd64", 7] as unknown as string[]))
    expect(e.field).toBe("platforms")
    expect(e.input).toBe("linux/amd64,7")
    expect(e.message).toMatch(/expected a list of platforms; pass e\.g\. "linux\/amd64,linux\/arm64"$/)
  })

  it("a value that is neither a string nor a list", () => {
    const e = inputError(() => parsePlatforms(42 as unknown as string))
    expect(e.field).toBe("platforms")
    expect(e.input).toBe("42")
    expect(e.message).toMatch(/expected a list of platforms; pass e\.g\. "linux\/amd64,linux\/arm64"$/)
  })

  it("a duplicate names the entry and says to list it once", () => {
    const e = inputError(() => parsePlatforms("linux/amd64,linux/arm64,aarch64"))
    expect(e.field).toBe("platforms")
    expect(e.input).toBe("aarch64")
    expect(e.message).toBe('invalid platforms "aarch64": "aarch64" and "linux/arm64" are the same platform (linux/arm64); list linux/arm64 once')
    expect(e.fix).toBe("list linux/arm64 once")
    expect(inputError(() => parsePlatforms("s390x,s390x")).message).toBe('invalid platforms "s390x": "s390x" is listed twice; list linux/s390x once')
  })

  it("one problem is reported as itself; several are listed, each once", () => {
    const one = inputError(() => parsePlatforms("linux/amd64,linux/sparc"))
    expect(one).toBeInstanceOf(MultiarchInputErrors)
    expect(one.message).toBe(`invalid platform "linux/sparc": unknown architecture "sparc"; use one of: ${ALL}`)
    const many = inputError(() => parsePlatforms("linux/sparc,windows,arm64,aarch64")) as MultiarchInputErrors
    expect(many.errors.map((e) => e.input)).toEqual(["linux/sparc", "windows", "aarch64"])
    expect(many.message.split("\n")).toHaveLength(4)
  })
})

describe("the OS and architecture names containerd knows", () => {
  const OSES = ["aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "wasi", "windows", "zos"]
  it.each(OSES)("%s/amd64: a known OS, but images built here are linux images", (os) => {
    const e = inputError(() => parsePlatform(`${os}/amd64`))
    expect(e.message).toContain(`container images built here are linux images (${os} images need a ${os} host`)
    expect(e.fix).toBe('use "linux/amd64"')
  })

  it.each(OSES)("%s alone names an OS without architecture", (os) => {
    expect(inputError(() => parsePlatform(os)).fix).toBe(`add one, e.g. "${os}/amd64" or "${os}/arm64"`)
  })

  const OTHER_ARCHES = ["ppc64", "riscv32", "sparc64", "wasm", "arm64be", "armbe", "mips64p32", "mips64p32le", "ppc", "s390"]
  it.each(OTHER_ARCHES)("%s: an architecture containerd knows, not a supported target (with or without linux/)", (arch) => {
    for (const input of [arch, `linux/${arch}`]) expect(inputError(() => parsePlatform(input)).message).toContain(`: ${arch} is not a supported target;`)
  })

  it.each(OTHER_ARCHES)("%s/v1: an OS-less arch/variant means linux", (arch) => {
    expect(inputError(() => parsePlatform(`${arch}/v1`)).message).toContain(`: ${arch} is not a supported target;`)
  })

  it("an OS-less alias keeps a written variant it does not fix: x86_64/x is amd64 with variant x", () => {
    expect(inputError(() => parsePlatform("x86_64/x")).fix).toBe("did you mean linux/amd64?")
  })

  it("macos alone is darwin without an architecture", () => {
    expect(inputError(() => parsePlatform("macos")).fix).toBe('add one, e.g. "darwin/amd64" or "darwin/arm64"')
  })

  it("three elements starting with an alias: the alias is no OS; the fix maps it", () => {
    expect(inputError(() => parsePlatform("x86_64/foo/bar")).fix).toBe('write os/arch[/variant] with os "linux", e.g. "linux/amd64"')
    expect(inputError(() => parsePlatform("aarch64/foo/bar")).fix).toBe('write os/arch[/variant] with os "linux", e.g. "linux/arm64"')
  })
})
