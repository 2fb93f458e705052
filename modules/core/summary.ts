/** Rendering of plans for the `plan` function (pure). */
import type { BuildPlan } from "./plan.js"

export interface PlanReport {
  toolchain: string
  reason: string
  /** The engine's native platform, where cross builders run. */
  native: string
  platforms: BuildPlan[]
}

export function renderPlan(report: PlanReport, format: "json" | "text"): string {
  if (format === "json") return JSON.stringify(report, null, 2)
  const lines = [`toolchain: ${report.toolchain} (${report.reason}); engine platform: ${report.native}`]
  for (const p of report.platforms) {
    lines.push("")
    const where = p.builder.platform === "native" ? `native builder (${report.native})` : `builder emulated as ${p.builder.platform}`
    lines.push(`${p.platform}: ${p.toolchain}, ${p.mode}${p.native ? " (native target)" : ""}, ${where}, image ${p.builder.image}`)
    const env = Object.entries(p.env).map(([k, v]) => `${k}=${v}`).join(" ")
    if (env) lines.push(`  env: ${env}`)
    for (const s of [...p.builder.setup, ...p.steps]) lines.push(`  ${s.name}: ${s.argv.length > 4 && s.argv[0] === "sh" ? s.argv.slice(0, 2).join(" ") + " …" : s.argv.join(" ")}`)
    if (p.caches.length) lines.push(`  caches: ${p.caches.map((c) => `${c.key} → ${c.path}`).join(", ")}`)
    lines.push(`  runtime: ${p.runtime.base} + ${p.runtime.binaryPath}${p.runtime.user ? ` as ${p.runtime.user}` : ""}`)
    for (const n of p.notes) lines.push(`  note: ${n}`)
  }
  return lines.join("\n")
}
