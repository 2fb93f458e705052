/**
 * Dockerfile toolchain, pure part (no Dagger import): parse a Dockerfile the way BuildKit's
 * Dockerfile frontend reads it (words.ts, parse.ts), walk its stages (stages.ts), classify RUN steps
 * (classify.ts), find the multi-arch traps (findings.ts, fixes.ts), and plan one BuildKit build per
 * platform (plan.ts, render.ts). The engine side (`Directory.dockerBuild`) is src/engine.
 */
export * from "./types.js"
export { DockerfileError } from "./DockerfileError.js"
export { analyzeDockerfile } from "./analyze.js"
export { classifyRun, type Classification } from "./classify.js"
export { PLATFORM_ARGS, abiKey, runsNatively } from "./platforms.js"
export { planDockerfile, emulatedRunFor, type DockerfilePlanOptions, type DockerfileBuildPlan } from "./plan.js"
export { dockerfilePlanText } from "./render.js"
