/** Text form of Dockerfile plans, for `plan --format text`. */
import type { DockerfileBuildPlan } from "./plan.js"

export function oneLine(cmd: string, max = 80): string {
  const s = cmd.replace(/\s+/g, " ").trim()
  return s.length > max ? s.slice(0, max - 1) + "…" : s
}


/** Human-readable form of plan entries (one block per platform), for `plan --format text`. */
export function dockerfilePlanText(plans: DockerfileBuildPlan[]): string {
  const out: string[] = []
  for (const p of plans) {
    out.push(`${p.platform}: dockerfile ${p.dockerBuild.dockerfile}${p.dockerBuild.target ? ` --target ${p.dockerBuild.target}` : ""}, ${p.mode}${p.native ? " (native platform)" : ""}`)
    for (const s of p.stages)
      out.push(`  stage ${s.label}: ${s.base} on ${s.platform} (${s.platformSource}) ${s.needed ? s.executes : "skipped"}${s.runs ? `, ${s.runs} RUN` : ""}`)
    for (const r of p.emulatedRuns) out.push(`  emulated line ${r.line}${r.heavy ? " [heavy]" : ""}: RUN ${oneLine(r.command, 70)}`)
    for (const f of p.findings) {
      out.push(`  ${f.severity} line ${f.line} (${f.kind}): ${f.message}`)
      out.push(`    fix: ${f.fix}`)
    }
  }
  return out.join("\n")
}
