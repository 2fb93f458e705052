/** Rust toolchain options: what `--rust-version`, `--libc`, `--bin`, `--features`, `--profile`, `--base`, `--emulate` mean, and their checks. */
import { parseChoice } from "../../core/choice.js"
import { MultiarchInputError } from "../../core/errors/index.js"
import type { Libc } from "../../core/env.js"
import { checkBuilderImage, checkCacheNamespace } from "../compiled.js"

/** Rust release used when neither --rust-version nor rust-toolchain.toml pins one. */
export const DEFAULT_RUST_VERSION = "1.96.0"
/** CARGO_TARGET_DIR: a cache volume outside the source, so a source `target/` never leaks in. */
export const TARGET_DIR = "/cargo-target"
/** CARGO_HOME of the official rust images (registry and git caches live below it). */
export const CARGO_HOME = "/usr/local/cargo"
export const DEFAULT_PROFILE = "release"
export const DEFAULT_LIBC: Libc = "musl"

export interface RustOptions {
  /** Rust release for the builder image (1.96 or 1.96.0); default from rust-toolchain.toml, else DEFAULT_RUST_VERSION. */
  rustVersion?: string
  /** The builder image itself, e.g. rust:1.96-bookworm@sha256:… (pinned by digest); rustup still installs the resolved release in it. */
  rustImage?: string
  /** gnu (glibc, dynamic, Debian runtime base) or musl (static, scratch). Default musl. */
  libc?: Libc
  /** Binary to build (`cargo build --bin`); default: default-run, the only [[bin]], or the package name. */
  bin?: string
  /** Cargo features, as a list or a comma/space separated string. */
  features?: string[] | string
  /** Pass --no-default-features. */
  noDefaultFeatures?: boolean
  /** Cargo profile (`--profile`); default release. */
  profile?: string
  /** Runtime base image; default scratch (musl) or the platform's Debian image (gnu). */
  base?: string
  /**
   * Run cargo on the target platform under QEMU (a rust image of that platform) instead of
   * cross-compiling: no cross packages, the image's own gcc for <triple>. Slow (≈9×).
   */
  emulate?: boolean
  /** Namespace of the cache volumes (default: a hash of the package identity). */
  cacheNamespace?: string
}

/** A Rust release: 1.96 or 1.96.0. */
export const VERSION_RE = /^1\.\d{1,3}(\.\d{1,3})?$/
/** A Cargo target/profile name as multiarch passes it to cargo (--bin=<name>), whether typed or read from Cargo.toml. */
export const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/
const FEATURE_RE = /^[A-Za-z0-9_][A-Za-z0-9_+\-.]*(\?)?(\/[A-Za-z0-9_][A-Za-z0-9_+\-.]*)?$/

/** Features as a list: from an array or a comma/space separated string, blanks dropped. */
export function featureList(f: RustOptions["features"]): string[] {
  if (f === undefined) return []
  const raw = Array.isArray(f) ? f.flatMap((x) => x.split(/[\s,]+/)) : f.split(/[\s,]+/)
  return raw.filter((x) => x !== "")
}

/** The C libraries Rust binaries are built against. */
export const LIBCS = ["musl", "gnu"] as const

/** `--libc`: musl or gnu, with a "did you mean" (glibc is gnu, as in the target triples). */
export function parseLibc(value: string): Libc {
  return parseChoice("libc", value, LIBCS, {
    what: "a C library multiarch builds with (musl: static Rust binaries, Alpine Node images; gnu: glibc)",
    aliases: { glibc: "gnu", "gnu-libc": "gnu", libc: "gnu", "musl-libc": "musl", static: "musl", dynamic: "gnu" },
  })
}

/** Validate options before any engine work. */
export function checkRustOptions(o: RustOptions): void {
  if (o.rustVersion !== undefined && !VERSION_RE.test(o.rustVersion))
    throw new MultiarchInputError(
      "rust-version",
      o.rustVersion,
      "expected a Rust release like 1.96 or 1.96.0",
      `drop any "v" prefix or channel name, e.g. --rust-version ${DEFAULT_RUST_VERSION}`,
    )
  if (o.libc !== undefined && o.libc !== "gnu" && o.libc !== "musl") parseLibc(String(o.libc))
  if (o.bin !== undefined && !NAME_RE.test(o.bin))
    throw new MultiarchInputError("bin", o.bin, "not a Cargo binary target name", "pass the name of a [[bin]] target, e.g. --bin server")
  if (o.profile !== undefined && !NAME_RE.test(o.profile))
    throw new MultiarchInputError("profile", o.profile, "not a Cargo profile name", "use release, dev or a [profile.<name>] from Cargo.toml")
  if (o.profile === "test" || o.profile === "bench")
    throw new MultiarchInputError("profile", o.profile, `the ${o.profile} profile builds test harnesses, not the binary an image runs`, "use release (default), dev or a custom profile")
  for (const f of featureList(o.features))
    if (!FEATURE_RE.test(f))
      throw new MultiarchInputError("features", f, "not a Cargo feature name", 'pass names like "tls" or "dep/feature", separated by commas')
  if (o.base !== undefined && (o.base.trim() === "" || /\s/.test(o.base)))
    throw new MultiarchInputError("base", o.base, "not an image address", 'pass e.g. "debian:bookworm-slim" or "scratch"')
  checkBuilderImage("rust-image", o.rustImage)
  checkCacheNamespace(o.cacheNamespace)
}
