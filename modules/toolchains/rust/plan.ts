/**
 * Rust toolchain, pure part: the per-target BuildPlan. The builder is the official `rust:<version>-bookworm` image (Debian + rustup) on the engine's
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
 *
 * C++ (cc's `.cpp(true)`, cxx): gnu builds get Debian's `g++-<triple>` as CXX_<triple>, with
 * libstdc++ linked dynamically (libstdc++6 is in the Debian runtime base). musl has no C++ here:
 * Debian's g++ only knows glibc's libstdc++, so a build that compiles C++ (cxxEvidence) is refused
 * with musl before any engine work.
 *
 * The binary comes from --bin, default-run, or the scan of the package's and the workspace
 * members' binary targets (workspace.ts); it reaches cargo as one word, `--bin=<name>`.
 */
import { cargoEnvTriple, ccEnvTriple, debianCrossPackage, glibcBaseOf, platformSlug, type Libc } from "../../core/env.js"
import { MultiarchInputError } from "../../core/errors/index.js"
import type { EnginePlatform } from "../../core/native.js"
import type { BuildPlan, PlanStep, SourceFacts } from "../../core/plan.js"
import type { TargetRow } from "../../core/targets.js"
import { binaryPlanParts, cacheNamespace, imageKey } from "../compiled.js"
import { parseCargoToml, readToml, resolveRustVersion, rustImageFor, type CargoFacts } from "./cargo.js"
import { CARGO_HOME, checkRustOptions, DEFAULT_LIBC, DEFAULT_PROFILE, featureList, NAME_RE, TARGET_DIR, type RustOptions } from "./options.js"
import { cargoTargets, showTarget, type BinTarget, type CargoTargets } from "./workspace.js"

/** A Rust plan: the compiled-plan shape, discriminated as "rust". */
export type RustPlan = BuildPlan<"rust">


/** Directory cargo writes a profile's artifacts to: dev → debug, others by name. */
export function profileDir(profile: string): string {
  return profile === "dev" ? "debug" : profile
}

/** What the plan needs to know about the binaries: the scan's targets (cargoTargets), or none when no scan ran. */
const NO_TARGETS: CargoTargets = { scanned: false, root: [], members: [], defaultMembers: [], unsafe: [], unreadable: [] }

/** A name read from Cargo.toml reaches cargo's argv only if it passes the check --bin gets. */
function checkedName(name: string, from: string): string {
  if (!NAME_RE.test(name))
    throw new MultiarchInputError("bin", name, `${from} names the binary ${JSON.stringify(name)}, which is not a plain Cargo target name (letters, digits, '_', '-')`, "pass --bin with the binary to build")
  return name
}

/**
 * The binary `cargo build --bin=<name>` builds: --bin; else the root package's default-run or its
 * only binary; in a virtual workspace the only binary crate (of default-members, if set). Several
 * candidates: an input error listing them. Names from Cargo.toml are checked like --bin.
 */
