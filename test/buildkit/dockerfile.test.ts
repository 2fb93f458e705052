/**
 * Real-BuildKit rung (issue #5): build the Dockerfile fixtures with Debian's dockerd 20.10 and its
 * built-in BuildKit, once per platform (`docker build --platform`, as Dagger's dockerBuild does),
 * run each image under its platform, and check the analyser's prediction of which RUN steps run
 * under QEMU against what BuildKit actually did.
 *
 * The signal: before the build, every shell-form RUN of the fixture gets a probe prepended
 * (`echo "MULTIARCH-PROBE line=<n> machine=$(uname -m)" && …`, same line, so line numbers do not
 * move). `uname -m` reports the machine the step's processes see — the emulated one under QEMU —
 * so the build log says, per Dockerfile line, where the step ran. A step BuildKit never lists did
 * not run (stage not needed for the target). A step that is CACHED prints nothing, so the machine
 * each executed step reported is recorded per build definition and reused; a cached step without
 * a record triggers a --no-cache rebuild. MULTIARCH_BUILDKIT_COLD=1 forces --no-cache builds
 * (cold timings, every step observed afresh).
 */
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { analyzeDockerfile, type DockerfileAnalysis } from "../../modules/toolchains/dockerfile/index.js"
import { targetOf } from "../../modules/core/platform.js"
import { hasCommand, rungAvailable } from "../support/rung.js"

const ROOT = resolve(__dirname, "../..")
const FIXTURES = join(ROOT, "test/fixtures")
const OUT = join(ROOT, "test/.out/buildkit")
const SETUP = join(ROOT, "test/setup/buildkit.sh")
const DOCKER = "/usr/bin/docker" // the 20.10 CLI: /usr/local/bin/docker (28.x) has no BuildKit `build` here
const CACHE = process.env.MULTIARCH_TEST_CACHE ?? "/var/cache/multiarch-test"
const RECORDS = join(CACHE, "probe-records")
const COLD = process.env.MULTIARCH_BUILDKIT_COLD === "1"
const PLATFORMS = ["linux/amd64", "linux/arm64"]
const PROBE = "MULTIARCH-PROBE"

// ---------------------------------------------------------------------------------------------
// Helpers (pure, unit-tested below without Docker)

export interface Vertex {
  id: number
  name: string
  digest?: string
  cached: boolean
  output: string[]
  seconds?: number
  error?: string
}

/** Parse `docker build --progress plain` output (BuildKit's plain progress) into vertices. */
export function parsePlainProgress(log: string): Vertex[] {
  const byId = new Map<number, Vertex>()
  for (const line of log.split(/\r?\n/)) {
    const m = /^#(\d+) (.*)$/.exec(line)
    if (!m) continue
    const id = Number(m[1])
    const rest = m[2]
    let v = byId.get(id)
    if (!v) {
      v = { id, name: "", cached: false, output: [] }
      byId.set(id, v)
    }
    let x: RegExpExecArray | null
    if ((x = /^sha256:([0-9a-f]{64})$/.exec(rest))) v.digest = x[1]
    else if (rest === "CACHED") v.cached = true
    else if ((x = /^DONE (\d+(?:\.\d+)?)s$/.exec(rest))) v.seconds = Number(x[1])
    else if ((x = /^ERROR: (.*)$/.exec(rest))) v.error = x[1]
    else if ((x = /^(\d+\.\d+) (.*)$/.exec(rest))) v.output.push(x[2])
    else if (!v.name) v.name = rest
  }
  return [...byId.values()]
}

export interface ProbeHit {
  line: number
  /** Stage label BuildKit shows: `[<label> n/m] RUN …`; undefined when it shows none (one stage). */
  stage?: string
  machine?: string
  cached: boolean
  seconds?: number
  digest?: string
}

/** The probes found in a build's vertices, by Dockerfile line. */
export function probeHits(vertices: Vertex[]): Map<number, ProbeHit> {
  const out = new Map<number, ProbeHit>()
  for (const v of vertices) {
    // single-stage builds carry no stage label: `[2/4] RUN …`
    const m = new RegExp(`^\\[(?:(\\S+) )?\\d+/\\d+\\] RUN .*${PROBE} line=(\\d+) `).exec(v.name)
    if (!m) continue
    const line = Number(m[2])
    const said = v.output.map((o) => new RegExp(`${PROBE} line=${line} machine=(\\S+)`).exec(o)).find(Boolean)
    out.set(line, { line, stage: m[1], machine: said?.[1], cached: v.cached, seconds: v.seconds, digest: v.digest })
  }
  return out
}

