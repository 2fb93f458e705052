/**
 * Engine glue for directory plans (core/plan.ts DirectoryPlan: an app and its installed
 * dependencies, e.g. Node): the shared stage, the per-platform stages each on the previous one's
 * output, and the runtime image with the last output at runtime.path. Lazy like compiled.ts:
 * nothing here awaits. The shared stage is the same chain of calls in every platform's plan, so
 * the engine evaluates it once per build however many platforms use it. Called from apply.ts.
 */
import { dag, type Container, type Directory, type Platform } from "@dagger.io/dagger"
import type { DirectoryPlan, PlanStage } from "../../modules/core/plan.js"

/** One stage: its container (native or the stage's platform), caches, setup, input at workdir, env, steps. */
export function stageContainer(stage: PlanStage, input: Directory): Container {
  let c = stage.platform === "native" ? dag.container() : dag.container({ platform: stage.platform as Platform })
  c = c.from(stage.image)
  for (const m of stage.caches) c = c.withMountedCache(m.path, dag.cacheVolume(m.key))
  // setup first: package installs stay cached across source changes
  for (const s of stage.setup) c = c.withExec(s.argv)
  c = c.withDirectory(stage.workdir, input).withWorkdir(stage.workdir)
  for (const [k, v] of Object.entries(stage.env)) c = c.withEnvVariable(k, v)
  for (const s of stage.steps) c = c.withExec(s.argv)
  return c
}

/** The plan's product: the shared stage's output (if any), then every stage in order. */
export function outputDirectory(plan: DirectoryPlan, source: Directory): Directory {
  let input = source
  if (plan.shared) {
    let d = stageContainer(plan.shared, source).directory(plan.shared.workdir)
    for (const x of plan.shared.exclude) d = d.withoutDirectory(x)
    input = d
  }
  for (const st of plan.stages) input = stageContainer(st, input).directory(st.workdir)
  return input
}

/** The runtime image of one platform: base + output at runtime.path (owned by root) + env, user, entrypoint, labels. */
export function directoryImage(plan: DirectoryPlan, source: Directory, opts: { labels?: Record<string, string> } = {}): Container {
  let c = dag.container({ platform: plan.platform as Platform }).from(plan.runtime.base)
  c = c.withDirectory(plan.runtime.path, outputDirectory(plan, source)).withWorkdir(plan.runtime.path)
  for (const [k, v] of Object.entries(plan.runtime.env)) c = c.withEnvVariable(k, v)
  if (plan.runtime.user) c = c.withUser(plan.runtime.user)
  c = c.withEntrypoint(plan.runtime.entrypoint)
  for (const [k, v] of Object.entries(opts.labels ?? {})) c = c.withLabel(k, v)
  return c
}