export function rustBinary(o: RustOptions, cargo: CargoFacts, targets: CargoTargets = NO_TARGETS): { bin: string; notes: string[] } {
  const all = [...targets.root, ...targets.members]
  const list = (ts: readonly BinTarget[]) => ts.map(showTarget).join(", ")
  const wsNote = targets.members.length ? [`workspace binaries: ${list(targets.members)}`] : []
  if (o.bin) {
    if (targets.scanned && all.length && !all.some((t) => t.name === o.bin))
      throw new MultiarchInputError("bin", o.bin, `no binary target of that name (binaries: ${list(all)})`, `pass --bin ${all.find((t) => NAME_RE.test(t.name))?.name ?? "<name>"}`)
    return { bin: o.bin, notes: wsNote.length ? [`${wsNote[0]}; building ${o.bin} (--bin)`] : [] }
  }
  if (cargo.defaultRun) return { bin: checkedName(cargo.defaultRun, "Cargo.toml's default-run"), notes: [`binary ${cargo.defaultRun} ([package] default-run)`] }
  if (!targets.scanned) {
    // no scan: what the root manifest says
    if (cargo.bins.length === 1) return { bin: checkedName(cargo.bins[0], "Cargo.toml's [[bin]]"), notes: [] }
    if (cargo.bins.length > 1)
      throw new MultiarchInputError("bin", "", `Cargo.toml declares ${cargo.bins.length} binaries (${cargo.bins.map((b) => JSON.stringify(b)).join(", ")}) and no default-run`, `pass --bin ${cargo.bins.find((b) => NAME_RE.test(b)) ?? "<name>"} (or set [package] default-run)`)
    if (!cargo.packageName)
      throw new MultiarchInputError("bin", "", "Cargo.toml is a virtual workspace: there is no package whose binary to build", "pass --bin <name of a binary in one of the members>")
    return { bin: checkedName(cargo.packageName, "Cargo.toml's [package] name"), notes: [] }
  }
  if (cargo.packageName) {
    const root = targets.root
    if (root.length === 1) return { bin: checkedName(root[0].name, "Cargo.toml"), notes: wsNote.length ? [`${wsNote[0]}; building the root package's ${root[0].name} (--bin picks another)`] : [] }
    if (root.length > 1)
      throw new MultiarchInputError("bin", "", `package ${cargo.packageName} has ${root.length} binaries (${list(root)}) and no default-run`, `pass --bin ${root.find((t) => NAME_RE.test(t.name))?.name ?? "<name>"} (or set [package] default-run)`)
    if (targets.members.length)
      throw new MultiarchInputError("bin", "", `package ${cargo.packageName} has no binary target; workspace members do: ${list(targets.members)}`, `pass --bin ${targets.members.find((t) => NAME_RE.test(t.name))?.name ?? "<name>"}`)
    throw new MultiarchInputError("bin", "", `package ${cargo.packageName} has no binary target (no src/main.rs, src/bin/*.rs or [[bin]])`, "point --source at a crate that builds a binary")
  }
  // a virtual workspace
  const inDefault = targets.members.filter((t) => targets.defaultMembers.includes(t.dir))
  const pool = inDefault.length ? inDefault : targets.members
  const from = inDefault.length ? "binary crate of default-members" : "binary crate"
  if (pool.length === 1) return { bin: checkedName(pool[0].name, `${pool[0].dir}/Cargo.toml`), notes: [`virtual workspace: its only ${from} is ${showTarget(pool[0])}` + (targets.members.length > 1 ? ` (${wsNote[0]})` : "")] }
  if (pool.length === 0)
    throw new MultiarchInputError(
      "bin",
      "",
      `Cargo.toml is a virtual workspace and none of its members builds a binary` + (targets.unsafe.length ? ` (members not read: ${targets.unsafe.map((u) => JSON.stringify(u)).join(", ")})` : ""),
      "point --source at a workspace with a binary crate, or pass --bin <name>",
    )
  throw new MultiarchInputError(
    "bin",
    "",
    `Cargo.toml is a virtual workspace with ${pool.length} binaries${inDefault.length ? " in default-members" : ""}: ${list(pool)}`,
    `pass --bin with the one to build, e.g. --bin ${pool.find((t) => NAME_RE.test(t.name))?.name ?? "<name>"}`,
  )
}

/** The binary `cargo build --bin` will build (rustBinary's name). */
export function rustBinaryName(o: RustOptions, cargo: CargoFacts, targets?: CargoTargets): string {
  return rustBinary(o, cargo, targets).bin
}

/**
 * Crates known to compile C++ in their build scripts (a list, not exhaustive), found in
 * Cargo.lock; and the root build.rs calling cc's `.cpp(true)`, cxx_build or cpp_build.
 */
export const CXX_CRATES: ReadonlySet<string> = new Set(["cxx", "cxx-build", "link-cplusplus", "cpp_build", "unrar_sys", "librocksdb-sys", "snappy-sys", "protobuf-src", "skia-bindings", "v8", "opencv"])