/** Prepend the probe to every shell-form RUN the analysis found (on the RUN's own line). */
export function instrument(text: string, analysis: DockerfileAnalysis): string {
  const lines = text.split("\n")
  for (const s of analysis.stages)
    for (const r of s.runs) {
      if (r.form !== "shell") throw new Error(`line ${r.line}: exec-form RUN cannot be probed; fixtures use shell form`)
      const i = r.line - 1
      const m = /^(\s*RUN\s+(?:--\S+\s+)*)([\s\S]*)$/i.exec(lines[i])
      if (!m) throw new Error(`line ${r.line} is not a RUN line: ${lines[i]}`)
      lines[i] = `${m[1]}echo "${PROBE} line=${r.line} machine=$(uname -m)" && ${m[2]}`
    }
  return lines.join("\n")
}

// ---------------------------------------------------------------------------------------------
// Unit tests of the helpers (no Docker)

describe("BuildKit log helpers", () => {
  const log = [
    "#5 [builder 4/6] RUN echo \"MULTIARCH-PROBE line=12 machine=$(uname -m)\" && go build -o /app/server .",
    "#5 sha256:adc53599a4e278eb36113894c22753d65c28655225a38fc567c62ae453cdcdc4",
    "#5 0.157 MULTIARCH-PROBE line=12 machine=x86_64",
    "#5 DONE 9.2s",
    "",
    "#7 [stage-1 2/3] RUN echo \"MULTIARCH-PROBE line=17 machine=$(uname -m)\" && echo hi",
    "#7 sha256:c1681db0e8b04a5d4105a0e81915dac6df36626dc7d234c7f3920b2838b6c71e",
    "#7 CACHED",
    "#9 [stage-1 3/3] RUN echo \"MULTIARCH-PROBE line=19 machine=$(uname -m)\" && false",
    "#9 sha256:0000000000000000000000000000000000000000000000000000000000000000",
    "#9 0.200 MULTIARCH-PROBE line=19 machine=aarch64",
    "#9 ERROR: executor failed running [/bin/sh -c false]: exit code: 1",
    "#11 [4/5] RUN echo \"MULTIARCH-PROBE line=10 machine=$(uname -m)\" && go build .",
    "#11 sha256:1111111111111111111111111111111111111111111111111111111111111111",
    "#11 0.239 MULTIARCH-PROBE line=10 machine=aarch64",
    "#11 DONE 82.1s",
  ].join("\n")

  it("parses names, digests, outputs, CACHED, DONE and ERROR", () => {
    const v = parsePlainProgress(log)
    expect(v.map((x) => x.id)).toEqual([5, 7, 9, 11])
    expect(v[0]).toMatchObject({ seconds: 9.2, cached: false, output: ["MULTIARCH-PROBE line=12 machine=x86_64"] })
    expect(v[0].digest).toMatch(/^adc5/)
    expect(v[1].cached).toBe(true)
    expect(v[2].error).toMatch(/exit code: 1/)
  })

  it("maps probes to lines, stages and machines", () => {
    const h = probeHits(parsePlainProgress(log))
    expect([...h.keys()]).toEqual([12, 17, 19, 10])
    expect(h.get(12)).toMatchObject({ stage: "builder", machine: "x86_64", cached: false })
    expect(h.get(17)).toMatchObject({ stage: "stage-1", machine: undefined, cached: true })
    expect(h.get(19)).toMatchObject({ machine: "aarch64" })
    // a single-stage file: BuildKit shows no stage label
    expect(h.get(10)).toMatchObject({ stage: undefined, machine: "aarch64", seconds: 82.1 })
  })

  it("instruments every RUN on its own line, keeping flags first and line numbers unchanged", () => {
    const text = "FROM a AS b\nRUN --mount=type=cache,target=/c go build \\\n  -o x .\nFROM b\nRUN \\\n  echo hi\n"
    const a = analyzeDockerfile(text, { targetPlatform: "linux/arm64", nativePlatform: "linux/amd64" })
    const out = instrument(text, a)
    expect(out.split("\n")).toHaveLength(text.split("\n").length)
    expect(out.split("\n")[1]).toBe(`RUN --mount=type=cache,target=/c echo "${PROBE} line=2 machine=$(uname -m)" && go build \\`)
    const again = analyzeDockerfile(out, { targetPlatform: "linux/arm64", nativePlatform: "linux/amd64" })
    expect(again.stages.flatMap((s) => s.runs.map((r) => r.line))).toEqual([2, 5])
    expect(again.stages[0].runs[0].mounts).toEqual([{ type: "cache", target: "/c" }])
    expect(again.stages.flatMap((s) => s.runs.map((r) => r.command.startsWith(`echo "${PROBE}`)))).toEqual([true, true])
  })
})

