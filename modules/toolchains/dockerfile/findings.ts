/**
 * Findings: the multi-arch traps in a stage graph — heavy RUNs under QEMU, native build output
 * copied across platforms, build-platform compiles that never select the target, undeclared
 * platform ARGs, stages pinned to a literal platform, a final stage on the wrong platform.
 */
import { TARGETS } from "../../core/targets.js"
import { compileOutputs } from "./classify.js"
import { cFix, fixFor } from "./fixes.js"
import { joinPath, nativeOutputWhat, within } from "./paths.js"
import { abiKey } from "../../core/native.js"
import { normalizePlatformParts } from "../../core/platform.js"
import { oneLine } from "./render.js"
import type { StageGraph } from "./stages.js"
import type { DockerfileFinding } from "./types.js"

/** Every finding for the stages the target needs, sorted by line. */
export function findingsOf(graph: StageGraph, targetPlatform: string, nativePlatform: string): DockerfileFinding[] {
  const { states, undeclaredArgs, targetIndex } = graph
  /** ABI of a stage platform (os/arch, plus the arm variant): whether built artifacts are interchangeable. */
  const abi = (platform: string) => abiKey(normalizePlatformParts(platform))
  const stages = states.map((s) => s.stage)
  const findings: DockerfileFinding[] = []
  const reportedProducers = new Set<string>()
  const targetAbi = abi(targetPlatform)

  for (const st of states) {
    const s = st.stage
    if (!s.needed) continue
    // heavy emulated RUNs
    for (const r of s.runs) {
      if (r.emulated && r.heavy)
        findings.push({
          kind: "heavy-emulated-run",
          severity: "warning",
          line: r.line,
          stage: s.label,
          message: `RUN ${oneLine(r.command)} (stage ${s.label}) runs under QEMU as ${s.platform} on this ${nativePlatform} engine: ${r.reason}; expect it to be several times slower (≈9× for Go/Rust compiles) and prone to QEMU crashes (exit 139)`,
          fix: r.kind === "c-build" && /node_modules|node-gyp|node_api\.h|\/include\/node/.test(r.command)
            ? `${cFix(targetPlatform)}; for a Node.js addon that is \`CC=${TARGETS.get(targetPlatform)?.gccTriple ?? "<triple>"}-gcc npm_config_arch=$TARGETARCH npm ci\` in a --platform=$BUILDPLATFORM stage — or keep it in the target stage, which is correct, only slower`
            : fixFor(r.kind, targetPlatform),
        })
      const undeclared = undeclaredArgs.get(r)
      if (undeclared?.length) {
        const list = [...new Set(undeclared)]
        findings.push({
          kind: "undeclared-platform-arg",
          severity: r.heavy ? "error" : "warning",
          line: r.line,
          stage: s.label,
          message: `RUN uses ${list.map((x) => "$" + x).join(", ")} but stage ${s.label} declares no \`ARG ${list.join(" ")}\`: inside the stage ${list.length > 1 ? "they expand" : "it expands"} to an empty string${r.kind === "go-build" ? ", so GOOS/GOARCH fall back to the build platform's and the binary is built for the wrong architecture" : ""}`,
          fix: `add \`ARG ${list.join(" ")}\` after the stage's FROM line (the automatic platform ARGs are global; a stage sees them only once declared)`,
        })
      }
    }

    // stages pinned to a literal platform
    if (s.platformSource === "literal") {
      if (s.emulated)
        findings.push({
          kind: "literal-platform",
          severity: "warning",
          line: s.line,
          stage: s.label,
          message: `stage ${s.label} is pinned to --platform=${s.platformFlag} (${s.platform}): on this ${nativePlatform} engine it runs under QEMU for every target${s.runs.length ? ` (${s.runs.length} RUN step${s.runs.length > 1 ? "s" : ""})` : ""}`,
          fix: "use --platform=$BUILDPLATFORM for stages that only produce arch-neutral output or cross-compile, and no --platform for stages whose binaries end up in the image",
        })
      else
        findings.push({
          kind: "literal-platform",
          severity: "info",
          line: s.line,
          stage: s.label,
          message: `stage ${s.label} is pinned to --platform=${s.platformFlag}: native on this ${nativePlatform} engine, but emulated on engines of other architectures (e.g. Apple silicon or Graviton)`,
          fix: "use --platform=$BUILDPLATFORM if the stage is meant to run on the build machine",
        })
    }

    // the reverse trap: native output copied across platforms
    for (const c of s.copies) {
      if (c.stage === undefined) continue
      const src = states[c.stage]
      if (abi(src.stage.platform) === abi(s.platform)) continue
      const hits: string[] = []
      for (const raw of c.sources) {
        const p = joinPath("/", raw)
        const what = nativeOutputWhat(p)
        // producers whose working directory is inside the copied path (it contains their output)
        const inside = src.producers.filter((x) => within(x.workdir, p))
        if (what) {
          hits.push(`${raw} is ${what}`)
          // the path is under a producer's workdir (node_modules under /app where gcc/npm ran): same problem
          for (const x of src.producers) if (within(p, x.workdir) || within(x.workdir, p)) reportedProducers.add(`${src.stage.index}:${x.line}`)
          continue
        }
        if (inside.length) {
          for (const x of inside) reportedProducers.add(`${src.stage.index}:${x.line}`)
          hits.push(`${raw} contains the output of line ${inside[0].line} (${inside[0].what}, in ${inside[0].workdir})`)
        }
      }
      if (!hits.length) continue
      findings.push({
        kind: "native-output-copied",
        severity: "error",
        line: c.line,
        stage: s.label,
        message: `${c.instruction} --from=${c.from} copies native code built on ${src.stage.platform} (stage ${src.stage.label}${src.stage.platformSource === "build" ? ", $BUILDPLATFORM" : ""}) into stage ${s.label}, which runs on ${s.platform}: ${hits.join("; ")}. The ${targetPlatform} image then fails at run time (invalid ELF header / exec format error / exit 139)`,
        fix:
          hits.some((h) => /node_modules|node-gyp|\.node\b|npm|yarn|pnpm/.test(h))
            ? `install dependencies in the ${s.platform} stage (\`COPY package*.json ./\` + \`RUN npm ci --omit=dev\` after its FROM) and copy only arch-neutral output (dist/) from stage ${src.stage.label}`
            : hits.some((h) => /cargo|target\/release/.test(h))
              ? `cross-compile with \`cargo build --release --target <triple>\` (${TARGETS.get(targetPlatform)?.rust.gnu ?? "the target triple"}) and copy target/<triple>/release/<bin>, or build in a stage without --platform=$BUILDPLATFORM`
              : `build it in a stage that runs on ${s.platform} (drop --platform=$BUILDPLATFORM from stage ${src.stage.label}) or cross-compile it for ${s.platform} there`,
      })
    }
  }

  // compiles on the build platform that never select the target, whose output another platform's stage copies
  for (const st of states) {
    const s = st.stage
    if (!s.needed) continue
    const copiesFromHere = states
      .filter((o) => o.stage.needed && o !== st && abi(o.stage.platform) !== abi(s.platform))
      .flatMap((o) => o.stage.copies.filter((c) => c.stage === s.index).map((c) => ({ to: o.stage, paths: c.sources.map((raw) => joinPath("/", raw)) })))
    if (!copiesFromHere.length) continue
    for (const r of s.runs) {
      if (!(r.kind === "go-build" || r.kind === "rust-build" || r.kind === "c-build") || r.targetsOtherPlatform) continue
      if (reportedProducers.has(`${s.index}:${r.line}`)) continue
      // only when a copied path holds what this RUN compiled (a tool built and run only here is fine)
      const outputs = compileOutputs(r.command, r.workdir)
      const hit = copiesFromHere.find((c) => c.paths.some((p) => outputs.some((o) => within(o, p) || within(p, o))))
      if (!hit) continue
      const to = hit.to
      findings.push({
        kind: "build-platform-binary",
        severity: "warning",
        line: r.line,
        stage: s.label,
        message: `RUN ${oneLine(r.command)} in stage ${s.label} runs on ${s.platform} and never selects the target (no TARGETARCH/TARGETOS, GOARCH, --target or cross CC): it builds for ${s.platform}, and stage ${to.label} (${to.platform}) copies its output`,
        fix: fixFor(r.kind, targetPlatform),
      })
    }
  }

  // the built stage must execute on the target platform, or the image carries foreign binaries
  const t = stages[targetIndex]
  if (abi(t.platform) !== targetAbi)
    findings.push({
      kind: "final-stage-platform",
      severity: "error",
      line: t.line,
      stage: t.label,
      message: `the built stage ${t.label} runs on ${t.platform}${t.platformSource === "stage" ? " (inherited from its base stage)" : t.platformFlag ? ` (--platform=${t.platformFlag})` : ""}, not on ${targetPlatform}: the ${targetPlatform} image would contain ${t.platform} binaries`,
      fix: "drop --platform from the final stage (and from the stage chain it is based on) so it follows TARGETPLATFORM",
    })

  findings.sort((a, b) => a.line - b.line || a.kind.localeCompare(b.kind))

  return findings
}
