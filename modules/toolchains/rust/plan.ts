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
 */
import { cargoEnvTriple, ccEnvTriple, debianCrossPackage, glibcBaseOf, platformSlug, type Libc } from "../../core/env.js"
import { MultiarchInputError } from "../../core/errors/index.js"
import type { EnginePlatform } from "../../core/native.js"
import type { BuildPlan, PlanStep, SourceFacts } from "../../core/plan.js"
import type { TargetRow } from "../../core/targets.js"
import { binaryPlanParts } from "../compiled.js"
import { parseCargoToml, resolveRustVersion, type CargoFacts } from "./cargo.js"
import { CARGO_HOME, checkRustOptions, DEFAULT_LIBC, DEFAULT_PROFILE, featureList, TARGET_DIR, type RustOptions } from "./options.js"

/** A Rust plan: the compiled-plan shape, discriminated as "rust". */
export type RustPlan = BuildPlan<"rust">


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

  const triple = row.rust[libc]
  const T = cargoEnvTriple(triple)
  const t = ccEnvTriple(triple)
  const gcc = `${row.gccTriple}-gcc`
  const bin = rustBinaryName(o, cargo)
  const profile = o.profile ?? DEFAULT_PROFILE
  const features = featureList(o.features)
  const locked = facts.entries.includes("Cargo.lock")
  const slug = platformSlug(row)
  // emulated: the builder is a target-platform image, so its own gcc is the target's
  const crossArch = !o.emulate && row.debianArch !== engine.row?.debianArch

  // --- C toolchain for the cc crate and the linker driver --------------------------------------
  const muslDev = libc === "musl" ? row.muslDevTriple : undefined
  const cc = muslDev ? `${muslDev}-gcc` : gcc
  const notes: string[] = [
    `Rust ${version} (${versionSource}), builder rust:${version}-bookworm ` +
      (o.emulate ? `emulated as ${row.platform} (--emulate): expect ≈9× slower builds` : `on the engine's native platform ${engine.platform}`),
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
  const linkage = libc === "musl" ? "static" : "dynamic"
  const project = cargo.packageName ?? bin
  const parts = binaryPlanParts(row, engine, { emulate: o.emulate, binary: bin, linkage, base: o.base ?? (libc === "musl" ? "scratch" : glibcBaseOf(row)) })
  return {
    platform: parts.platform,
    toolchain: "rust",
    mode: parts.mode,
    native: parts.native,
    builder: { image: `rust:${version}-bookworm`, platform: parts.builderPlatform, setup },
    workdir: parts.workdir,
    env,
    caches: [
      { path: `${CARGO_HOME}/registry`, key: `multiarch-rust-registry-${slug}-${libc}` },
      { path: `${CARGO_HOME}/git`, key: `multiarch-rust-git-${slug}-${libc}` },
      { path: TARGET_DIR, key: `multiarch-rust-target-${project}-${version}-${slug}-${libc}` },
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
