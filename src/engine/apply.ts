/**
 * apply(plan): the one place where a plan becomes Dagger calls, and the only switch on the kind of
 * plan — compiled plans (Go, Rust) get a builder and a runtime container (compiled.ts), directory
 * plans (Node) their stages and a runtime container (directory.ts), Dockerfile plans a
 * `Directory.dockerBuild` (dockerfile.ts). Lazy: nothing here awaits.
 */
import type { Container, Directory, File, Secret } from "@dagger.io/dagger"
import { MultiarchInputError } from "../../modules/core/errors/index.js"
import { isDirectoryPlan } from "../../modules/core/plan.js"
import type { Plan } from "../../modules/toolchains/index.js"
import { binariesFor, imageFor } from "./compiled.js"
import { directoryImage } from "./directory.js"
import { applyDockerfilePlan } from "./dockerfile.js"

export interface ApplyOptions {
  /** OCI labels for every variant. */
  labels?: Record<string, string>
  /** Secrets for a Dockerfile build. */
  secrets?: readonly Secret[]
}

/** The image of one platform. */
export function applyPlan(plan: Plan, source: Directory, opts: ApplyOptions = {}): Container {
  if (plan.toolchain === "dockerfile") {
    let c = applyDockerfilePlan(source, plan, [...(opts.secrets ?? [])])
    for (const [k, v] of Object.entries(opts.labels ?? {})) c = c.withLabel(k, v)
    return c
  }
  if (isDirectoryPlan(plan)) return directoryImage(plan, source, { labels: opts.labels })
  return imageFor(plan, source, { labels: opts.labels })
}

/** The built binaries of one platform and their file names (plans of toolchains that build binaries; the entrypoint first). */
export function binaryOf(plan: Plan, source: Directory): { name: string; file: File }[] {
  if (plan.toolchain === "dockerfile" || isDirectoryPlan(plan))
    throw new MultiarchInputError("lang", plan.toolchain, `a ${plan.toolchain} build produces images, not binaries`, "use build … tarball, or a Go/Rust source")
  return binariesFor(plan, source)
}
