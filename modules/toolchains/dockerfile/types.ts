/** The Dockerfile analysis: options, stages, RUN steps, copies, findings (pure data). */
import type { EnginePlatform } from "../../core/native.js"
import type { TargetInput } from "../../core/platform.js"

export interface BuildArgInput {
  name: string
  value: string
}

export interface AnalyzeOptions {
  /** The platform being built (`docker build --platform`, `dockerBuild({ platform })`): its table row, or a platform string. */
  targetPlatform: TargetInput
  /** The engine's native platform, BuildKit's BUILDPLATFORM: parsed (core/native.ts), or a platform string. */
  nativePlatform: string | EnginePlatform
  /** `--target` stage name; default the last stage. */
  target?: string
  /** `--build-arg`s, as a record or as Dagger BuildArg pairs. */
  buildArgs?: Record<string, string> | BuildArgInput[]
  /** Path shown in error messages. Default "Dockerfile". */
  dockerfile?: string
}

/** Where a stage's platform comes from. */
export type PlatformSource =
  /** no --platform (or --platform=$TARGETPLATFORM…): the platform being built */
  | "target"
  /** --platform=$BUILDPLATFORM (or $BUILDOS/$BUILDARCH…): the engine's native platform */
  | "build"
  /** a literal platform or a user ARG: fixed, whatever the target */
  | "literal"
  /** FROM <earlier stage>: inherited */
  | "stage"

export type RunKind =
  | "go-build"
  | "rust-build"
  | "c-build"
  | "java-build"
  | "dotnet-build"
  | "node-install"
  | "js-build"
  | "python-build"
  | "package-build"
  | "package-install"
  | "python-install"
  | "download"
  | "other"

export interface RunMount {
  type: string
  from?: string
  source?: string
  target?: string
  /** Stage index when `from` names a stage. */
  stage?: number
}

export interface DockerfileRun {
  /** First physical line of the instruction (1-based). */
  line: number
  /** Last physical line, heredoc bodies included. */
  endLine: number
  form: "shell" | "exec"
  /** The command as written (continuations joined); exec form joined with spaces; heredoc bodies appended. */
  command: string
  /** Flags other than --mount, e.g. { network: "none" }. */
  flags: Record<string, string>
  mounts: RunMount[]
  /** WORKDIR in effect. */
  workdir: string
  /** True when the stage's platform cannot execute natively on the engine: QEMU runs it. */
  emulated: boolean
  heavy: boolean
  kind: RunKind
  /** Why it is classified so (set for every kind but "other"). */
  reason?: string
  /** True when the command (or the stage ENV) targets another platform: TARGETARCH, GOARCH, --target, a cross CC. */
  targetsOtherPlatform: boolean
}

export interface DockerfileCopy {
  line: number
  instruction: "COPY" | "ADD" | "RUN --mount"
  /** The --from value after ARG expansion. */
  from: string
  /** Index of the stage it names, if it names one; otherwise `from` is an image. */
  stage?: number
  sources: string[]
  dest: string
}

export interface DockerfileStage {
  index: number
  /** `AS name`, lower-cased as BuildKit does. */
  name?: string
  /** How BuildKit's progress output labels the stage: the name, else `stage-<index>`. */
  label: string
  /** Line of the FROM instruction. */
  line: number
  /** The FROM argument after ARG expansion. */
  base: string
  /** Set when FROM names another stage. */
  baseStage?: number
  /** The --platform value as written. */
  platformFlag?: string
  /** The platform the stage executes on, os/arch[/variant]. */
  platform: string
  platformSource: PlatformSource
  /** True when the stage's platform is not executable natively on the engine. */
  emulated: boolean
  /** Whether the requested target needs the stage (BuildKit skips the others). */
  needed: boolean
  /** ARG names declared in the stage, in order. */
  args: string[]
  runs: DockerfileRun[]
  copies: DockerfileCopy[]
}

export type FindingKind =
  /** heavy RUN executed under QEMU */
  | "heavy-emulated-run"
  /** native build output copied from a stage of another platform */
  | "native-output-copied"
  /** compile in a build-platform stage that never selects the target platform */
  | "build-platform-binary"
  /** RUN uses $TARGETARCH & co. that the stage did not declare with ARG */
  | "undeclared-platform-arg"
  /** stage pinned to a literal platform */
  | "literal-platform"
  /** the target stage does not execute on the target platform */
  | "final-stage-platform"

export interface DockerfileFinding {
  kind: FindingKind
  severity: "error" | "warning" | "info"
  line: number
  /** Label of the stage concerned. */
  stage: string
  message: string
  fix: string
}

export interface EmulatedRun {
  stage: string
  line: number
  command: string
  kind: RunKind
  heavy: boolean
}

export interface DockerfileAnalysis {
  targetPlatform: string
  nativePlatform: string
  /** Label of the stage that is built (the --target, else the last stage). */
  target: string
  targetIndex: number
  directives: { syntax?: string; escape: string; check?: string }
  /** Global (before the first FROM) ARGs after build-arg overrides; undefined = declared without a value. */
  globalArgs: Record<string, string | undefined>
  stages: DockerfileStage[]
  /** Every RUN of a needed stage that runs under QEMU, in file order. */
  emulatedRuns: EmulatedRun[]
  findings: DockerfileFinding[]
  notes: string[]
}
