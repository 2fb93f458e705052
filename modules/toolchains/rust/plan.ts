/**
 * Rust toolchain, pure part: Cargo.toml / rust-toolchain.toml facts and the per-target BuildPlan.
 * The builder is the official `rust:<version>-bookworm` image (Debian + rustup) on the engine's
 * native platform; each target gets `rustup target add <triple>`, Debian's cross gcc as linker and
 * the per-triple cargo/cc variables from the target table.
 *
 * musl (the default) links with rustup's *self-contained* musl objects: the rust-std component of
 * every tier-2 `*-linux-musl*` target ships crt1.o/rcrt1.o/crti.o/crtn.o, crtbegin/crtend, musl's
 * libc.a and LLVM's libunwind.a under lib/rustlib/<triple>/lib/self-contained. Debian's
 * `gcc-<triple>` is only the linker driver (rustc passes -nostartfiles -nodefaultlibs and the
 * self-contained objects), so the binary is fully static with the musl std was built against.
 * C code built through the `cc` crate gets Debian's `musl-dev:<arch>` wrapper
 * (`<arch>-linux-musl-gcc`: the same cross gcc with musl's headers), where bookworm has it.
 * Everything comes from the image's apt and rustup: no zig, no musl-cross download.
 */
import { ccEnvTriple, cargoEnvTriple, debianArchOf, debianCrossPackage, glibcBaseOf, platformSlug, type Libc } from "../../core/env.js"
import { elfCheckArgv } from "../../core/elf.js"
import { MultiarchInputError } from "../../core/errors/index.js"
import { targetOf } from "../../core/platform.js"
import type { BuildPlan, PlanStep, SourceFacts } from "../../core/plan.js"
import type { TargetRow } from "../../core/targets.js"

/** Rust release used when neither --rust-version nor rust-toolchain.toml pins one. */
export const DEFAULT_RUST_VERSION = "1.96.0"
export const SRC_DIR = "/src"
export const OUT_DIR = "/out"
/** CARGO_TARGET_DIR: a cache volume outside the source, so a source `target/` never leaks in. */
export const TARGET_DIR = "/cargo-target"
/** CARGO_HOME of the official rust images (registry and git caches live below it). */
export const CARGO_HOME = "/usr/local/cargo"
export const DEFAULT_PROFILE = "release"
export const DEFAULT_LIBC: Libc = "musl"

export interface RustOptions {
  /** Rust release for the builder image (1.96 or 1.96.0); default from rust-toolchain.toml, else DEFAULT_RUST_VERSION. */
  rustVersion?: string
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
}

/** What the plan needs from Cargo.toml (a small TOML reader: tables, strings, arrays of strings). */
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

// ---------------------------------------------------------------------------------------------
// TOML subset

type TomlValue = string | number | boolean | string[]
interface TomlTable {
  name: string
  /** [[name]] rather than [name] */
  array: boolean
  values: Record<string, TomlValue>
}

function stripComment(line: string): string {
  let q: string | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (q) {
      if (c === "\\" && q === '"') i++
      else if (c === q) q = undefined
    } else if (c === '"' || c === "'") q = c
    else if (c === "#") return line.slice(0, i)
  }
  return line
}

function parseScalar(raw: string): TomlValue | undefined {
  const s = raw.trim()
  let m = /^"((?:[^"\\]|\\.)*)"$/.exec(s)
  if (m) return m[1].replace(/\\(["\\])/g, "$1")
  m = /^'([^']*)'$/.exec(s)
  if (m) return m[1]
  if (s === "true" || s === "false") return s === "true"
  if (/^[+-]?\d+(\.\d+)?$/.test(s)) return Number(s)
  if (s.startsWith("[") && s.endsWith("]")) {
    const items = s.slice(1, -1).split(",").map((x) => x.trim()).filter((x) => x !== "")
    const out: string[] = []
    for (const it of items) {
      const v = parseScalar(it)
      if (typeof v !== "string") return undefined
      out.push(v)
    }
    return out
  }
  return undefined // inline tables, multi-line values: not needed here
}

/**
 * Reads the tables of a TOML document: `[a.b]`, `[[bin]]` and `key = value` lines whose value is
 * a string, number, boolean or a one-line array of strings. Dotted keys stay dotted
 * (`rust-version.workspace`). Lines it does not understand are skipped, not guessed.
 */