// ---------------------------------------------------------------------------------------------
// The rung

const ready = rungAvailable("BuildKit (docker.io 20.10)", {
  root: process.getuid?.() === 0,
  "docker 20.10 CLI /usr/bin/docker (docker.io)": existsSync(DOCKER),
  "dockerd (docker.io)": existsSync("/usr/sbin/dockerd"),
  "debootstrap": hasCommand("debootstrap"),
  "qemu-aarch64-static (qemu-user-static)": hasCommand("qemu-aarch64-static"),
  "update-binfmts (binfmt-support)": hasCommand("update-binfmts"),
})

interface ShResult {
  status: number | null
  stdout: string
  stderr: string
  seconds: number
}

/** Run a command without blocking the event loop (a blocked vitest worker loses its RPC channel). */
function sh(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<ShResult> {
  const t0 = performance.now()
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on("data", (d: Buffer) => out.push(d))
    child.stderr.on("data", (d: Buffer) => err.push(d))
    // the child's own pid only: never a process group or a name
    const timer = setTimeout(() => child.kill("SIGTERM"), opts.timeout ?? 900_000)
    const finish = (status: number | null, extra = "") => {
      clearTimeout(timer)
      resolvePromise({
        status,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8") + extra,
        seconds: (performance.now() - t0) / 1000,
      })
    }
    child.on("error", (e) => finish(null, String(e)))
    child.on("close", (code) => finish(code))
  })
}

interface Case {
  id: string
  fixture: string
  dockerfile: string
  target?: string
  platforms: string[]
  /** Check the image's default command output for `platform`. */
  check: (platform: string, run: ShResult, a: DockerfileAnalysis) => void
}

const goarch = (p: string) => targetOf(p).go.GOARCH
const march = (p: string) => targetOf(p).march

const CASES: Case[] = [
  {
    id: "go (cross via BUILDPLATFORM)",
    fixture: "dockerfile-go",
    dockerfile: "Dockerfile",
    platforms: PLATFORMS,
    check: (p, r) => {
      expect(r.status).toBe(0)
      expect(r.stdout).toContain(`dockerfile-go: GOOS=linux GOARCH=${goarch(p)}`)
    },
  },
  {
    id: "plain (emulated)",
    fixture: "dockerfile-plain",
    dockerfile: "Dockerfile",
    platforms: PLATFORMS,
    check: (p, r) => {
      expect(r.status).toBe(0)
      expect(r.stdout).toContain(`dockerfile-plain: GOOS=linux GOARCH=${goarch(p)}`)
    },
  },
  {
    id: "node (native addon built in the target stage)",
    fixture: "dockerfile-node",
    dockerfile: "Dockerfile",
    platforms: PLATFORMS,
    check: (p, r, a) => {
      expect(r.status).toBe(0)
      expect(r.stdout).toContain(`process.arch=${p === "linux/amd64" ? "x64" : goarch(p)} uname=${march(p)} addon built=${march(p)} machine=${march(p)}`)
      expect(a.findings.filter((f) => f.kind === "native-output-copied")).toEqual([])
    },
  },
  {
    id: "node trap (guide: node_modules from $BUILDPLATFORM)",
    fixture: "dockerfile-node",
    dockerfile: "Dockerfile.trap",
    platforms: PLATFORMS,
    check: (p, r, a) => {
      const trap = a.findings.filter((f) => f.kind === "native-output-copied")
      if (targetOf(p).arch === targetOf(NATIVE).arch) {
        // native target: the trap is invisible, the image works and nothing is flagged
        expect(trap).toEqual([])
        expect(r.status).toBe(0)
        expect(r.stdout).toContain(`addon built=${march(p)}`)
      } else {
        // foreign target: the analyser flags the COPY of node_modules, and the image really is broken
        expect(trap.map((f) => f.line)).toEqual([16])
        expect(r.status).toBe(2)
        expect(r.stdout).toContain(`process.arch=${goarch(p)} uname=${march(p)} addon=FAILED`)
      }
    },
  },
  {
    id: "multistage --target release",
    fixture: "dockerfile-multistage",
    dockerfile: "Dockerfile",
    target: "release",
    platforms: PLATFORMS,
    check: (p, r) => {
      expect(r.status).toBe(0)
      expect(r.stdout).toContain(`assets for ${p}, generated on ${march(NATIVE)}`)
      expect(r.stdout).toContain(`release running on ${march(p)}, base prepared on ${march(p)}`)
    },
  },
  {
    id: "multistage --target test",
    fixture: "dockerfile-multistage",
    dockerfile: "Dockerfile",
    target: "test",
    platforms: ["linux/arm64"],
    check: () => {},
  },
]

