/**
 * What the Rust plan reads from the source, parsed with smol-toml (a TOML 1.0 parser, so every
 * valid manifest reads, inline tables included): Cargo.toml's package name, default-run, [[bin]]
 * names, MSRV and [workspace]; the channel rust-toolchain(.toml) pins; and the Rust release the
 * builder uses.
 */
import { parse as parseToml, TomlError } from "smol-toml"
import { MultiarchInputError } from "../../core/errors/index.js"
import type { SourceFacts } from "../../core/plan.js"
import { DEFAULT_RUST_VERSION, VERSION_RE, type RustOptions } from "./options.js"

/** What the plan needs from Cargo.toml . */
export interface CargoFacts {
  /** [package].name; undefined for a virtual workspace. */
  packageName?: string
  /** [package].default-run */
  defaultRun?: string
  /** [[bin]] names, in file order. */
  bins: string[]
  /** [package].rust-version (the MSRV), when given literally. */
  rustVersion?: string
  /** A [workspace] table is present. */
  workspace: boolean
}

/** Channel of rust-toolchain.toml (or the legacy rust-toolchain file). */
export interface ToolchainFileFacts {
  file: string
  channel: string
}

type Table = Record<string, unknown>

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined)
const table = (v: unknown): Table | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date) ? (v as Table) : undefined)

/** A TOML document, or an input error naming the file, the line and what TOML expected (cargo would refuse it too). */
export function readToml(text: string, file: string): Table {
  try {
    return parseToml(text) as Table
  } catch (e) {
    if (!(e instanceof TomlError)) throw e
    const what = e.message.split("\n")[0].replace(/^Invalid TOML document: /, "")
    throw new MultiarchInputError("source", file, `${file} is not valid TOML: ${what} (line ${e.line}, column ${e.column})`, `fix ${file} (cargo and rustup read it as TOML 1.0)`)
  }
}

export function parseCargoToml(text: string): CargoFacts {
  const doc = readToml(text, "Cargo.toml")
  const pkg = table(doc.package)
  const bins = (Array.isArray(doc.bin) ? doc.bin : []).map((b) => str(table(b)?.name)).filter((n): n is string => !!n)
  const packageName = str(pkg?.name)
  const workspace = table(doc.workspace) !== undefined
  if (!packageName && !workspace)
    throw new MultiarchInputError(
      "source",
      "Cargo.toml",
      "Cargo.toml has neither a [package] name nor a [workspace]",
      "point --source at the crate or workspace root (run `cargo metadata` there to check the manifest)",
    )
  return {
    packageName,
    defaultRun: str(pkg?.["default-run"]),
    bins,
    // `rust-version.workspace = true` inherits the workspace's: not a literal MSRV
    rustVersion: str(pkg?.["rust-version"]),
    workspace,
  }
}

/** The channel pinned by rust-toolchain.toml (preferred, as rustup does) or the legacy rust-toolchain file. */
export function parseToolchainFile(files: SourceFacts["files"]): ToolchainFileFacts | undefined {
  for (const file of ["rust-toolchain.toml", "rust-toolchain"]) {
    const text = files[file]
    if (text === undefined) continue
    // legacy one-line form: the file is just the channel name
    const bare = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))
    if (file === "rust-toolchain" && bare.length === 1 && /^[A-Za-z0-9_.\-]+$/.test(bare[0])) return { file, channel: bare[0] }
    const channel = table(readToml(text, file).toolchain)?.channel
    if (typeof channel === "string") return { file, channel: channel.trim() }
    // a toolchain file without a channel (only components/targets) pins no release
    return undefined
  }
  return undefined
}

function versionParts(v: string): number[] {
  return v.split(".").map((x) => Number(x))
}

/** a < b for dotted numeric versions (missing parts count as 0). */
function versionLess(a: string, b: string): boolean {
  const x = versionParts(a)
  const y = versionParts(b)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0)
    if (d !== 0) return d < 0
  }
  return false
}

