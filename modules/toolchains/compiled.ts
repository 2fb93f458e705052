/** What the compiled toolchains (Go, Rust) share: the parts of a plan every one has, planning target by target, their plans' text form, step naming. */
import { createHash } from "node:crypto"
import { elfCheckArgv } from "../core/elf.js"
import { MultiarchInputError } from "../core/errors/index.js"
import { runsNatively, type EnginePlatform } from "../core/native.js"
import type { BuildPlan, SourceFacts } from "../core/plan.js"
import { describeCompiledPlans } from "../core/render.js"
import { parseReference } from "../core/reference.js"
import type { TargetRow } from "../core/targets.js"

/** Where the source is mounted in a builder. */
export const SRC_DIR = "/src"
/** Where a builder leaves the binary it built (and verified). */
export const OUT_DIR = "/out"

/** A list option as a list: from an array or a comma/space separated string, blanks dropped. */
export function listOf(v: string | readonly string[] | undefined): string[] {
  if (v === undefined) return []
  const raw = typeof v === "string" ? v.split(/[\s,]+/) : v.flatMap((x) => x.split(/[\s,]+/))
  return raw.filter((x) => x !== "")
}

/** --cache-namespace: letters, digits, `.`, `_`, `-`, `/` (e.g. the CI's owner/repository), at most 128. */
const NAMESPACE_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/

export function checkCacheNamespace(ns: string | undefined): void {
  if (ns !== undefined && !NAMESPACE_RE.test(ns))
    throw new MultiarchInputError(
      "cache-namespace",
      ns,
      "not a cache namespace (letters, digits, '.', '_', '-', '/'; at most 128; starting with a letter or digit)",
      'pass e.g. --cache-namespace "$GITHUB_REPOSITORY" (owner/repo), or drop it to namespace by the project',
    )
}

/**
 * The namespace of a build's cache volumes: --cache-namespace (checked), else `p` + 16 hex of
 * sha256 of the project's identity (Go: the module path; Rust: the package name or the workspace
 * members) — so unrelated projects never share volumes by accident, and nothing read from a
 * manifest reaches a cache key as written. Projects that claim the same identity share: see
 * README ("Caches") for isolating untrusted projects on a persistent engine.
 */
export function cacheNamespace(given: string | undefined, toolchain: string, identity: string): { ns: string; source: string } {
  if (given !== undefined) {
    checkCacheNamespace(given)
    return { ns: given, source: "--cache-namespace" }
  }
  return { ns: "p" + createHash("sha256").update(`${toolchain}\0${identity}`).digest("hex").slice(0, 16), source: `a hash of the ${toolchain === "go" ? "module path" : "package identity"}` }
}

/** A builder image given by the user (--go-image, --rust-image): an image reference, a digest welcome. */
export function checkBuilderImage(field: string, image: string | undefined): void {
  if (image === undefined) return
  parseReference(image, { field })
}

/** Cache-key form of a builder image the user gave: a short hash (a reference holds ':' and '@'). */
export function imageKey(image: string): string {
  return "img" + createHash("sha256").update(image).digest("hex").slice(0, 12)
}

export interface BinaryPlan {
  emulate?: boolean
  /** File name of the binary. */
  binary: string
  linkage: "static" | "dynamic"
  /** Runtime base image ("scratch": an empty rootfs with a nonroot user and CA certificates). */
  base: string
}

/**
 * The parts every compiled plan has the same way: the target, cross or emulated, whether the
 * engine runs the target natively, the builder's platform, the ELF check of the binary, the
 * output, and the runtime image (the binary at /usr/local/bin, nonroot user 65532).
 */
export function binaryPlanParts(row: Readonly<TargetRow>, engine: EnginePlatform, o: BinaryPlan) {
  const out = `${OUT_DIR}/${o.binary}`
  const bin = `/usr/local/bin/${o.binary}`
  return {
    platform: row.platform,
    mode: o.emulate ? ("emulated" as const) : ("cross" as const),
    native: runsNatively(row, engine),
    builderPlatform: o.emulate ? row.platform : "native",
    workdir: SRC_DIR,
    verifyStep: { name: "verify ELF", argv: elfCheckArgv(out, row.platform, row.elf, o.linkage) },
    output: { path: out, name: o.binary },
    verify: { elf: row.elf, linkage: o.linkage },
    runtime: { base: o.base, binaryPath: bin, entrypoint: [bin], user: "65532:65532" },
  }
}

/**
 * The Toolchain members every compiled toolchain has the same way, from its one-target planner:
 * plan each target, describe the plans, name steps by argv, build binaries.
 */
export function compiledToolchain<O, P extends BuildPlan>(planOne: (row: Readonly<TargetRow>, o: O, facts: SourceFacts, engine: EnginePlatform) => P) {
  return {
    plan: (targets: readonly Readonly<TargetRow>[], o: O, facts: SourceFacts, engine: EnginePlatform): P[] => targets.map((row) => planOne(row, o, facts, engine)),
    describe: describeCompiled,
    stepOf: compiledStepOf,
    binaries: true,
  } as const
}

/** Text form of compiled plans. */
export function describeCompiled(plans: readonly BuildPlan[], engine: EnginePlatform): string {
  return describeCompiledPlans(plans, engine.platform)
}

/** The name of the plan step (setup or build) whose argv is `argv`. */
export function compiledStepOf(plan: BuildPlan, argv: readonly string[] | undefined): string | undefined {
  if (!argv) return undefined
  const s = [...plan.builder.setup, ...plan.steps].find((x) => x.argv.length === argv.length && x.argv.every((a, i) => a === argv[i]))
  return s?.name
}
