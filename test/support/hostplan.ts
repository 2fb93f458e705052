/**
 * Run a BuildPlan's exact env + argv on this host (the real-toolchain rung). Container paths of
 * the plan (workdir, output dir, cache mounts) are mapped to host directories; nothing else of the
 * plan is changed. Callers may add host-only env (listed separately so a reader sees it).
 */
import { spawn } from "node:child_process"
import { mkdirSync } from "node:fs"
import { dirname, join } from "node:path"
import type { BuildPlan, PlanStage, PlanStep } from "../../modules/core/plan.js"

export interface HostDirs {
  /** Host directory holding the source (plan.workdir maps here). */
  src: string
  /** Host directory for outputs (dirname(plan.output.path) maps here). */
  out: string
  /** Root for cache volumes: each cache key gets its own folder (like a Dagger cache volume). */
  caches: string
}

/** Maps container paths to host paths, longest prefix first; `inside` also rewrites them inside sh -c scripts and flag values. */
function prefixMapper(pairs: [string, string][], inside: boolean): (s: string) => string {
  const sorted = [...pairs].sort((a, b) => b[0].length - a[0].length)
  return (s: string) => {
    for (const [from, to] of sorted) {
      if (s === from) return to
      if (s.startsWith(from + "/")) return to + s.slice(from.length)
      if (inside) s = s.split(from + "/").join(to + "/")
    }
    return s
  }
}

export function pathMapper(plan: BuildPlan, dirs: HostDirs): (s: string) => string {
  return prefixMapper([[plan.workdir, dirs.src], [dirname(plan.output.path), dirs.out], ...plan.caches.map((c): [string, string] => [c.path, join(dirs.caches, c.key)])], true)
}

export interface StepResult {
  step: string
  argv: string[]
  status: number | null
  stdout: string
  stderr: string
  ms: number
}

/** Run a command without blocking the event loop (vitest workers must keep answering). */
export function run(
  argv: string[],
  opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = performance.now()
  return new Promise((resolve) => {
    const p = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env ?? (process.env as Record<string, string>) })
    let stdout = ""
    let stderr = ""
    p.stdout.on("data", (d) => (stdout += d))
    p.stderr.on("data", (d) => (stderr += d))
    const timer = opts.timeoutMs ? setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs) : undefined
    p.on("error", (e) => (stderr += String(e)))
    p.on("close", (status) => {
      if (timer) clearTimeout(timer)
      resolve({ status, stdout, stderr, ms: performance.now() - t0 })
    })
  })
}

/**
 * Run `steps` in `cwd` with the plan's env (its paths mapped) over the host's PATH/HOME, then the
 * host-only env; each argv mapped, then wrapped. Returns at the first failing step.
 */
async function runMapped(steps: readonly PlanStep[], planEnv: Record<string, string>, map: (s: string) => string, cwd: string, hostEnv: Record<string, string>, timeoutMs: number, wrap: (argv: string[]) => string[] = (a) => a): Promise<StepResult[]> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    ...Object.fromEntries(Object.entries(planEnv).map(([k, v]) => [k, map(v)])),
    ...hostEnv,
  }
  const results: StepResult[] = []
  for (const s of steps) {
    const argv = wrap(s.argv.map(map))
    const r = await run(argv, { cwd, env, timeoutMs })
    results.push({ step: s.name, argv, ...r })
    if (r.status !== 0) break
  }
  return results
}

/** Run the plan's build steps (not builder.setup: the host has its toolchain installed by test/setup). */
export async function runPlanOnHost(
  plan: BuildPlan,
  dirs: HostDirs,
  hostEnv: Record<string, string> = {},
  steps: PlanStep[] = plan.steps,
): Promise<StepResult[]> {
  mkdirSync(dirs.out, { recursive: true })
  for (const c of plan.caches) mkdirSync(join(dirs.caches, c.key), { recursive: true })
  return runMapped(steps, plan.env, pathMapper(plan, dirs), dirs.src, hostEnv, 15 * 60_000)
}

/**
 * Run one stage of a directory plan (core/plan.ts) on this host: its workdir maps to `dirs.src`
 * (which holds the stage's input), each cache to a folder of `dirs.caches`; setup is not run (the
 * host's tools come from test/setup). Returns at the first failing step.
 */
export async function runStageOnHost(
  stage: PlanStage,
  dirs: { src: string; caches: string },
  hostEnv: Record<string, string> = {},
  /** Runs each (mapped) argv another way, e.g. in a target root under QEMU. */
  wrap: (argv: string[]) => string[] = (a) => a,
): Promise<StepResult[]> {
  for (const c of stage.caches) mkdirSync(join(dirs.caches, c.key), { recursive: true })
  const map = prefixMapper([[stage.workdir, dirs.src], ...stage.caches.map((c): [string, string] => [c.path, join(dirs.caches, c.key)])], false)
  return runMapped(stage.steps, stage.env, map, dirs.src, hostEnv, 30 * 60_000, wrap)
}
