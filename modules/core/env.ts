/**
 * Toolchain environments derived from the target table: the one place that turns a platform into
 * Go env vars or a Rust triple. Plans, the `plan` function and the real-toolchain tests all use it.
 */
import { MultiarchInputError } from "./errors/index.js"
import { targetOf } from "./platform.js"

export interface GoEnvOptions {
  /** Build with cgo (needs a target C cross compiler). Default false: CGO_ENABLED=0, explicitly. */
  cgo?: boolean
}

/**
 * The full Go environment for a platform: GOOS, GOARCH, every variant knob that applies (GOARM
 * without "v", GOAMD64, GO386, GOMIPS/GOMIPS64) and CGO_ENABLED, all set explicitly.
 */
export function goEnv(platform: string, opts: GoEnvOptions = {}): Record<string, string> {
  const row = targetOf(platform)
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(row.go)) if (v !== undefined) env[k] = v
  env.CGO_ENABLED = opts.cgo ? "1" : "0"
  return env
}

export type Libc = "gnu" | "musl"

/** The Rust target triple for a platform and libc (`armv7-unknown-linux-gnueabihf`, `riscv64gc-…`). */
export function rustTarget(platform: string, libc: Libc): string {
  if (libc !== "gnu" && libc !== "musl")
    throw new MultiarchInputError("libc", String(libc), "libc must be gnu or musl", `pass "musl" for static binaries or "gnu" for glibc`)
  return targetOf(platform).rust[libc]
}

/** `CARGO_TARGET_<TRIPLE>_…` spelling of a triple. */
export function cargoEnvTriple(triple: string): string {
  return triple.toUpperCase().replace(/[-.]/g, "_")
}

/** `CC_<triple>` spelling of a triple (lower case, `-` → `_`). */
export function ccEnvTriple(triple: string): string {
  return triple.replace(/[-.]/g, "_")
}

/** Debian package names cannot hold "_": gcc-x86-64-linux-gnu installs x86_64-linux-gnu-gcc. */
export function debianCrossPackage(prefix: string, gccTriple: string): string {
  return `${prefix}-${gccTriple.replace(/_/g, "-")}`
}

/** The default glibc runtime base of a platform (from the table), or an input error asking for --base. */
export function glibcBaseOf(platform: string): string {
  const row = targetOf(platform)
  if (!row.glibcBase)
    throw new MultiarchInputError("base", platform, `there is no official Debian image for ${row.platform} to run a glibc binary on`, "pass --base with a glibc image for this platform")
  return row.glibcBase
}

/** Path-safe form of a platform for cache keys and file names: linux/arm/v7 → linux-arm-v7. */
export function platformSlug(platform: string): string {
  return platform.replace(/\//g, "-")
}

/** Debian architecture of a platform, or undefined when multiarch does not know it (e.g. an exotic engine). */
export function debianArchOf(platform: string): string | undefined {
  try {
    return targetOf(platform).debianArch
  } catch {
    return undefined
  }
}