export function readToml(text: string): TomlTable[] {
  const tables: TomlTable[] = [{ name: "", array: false, values: {} }]
  let cur = tables[0]
  let skipping = 0 // depth of an open multi-line array
  for (const rawLine of text.split(/\r?\n/)) {
    const line = stripComment(rawLine).trim()
    if (skipping) {
      skipping += (line.match(/\[/g) ?? []).length - (line.match(/]/g) ?? []).length
      if (skipping < 0) skipping = 0
      continue
    }
    if (line === "") continue
    let m = /^\[\[\s*([A-Za-z0-9_.\-"' ]+?)\s*]]$/.exec(line)
    if (m) {
      cur = { name: m[1].replace(/["'\s]/g, ""), array: true, values: {} }
      tables.push(cur)
      continue
    }
    m = /^\[\s*([A-Za-z0-9_.\-"' ]+?)\s*]$/.exec(line)
    if (m) {
      cur = { name: m[1].replace(/["'\s]/g, ""), array: false, values: {} }
      tables.push(cur)
      continue
    }
    m = /^("[^"]*"|[A-Za-z0-9_.\-]+)\s*=\s*(.*)$/.exec(line)
    if (!m) continue
    const key = m[1].replace(/"/g, "")
    const value = m[2]
    if (value.startsWith("[") && !value.includes("]")) {
      skipping = 1
      continue
    }
    const v = parseScalar(value)
    if (v !== undefined) cur.values[key] = v
  }
  return tables
}

function tableValue(tables: TomlTable[], table: string, key: string): TomlValue | undefined {
  // `[package] name = …` or a top-level dotted `package.name = …`
  for (const t of tables) {
    if (t.array) continue
    if (t.name === table && key in t.values) return t.values[key]
    if (t.name === "" && `${table}.${key}` in t.values) return t.values[`${table}.${key}`]
  }
  return undefined
}

export function parseCargoToml(text: string): CargoFacts {
  const tables = readToml(text)
  const str = (v: TomlValue | undefined) => (typeof v === "string" ? v : undefined)
  const bins = tables.filter((t) => t.array && t.name === "bin").map((t) => str(t.values.name)).filter((n): n is string => !!n)
  const packageName = str(tableValue(tables, "package", "name"))
  const workspace = tables.some((t) => t.name === "workspace" || t.name.startsWith("workspace."))
  if (!packageName && !workspace)
    throw new MultiarchInputError(
      "source",
      "Cargo.toml",
      "Cargo.toml has neither a [package] name nor a [workspace]",
      "point --source at the crate or workspace root (run `cargo metadata` there to check the manifest)",
    )
  return {
    packageName,
    defaultRun: str(tableValue(tables, "package", "default-run")),
    bins,
    rustVersion: str(tableValue(tables, "package", "rust-version")),
    workspace,
  }
}

/** The channel pinned by rust-toolchain.toml (preferred, as rustup does) or the legacy rust-toolchain file. */
export function parseToolchainFile(files: SourceFacts["files"]): ToolchainFileFacts | undefined {
  for (const file of ["rust-toolchain.toml", "rust-toolchain"]) {
    const text = files[file]
    if (text === undefined) continue
    const tables = readToml(text)
    const channel = tableValue(tables, "toolchain", "channel")
    if (typeof channel === "string") return { file, channel: channel.trim() }
    // legacy one-line form: the file is just the channel name
    const bare = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))
    if (file === "rust-toolchain" && bare.length === 1 && /^[A-Za-z0-9_.\-]+$/.test(bare[0])) return { file, channel: bare[0] }
    // a toolchain file without a channel (only components/targets) pins no release
    return undefined
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// validation

const VERSION_RE = /^1\.\d{1,3}(\.\d{1,3})?$/
const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/
const FEATURE_RE = /^[A-Za-z0-9_][A-Za-z0-9_+\-.]*(\?)?(\/[A-Za-z0-9_][A-Za-z0-9_+\-.]*)?$/

/** Features as a list: from an array or a comma/space separated string, blanks dropped. */
export function featureList(f: RustOptions["features"]): string[] {
  if (f === undefined) return []
  const raw = Array.isArray(f) ? f.flatMap((x) => x.split(/[\s,]+/)) : f.split(/[\s,]+/)
  return raw.filter((x) => x !== "")
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
  if (o.libc !== undefined && o.libc !== "gnu" && o.libc !== "musl")
    throw new MultiarchInputError("libc", String(o.libc), "libc must be gnu or musl", `pass --libc musl for static binaries (scratch) or --libc gnu for glibc`)
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
}

// ---------------------------------------------------------------------------------------------
// facts of Debian bookworm (the builder image's distribution)

/**
 * Debian architectures for which bookworm ships `musl-dev` (and so `<musl triple>-gcc`, the musl
 * cross C compiler wrapper). riscv64 and loong64 are not release architectures of bookworm.
 */
export const BOOKWORM_MUSL_DEV: ReadonlyMap<string, string> = new Map([
  ["amd64", "x86_64-linux-musl"],
  ["arm64", "aarch64-linux-musl"],
  ["armhf", "arm-linux-musleabihf"],
  ["armel", "arm-linux-musleabi"],
  ["i386", "i386-linux-musl"],
  ["ppc64el", "powerpc64le-linux-musl"],
  ["s390x", "s390x-linux-musl"],
  ["mips", "mips-linux-musl"],
  ["mipsel", "mipsel-linux-musl"],
  ["mips64el", "mips64el-linux-musl"],
])


// ---------------------------------------------------------------------------------------------
// naming


/** Directory cargo writes a profile's artifacts to: dev → debug, others by name. */
export function profileDir(profile: string): string {
  return profile === "dev" ? "debug" : profile
}

/** The binary `cargo build --bin` will build, from --bin, default-run, [[bin]] or the package name. */
export function rustBinaryName(o: RustOptions, cargo: CargoFacts): string {
  // not checked against the manifest: src/bin/*.rs and workspace members are binaries too
  if (o.bin) return o.bin
  if (cargo.defaultRun) return cargo.defaultRun
  if (cargo.bins.length === 1) return cargo.bins[0]
  if (cargo.bins.length > 1)
    throw new MultiarchInputError("bin", "", `Cargo.toml declares ${cargo.bins.length} binaries (${cargo.bins.join(", ")}) and no default-run`, `pass --bin ${cargo.bins[0]} (or set [package] default-run)`)
  if (!cargo.packageName)
    throw new MultiarchInputError("bin", "", "Cargo.toml is a virtual workspace: there is no package whose binary to build", "pass --bin <name of a binary in one of the members>")
  return cargo.packageName
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

// ---------------------------------------------------------------------------------------------
// the plan

/** Why a target cannot be built with --libc `libc`, or undefined when it can. */
export function unsupportedReason(row: Readonly<TargetRow>, libc: Libc): { problem: string; fix: string } | undefined {
  const triple = row.rust[libc]
  if (!row.rust.rustupStd[libc]) {
    const other: Libc = libc === "musl" ? "gnu" : "musl"
    return {
      problem: `${triple} is a tier-3 Rust target: rustup ships no prebuilt std for it`,
      fix: row.rust.rustupStd[other] ? `build ${row.platform} with --libc ${other}` : `drop ${row.platform} from --platforms`,
    }
  }
  if (!row.debianCrossGcc)
    return {
      problem: `Debian bookworm (the rust:*-bookworm builder) has no ${row.gccTriple}-gcc to link ${triple} with`,
      fix: `drop ${row.platform} from --platforms`,
    }
  return undefined
}

export function planRust(platform: string, o: RustOptions, facts: SourceFacts, nativePlatform: string): BuildPlan {
  checkRustOptions(o)
  const cargoText = facts.files["Cargo.toml"]
  if (cargoText === undefined)
    throw new MultiarchInputError("source", facts.entries.join(", "), "no Cargo.toml at the root of the source", "pass --source pointing at the crate or workspace root")
  const cargo = parseCargoToml(cargoText)
  const { version, source: versionSource } = resolveRustVersion(o, facts, cargo)
  const libc: Libc = o.libc ?? DEFAULT_LIBC
  const row = targetOf(platform)
  const bad = unsupportedReason(row, libc)
  if (bad) throw new MultiarchInputError("libc", libc, `${row.platform}: ${bad.problem}`, bad.fix)

  const triple = row.rust[libc]
  const T = cargoEnvTriple(triple)
  const t = ccEnvTriple(triple)
  const gcc = `${row.gccTriple}-gcc`
  const bin = rustBinaryName(o, cargo)
  const profile = o.profile ?? DEFAULT_PROFILE
  const features = featureList(o.features)
  const locked = facts.entries.includes("Cargo.lock")
  const slug = platformSlug(row.platform)
  let nativeDebianArch: string | undefined
  try {
    nativeDebianArch = targetOf(nativePlatform).debianArch
  } catch {
    nativeDebianArch = undefined
  }
  // emulated: the builder is a target-platform image, so its own gcc is the target's
  const crossArch = !o.emulate && row.debianArch !== nativeDebianArch

  // --- C toolchain for the cc crate and the linker driver --------------------------------------
  const muslDev = libc === "musl" ? BOOKWORM_MUSL_DEV.get(row.debianArch) : undefined
  const cc = muslDev ? `${muslDev}-gcc` : gcc
  const notes: string[] = [
    `Rust ${version} (${versionSource}), builder rust:${version}-bookworm ` +
      (o.emulate ? `emulated as ${row.platform} (--emulate): expect ≈9× slower builds` : `on the engine's native platform ${nativePlatform}`),
  ]
  const packages: string[] = []
  if (crossArch) packages.push(debianCrossPackage("gcc", row.gccTriple), `libc6-dev-${row.debianArch}-cross`)
  if (muslDev) packages.push(crossArch ? `musl-dev:${row.debianArch}` : "musl-dev")

  // --- rustflags: every knob explicit ----------------------------------------------------------
  const rustflags: string[] = []
  if (libc === "musl") {
    rustflags.push("-C", "target-feature=+crt-static", "-C", "link-self-contained=yes")
    notes.push(
      `musl: static binary linked by ${gcc} with rustup's self-contained musl crt objects, libc.a and libunwind.a` +
        (muslDev
          ? `; C code (cc crate) compiled by ${cc} (Debian musl-dev:${row.debianArch})`
          : `; bookworm has no musl-dev for ${row.debianArch}, so C code (cc crate) is compiled by ${gcc} against glibc headers (pure Rust is unaffected)`),
    )
  } else {
    rustflags.push("-C", "target-feature=-crt-static")
    notes.push(`gnu: dynamically linked against glibc 2.36 (bookworm); runtime base must have glibc >= 2.36`)
  }
  if (row.arch === "amd64" && row.variant) {
    rustflags.push("-C", `target-cpu=x86-64-${row.variant}`)
    notes.push(`${row.platform}: -C target-cpu=x86-64-${row.variant} (the Rust side of GOAMD64=${row.variant}); the prebuilt std stays baseline x86-64`)
  }

  const env: Record<string, string> = {
    RUSTUP_TOOLCHAIN: version,
    CARGO_HOME,
    CARGO_TARGET_DIR: TARGET_DIR,
    [`CARGO_TARGET_${T}_LINKER`]: gcc,
    [`CARGO_TARGET_${T}_RUSTFLAGS`]: rustflags.join(" "),
    [`CC_${t}`]: cc,
    [`AR_${t}`]: `${row.gccTriple}-ar`,
  }

  // --- builder setup: apt first (independent of the Rust version), then rustup ------------------
  const setup: PlanStep[] = []
  if (packages.length) {
    const addArch = crossArch && muslDev ? `dpkg --add-architecture ${row.debianArch} && ` : ""
    setup.push({
      name: "install C cross toolchain",
      argv: [
        "sh",
        "-c",
        `${addArch}apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${packages.join(" ")}`,
      ],
    })
  }
  setup.push({ name: "rustup toolchain", argv: ["rustup", "toolchain", "install", version, "--profile", "minimal", "--no-self-update"] })
  setup.push({ name: "rustup target add", argv: ["rustup", "target", "add", "--toolchain", version, triple] })
  if (!/^\d+\.\d+\.\d+$/.test(version))
    notes.push(`--rust-version ${version} names a channel: rustup installs it next to the image's ${version}.x toolchain (pin x.y.z to reuse the image's)`)

  // --- build, copy out of the target-dir cache, verify -----------------------------------------
  const cargoArgv = ["cargo", "build"]
  if (locked) cargoArgv.push("--locked")
  cargoArgv.push("--profile", profile, "--target", triple, "--bin", bin)
  if (o.noDefaultFeatures) cargoArgv.push("--no-default-features")
  if (features.length) cargoArgv.push("--features", features.join(","))
  notes.push(locked ? "Cargo.lock present: --locked" : "no Cargo.lock: dependencies resolved at build time (commit Cargo.lock for reproducible images)")

  const built = `${TARGET_DIR}/${triple}/${profileDir(profile)}/${bin}`
  const out = `${OUT_DIR}/${bin}`
  const linkage = libc === "musl" ? "static" : "dynamic"
  const project = cargo.packageName ?? bin
  return {
    platform: row.platform,
    toolchain: "rust",
    mode: o.emulate ? "emulated" : "cross",
    native: row.platform === nativePlatform,
    builder: { image: `rust:${version}-bookworm`, platform: o.emulate ? row.platform : "native", setup },
    workdir: SRC_DIR,
    env,
    caches: [
      { path: `${CARGO_HOME}/registry`, key: `multiarch-rust-registry-${slug}-${libc}` },
      { path: `${CARGO_HOME}/git`, key: `multiarch-rust-git-${slug}-${libc}` },
      { path: TARGET_DIR, key: `multiarch-rust-target-${project}-${version}-${slug}-${libc}` },
    ],
    steps: [
      { name: "cargo build", argv: cargoArgv },
      // the target dir is a cache volume: copy the binary into the builder's own filesystem
      { name: "copy binary", argv: ["install", "-D", "-m", "0755", built, out] },
      { name: "verify ELF", argv: elfCheckArgv(out, row.platform, row.elf, linkage) },
    ],
    output: { path: out, name: bin },
    verify: { elf: row.elf, linkage },
    runtime: {
      base: o.base ?? (libc === "musl" ? "scratch" : glibcBaseOf(row.platform)),
      binaryPath: `/usr/local/bin/${bin}`,
      entrypoint: [`/usr/local/bin/${bin}`],
      user: "65532:65532",
    },
    notes,
  }
}
