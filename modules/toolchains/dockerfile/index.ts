/**
 * Dockerfile toolchain, pure part (no Dagger import): parse a Dockerfile the way BuildKit's
 * Dockerfile frontend reads it (words.ts, parse.ts), walk its stages (stages.ts), classify RUN steps
 * (classify.ts), find the multi-arch traps (findings.ts, fixes.ts), and plan one BuildKit build per
 * platform (plan.ts, render.ts). The engine side (`Directory.dockerBuild`) is src/engine.
 */
import { MultiarchInputError } from "../../core/errors/index.js"
import type { Toolchain } from "../toolchain.js"
import { closest } from "../../core/suggest.js"
import type { SourceFacts } from "../../core/plan.js"
import { checkBuildArgsDeclared } from "./buildargs.js"
import { checkDockerfileOptions, dockerfileOptions, type DockerfileOptions } from "./options.js"
import { emulatedRunFor, planDockerfile, type DockerfileBuildPlan } from "./plan.js"
import { dockerfilePlanText } from "./render.js"
import { installsNote } from "./installs.js"

/** The Dockerfile a build reads: --dockerfile, else Dockerfile at the source root. */
const pathOf = (o: DockerfileOptions) => o.dockerfile ?? "Dockerfile"

export const dockerfileToolchain = {
  name: "dockerfile",
  marker: pathOf,
  factFiles: (o) => [pathOf(o)],
  flags: ["dockerfile", "target", "buildArgs", "allowSecretBuildArgs", "secrets", "secretIds"],
  options: dockerfileOptions,
  check: checkDockerfileOptions,
  notChosenNote: (o, facts, chosen) => installsNote(facts.files[pathOf(o)], pathOf(o), chosen),
  plan: (targets, o, facts, engine) => {
    const path = pathOf(o)
    const text = facts.files[path]
    if (text === undefined) throw missingDockerfile(path, facts)
    checkBuildArgsDeclared(text, path, o.buildArgs)
    return planDockerfile(text, { platforms: targets, nativePlatform: engine, dockerfile: path, target: o.target, buildArgs: o.buildArgs, secrets: o.secrets })
  },
  describe: (plans) => dockerfilePlanText([...plans]),
  stepOf: (plan, argv) => {
    const r = emulatedRunFor(plan, argv)
    return r ? `RUN ${r.command.length > 120 ? r.command.slice(0, 117) + "..." : r.command} (${plan.dockerBuild.dockerfile} line ${r.line})` : undefined
  },
  binaries: false,
} satisfies Toolchain<"dockerfile", DockerfileOptions, DockerfileBuildPlan>

/** The error for a --dockerfile path the source does not have, with the nearest Dockerfile-looking path it has. */
export function missingDockerfile(path: string, facts: SourceFacts): MultiarchInputError {
  const candidates = [...new Set([...facts.entries, ...(facts.others ?? [])])].filter((e) => /dockerfile|containerfile/i.test(e))
  const near = closest(path, candidates, Math.max(2, Math.floor(path.length / 3)))
  const fix = near ? `did you mean ${near}?` : candidates.length ? `the source has: ${candidates.slice(0, 8).join(", ")}` : "pass --dockerfile with a path relative to --source"
  return new MultiarchInputError("dockerfile", path, "no such file in the source", fix)
}

export * from "./types.js"
export { checkBuildArgsDeclared, declaredArgs, PREDEFINED_ARGS } from "./buildargs.js"
export { parseBuildArgs, secretLooking, secretIdOf, checkSecretIds, SECRET_ID_RE, type DockerfileOptions } from "./options.js"
export { DockerfileError } from "./DockerfileError.js"
export { analyzeDockerfile } from "./analyze.js"
export { classifyRun, type Classification } from "./classify.js"
export { PLATFORM_ARGS } from "./platforms.js"
export { parseInstructions, type InstructionNode, type Heredoc } from "./parse.js"
export { processWord, processWords, processWordWithMatches, ShellWordError, type LexOptions, type ProcessedWord, type Vars } from "./words.js"
export { planDockerfile, emulatedRunFor, type DockerfilePlanOptions, type DockerfileBuildPlan } from "./plan.js"
export { dockerfilePlanText } from "./render.js"
export { dockerfileInstalls, installsNote, type Installs } from "./installs.js"
