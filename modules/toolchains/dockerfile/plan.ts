/** Plans of the dockerfile toolchain: one entry per platform, what `apply` passes to dockerBuild plus the analysis. */
import { MultiarchInputError } from "../../core/errors/index.js"
import { analyzeDockerfile, toRecord } from "./analyze.js"
import { abiKey } from "./platforms.js"
import type { BuildArgInput, DockerfileFinding, EmulatedRun, PlatformSource } from "./types.js"

export interface DockerfilePlanOptions {
  platforms: string[]
  nativePlatform: string
  /** Path of the Dockerfile in the source. Default "Dockerfile". */
  dockerfile?: string
  target?: string
  buildArgs?: Record<string, string> | BuildArgInput[]
  /** Names of the secrets passed to the build (shown in the plan; values never are). */
  secrets?: string[]
}

/** One platform's entry of `plan` for the dockerfile toolchain (the BuildPlan counterpart). */
export interface DockerfileBuildPlan {
  platform: string
  toolchain: "dockerfile"
  /** "emulated" when any RUN the target needs runs under QEMU; else "cross" (BuildKit on the native platform). */
  mode: "cross" | "emulated"
  /** True when the platform is the engine's native platform. */
  native: boolean
  /** What `apply` passes to Directory.dockerBuild. */
  dockerBuild: {
    platform: string
    dockerfile: string
    target?: string
    buildArgs: BuildArgInput[]
    secrets: string[]
  }
  /** The stage that is built. */
  target: string
  buildPlatform: string
  stages: {
    index: number
    label: string
    base: string
    platform: string
    platformSource: PlatformSource
    executes: "native" | "emulated"
    needed: boolean
    runs: number
  }[]
  emulatedRuns: EmulatedRun[]
  findings: DockerfileFinding[]
  notes: string[]
}

/** Per-platform plan entries for a Dockerfile build. Throws DockerfileError / MultiarchInputError. */
export function planDockerfile(text: string, o: DockerfilePlanOptions): DockerfileBuildPlan[] {
  if (!o.platforms.length)
    throw new MultiarchInputError("platforms", "", "the platform list is empty", `pass e.g. "linux/amd64,linux/arm64"`)
  const dockerfile = o.dockerfile ?? "Dockerfile"
  const buildArgs = Object.entries(toRecord(o.buildArgs)).map(([name, value]) => ({ name, value }))
  return o.platforms.map((platform) => {
    const a = analyzeDockerfile(text, {
      targetPlatform: platform,
      nativePlatform: o.nativePlatform,
      target: o.target,
      buildArgs: o.buildArgs,
      dockerfile,
    })
    const heavy = a.emulatedRuns.filter((r) => r.heavy).length
    const notes = [
      `BuildKit sets BUILDPLATFORM=${a.nativePlatform} (the engine's) and TARGETPLATFORM=${a.targetPlatform}`,
      a.emulatedRuns.length
        ? `${a.emulatedRuns.length} RUN step${a.emulatedRuns.length > 1 ? "s" : ""} run${a.emulatedRuns.length > 1 ? "" : "s"} under QEMU (${heavy} heavy): ${a.emulatedRuns.map((r) => `line ${r.line}`).join(", ")}`
        : "no RUN step runs under QEMU",
      ...a.notes,
    ]
    return {
      platform: a.targetPlatform,
      toolchain: "dockerfile" as const,
      mode: a.emulatedRuns.length ? ("emulated" as const) : ("cross" as const),
      native: abiKey(a.targetPlatform) === abiKey(a.nativePlatform),
      dockerBuild: {
        platform: a.targetPlatform,
        dockerfile,
        ...(o.target ? { target: o.target } : {}),
        buildArgs,
        secrets: o.secrets ?? [],
      },
      target: a.target,
      buildPlatform: a.nativePlatform,
      stages: a.stages.map((s) => ({
        index: s.index,
        label: s.label,
        base: s.base,
        platform: s.platform,
        platformSource: s.platformSource,
        executes: s.emulated ? ("emulated" as const) : ("native" as const),
        needed: s.needed,
        runs: s.runs.length,
      })),
      emulatedRuns: a.emulatedRuns,
      findings: a.findings,
      notes,
    }
  })
}

/**
 * The emulated RUN of a plan entry that an exec's argv belongs to (BuildKit runs shell-form RUN as
 * `/bin/sh -c <command>`), to name the Dockerfile line in an emulation failure. Whitespace-insensitive.
 */
export function emulatedRunFor(plan: Pick<DockerfileBuildPlan, "emulatedRuns">, argv: string[] | undefined): EmulatedRun | undefined {
  if (!argv?.length) return undefined
  const norm = (x: string) => x.replace(/\s+/g, " ").trim()
  const cmd = norm(argv.length >= 3 && /(^|\/)(ba|da|a)?sh$/.test(argv[0]) && argv[1] === "-c" ? argv.slice(2).join(" ") : argv.join(" "))
  return plan.emulatedRuns.find((r) => norm(r.command) === cmd)
}
