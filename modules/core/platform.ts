/**
 * Platform model: parse, normalise and format `os/arch[/variant]` strings with containerd's rules
 * (the ones Docker, BuildKit and Dagger apply), then check them against the target table.
 */
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

/**
 * What an architecture alias does to the variant written after it:
 *  - "keep": the written variant stays (x86_64/v2 → amd64/v2);
 *  - "drop": any written variant is dropped (i386/v7 → 386);
 *  - any other string: the alias fixes the variant, whatever is written (armhf/v6 → arm/v7).
 */
type VariantRule = "keep" | "drop" | string

/**
 * containerd's aliases, exactly the ones database.go normalizeArch has (containerd/platforms
 * @09756f5, database.go:76-112): i386 (drops the variant), x86_64 and x86-64, aarch64, armhf (v7)
 * and armel (v6).
 */
const CONTAINERD_ARCH_ALIASES: ReadonlyMap<string, [string, VariantRule]> = new Map<string, [string, VariantRule]>([
  ["i386", ["386", "drop"]],
  ["x86_64", ["amd64", "keep"]],
  ["x86-64", ["amd64", "keep"]],
  ["aarch64", ["arm64", "keep"]],
  ["armhf", ["arm", "v7"]],
  ["armel", ["arm", "v6"]],
])

/**
 * OUR aliases, not containerd's (containerd keeps linux/i686 as an unknown architecture and rejects
 * an OS-less i686): the `uname -m` and Debian spellings people paste. Harmless leniency, listed in
 * README's "where we differ" table. Like containerd's armhf/armel, an alias that names a variant
 * fixes it (armv6l/v7 → arm/v6), and i686 drops the variant like i386.
 */
const OUR_ARCH_ALIASES: ReadonlyMap<string, [string, VariantRule]> = new Map<string, [string, VariantRule]>([
  ["i686", ["386", "drop"]],
  ["armv7l", ["arm", "v7"]],
  ["armv6l", ["arm", "v6"]],
  ["armv5l", ["arm", "v5"]],
  ["mipsel", ["mipsle", "keep"]],
  ["mips64el", ["mips64le", "keep"]],
  ["ppc64el", ["ppc64le", "keep"]],
  ["loongarch64", ["loong64", "keep"]],
])

const ARCH_ALIASES: ReadonlyMap<string, [string, VariantRule]> = new Map([...CONTAINERD_ARCH_ALIASES, ...OUR_ARCH_ALIASES])

/** Architectures we recognise (containerd's isKnownArch list, our aliases and a few more), to tell an OS-less arch apart. */
const KNOWN_ARCH = new Set([
  ...SUPPORTED_ARCHES.keys(),
  ...ARCH_ALIASES.keys(),
  "ppc64", "riscv32", "sparc64", "wasm", "arm64be", "armbe", "mips64p32", "mips64p32le", "ppc", "s390",
])

function fail(input: string, problem: string, fix: string): never {
  throw new MultiarchInputError(FIELD, input, problem, fix)
}

/**
 * normalizeArch: aliases, then the variant spellings. containerd's rules: amd64 "v1" → none;
 * arm64 "8"/"v8"/"v8.0" → none and "9"/"9.0"/"v9.0" → "v9"; arm none/"7" → "v7" and "5"/"6"/"8" →
 * "v5"/"v6"/"v8". Ours on top: amd64 "1" → none and "2"–"4" → "v2"–"v4" (containerd keeps a bare
 * "2" as a variant no image has). Returns [arch, variant].
 */
function normalizeArch(arch: string, variant: string): [string, string] {
  const alias = ARCH_ALIASES.get(arch)
  if (alias) {
    const [a, rule] = alias
    return normalizeArch(a, rule === "keep" ? variant : rule === "drop" ? "" : rule)
  }
  switch (arch) {
    case "amd64":
      if (variant === "v1" || variant === "1") return ["amd64", ""]
      if (/^[2-4]$/.test(variant)) return ["amd64", `v${variant}`]
      return ["amd64", variant]
    case "arm64":
      if (variant === "8" || variant === "v8" || variant === "v8.0") return ["arm64", ""]
      if (variant === "9" || variant === "9.0" || variant === "v9.0") return ["arm64", "v9"]
      return ["arm64", variant]
    case "arm":
      // ("7" → "v7" is the rule below)
      if (variant === "") return ["arm", "v7"]
      if (/^[5-8]$/.test(variant)) return ["arm", `v${variant}`]
      return ["arm", variant]
    default:
      return [arch, variant]
  }
}

/** containerd normalizeOS: "macos" is darwin. */
const normalizeOs = (os: string): string => (os === "macos" ? "darwin" : os)

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
    // containerd completes an OS-only value with the host's architecture; we ask for one (README: where we differ)
    const osName = normalizeOs(parts[0])
    if (KNOWN_OS.has(osName) && !KNOWN_ARCH.has(parts[0]))
      fail(input, "the platform names an OS but no architecture", `add one, e.g. "${osName}/amd64" or "${osName}/arm64"`)
    // containerd: an OS-less architecture means linux/<arch>
    os = "linux"
    arch = parts[0]
  } else if (parts.length === 2 && !KNOWN_OS.has(parts[0]) && KNOWN_ARCH.has(parts[0])) {
    // OS-less arch/variant, e.g. "arm/v7" or "arm64/v8": linux is implied. Ours: containerd reads
    // two elements as os/arch (OS "arm64", arch "v8"), which nothing can build (README: where we differ)
    os = "linux"
    arch = parts[0]
    variant = parts[1]
  } else {
    os = parts[0]
    arch = parts[1]
    variant = parts[2] ?? ""
  }
  os = normalizeOs(os)
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

/**
 * The entries of a platform list: an array or a comma-separated string, split on commas and trimmed;
 * undefined when it is neither (a plain function, so that importing the platform model does not load
 * zod: the module's call start-up scans every file src/ imports — PlatformListSchema, the zod form,
 * is in platform-schema.ts).
 */
export function platformListEntries(list: unknown): string[] | undefined {
  const parts = typeof list === "string" ? [list] : Array.isArray(list) && list.every((x) => typeof x === "string") ? (list as string[]) : undefined
  return parts?.flatMap((x) => x.split(",")).map((x) => x.trim())
}

/**
 * Parse a platform list (array or comma-separated string). Every entry is normalised; duplicates
 * after normalisation (`linux/arm,linux/arm/v7`) and an empty list are rejected. All problems are
 * reported at once.
 */
export function parsePlatforms(list: string | string[]): string[] {
  const raw = platformListEntries(list)
  if (!raw) throw new MultiarchInputError("platforms", String(list), "expected a list of platforms", `pass e.g. "linux/amd64,linux/arm64"`)
  const entries = raw.filter((x) => x !== "")
  if (entries.length === 0)
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
