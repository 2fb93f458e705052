/**
 * The toolchain table: every toolchain multiarch builds with, in detection order (Go, Rust and Node
 * win over a Dockerfile because they are cross-compiled natively). Each entry implements the Toolchain
 * interface (checked with `satisfies` where it is defined); everything else — detection, the files
 * read from a source, option checks, plans, their text — reads this table.
 */
import type { EnginePlatform } from "../core/native.js"
import type { SourceFacts } from "../core/plan.js"
import type { TargetRow } from "../core/targets.js"
import { dockerfileToolchain } from "./dockerfile/index.js"
import { goToolchain } from "./go/index.js"
import { nodeToolchain } from "./node/index.js"
import { rustToolchain } from "./rust/index.js"
import type { BuildOptions } from "./options.js"
import type { Toolchain } from "./toolchain.js"

export const TOOLCHAINS = {
  go: goToolchain,
  rust: rustToolchain,
  node: nodeToolchain,
  dockerfile: dockerfileToolchain,
} as const

/** Names of the toolchains: the table's keys. */
export type LangName = keyof typeof TOOLCHAINS

/** The toolchains in detection order. */
export const TOOLCHAIN_NAMES = Object.keys(TOOLCHAINS) as LangName[]

/** The options of each toolchain, by name. */
export type ToolchainOptions = { [N in LangName]: ReturnType<(typeof TOOLCHAINS)[N]["options"]> }

/** A plan of any toolchain: one union, discriminated by `toolchain`. */
export type Plan = { [N in LangName]: ReturnType<(typeof TOOLCHAINS)[N]["plan"]>[number] }[LangName]

/** Any row of the table, seen through the interface (for code that takes the toolchain as data). */
export type AnyToolchain = Toolchain<LangName, unknown, Plan>

export function isLangName(s: string): s is LangName {
  return (TOOLCHAIN_NAMES as string[]).includes(s)
}

/** The table row of a toolchain, through the interface. */
export function toolchain(name: LangName): AnyToolchain {
  return TOOLCHAINS[name] as unknown as AnyToolchain
}

/** Every toolchain's options from the build options (each picks its own by name). */
export function toolchainOptions(b: BuildOptions): ToolchainOptions {
  return Object.fromEntries(TOOLCHAIN_NAMES.map((n) => [n, toolchain(n).options(b)])) as ToolchainOptions
}

/** Plans of `lang` for every target (pure). */
export function planWith(lang: LangName, targets: readonly Readonly<TargetRow>[], options: ToolchainOptions, facts: SourceFacts, engine: EnginePlatform): Plan[] {
  return toolchain(lang).plan(targets, options[lang], facts, engine)
}

/** Files at the source root the toolchains read, for these options (the engine glue fetches the ones that exist). */
export function factFiles(options: ToolchainOptions): string[] {
  return [...new Set(TOOLCHAIN_NAMES.flatMap((n) => toolchain(n).factFiles(options[n])))]
}

export type { Toolchain } from "./toolchain.js"
export type { BuildOptions } from "./options.js"
