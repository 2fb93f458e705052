/** Plans of the dockerfile toolchain: one entry per platform, what `apply` passes to dockerBuild plus the analysis. */
import { MultiarchInputError } from "../../core/errors/index.js"
import { analyzeDockerfile, toRecord } from "./analyze.js"
import { enginePlatform, runsNatively, type EnginePlatform } from "../../core/native.js"
import { rowOf, type TargetInput } from "../../core/platform.js"
import type { BuildArgInput, DockerfileFinding, EmulatedRun, PlatformSource } from "./types.js"

export interface DockerfilePlanOptions {
  /** Target rows (what the toolchain passes), or platform strings parsed here. */
  platforms: readonly TargetInput[]
  /** The engine's platform, parsed (core/native.ts) or as a string. */
  nativePlatform: string | EnginePlatform
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
  /** True when the engine runs the target's code natively (core/native.ts `runsNatively`). */
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
  const engine = typeof o.nativePlatform === "string" ? enginePlatform(o.nativePlatform) : o.nativePlatform
  return o.platforms.map((platform) => {
    const row = rowOf(platform)
    const a = analyzeDockerfile(text, {
      targetPlatform: row,
      nativePlatform: engine,
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
      native: runsNatively(row, engine),
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
export function emulatedRunFor(plan: Pick<DockerfileBuildPlan, "emulatedRuns">, argv: readonly string[] | undefined): EmulatedRun | undefined {
  if (!argv?.length) return undefined
  const norm = (x: string) => x.replace(/\s+/g, " ").trim()
  const cmd = norm(argv.length >= 3 && /(^|\/)(ba|da|a)?sh$/.test(argv[0]) && argv[1] === "-c" ? argv.slice(2).join(" ") : argv.join(" "))
  return plan.emulatedRuns.find((r) => norm(r.command) === cmd)
}
