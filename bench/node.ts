/**
 * Section 6 (issue 17): the Node fixture's production install — natively, cross-installed by the
 * plan, and under QEMU — side by side, warm npm cache, fresh tree per sample.
 *
 *  - native       `npm ci --omit=dev --install-links` on amd64 with its scripts (what a buildx
 *                 user's `RUN npm ci` does on the build platform);
 *  - cross <p>    the plan's install stage for <p> (test/support/hostplan.ts runStageOnHost: npm ci
 *                 --os/--cpu/--libc --ignore-scripts --install-links, classify, npm rebuild with the
 *                 target env and Debian's cross g++, the ELF and platform checks); host env as in
 *                 test/real/node.test.ts (HOST_ENV: the official headers of this host's node,
 *                 unpacked by test/setup/node.sh);
 *  - emulated     (only with --node-emulated: 45 min on 2 cores with the fixture's former
 *                 better-sqlite3, not timed since it was dropped) the same `npm ci --omit=dev
 *                 --install-links` run by the official arm64 node 20.20.2 under qemu-user, in the
 *                 arm64 build root of test/setup/node.sh (bookworm's g++/make/python3, the host's
 *                 npm), through a private mount namespace + chroot — what `RUN npm ci` does in an
 *                 emulated buildx stage.
 * Every sample starts from the shared build's output (the app with dist/, no node_modules) and a
 * npm cache warmed with every platform's tarballs. Wall time and CPU time (user + sys of the
 * sample's processes) are recorded with the 1-min load when the sample started.
 */
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs"
import { getPriority } from "node:os"
import { join } from "node:path"
import { factsOf } from "../test/support/facts.js"
import { run, runStageOnHost } from "../test/support/hostplan.js"
import { planNode } from "../test/support/plans.js"
import { childrenCpuMs } from "./compile.js"
import { CACHE_ROOT, BENCH_CACHE, load1, loadNow, log, ratio, ROOT, sec, stats, table } from "./lib.js"

const FIXTURE = join(ROOT, "test/fixtures/node-app")
const WORK = `${BENCH_CACHE}/node`
const CACHE = `${WORK}/caches`
/** The arm64 build root test/setup/node.sh build-root makes. */
export const NODE_BUILD_ROOT = `${CACHE_ROOT}/node/build-root-arm64`
const HOST_ENV = { npm_config_nodedir: `${CACHE_ROOT}/node/host-node` }
export const NODE_CROSS = ["linux/amd64", "linux/arm64", "linux/arm/v7"]

export interface NodeSample {
  job: string
  run: number
  ok: boolean
  error?: string
  ms: number
  cpuMs: number
  load: number
  steps?: Record<string, number>
}

export interface NodeBenchResult {
  samples: NodeSample[]
  jobs: string[]
  loadStart: string
  loadEnd: string
  startedAt: string
  durationMs: number
  emulated: boolean
  emulatedSkip?: string
  npmVersion: string
  nodeVersion: string
  /** The bench process's niceness (os.getPriority), when not 0. */
  nice?: number
}

const plans = () => planNode(NODE_CROSS, {}, factsOf(FIXTURE), "linux/amd64")

function fresh(dir: string, shared: string): void {
  rmSync(dir, { recursive: true, force: true })
  cpSync(shared, dir, { recursive: true, filter: (s) => !s.startsWith(join(shared, "node_modules")) })
}

const npmCacheDir = `${CACHE}/multiarch-npm-cache`
const baseEnv = () => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", npm_config_cache: npmCacheDir, ...HOST_ENV })

/** Why the emulated sample cannot run here, or undefined. */
export function nodeEmulationUnavailable(): string | undefined {
  if (!existsSync(join(NODE_BUILD_ROOT, ".multiarch-node-root"))) return `no arm64 build root at ${NODE_BUILD_ROOT}: run test/setup/node.sh build-root`
  if (!existsSync("/proc/sys/fs/binfmt_misc/qemu-aarch64")) return "the qemu-aarch64 binfmt handler is not registered (test/setup/node.sh install)"
  return undefined
}

/** `npm ci` in the arm64 build root: WORK bind-mounted at the same path, /proc mounted, chroot, run as root. */
function emulatedArgv(app: string): string[] {
  const script =
    'r=$0; w=$1; a=$2; /bin/mkdir -p "$r$w" && /bin/mount --bind "$w" "$r$w" && /bin/mount -t proc proc "$r/proc" && ' +
    `exec /usr/sbin/chroot "$r" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root npm_config_cache=${npmCacheDir} npm_config_nodedir=/usr/local /bin/sh -c 'cd "$0" && exec npm ci --omit=dev --install-links --no-audit --no-fund' "$a"`
  return ["/usr/bin/unshare", "--mount", "--propagation", "private", "sh", "-c", script, NODE_BUILD_ROOT, WORK, app]
}

