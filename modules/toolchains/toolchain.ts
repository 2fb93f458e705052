/**
 * The one interface every toolchain implements (go/, rust/, dockerfile/), registered in one table
 * (index.ts): which marker file selects it, which files its plan reads, which build options are its
 * own, how they are checked, its pure plan per target, and how its plans read as text. Adding a
 * language is adding a folder and one table row; no caller branches on a language name. The only
 * switch on the kind of plan left is where plans become Dagger calls (src/engine/apply.ts).
 */
import type { EnginePlatform } from "../core/native.js"
import type { SourceFacts } from "../core/plan.js"
import type { TargetRow } from "../core/targets.js"
import type { BuildOptions } from "./options.js"
import type { FactsPatch, SourceReader } from "./source.js"

export interface Toolchain<Name extends string, Options, Plan extends { toolchain: Name; platform: string }> {
  readonly name: Name
  /** The file at the source root that selects this toolchain when detecting (table order decides between several). */
  marker(options: Options): string
  /** Files at the source root (or paths in it) the plan reads; the engine glue fetches those that exist. */
  factFiles(options: Options): readonly string[]
  /** The build options this toolchain reads (besides the ones every toolchain reads, request.ts SHARED_OPTIONS): another toolchain's option is an error naming the detected toolchain. */
  readonly flags: readonly (keyof BuildOptions)[]
  /** This toolchain's options, picked by name from the build options (parsing what needs parsing). */
  options(build: BuildOptions): Options
  /**
   * Read more of the source than `factFiles` (only for the toolchain that builds): Go reads the
   * heads of the .go files in `.` and `cmd/<name>` to find main packages, Rust the Cargo.toml of
   * workspace members and their binary targets. Returns what it read, as facts.
   */
  scan?(read: SourceReader, options: Options, facts: SourceFacts): Promise<FactsPatch>
  /**
   * When this toolchain's marker is in the source but another toolchain builds it: what this one
   * would do that the other does not (e.g. a Dockerfile installing build packages).
   */
  notChosenNote?(options: Options, facts: SourceFacts, chosen: string): string | undefined
  /** Throws MultiarchInputError on a bad option, before any engine work. */
  check(options: Options): void
  /** Pure: one plan per target, in order. Throws MultiarchInputError when a target cannot be built. */
  plan(targets: readonly Readonly<TargetRow>[], options: Options, facts: SourceFacts, engine: EnginePlatform): Plan[]
  /** Text form of its plans (`plan --format text`), one block per platform. */
  describe(plans: readonly Plan[], engine: EnginePlatform): string
  /** The plan's name for a failed exec (`argv`), to name the step in an emulation failure; undefined when it is none of the plan's. */
  stepOf(plan: Plan, argv: readonly string[] | undefined): string | undefined
  /** Whether the plans build standalone binaries (`binaries`), or only images. */
  readonly binaries: boolean
}
