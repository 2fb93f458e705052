/** Plans from platform strings, for tests and benchmarks: the planners take the parsed target row and engine platform. */
import { enginePlatform } from "../../modules/core/native.js"
import { targetOf } from "../../modules/core/platform.js"
import type { SourceFacts } from "../../modules/core/plan.js"
import { planGo as planGoRow, type GoOptions, type GoPlan } from "../../modules/toolchains/go/plan.js"
import { planRust as planRustRow, type RustOptions, type RustPlan } from "../../modules/toolchains/rust/index.js"
import { planNode as planNodeRows, type NodeOptions, type NodePlan } from "../../modules/toolchains/node/index.js"

export function planGo(platform: string, o: GoOptions, facts: SourceFacts, native: string): GoPlan {
  return planGoRow(targetOf(platform), o, facts, enginePlatform(native))
}

export function planRust(platform: string, o: RustOptions, facts: SourceFacts, native: string): RustPlan {
  return planRustRow(targetOf(platform), o, facts, enginePlatform(native))
}

export function planNode(platforms: readonly string[], o: NodeOptions, facts: SourceFacts, native: string): NodePlan[] {
  return planNodeRows(platforms.map((p) => targetOf(p)), o, facts, enginePlatform(native))
}
