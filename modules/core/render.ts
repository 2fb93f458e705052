/** Rendering of plan reports for the `plan` function (pure): JSON, or a header and one block per platform. */
import type { BuildPlan } from "./plan.js"
import { shellAssignments, shellCommand, shellQuote } from "./shell.js"

export interface PlanReport<P = unknown> {
  toolchain: string
  reason: string
  /** The engine's native platform, where cross builders run. */
  native: string
  /** OCI labels `build` sets on every variant (only when some are given). */
  labels?: Record<string, string>
  /** Other toolchains whose marker the source has: how to pick one, and what it would do that this one does not. */
  alsoFound?: AlsoFound[]
  platforms: P[]
}

export interface AlsoFound {
  toolchain: string
  /** Its marker file in the source. */
  marker: string
  /** The flag that picks it (`--lang dockerfile`). */
  use: string
  /** What that route would do that the chosen one does not (a Dockerfile installing build packages…). */
  note?: string
}

/** The report as JSON, or as text: a header line, then the toolchain's own description of its plans. */
export function renderPlan<P>(report: PlanReport<P>, format: "json" | "text", describe: (plans: P[]) => string): string {
  if (format === "json") return JSON.stringify(report, null, 2)
  const labels = report.labels && Object.keys(report.labels).length ? `\nlabels: ${Object.entries(report.labels).map(([k, v]) => `${k}=${v}`).join(" ")}` : ""
  const also = (report.alsoFound ?? []).map((a) => `\nalso found ${a.marker}: to build with it, ${a.use}${a.note ? `; ${a.note}` : ""}`).join("")
  return `toolchain: ${report.toolchain} (${report.reason}); engine platform: ${report.native}${labels}${also}\n\n${describe(report.platforms)}`
}

/**
 * The builder's commands of a plan as shell lines a user can paste (`$ ` prefixed): `cd` to the
 * workdir, `export` of the env (values quoted), then every setup and build step with its argv
 * quoted (`sh -c <script>` shown as the script itself). A step whose argv holds a multi-line
 * script (the ELF check) is shown as a comment; `--format json` has its exact argv.
 */
export function shellLines(p: BuildPlan): string[] {
  const lines = [`$ cd ${shellQuote(p.workdir)}`]
  if (Object.keys(p.env).length) lines.push(`$ export ${shellAssignments(p.env)}`)
  for (const s of [...p.builder.setup, ...p.steps]) {
    if (s.argv.some((a) => a.includes("\n"))) {
      const what = s.name.startsWith("verify") && p.verify ? ` (${p.verify.elf.machineName}, ${p.verify.elf.bits}-bit, ${p.verify.elf.endian}-endian, ${p.verify.linkage})` : ""
      lines.push(`# ${s.name}${what}: an in-builder script (its argv: --format json)`)
      continue
    }
    const cmd = s.argv.length === 3 && s.argv[0] === "sh" && s.argv[1] === "-c" ? s.argv[2] : shellCommand(s.argv)
    // the step's name as a trailing comment, unless the command already says it
    const words = new Set(s.argv)
    lines.push(`$ ${cmd}` + (s.name.split(" ").every((w) => words.has(w)) ? "" : `  # ${s.name}`))
  }
  return lines
}

/** Text form of compiled plans (Go, Rust): one block per platform, the builder's commands shell-ready. */
export function describeCompiledPlans(plans: readonly BuildPlan[], native: string): string {
  return plans
    .map((p) => {
      const lines: string[] = []
      const where = p.builder.platform === "native" ? `native builder (${native})` : `builder emulated as ${p.builder.platform}`
      lines.push(`${p.platform}: ${p.toolchain}, ${p.mode}${p.native ? " (native target)" : ""}, ${where}, image ${p.builder.image}`)
      for (const l of shellLines(p)) lines.push(`  ${l}`)
      const outs = [p.output, ...(p.extraOutputs ?? [])]
      if (outs.length > 1) lines.push(`  binaries: ${outs.map((o) => o.name).join(", ")} (entrypoint ${p.output.name})`)
      if (p.caches.length) lines.push(`  caches: ${p.caches.map((c) => `${c.key} → ${c.path}`).join(", ")}`)
      lines.push(`  runtime: ${p.runtime.base} + ${p.runtime.binaryPath}${p.runtime.user ? ` as ${p.runtime.user}` : ""}`)
      for (const n of p.notes) lines.push(`  note: ${n}`)
      return lines.join("\n")
    })
    .join("\n\n")
}