let NATIVE = "linux/amd64"
let startedDaemon = false
const setupTimings: Record<string, number> = {}
interface Row {
  case: string
  platform: string
  buildSeconds: number
  noCacheRebuild: boolean
  runs: { line: number; stage: string; predicted: "native" | "emulated"; machine?: string; cached: boolean; seconds?: number; kind: string; heavy: boolean }[]
  skippedStages: string[]
  output: string
}
const rows: Row[] = []

describe.skipIf(!ready)("real BuildKit: Dockerfile fixtures per platform", () => {
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true })
    mkdirSync(RECORDS, { recursive: true })
    const already = (await sh(DOCKER, ["info"], { timeout: 20_000 })).status === 0
    const r = await sh("bash", [SETUP, "start"], { timeout: 1_500_000 })
    writeFileSync(join(OUT, "setup.log"), r.stdout + r.stderr)
    if (r.status !== 0) throw new Error(`test/setup/buildkit.sh start failed:\n${(r.stdout + r.stderr).slice(-4000)}`)
    startedDaemon = !already && /^DOCKERD started/m.test(r.stdout)
    for (const m of r.stdout.matchAll(/^TIMING (\S+) ([\d.]+)$/gm)) setupTimings[m[1]] = Number(m[2])
    const v = await sh(DOCKER, ["version", "--format", "{{.Server.Os}}/{{.Server.Arch}}"])
    expect(v.status).toBe(0)
    NATIVE = targetOf(v.stdout.trim()).platform
  }, 1_500_000)

  afterAll(async () => {
    const summary = { native: NATIVE, cold: COLD, setupTimings, rows }
    if (rows.length) writeFileSync(join(OUT, "summary.json"), JSON.stringify(summary, null, 2))
    const lines = rows.map((r) => {
      const em = r.runs.filter((x) => x.predicted === "emulated")
      const fmt = (xs: Row["runs"]) => xs.map((x) => `L${x.line}${x.cached ? "(cached)" : ` ${x.seconds ?? "?"}s`}`).join(" ")
      return `  ${r.case.padEnd(48)} ${r.platform.padEnd(12)} build ${r.buildSeconds.toFixed(1)}s  native: ${fmt(r.runs.filter((x) => x.predicted === "native")) || "-"}  emulated: ${fmt(em) || "-"}${r.skippedStages.length ? `  skipped: ${r.skippedStages.join(",")}` : ""}`
    })
    if (lines.length) console.log(`BuildKit rung (native ${NATIVE}${COLD ? ", --no-cache" : ""}):\n${lines.join("\n")}`)
    if (startedDaemon) {
      const r = await sh("bash", [SETUP, "stop"], { timeout: 60_000 })
      if (r.status !== 0) console.warn(`buildkit.sh stop failed: ${r.stderr}`)
    }
  }, 120_000)

  for (const c of CASES)
    for (const platform of c.platforms) {
      it(`${c.id} for ${platform}: image runs as ${platform}, emulated RUN steps match the analyser`, async () => {
        const dir = join(FIXTURES, c.fixture)
        const original = readFileSync(join(dir, c.dockerfile), "utf8")
        const a = analyzeDockerfile(original, { targetPlatform: platform, nativePlatform: NATIVE, target: c.target, dockerfile: c.dockerfile })
        const probed = instrument(original, a)
        const slug = `${c.fixture}-${c.dockerfile.replace(/\W/g, "_")}-${c.target ?? "last"}-${platform.replace(/\//g, "-")}`
        const probedPath = join(OUT, `${slug}.Dockerfile`)
        writeFileSync(probedPath, probed)
        const tag = `multiarch-test/${slug.toLowerCase()}:latest`

        const build = async (noCache: boolean) => {
          const args = ["build", "--platform", platform, "--progress", "plain", "-f", probedPath, "-t", tag]
          if (c.target) args.push("--target", c.target)
          if (noCache) args.push("--no-cache")
          args.push(dir)
          const r = await sh(DOCKER, args, { env: { DOCKER_BUILDKIT: "1" } })
          writeFileSync(join(OUT, `${slug}.build.log`), r.stdout + r.stderr)
          if (r.status !== 0) throw new Error(`docker build failed (${slug}):\n${(r.stdout + r.stderr).slice(-4000)}`)
          return { ...r, hits: probeHits(parsePlainProgress(r.stdout + r.stderr)) }
        }

        // Cached steps print nothing. What a step reported when it last executed is recorded per
        // build definition (probed Dockerfile text, platform, target, engine platform): a cached step
        // is, by definition, that same step on the same stage image. (BuildKit's vertex digests cannot
        // serve as the key: a --no-cache build prints other digests for the same steps.)
        const recordPath = join(RECORDS, createHash("sha256").update(JSON.stringify({ probed, platform, target: c.target ?? "", native: NATIVE })).digest("hex") + ".json")
        const record: Record<string, string> = existsSync(recordPath) ? JSON.parse(readFileSync(recordPath, "utf8")) : {}
        let b = await build(COLD)
        let rebuilt = COLD
        for (const h of b.hits.values()) if (h.cached) h.machine = record[h.line]
        if ([...b.hits.values()].some((h) => h.machine === undefined)) {
          b = await build(true)
          rebuilt = true
        }
        for (const h of b.hits.values()) if (!h.cached && h.machine) record[h.line] = h.machine
        writeFileSync(recordPath, JSON.stringify(record, null, 2))

        // 1. the image is recorded as the platform and its processes see that machine
        const inspect = await sh(DOCKER, ["image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", tag])
        expect(inspect.stdout.trim()).toBe(`${targetOf(platform).os}/${targetOf(platform).arch}`)
        const uname = await sh(DOCKER, ["run", "--rm", "--pull", "never", "--platform", platform, "--entrypoint", "uname", tag, "-m"])
        expect(uname.stderr).not.toMatch(/Unable to find image/)
        expect(uname.stdout.trim()).toBe(march(platform))
        const run = await sh(DOCKER, ["run", "--rm", "--pull", "never", "--platform", platform, tag])
        c.check(platform, run, a)

        // 2. prediction vs BuildKit, per RUN line
        const nativeMachine = march(NATIVE)
        const predicted: { line: number; stage: string; emulated: boolean }[] = []
        const observed: { line: number; stage: string; emulated: boolean }[] = []
        for (const s of a.stages)
          for (const r of s.runs) {
            const h = b.hits.get(r.line)
            if (!s.needed) {
              // BuildKit must not even list steps of stages the target does not need
              expect(h, `line ${r.line} (stage ${s.label}) is not needed for ${a.target} but BuildKit ran it`).toBeUndefined()
              continue
            }
            expect(h, `line ${r.line} (stage ${s.label}) is needed but BuildKit did not run it`).toBeDefined()
            expect(h!.machine, `line ${r.line}: no machine reported`).toBeDefined()
            predicted.push({ line: r.line, stage: s.label, emulated: r.emulated })
            // BuildKit labels steps with the stage name, or `stage-<n>`, and with nothing in a single-stage file
            observed.push({ line: r.line, stage: h!.stage ?? (a.stages.length === 1 ? s.label : "?"), emulated: h!.machine !== nativeMachine })
            // an emulated step sees the target's machine, a native one the engine's
            expect(h!.machine).toBe(r.emulated ? march(s.platform) : nativeMachine)
          }
        expect(observed).toEqual(predicted)
        expect(b.hits.size).toBe(predicted.length)

        rows.push({
          case: c.id,
          platform,
          buildSeconds: b.seconds,
          noCacheRebuild: rebuilt,
          runs: a.stages
            .filter((s) => s.needed)
            .flatMap((s) =>
              s.runs.map((r) => {
                const h = b.hits.get(r.line)!
                return { line: r.line, stage: s.label, predicted: r.emulated ? ("emulated" as const) : ("native" as const), machine: h.machine, cached: h.cached, seconds: h.seconds, kind: r.kind, heavy: r.heavy }
              }),
            ),
          skippedStages: a.stages.filter((s) => !s.needed).map((s) => s.label),
          output: run.stdout.trim(),
        })
      }, 1_200_000)
    }
})
