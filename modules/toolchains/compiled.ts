/** What the compiled toolchains (Go, Rust) share: their plans' text form and step naming. */
import type { EnginePlatform } from "../core/native.js"
import type { BuildPlan } from "../core/plan.js"
import { describeCompiledPlans } from "../core/render.js"

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
