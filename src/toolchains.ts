/**
 * Toolchain registry and the plan-all step shared by `plan`, `build` and `binaries`.
 */
import type { Directory } from "@dagger.io/dagger"
import { goToolchain, type GoOptions } from "../modules/go/index.js"
import { checkGoOptions } from "../modules/go/plan.js"
import type { Toolchain } from "../modules/toolchain.js"
import { FACT_FILES } from "./core/detect.js"
import type { BuildPlan, LangName, SourceFacts } from "./core/plan.js"

export interface CompiledOptions {
  go: GoOptions
}

/** Compiled-language toolchains (cross-compiled through a BuildPlan). */
export const COMPILED: { go: Toolchain<GoOptions> } = { go: goToolchain }

/** Read the directory listing and the few files toolchains look at (concurrently). */
export async function sourceFacts(source: Directory): Promise<SourceFacts> {
  const entries = (await source.entries()).map((e) => e.replace(/\/$/, ""))
  const wanted = FACT_FILES.filter((f) => entries.includes(f))
  const contents = await Promise.all(wanted.map((f) => source.file(f).contents()))
  return { entries, files: Object.fromEntries(wanted.map((f, i) => [f, contents[i]])) }
}

/** Plans for every target (pure; throws input errors before any build starts). */
export function planAll(lang: LangName, targets: string[], opts: CompiledOptions, facts: SourceFacts, native: string): BuildPlan[] {
  switch (lang) {
    case "go":
      return targets.map((t) => COMPILED.go.plan(t, opts.go, facts, native))
    default:
      throw new Error(`toolchain ${lang} is not wired yet`)
  }
}

/** Validate every toolchain option before any engine call. */
export function checkOptions(opts: CompiledOptions): void {
  checkGoOptions(opts.go)
}
