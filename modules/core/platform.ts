/**
 * Platform model: parse, normalise and format `os/arch[/variant]` strings with containerd's rules
 * (the ones Docker, BuildKit and Dagger apply), then check them against the target table.
 */
import { z } from "zod"
import { MultiarchInputError, MultiarchInputErrors } from "./errors/index.js"
import { SUPPORTED_ARCHES, SUPPORTED_PLATFORMS, TARGETS, type TargetRow } from "./targets.js"

export interface PlatformParts {
  os: string
  arch: string
  variant?: string
}

const FIELD = "platform"
const supportedList = () => SUPPORTED_PLATFORMS.join(", ")

/** OS names containerd knows; only linux is buildable here. */
const KNOWN_OS = new Set([
  "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux",
  "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "wasi", "windows", "zos",
])

/** containerd's architecture aliases: alias -> [arch, implied variant]. */
const ARCH_ALIASES: ReadonlyMap<string, [string, string]> = new Map(Object.entries({
  i386: ["386", ""],
  i686: ["386", ""],
  x86_64: ["amd64", ""],
  "x86-64": ["amd64", ""],
  aarch64: ["arm64", ""],
  armhf: ["arm", "v7"],
  armel: ["arm", "v6"],
  armv7l: ["arm", "v7"],
  armv6l: ["arm", "v6"],
  armv5l: ["arm", "v5"],
  mipsel: ["mipsle", ""],
  mips64el: ["mips64le", ""],
  ppc64el: ["ppc64le", ""],
  loongarch64: ["loong64", ""],
} as Record<string, [string, string]>))

/** Architectures containerd knows (before alias resolution), used to tell an OS-less arch apart. */
const KNOWN_ARCH = new Set([
  ...SUPPORTED_ARCHES.keys(),
  ...ARCH_ALIASES.keys(),
  "ppc64", "riscv32", "sparc64", "wasm", "arm64be", "armbe", "mips64p32", "mips64p32le", "ppc", "s390",
])

function fail(input: string, problem: string, fix: string): never {
  throw new MultiarchInputError(FIELD, input, problem, fix)
}

/** containerd normalizeArch: aliases and variant spelling. Returns [arch, variant]. */
function normalizeArch(arch: string, variant: string): [string, string] {
  const alias = ARCH_ALIASES.get(arch)
  if (alias) {
    const [a, implied] = alias
    // an explicit variant wins over the one an alias implies (armhf/v6 stays v6, as in containerd)
    return normalizeArch(a, variant || implied)
  }
  switch (arch) {
    case "amd64":
      if (variant === "v1" || variant === "1") return ["amd64", ""]
      if (/^[2-4]$/.test(variant)) return ["amd64", `v${variant}`]
      return ["amd64", variant]
    case "arm64":
      if (variant === "8" || variant === "v8" || variant === "v8.0") return ["arm64", ""]
      return ["arm64", variant]
    case "arm":
      if (variant === "" || variant === "7") return ["arm", "v7"]
      if (/^[5-8]$/.test(variant)) return ["arm", `v${variant}`]
      return ["arm", variant]
    default:
      return [arch, variant]
  }
}

/** Parse and normalise to `{os, arch, variant}` without checking support. Throws MultiarchInputError. */
export function normalizePlatformParts(input: string): PlatformParts {
  if (typeof input !== "string") fail(String(input), "a platform must be a string", `use e.g. "linux/arm64"`)
  const s = input.trim().toLowerCase()
  if (s === "") fail(input, "the platform is empty", `use e.g. "linux/amd64" (supported: ${supportedList()})`)
  if (/\s/.test(s)) fail(input, "a platform has no spaces", `separate platforms with commas, e.g. "linux/amd64,linux/arm64"`)
  if (s === "current" || s === "local" || s === "native")
    fail(
      input,
      `"${s}" depends on the machine the command runs on (on a Mac it is darwin/arm64), not on the image`,
      `name the platform, e.g. "linux/amd64" or "linux/arm64"`,
    )
  const parts = s.split("/")
  if (parts.some((p) => p === ""))
    fail(input, "a path element is empty", `write os/arch[/variant] without leading, trailing or doubled slashes, e.g. "linux/arm/v7"`)
  if (parts.length > 3)
    fail(input, "a platform has at most three elements (os/arch/variant)", `e.g. "linux/arm/v7"`)
  for (const p of parts)
    if (!/^[a-z0-9_.-]+$/.test(p))
      fail(input, `"${p}" contains characters a platform cannot have`, `use letters, digits, "_", "-", ".", e.g. "linux/arm64"`)

  let os: string
  let arch: string
  let variant = ""
  if (parts.length === 1) {
    if (KNOWN_OS.has(parts[0]) && !KNOWN_ARCH.has(parts[0]))
      fail(input, "the platform names an OS but no architecture", `add one, e.g. "${parts[0]}/amd64" or "${parts[0]}/arm64"`)
    // containerd: an OS-less architecture means linux/<arch>
    os = "linux"
    arch = parts[0]
  } else if (parts.length === 2 && !KNOWN_OS.has(parts[0]) && KNOWN_ARCH.has(parts[0])) {
    // OS-less arch/variant, e.g. "arm/v7" or "arm64/v8": linux is implied
    os = "linux"
    arch = parts[0]
    variant = parts[1]
  } else {
    os = parts[0]
    arch = parts[1]
    variant = parts[2] ?? ""
  }
  if (os === "macos") os = "darwin"
  ;[arch, variant] = normalizeArch(arch, variant)
  return variant ? { os, arch, variant } : { os, arch }
}