export async function runNodeBench(o: { runs: number; emulated: boolean }): Promise<NodeBenchResult> {
  const t0 = performance.now()
  const loadStart = loadNow()
  const startedAt = new Date().toISOString()
  const ps = plans()
  const shared = `${WORK}/shared`
  mkdirSync(WORK, { recursive: true })
  // the shared build once (not timed): the app with dist/, the input of every sample
  log("node: shared build (npm ci + npm run build, once; not timed)")
  rmSync(shared, { recursive: true, force: true })
  cpSync(FIXTURE, shared, { recursive: true, filter: (s) => !/[/\\]node_modules([/\\]|$)/.test(s) })
  const sb = await runStageOnHost(ps[0].shared!, { src: shared, caches: CACHE }, HOST_ENV)
  if (sb.some((s) => s.status !== 0)) throw new Error(`node: the shared build failed: ${sb.at(-1)!.stderr.slice(-1000)}`)
  // warm the npm cache with every platform's packages (not timed)
  for (const p of ps) {
    const d = `${WORK}/warm`
    fresh(d, shared)
    await runStageOnHost({ ...p.stages[0], steps: p.stages[0].steps.filter((s) => s.name === "npm ci") }, { src: d, caches: CACHE }, HOST_ENV)
  }
  const emulatedSkip = o.emulated ? nodeEmulationUnavailable() : "not requested (--node-emulated)"
  const jobs = ["native", ...NODE_CROSS.map((p) => `cross ${p}`), ...(o.emulated && !emulatedSkip ? ["emulated linux/arm64"] : [])]
  const samples: NodeSample[] = []
  for (let r = 0; r < o.runs; r++) {
    const order = r % 2 ? [...jobs].reverse() : jobs
    for (const job of order) {
      const dir = `${WORK}/${job.replace(/[ /]/g, "-")}`
      fresh(dir, shared)
      log(`node run ${r + 1}/${o.runs}: ${job} (load ${load1().toFixed(1)})`)
      const s: NodeSample = { job, run: r, ok: false, ms: 0, cpuMs: 0, load: load1() }
      const cpu0 = childrenCpuMs()
      const w0 = performance.now()
      if (job === "native") {
        const res = await run(["npm", "ci", "--omit=dev", "--install-links", "--no-audit", "--no-fund"], { cwd: dir, env: baseEnv(), timeoutMs: 60 * 60_000 })
        s.ok = res.status === 0
        if (!s.ok) s.error = res.stderr.slice(-500)
      } else if (job.startsWith("cross ")) {
        const plan = ps.find((p) => p.platform === job.slice(6))!
        const steps = await runStageOnHost(plan.stages[0], { src: dir, caches: CACHE }, HOST_ENV)
        s.steps = Object.fromEntries(steps.map((x) => [x.step, x.ms]))
        s.ok = steps.length === plan.stages[0].steps.length && steps.every((x) => x.status === 0)
        if (!s.ok) s.error = steps.at(-1)?.stderr.slice(-500)
      } else {
        const res = await run(emulatedArgv(dir), { env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" }, timeoutMs: 4 * 60 * 60_000 })
        s.ok = res.status === 0
        if (!s.ok) s.error = (res.stderr || res.stdout).slice(-500)
      }
      s.ms = performance.now() - w0
      s.cpuMs = childrenCpuMs() - cpu0
      samples.push(s)
      log(s.ok ? `  ${sec(s.ms)} s (cpu ${sec(s.cpuMs)} s)` : `  FAILED: ${s.error}`)
    }
  }
  return {
    samples,
    jobs,
    loadStart,
    loadEnd: loadNow(),
    startedAt,
    durationMs: performance.now() - t0,
    emulated: o.emulated && !emulatedSkip,
    ...(emulatedSkip ? { emulatedSkip } : {}),
    npmVersion: (await run(["npm", "--version"], { env: baseEnv() })).stdout.trim(),
    nodeVersion: process.version,
    ...(getPriority() !== 0 ? { nice: getPriority() } : {}),
  }
}

export const NODE_BLOCK_START = "<!-- node-bench:start (bench/node.ts; `npm run bench -- --sections node` rewrites only this block) -->"
export const NODE_BLOCK_END = "<!-- node-bench:end -->"

/** The Markdown block of section 6. */
export function renderNodeSection(res: NodeBenchResult): string {
  const L: string[] = [NODE_BLOCK_START, "", "## 6. Node: npm ci of the node-app fixture natively, cross-installed, and under QEMU", ""]
  L.push(
    `Measured ${res.startedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC")} (${(res.durationMs / 60000).toFixed(1)} min) by bench/node.ts; host node ${res.nodeVersion}, npm ${res.npmVersion}` +
      (res.nice ? `; the bench ran at **nice ${res.nice}** beside other work, so its wall times stretch with the load far more than its CPU times` : "") +
      ". " +
      `Load average (1/5/15 min) **${res.loadStart}** at the start, **${res.loadEnd}** at the end, on 2 cores shared with other engineers' work: read CPU time and the ratios, not absolute wall times. ` +
      "Warm npm cache, fresh tree per sample, the shared build's output (with dist/) as the start of each.",
    "",
  )
  const by = (job: string) => res.samples.filter((s) => s.job === job && s.ok)
  const med = (job: string, k: "ms" | "cpuMs") => stats(by(job).map((s) => s[k])).median
  const rows = res.jobs.map((j) => {
    const n = by(j).length
    return [
      j,
      j === "native" ? "`npm ci --omit=dev --install-links` (scripts on, x86-64)" : j.startsWith("cross") ? "the plan's install stage (npm ci --os/--cpu/--libc --ignore-scripts, classify, npm rebuild with the cross g++, checks)" : "`npm ci --omit=dev --install-links` by arm64 node 20.20.2 under qemu-user (chroot, bookworm g++ 12)",
      `${n}`,
      sec(med(j, "ms")),
      sec(med(j, "cpuMs")),
      j === "native" ? "1" : ratio(med(j, "ms"), med("native", "ms")),
      j === "native" ? "1" : ratio(med(j, "cpuMs"), med("native", "cpuMs")),
    ]
  })
  L.push(table(["job", "what runs", "samples", "wall s (median)", "CPU s (median)", "wall / native", "CPU / native"], rows), "")
  if (res.emulated) {
    const e = "emulated linux/arm64", c = "cross linux/arm64"
    L.push(`**Emulated vs cross-installed, linux/arm64: ${ratio(med(e, "ms"), med(c, "ms"), 1)}× wall, ${ratio(med(e, "cpuMs"), med(c, "cpuMs"), 1)}× CPU.**`, "")
  } else {
    L.push(`Emulated sample: ${res.emulatedSkip}. Run \`test/setup/node.sh build-root\` and \`npm run bench -- --sections node --node-emulated\` to measure it side by side here.`, "")
  }
  L.push(
    "Earlier, not by this bench: issue 17's phase 1 measured the fixture as it was then, **with better-sqlite3** (dropped from it later that day; compiling its SQLite was nearly all of the time), **on 2026-12-01 before 10:23 UTC** " +
      "(npm 11.19.1, node 20 ABI; the emulated run by Debian trixie's arm64 node and gcc 14 in a debootstrapped chroot; load average 4–17): native `npm ci` 137 s wall / 80 s CPU, cross-installed linux/arm64 267 s / 98 s, " +
      "emulated linux/arm64 **2 701 s wall, 1 728 s user CPU**: ≈10× wall, ≈18× CPU of the cross-install — a native addon that compiles much C makes emulation far costlier than this fixture's.",
    "",
  )
  const cross = res.samples.filter((s) => s.ok && s.steps)
  if (cross.length) {
    L.push("Cross-install steps (median seconds per step):", "")
    const names = [...new Set(cross.flatMap((s) => Object.keys(s.steps!)))]
    L.push(table(["job", ...names], NODE_CROSS.map((p) => [`cross ${p}`, ...names.map((n) => sec(stats(by(`cross ${p}`).map((s) => s.steps![n] ?? NaN)).median))])), "")
  }
  L.push("Raw samples:", "")
  L.push(table(["job", "run", "ok", "wall s", "CPU s", "1-min load at start"], res.samples.map((s) => [s.job, String(s.run + 1), s.ok ? "yes" : `no: ${(s.error ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ").slice(0, 200)}`, sec(s.ms), sec(s.cpuMs), s.load.toFixed(1)])), "")
  L.push(NODE_BLOCK_END)
  return L.join("\n")
}

/** Put `block` into `md` in place of its previous node block (or at the end). */
export function withNodeBlock(md: string, block: string): string {
  const i = md.indexOf(NODE_BLOCK_START)
  const j = md.indexOf(NODE_BLOCK_END)
  if (i >= 0 && j > i) return md.slice(0, i) + block + md.slice(j + NODE_BLOCK_END.length)
  return md.replace(/\s*$/, "\n\n") + block + "\n"
}

/** The node block of an existing report, if any. */
export function nodeBlockOf(md: string): string | undefined {
  const i = md.indexOf(NODE_BLOCK_START)
  const j = md.indexOf(NODE_BLOCK_END)
  return i >= 0 && j > i ? md.slice(i, j + NODE_BLOCK_END.length) : undefined
}
