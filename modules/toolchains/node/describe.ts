/** Text form of Node plans (`plan --format text`) and step naming for emulation failures. */
import type { EnginePlatform } from "../../core/native.js"
import type { PlanStage, PlanStep } from "../../core/plan.js"
import type { PackageDecision } from "./lock.js"
import type { NodePlan } from "./plan.js"

/** A step as one line: scripts (sh -c, node -e) by name only. */
function stepLine(s: PlanStep): string {
  if ((s.argv[0] === "sh" && s.argv[1] === "-c") || (s.argv[0] === "node" && s.argv[1] === "-e")) return `${s.name}: ${s.argv.slice(0, 2).join(" ")} …`
  return `${s.name}: ${s.argv.join(" ")}`
}

function stageLines(st: PlanStage, native: string, indent = "  "): string[] {
  const where = st.platform === "native" ? `native builder (${native})` : `on ${st.platform}`
  const lines = [`${indent}${st.name}: ${where}, image ${st.image}`]
  const env = Object.entries(st.env).map(([k, v]) => `${k}=${v}`).join(" ")
  if (env) lines.push(`${indent}  env: ${env}`)
  for (const s of [...st.setup, ...st.steps]) lines.push(`${indent}  ${stepLine(s)}`)
  return lines
}

const decisionList = (ds: PackageDecision[]) => ds.map((d) => `${d.name}${d.version ? `@${d.version}` : ""} (${d.reason})`)

export function describeNode(plans: readonly NodePlan[], engine: EnginePlatform): string {
  const out: string[] = []
  const shared = plans.find((p) => p.shared)?.shared
  if (shared) out.push([`shared: runs once for ${plans.map((p) => p.platform).join(", ")}; its output minus ${shared.exclude.join(", ")} is every platform's input`, ...stageLines(shared, engine.platform)].join("\n"))
  for (const p of plans) {
    const lines = [`${p.platform}: node ${p.node.tag} (${p.node.source}), ${p.node.libc}, ${p.mode}${p.native ? " (native target)" : ""}`]
    for (const st of p.stages) lines.push(...stageLines(st, engine.platform))
    const pk = p.packages
    lines.push(`  cross-installed platform packages: ${pk.installed.join(", ") || "none"}`)
    const cross = p.stages[0].env.CXX
    lines.push(`  ${cross ? `cross-compiled (${cross})` : "compiled (builder's gcc)"}: ${decisionList(pk.compiled).join("; ") || "none"}`)
    lines.push(`  emulated: ${decisionList(pk.emulated).join("; ") || "none"}`)
    if (pk.skipped.length) lines.push(`  install script not run: ${decisionList(pk.skipped).join("; ")}`)
    lines.push(`  caches: ${[...new Map([...(p.shared?.caches ?? []), ...p.stages.flatMap((s) => s.caches)].map((c) => [c.key, c])).values()].map((c) => `${c.key} → ${c.path}`).join(", ")}`)
    lines.push(`  runtime: ${p.runtime.base}, ${p.runtime.path} as ${p.runtime.user}, ${Object.entries(p.runtime.env).map(([k, v]) => `${k}=${v}`).join(" ")}, entrypoint ${p.runtime.entrypoint.join(" ")}`)
    for (const n of p.notes) lines.push(`  note: ${n}`)
    out.push(lines.join("\n"))
  }
  return out.join("\n\n")
}

/** The plan's name for a failed command: "<stage>: <step>". */
export function nodeStepOf(plan: NodePlan, argv: readonly string[] | undefined): string | undefined {
  if (!argv) return undefined
  for (const st of [...(plan.shared ? [plan.shared] : []), ...plan.stages])
    for (const s of [...st.setup, ...st.steps])
      if (s.argv.length === argv.length && s.argv.every((a, i) => a === argv[i])) return `${st.name}: ${s.name}`
  return undefined
}
