/** Rendering of plan reports for the `plan` function (pure): JSON, or a header and one block per platform. */
import type { BuildPlan } from "./plan.js"

export interface PlanReport<P = unknown> {
  toolchain: string
  reason: string
  /** The engine's native platform, where cross builders run. */
  native: string
  /** OCI labels `build` sets on every variant (only when some are given). */
  labels?: Record<string, string>
  platforms: P[]
}

/** The report as JSON, or as text: a header line, then the toolchain's own description of its plans. */
export function renderPlan<P>(report: PlanReport<P>, format: "json" | "text", describe: (plans: P[]) => string): string {
  if (format === "json") return JSON.stringify(report, null, 2)
  const labels = report.labels && Object.keys(report.labels).length ? `\nlabels: ${Object.entries(report.labels).map(([k, v]) => `${k}=${v}`).join(" ")}` : ""
  return `toolchain: ${report.toolchain} (${report.reason}); engine platform: ${report.native}${labels}\n\n${describe(report.platforms)}`
}

/** Text form of compiled plans (Go, Rust): one block per platform. */
export function describeCompiledPlans(plans: readonly BuildPlan[], native: string): string {
  return plans
    .map((p) => {
      const lines: string[] = []
      const where = p.builder.platform === "native" ? `native builder (${native})` : `builder emulated as ${p.builder.platform}`
      lines.push(`${p.platform}: ${p.toolchain}, ${p.mode}${p.native ? " (native target)" : ""}, ${where}, image ${p.builder.image}`)
      const env = Object.entries(p.env).map(([k, v]) => `${k}=${v}`).join(" ")
      if (env) lines.push(`  env: ${env}`)
      for (const s of [...p.builder.setup, ...p.steps]) lines.push(`  ${s.name}: ${s.argv.length > 4 && s.argv[0] === "sh" ? s.argv.slice(0, 2).join(" ") + " …" : s.argv.join(" ")}`)
      if (p.caches.length) lines.push(`  caches: ${p.caches.map((c) => `${c.key} → ${c.path}`).join(", ")}`)
      lines.push(`  runtime: ${p.runtime.base} + ${p.runtime.binaryPath}${p.runtime.user ? ` as ${p.runtime.user}` : ""}`)
      for (const n of p.notes) lines.push(`  note: ${n}`)
      return lines.join("\n")
    })
    .join("\n\n")
}
