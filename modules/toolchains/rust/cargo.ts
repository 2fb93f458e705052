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
  version: string
  /** Where the version came from, for the plan's notes. */
  source: string
}

/** --rust-version, else rust-toolchain(.toml), else the default; checked against the MSRV. */
export function resolveRustVersion(o: RustOptions, facts: SourceFacts, cargo: CargoFacts): ResolvedVersion {
  let resolved: ResolvedVersion
  if (o.rustVersion !== undefined) resolved = { version: o.rustVersion, source: "--rust-version" }
  else {
    const tf = parseToolchainFile(facts.files)
    if (!tf) resolved = { version: DEFAULT_RUST_VERSION, source: "default" }
    else if (VERSION_RE.test(tf.channel)) resolved = { version: tf.channel, source: `from ${tf.file}` }
    else if (tf.channel === "stable") resolved = { version: DEFAULT_RUST_VERSION, source: `${tf.file} says "stable": the default release; pin one with --rust-version` }
    else
      throw new MultiarchInputError(
        "rust-version",
        tf.channel,
        `${tf.file} pins the ${tf.channel} channel; the builder is the official rust:<release>-bookworm image`,
        `pass --rust-version ${DEFAULT_RUST_VERSION} (or pin a release in ${tf.file})`,
      )
  }
  if (cargo.rustVersion && VERSION_RE.test(cargo.rustVersion) && versionLess(resolved.version, cargo.rustVersion))
    throw new MultiarchInputError(
      "rust-version",
      resolved.version,
      `Cargo.toml needs rust-version ${cargo.rustVersion} (its MSRV) but the build would use ${resolved.version} (${resolved.source})`,
      `pass --rust-version ${cargo.rustVersion} or newer`,
    )
  return resolved
}