/** Why the build compiles C++, or undefined when nothing says so. */
export function cxxEvidence(facts: SourceFacts): string | undefined {
  const found: string[] = []
  const lock = facts.files["Cargo.lock"]
  if (lock !== undefined) {
    const names = new Set([...lock.matchAll(/^\s*name\s*=\s*"([^"]+)"/gm)].map((m) => m[1]))
    const hits = [...CXX_CRATES].filter((c) => names.has(c))
    if (hits.length) found.push(`Cargo.lock has ${hits.join(", ")}`)
  }
  const build = facts.files["build.rs"]
  if (build !== undefined && /\.cpp\(\s*true\s*\)|\bcxx_build::|\bcpp_build::/.test(build)) found.push("build.rs compiles C++")
  return found.length ? found.join("; ") : undefined
}

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

/** The plan of one target: rustup target, linker and C compiler for its triple, on a native (or, with --emulate, target-platform) builder. */
export function planRust(row: Readonly<TargetRow>, o: RustOptions, facts: SourceFacts, engine: EnginePlatform): RustPlan {
  checkRustOptions(o)
  const cargoText = facts.files["Cargo.toml"]
  if (cargoText === undefined)
    throw new MultiarchInputError("source", facts.entries.join(", "), "no Cargo.toml at the root of the source", "pass --source pointing at the crate or workspace root")
  const cargo = parseCargoToml(cargoText)
  const { version, source: versionSource } = resolveRustVersion(o, facts, cargo)
  const libc: Libc = o.libc ?? DEFAULT_LIBC
  const bad = unsupportedReason(row, libc)
  if (bad) {
    // issue 14: without --libc the user chose the platform, not the libc: name the platform, the reason and the default
    if (o.libc === undefined)
      throw new MultiarchInputError("platforms", row.platform, `${bad.problem} (--libc defaults to ${DEFAULT_LIBC})`, bad.fix)
    throw new MultiarchInputError("libc", libc, `${row.platform}: ${bad.problem}`, bad.fix)
  }
  const cxx = cxxEvidence(facts)
  if (cxx && libc === "musl")
    throw new MultiarchInputError(
      "libc",
      "musl",
      `the build compiles C++ (${cxx}) and Debian has no C++ standard library for musl, the default libc (its g++ links glibc's libstdc++)`,
      "pass --libc gnu (g++-<triple>, libstdc++ linked dynamically, Debian runtime base); a static musl C++ build needs a musl C++ cross toolchain (e.g. musl-cross-make), which multiarch does not download — build that with --lang dockerfile",
    )

  const triple = row.rust[libc]
  const T = cargoEnvTriple(triple)
  const t = ccEnvTriple(triple)
  const gcc = `${row.gccTriple}-gcc`
  const gxx = `${row.gccTriple}-g++`
  const targets = facts.listings ? cargoTargets(facts, readToml(cargoText, "Cargo.toml")) : NO_TARGETS
  const chosen = rustBinary(o, cargo, targets)
  const bin = chosen.bin
  const profile = o.profile ?? DEFAULT_PROFILE
  const features = featureList(o.features)
  const locked = facts.entries.includes("Cargo.lock")
  const slug = platformSlug(row)
  // emulated: the builder is a target-platform image, so its own gcc is the target's
  const crossArch = !o.emulate && row.debianArch !== engine.row?.debianArch

  // --- C toolchain for the cc crate and the linker driver --------------------------------------
  const muslDev = libc === "musl" ? row.muslDevTriple : undefined
  const cc = muslDev ? `${muslDev}-gcc` : gcc
  const builderImage = rustImageFor(version, o.rustImage)
  const notes: string[] = [
    `Rust ${version} (${versionSource}), builder ${builderImage.image} ` +
      (o.emulate ? `emulated as ${row.platform} (--emulate): expect ≈9× slower builds` : `on the engine's native platform ${engine.platform}`),
    ...(builderImage.note ? [builderImage.note] : []),
    ...chosen.notes,
  ]
  const packages: string[] = []
  if (crossArch) packages.push(debianCrossPackage("gcc", row.gccTriple), ...(libc === "gnu" ? [debianCrossPackage("g++", row.gccTriple)] : []), `libc6-dev-${row.debianArch}-cross`)
  if (muslDev) packages.push(crossArch ? `musl-dev:${row.debianArch}` : "musl-dev")

  // --- rustflags: every knob explicit ----------------------------------------------------------
  const rustflags: string[] = []
  if (libc === "musl") {
    rustflags.push("-C", "target-feature=+crt-static", "-C", "link-self-contained=yes")
    notes.push(
      `musl: static binary linked by ${gcc} with rustup's self-contained musl crt objects, libc.a and libunwind.a` +
        (muslDev
          ? `; C code (cc crate) compiled by ${cc} (Debian musl-dev:${row.debianArch})`
          : `; bookworm has no musl-dev for ${row.debianArch}, so C code (cc crate) is compiled by ${gcc} against glibc headers (pure Rust is unaffected)`) +
        "; no C++ (Debian has no libstdc++ for musl: a crate compiling C++ needs --libc gnu)",
    )
  } else {
    rustflags.push("-C", "target-feature=-crt-static")
    notes.push(
      `gnu: dynamically linked against glibc 2.36 (bookworm); runtime base must have glibc >= 2.36; C++ (cc crate, cxx) compiled by ${gxx}` +
        (cxx ? ` (${cxx}), libstdc++ linked dynamically: libstdc++6 is in debian:bookworm-slim, a --base needs it too` : ""),
    )
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
    ...(libc === "gnu" ? { [`CXX_${t}`]: gxx } : {}),
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
  if (/^\d+\.\d+$/.test(version))
    notes.push(`--rust-version ${version} names a channel: rustup installs it next to the image's ${version}.x toolchain (pin x.y.z to reuse the image's)`)

  // --- build, copy out of the target-dir cache, verify -----------------------------------------
  const cargoArgv = ["cargo", "build"]
  if (locked) cargoArgv.push("--locked")
  // --bin=<name>: one argv word, so a name can never be read as another flag
  cargoArgv.push("--profile", profile, "--target", triple, `--bin=${bin}`)
  if (o.noDefaultFeatures) cargoArgv.push("--no-default-features")
  if (features.length) cargoArgv.push("--features", features.join(","))
  notes.push(locked ? "Cargo.lock present: --locked" : "no Cargo.lock: dependencies resolved at build time (commit Cargo.lock for reproducible images)")

  const built = `${TARGET_DIR}/${triple}/${profileDir(profile)}/${bin}`
  const linkage = libc === "musl" ? "static" : "dynamic"
  // the namespace hashes the package identity: nothing from Cargo.toml reaches a cache key as written
  const identity = cargo.packageName ?? `workspace:${targets.members.map((m) => m.dir).join(",") || bin}`
  const { ns, source: nsSource } = cacheNamespace(o.cacheNamespace, "rust", identity)
  notes.push(`cache volumes namespaced by ${nsSource}`)
  const parts = binaryPlanParts(row, engine, { emulate: o.emulate, binary: bin, linkage, base: o.base ?? (libc === "musl" ? "scratch" : glibcBaseOf(row)) })
  return {
    platform: parts.platform,
    toolchain: "rust",
    mode: parts.mode,
    native: parts.native,
    builder: { image: builderImage.image, platform: parts.builderPlatform, setup },
    workdir: parts.workdir,
    env,
    caches: [
      { path: `${CARGO_HOME}/registry`, key: `multiarch-rust-registry-${ns}-${slug}-${libc}` },
      { path: `${CARGO_HOME}/git`, key: `multiarch-rust-git-${ns}-${slug}-${libc}` },
      { path: TARGET_DIR, key: `multiarch-rust-target-${ns}-${o.rustImage ? imageKey(o.rustImage) + "-" : ""}${version}-${slug}-${libc}` },
    ],
    steps: [
      { name: "cargo build", argv: cargoArgv },
      // the target dir is a cache volume: copy the binary into the builder's own filesystem
      { name: "copy binary", argv: ["install", "-D", "-m", "0755", built, parts.output.path] },
      parts.verifyStep,
    ],
    output: parts.output,
    verify: parts.verify,
    runtime: parts.runtime,
    notes,
  }
}
