/**
 * Build plans: pure data describing, per platform, what the engine will be asked to do. The same
 * plan is printed by `plan`, asserted in unit tests, applied to Dagger by a toolchain's `apply`,
 * and executed on host toolchains in the real-toolchain tests.
 */
import type { ElfFacts } from "./targets.js"

/** Languages multiarch knows how to build. */
export type LangName = "go" | "rust" | "dockerfile"

/** What the build needs to know about the source, gathered once by the shell (entries + a few files). */
export interface SourceFacts {
  /** Top-level entry names of the source directory ("go.mod", "cmd/", …). */
  entries: string[]
  /** Contents of the small files toolchains look at, by path (go.mod, Cargo.toml, Dockerfile, …). */
  files: Record<string, string | undefined>
}

/** One command run in the builder. */
export interface PlanStep {
  /** Short name shown in errors ("go build", "verify ELF"). */
  name: string
  argv: string[]
}

export interface CacheMount {
  /** Mount path in the builder. */
  path: string
  /** Cache volume key, namespaced per toolchain and per target where sharing would stomp. */
  key: string
}

export interface BuildPlan {
  platform: string
  toolchain: LangName
  /**
   * "cross": the builder runs on the engine's native platform and compiles for `platform` (also
   * when `platform` happens to be the native one: see `native`); "emulated": the builder itself
   * runs on `platform` under QEMU.
   */
  mode: "cross" | "emulated"
  /** True when the target is the engine's native platform (nothing foreign runs at all). */
  native: boolean
  builder: {
    image: string
    /** "native" (dag.container() with no platform) or the platform it runs on under emulation. */
    platform: string
    /** Setup commands run once in the builder before the build (package installs, rustup). */
    setup: PlanStep[]
  }
  workdir: string
  env: Record<string, string>
  caches: CacheMount[]
  /** The build itself, then verification. */
  steps: PlanStep[]
  output: {
    /** Path of the built artifact in the builder. */
    path: string
    /** File name in the runtime image and in `binaries`. */
    name: string
  }
  verify?: { elf: ElfFacts; linkage: "static" | "dynamic" | "any" }
  runtime: {
    /** Base image address, or "scratch" for an empty rootfs with a nonroot passwd/CA bundle. */
    base: string
    binaryPath: string
    entrypoint: string[]
    user?: string
  }
  /** Human notes: why emulated, what was defaulted. */
  notes: string[]
}