/** Format parts as `os/arch[/variant]`. */
export function formatPlatform(p: PlatformParts): string {
  return p.variant ? `${p.os}/${p.arch}/${p.variant}` : `${p.os}/${p.arch}`
}

function checkSupported(input: string, p: PlatformParts): string {
  const formatted = formatPlatform(p)
  if (p.os !== "linux") {
    if (!KNOWN_OS.has(p.os))
      fail(input, `"${p.os}" is not an operating system`, `write os/arch[/variant] with os "linux", e.g. "linux/${ARCH_ALIASES.get(p.os)?.[0] ?? "amd64"}"`)
    fail(
      input,
      `container images built here are linux images (${p.os} images need a ${p.os} host and base image; Go/Rust binaries for ${p.os} are not images)`,
      `use "linux/${p.arch}"${p.variant ? ` or "linux/${p.arch}/${p.variant}"` : ""}`,
    )
  }
  if (TARGETS.has(formatted)) return formatted
  const variants = SUPPORTED_ARCHES.get(p.arch)
  if (!variants) {
    const hint = KNOWN_ARCH.has(p.arch) ? `${p.arch} is not a supported target` : `unknown architecture "${p.arch}"`
    fail(input, hint, `use one of: ${supportedList()}`)
  }
  // a known arch with a variant it does not have
  const v = p.variant ?? ""
  const alternatives: string[] = []
  for (const [arch, vs] of SUPPORTED_ARCHES) if (vs.includes(v) && v !== "") alternatives.push(`linux/${arch}/${v}`)
  alternatives.push(variants.includes("") ? `linux/${p.arch}` : `linux/${p.arch}/${variants[0]}`)
  const has = variants.filter((x) => x).map((x) => x)
  const problem = has.length
    ? `${p.arch} has no ${v} variant (it has ${has.join(", ")})`
    : `${p.arch} has no ${v} variant`
  fail(input, problem, `did you mean ${alternatives.join(" or ")}?`)
}

/**
 * Parse one platform string, normalise it like containerd and check that multiarch supports it.
 * Returns the normalised `os/arch[/variant]` string; throws MultiarchInputError naming the input
 * and the fix.
 */
export function parsePlatform(s: string): string {
  return checkSupported(s, normalizePlatformParts(s))
}

/** The table row of a platform string (parsed and normalised first). */
export function targetOf(platform: string): Readonly<TargetRow> {
  return TARGETS.get(parsePlatform(platform))!
}

/** A build target: its table row, or a platform string the public helpers parse once at the boundary. */
export type TargetInput = string | Readonly<TargetRow>

/** The row of a target: the row itself, or the row of a platform string. */
export function rowOf(target: TargetInput): Readonly<TargetRow> {
  return typeof target === "string" ? targetOf(target) : target
}

/** zod schema of one platform: validates and normalises. */
export const PlatformSchema = z.string().transform((s, ctx) => {
  try {
    return parsePlatform(s)
  } catch (e) {
    if (!(e instanceof MultiarchInputError)) throw e
    ctx.addIssue({ code: "custom", message: e.message, params: { fix: e.fix, input: e.input } })
    return z.NEVER
  }
})

/** zod schema of a platform list: an array or a comma-separated string. */
export const PlatformListSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v.flatMap((x) => x.split(",")) : v.split(",")).map((x) => x.trim()))

/**
 * Parse a platform list (array or comma-separated string). Every entry is normalised; duplicates
 * after normalisation (`linux/arm,linux/arm/v7`) and an empty list are rejected. All problems are
 * reported at once.
 */
export function parsePlatforms(list: string | string[]): string[] {
  const raw = PlatformListSchema.safeParse(list)
  if (!raw.success)
    throw new MultiarchInputError("platforms", String(list), "expected a list of platforms", `pass e.g. "linux/amd64,linux/arm64"`)
  const entries = raw.data.filter((x, i, all) => x !== "" || all.length === 1)
  if (entries.length === 0 || (entries.length === 1 && entries[0] === ""))
    throw new MultiarchInputError("platforms", String(list), "the platform list is empty", `pass e.g. "linux/amd64,linux/arm64"`)
  const errors: MultiarchInputError[] = []
  const out: string[] = []
  const firstSpelling = new Map<string, string>()
  for (const entry of entries) {
    let p: string
    try {
      p = parsePlatform(entry)
    } catch (e) {
      if (!(e instanceof MultiarchInputError)) throw e
      errors.push(e)
      continue
    }
    const prev = firstSpelling.get(p)
    if (prev !== undefined) {
      errors.push(
        new MultiarchInputError(
          "platforms",
          entry,
          prev === entry
            ? `"${entry}" is listed twice`
            : `"${entry}" and "${prev}" are the same platform (${p})`,
          `list ${p} once`,
        ),
      )
      continue
    }
    firstSpelling.set(p, entry)
    out.push(p)
  }
  if (errors.length) throw new MultiarchInputErrors(errors)
  return out
}