export interface ResolvedVersion {
  /** What rustup installs and RUSTUP_TOOLCHAIN names: a release (1.96, 1.96.0) or a nightly/beta channel. */
  version: string
  /** Where the version came from, for the plan's notes. */
  source: string
}

/** nightly, beta, or a dated one (nightly-2025-01-01): channels rustup installs in the builder. */
export const CHANNEL_RE = /^(nightly|beta)(-\d{4}-\d{2}-\d{2})?$/

/**
 * The oldest Rust release with official rust:<version>-bookworm images: rust-lang/docker-rust#130
 * ("Add Debian 12 Bookworm variant", merged 2023-01-24) generated them first for 1.66.1, and the
 * next release published to the official images with bookworm tags was 1.67.0
 * (docker-library/official-images#13948); 1.67 is the floor counted on here.
 */
export const OLDEST_BOOKWORM_RUST = "1.67"

/** --rust-version, else rust-toolchain(.toml), else the default; checked against the MSRV. */
export function resolveRustVersion(o: RustOptions, facts: SourceFacts, cargo: CargoFacts): ResolvedVersion {
  let resolved: ResolvedVersion
  if (o.rustVersion !== undefined) resolved = { version: o.rustVersion, source: "--rust-version" }
  else {
    const tf = parseToolchainFile(facts.files)
    if (!tf) resolved = { version: DEFAULT_RUST_VERSION, source: "default" }
    else if (VERSION_RE.test(tf.channel)) resolved = { version: tf.channel, source: `from ${tf.file}` }
    else if (tf.channel === "stable") resolved = { version: DEFAULT_RUST_VERSION, source: `${tf.file} says "stable": the default release; pin one with --rust-version` }
    else if (CHANNEL_RE.test(tf.channel)) resolved = { version: tf.channel, source: `from ${tf.file}: the ${tf.channel} channel, installed by rustup in the builder` }
    else
      throw new MultiarchInputError(
        "rust-version",
        tf.channel,
        `${tf.file} pins "${tf.channel}", which is neither a release (1.96, 1.96.0) nor a nightly/beta channel (nightly, nightly-2025-01-01)`,
        `pass --rust-version ${DEFAULT_RUST_VERSION} (or pin a release in ${tf.file})`,
      )
  }
  if (cargo.rustVersion && VERSION_RE.test(cargo.rustVersion) && VERSION_RE.test(resolved.version) && versionLess(resolved.version, cargo.rustVersion))
    throw new MultiarchInputError(
      "rust-version",
      resolved.version,
      `Cargo.toml needs rust-version ${cargo.rustVersion} (its MSRV) but the build would use ${resolved.version} (${resolved.source})`,
      `pass --rust-version ${cargo.rustVersion} or newer`,
    )
  return resolved
}

/**
 * The builder image for a resolved version: --rust-image, else rust:<release>-bookworm when that
 * was published (1.67 on), else the default release's image — rustup installs the resolved
 * version (an older release, a nightly) in it either way (RUSTUP_TOOLCHAIN).
 */
export function rustImageFor(version: string, rustImage: string | undefined): { image: string; note?: string } {
  if (rustImage !== undefined) return { image: rustImage, note: `builder --rust-image ${rustImage}; rustup installs ${version} in it unless the image has it` }
  if (VERSION_RE.test(version) && !versionLess(version, OLDEST_BOOKWORM_RUST)) return { image: `rust:${version}-bookworm` }
  const image = `rust:${DEFAULT_RUST_VERSION}-bookworm`
  return VERSION_RE.test(version)
    ? { image, note: `rust:${version}-bookworm was never published (bookworm images start with Rust ${OLDEST_BOOKWORM_RUST}): builder ${image}, rustup installs ${version}` }
    : { image, note: `${version}: builder ${image}, rustup installs ${version} (a download on every cold builder)` }
}
