/**
 * Toolchain environments derived from the target table: the one place that turns a target row into
 * Go env vars or a Rust triple. Plans, the `plan` function and the real-toolchain tests all use it.
 * Each helper takes the parsed row (plans pass it); a platform string is parsed once at this
 * boundary for TypeScript users (`goEnv("linux/arm/v7")`).
 */
import { MultiarchInputError } from "./errors/index.js"
import { rowOf, type TargetInput } from "./platform.js"

export interface GoEnvOptions {
  /** Build with cgo (needs a target C cross compiler). Default false: CGO_ENABLED=0, explicitly. */
  cgo?: boolean
}

/**
 * The full Go environment for a target: GOOS, GOARCH, every variant knob that applies (GOARM
 * without "v", GOAMD64, GO386, GOMIPS/GOMIPS64) and CGO_ENABLED, all set explicitly.
 */
export function goEnv(target: TargetInput, opts: GoEnvOptions = {}): Record<string, string> {
  const row = rowOf(target)
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(row.go)) if (v !== undefined) env[k] = v
  env.CGO_ENABLED = opts.cgo ? "1" : "0"
  return env
}

export type Libc = "gnu" | "musl"

/** The Rust target triple for a target and libc (`armv7-unknown-linux-gnueabihf`, `riscv64gc-…`). */
export function rustTarget(target: TargetInput, libc: Libc): string {
  if (libc !== "gnu" && libc !== "musl")
    throw new MultiarchInputError("libc", String(libc), "libc must be gnu or musl", `pass "musl" for static binaries or "gnu" for glibc`)
  return rowOf(target).rust[libc]
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

/** The default glibc runtime base of a target (from the table), or an input error asking for --base. */
export function glibcBaseOf(target: TargetInput): string {
  const row = rowOf(target)
  if (!row.glibcBase)
    throw new MultiarchInputError("base", row.platform, `there is no official Debian image for ${row.platform} to run a glibc binary on`, "pass --base with a glibc image for this platform")
  return row.glibcBase
}

/** Path-safe form of a target for cache keys and file names: linux/arm/v7 → linux-arm-v7. */
export function platformSlug(target: TargetInput): string {
  return rowOf(target).platform.replace(/\//g, "-")
}
