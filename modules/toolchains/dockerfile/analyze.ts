/**
 * Dockerfile toolchain, pure part (no Dagger import): parse a Dockerfile the way BuildKit's
 * Dockerfile frontend reads it, then predict, for one target platform built on an engine with a
 * given native platform, which stages execute natively and which RUN steps run under QEMU, and
 * flag the multi-arch traps:
 *
 *  - heavy work (compilers, `go build`, `cargo build`, `npm ci`, JVM/.NET builds, package builds)
 *    emulated in a target-platform stage → the `FROM --platform=$BUILDPLATFORM` cross pattern;
 *  - the opposite trap: native build output (node_modules, *.node, node-gyp build/, cargo
 *    target/release, *.so, site-packages…) produced in a build-platform stage and copied into a
 *    target-platform stage — native code for the wrong architecture;
 *  - compiles in a build-platform stage that never look at TARGETOS/TARGETARCH;
 *  - RUN steps that use $TARGETARCH & co. without declaring `ARG TARGETARCH` in the stage;
 *  - stages pinned to a literal foreign platform, and a final stage whose platform is not the
 *    target's.
 *
 * What BuildKit does, and this module mirrors (checked against dockerd 20.10's BuildKit in
 * test/buildkit): BUILDPLATFORM is the engine's native platform, TARGETPLATFORM/TARGETOS/
 * TARGETARCH/TARGETVARIANT the requested one; both sets are automatic global ARGs usable in FROM
 * without a declaration, but a stage sees them only after `ARG <NAME>`. A stage runs on its
 * `--platform` (default: the target); `FROM <stage>` inherits the stage's platform. Only stages
 * reachable from the target stage (through FROM <stage>, COPY --from and RUN --mount from=) are
 * built.
 *
 * Malformed input raises DockerfileError (a MultiarchInputError with field "dockerfile" and the
 * line number); anything else thrown from here is a bug.
 */
import { MultiarchInputError } from "../../core/errors/index.js"
import { enginePlatform, runsNatively } from "../../core/native.js"
import { rowOf } from "../../core/platform.js"
import { DockerfileError } from "./DockerfileError.js"
import { findingsOf } from "./findings.js"
import { parseDockerfile } from "./parse.js"
import { buildStageGraph } from "./stages.js"
import type { AnalyzeOptions, DockerfileAnalysis, EmulatedRun } from "./types.js"

/** Build args as a record, from a record or Dagger-style name/value pairs. */
export function toRecord(args: AnalyzeOptions["buildArgs"]): Record<string, string> {
  if (!args) return {}
  if (Array.isArray(args)) {
    const out: Record<string, string> = {}
    for (const a of args) out[a.name] = a.value
    return out
  }
  return { ...args }
}

/**
 * Parse and analyse a Dockerfile for one target platform. Pure; throws DockerfileError (a
 * MultiarchInputError, field "dockerfile", with `.line`) for malformed files, and
 * MultiarchInputError for bad options (platform, target).
 */
export function analyzeDockerfile(text: string, opts: AnalyzeOptions): DockerfileAnalysis {
  if (typeof text !== "string")
    throw new MultiarchInputError("dockerfile", String(text), "the Dockerfile must be text", "pass the file's contents")
  const path = opts.dockerfile ?? "Dockerfile"
  const row = rowOf(opts.targetPlatform)
  const targetPlatform = row.platform
  const engine = typeof opts.nativePlatform === "string" ? enginePlatform(opts.nativePlatform) : opts.nativePlatform
  const nativePlatform = engine.platform
  const buildArgs = toRecord(opts.buildArgs)
  const { directives, instructions } = parseDockerfile(text, path)
  const escape = directives.escape

  const graph = buildStageGraph(instructions, {
    escape,
    path,
    targetPlatform,
    engine,
    buildArgs,
    ...(opts.target !== undefined ? { target: opts.target } : {}),
  })
  const { states, globalArgs, notes, targetIndex } = graph
  const stages = states.map((s) => s.stage)
  const findings = findingsOf(graph, targetPlatform, nativePlatform)

  const emulatedRuns: EmulatedRun[] = []
  for (const s of stages)
    if (s.needed) for (const r of s.runs) if (r.emulated) emulatedRuns.push({ stage: s.label, line: r.line, command: r.command, kind: r.kind, heavy: r.heavy })
  emulatedRuns.sort((a, b) => a.line - b.line)

  const skipped = stages.filter((s) => !s.needed).map((s) => s.label)
  if (skipped.length) notes.push(`stages not needed for ${stages[targetIndex].label} (BuildKit skips them): ${skipped.join(", ")}`)
  if (directives.syntax) notes.push(`# syntax=${directives.syntax}: BuildKit fetches that frontend; this analysis follows the standard Dockerfile syntax`)
  if (runsNatively(row, engine)) notes.push(`${targetPlatform} runs natively on the engine (${nativePlatform}): no stage is emulated unless pinned to another platform`)

  return {
    targetPlatform,
    nativePlatform,
    target: stages[targetIndex].label,
    targetIndex,
    directives,
    globalArgs,
    stages,
    emulatedRuns,
    findings,
    notes,
  }
}
