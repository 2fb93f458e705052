/**
 * Dockerfile toolchain, pure part (no Dagger import): parse a Dockerfile the way BuildKit's
 * Dockerfile frontend reads it (words.ts, parse.ts), walk its stages (stages.ts), classify RUN steps
 * (classify.ts), find the multi-arch traps (findings.ts, fixes.ts), and plan one BuildKit build per
 * platform (plan.ts, render.ts). The engine side (`Directory.dockerBuild`) is src/engine.
 */
import { MultiarchInputError } from "../../core/errors/index.js"
import type { Toolchain } from "../toolchain.js"
import { checkDockerfileOptions, dockerfileOptions, type DockerfileOptions } from "./options.js"
import { emulatedRunFor, planDockerfile, type DockerfileBuildPlan } from "./plan.js"
import { dockerfilePlanText } from "./render.js"

/** The Dockerfile a build reads: --dockerfile, else Dockerfile at the source root. */
const pathOf = (o: DockerfileOptions) => o.dockerfile ?? "Dockerfile"

export const dockerfileToolchain = {
  name: "dockerfile",
  marker: pathOf,
  factFiles: (o) => [pathOf(o)],
  options: dockerfileOptions,
  check: checkDockerfileOptions,
  plan: (targets, o, facts, engine) => {
    const path = pathOf(o)
    const text = facts.files[path]
    if (text === undefined)
      throw new MultiarchInputError("dockerfile", path, "no such file in the source", "pass --dockerfile with a path relative to --source")
    return planDockerfile(text, { platforms: targets, nativePlatform: engine, dockerfile: path, target: o.target, buildArgs: o.buildArgs, secrets: o.secrets })
  },
  describe: (plans) => dockerfilePlanText([...plans]),
  stepOf: (plan, argv) => {
    const r = emulatedRunFor(plan, argv)
    return r ? `RUN ${r.command.length > 120 ? r.command.slice(0, 117) + "..." : r.command} (${plan.dockerBuild.dockerfile} line ${r.line})` : undefined
  },
  binaries: false,
} satisfies Toolchain<"dockerfile", DockerfileOptions, DockerfileBuildPlan>

export * from "./types.js"
export { parseBuildArgs, type DockerfileOptions } from "./options.js"
export { DockerfileError } from "./DockerfileError.js"
export { analyzeDockerfile } from "./analyze.js"
export { classifyRun, type Classification } from "./classify.js"
export { PLATFORM_ARGS } from "./platforms.js"
export { planDockerfile, emulatedRunFor, type DockerfilePlanOptions, type DockerfileBuildPlan } from "./plan.js"
export { dockerfilePlanText } from "./render.js"
