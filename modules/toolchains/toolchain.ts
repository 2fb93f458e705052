/**
 * The one interface every compiled-language toolchain folder exports. Adding a language is adding
 * a folder with a `plan`; `apply` is shared (modules/common/apply.ts) because every plan has the
 * same shape: builder, env, caches, steps, output, runtime.
 */
import type { BuildPlan, LangName, SourceFacts } from "../core/plan.js"

export interface Toolchain<O> {
  lang: LangName
  /** The file at the source root that marks a project of this language. */
  marker: string
  /** Pure: one BuildPlan per target; throws MultiarchInputError on bad options before engine work. */
  plan(platform: string, opts: O, facts: SourceFacts, nativePlatform: string): BuildPlan
}
