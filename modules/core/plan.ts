/**
 * Build plans of compiled toolchains (Go, Rust): pure data describing, per platform, what the
 * engine will be asked to do — a builder, env, caches, steps, an output and a runtime image. The
 * same plan is printed by `plan`, asserted in unit tests, applied to Dagger by the engine glue
 * (src/engine), and executed on host toolchains in the real-toolchain tests. (The Dockerfile
 * toolchain's plan is its own shape: modules/toolchains/dockerfile/plan.ts.)
 */
import type { ElfFacts } from "./targets.js"

/** What the build needs to know about the source, gathered once by the shell (entries + a few files). */
export interface SourceFacts {
  /** Top-level entry names of the source directory ("go.mod", "cmd/", …). */
  entries: string[]
  /**
   * Contents of the small files toolchains look at, by path (go.mod, Cargo.toml, Dockerfile, …).
   * A toolchain's scan (Toolchain.scan) adds what it reads below the root: the head (first lines)
   * of Go files, workspace members' Cargo.toml.
   */
  files: Record<string, string | undefined>
  /** Deeper paths found when a wanted file was missing (to suggest the nearest one). */
  others?: string[]
  /**
   * What a toolchain's scan listed below the root, by the glob pattern it asked for
   * (e.g. the Go scan lists the .go files of every cmd/<name> directory). Absent: no scan ran (plans then assume the plain layout).
   */
  listings?: Record<string, string[]>
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

export interface BuildPlan<Toolchain extends string = string> {
  platform: string
  /** The toolchain that made the plan ("go", "rust"): plans are a union discriminated by it. */
  toolchain: Toolchain
  /**
   * "cross": the builder runs on the engine's native platform and compiles for `platform` (also
   * when `platform` happens to be the native one: see `native`); "emulated": the builder itself
   * runs on `platform` under QEMU.
   */
  mode: "cross" | "emulated"
  /** True when the engine runs the target's code natively (core/native.ts `runsNatively`). */
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
  /**
   * More binaries built by the same plan (Go: several main packages), each verified by its own
   * step and copied next to `output` (/usr/local/bin/<name>); `output` stays the entrypoint.
   */
  extraOutputs?: Array<{ path: string; name: string }>
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

/**
 * One container of a directory plan: where it runs (the engine's native platform, or a target
 * platform under QEMU), its image, setup, caches, env and steps. Its input directory is put at
 * `workdir` before the steps; its output is `workdir` after them.
 */
export interface PlanStage {
  /** Short name shown in the plan and in errors ("build (shared)", "install linux/arm64"). */
  name: string
  image: string
  /** "native" (dag.container() with no platform) or the platform it runs on. */
  platform: string
  /** Commands run before the input is added (package installs): they stay cached across source changes. */
  setup: PlanStep[]
  workdir: string
  env: Record<string, string>
  caches: CacheMount[]
  steps: PlanStep[]
}

/**
 * Plans whose product is a directory — an application with its installed dependencies — rather
 * than one binary (the Node toolchain). The engine glue (src/engine/directory.ts) runs:
 *  1. `shared`, when present, once for every platform of the build (it is the same stage in each
 *     plan, so the engine evaluates it once): the source at its workdir; its output, minus
 *     `exclude`, replaces the source as the first stage's input;
 *  2. `stages` in order, each on the previous one's output;
 *  3. the runtime image of the platform: `runtime.base` with the last output at `runtime.path`.
 */
export interface DirectoryPlan<Toolchain extends string = string> {
  platform: string
  toolchain: Toolchain
  /** Discriminates directory plans from the compiled shape (BuildPlan) for the engine glue. */
  kind: "directory"
  /** "emulated" when some stage runs a foreign platform's code under QEMU; else "cross". */
  mode: "cross" | "emulated"
  /** True when the engine runs the target's code natively (core/native.ts `runsNatively`). */
  native: boolean
  shared?: PlanStage & {
    /** Paths (relative to the workdir) left out of the shared output. */
    exclude: string[]
  }
  stages: PlanStage[]
  runtime: {
    /** Image of the target platform the output goes into. */
    base: string
    /** Where the output directory goes (also the working directory). */
    path: string
    env: Record<string, string>
    user?: string
    entrypoint: string[]
  }
  /** Human notes: versions and where they came from, what runs where and why. */
  notes: string[]
}

/** Whether a plan is a directory plan (the engine glue's switch; compiled plans have no `kind`). */
export function isDirectoryPlan<P extends { toolchain: string }>(plan: P): plan is Extract<P, { kind: "directory" }> {
  return (plan as { kind?: unknown }).kind === "directory"
}
