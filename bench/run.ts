/**
 * `npm run bench` (= `tsx bench/run.ts`): the benchmarks of issue #8. Prints and writes
 * bench/RESULTS.md. Needs root and bench/setup.sh (see --help).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { relative, resolve } from "node:path"
import { makeJobs, runCompileJobs, WORK, type Job, type Lang, type Sample } from "./compile.js"
import { PLATFORM_SETS, runConcurrency, ADDRESS, FIXTURE, type ConcSample } from "./concurrency.js"
import { ARM64_ROOT, emulationUnavailable } from "./emulated.js"
import { log, loadNow, machineFacts, ROOT, out } from "./lib.js"
import { nodeBlockOf, renderNodeSection, runNodeBench, withNodeBlock, type NodeBenchResult } from "./node.js"
import { renderReport } from "./report.js"
import { REAL_PLATFORMS, runReal, type RealLang, type RealResult, type Way } from "./real.js"
import { measureOverhead, type OverheadResult } from "./overhead.js"

const HELP = `usage: npm run bench -- [options]      (or: npx tsx bench/run.ts [options]; as root)

  --sections LIST   any of cross,concurrency,warm,real,overhead,node (default: all)
                    real:  the real-sized fixtures (bench/fixtures.ts: go-service, rust-service),
                           four platforms: (a) multiarch's plans vs (b) the conventional Dockerfile
                           through BuildKit + QEMU vs (c) the cross-pattern Dockerfile; then warm
                           rebuilds of (a) (one-line change, dependency bump). Needs dockerd
                           (test/setup/buildkit.sh start) and bench/images.sh
                    overhead: module call overhead, entrypoint start → first engine query
                    node:  the Node fixture's npm ci: native amd64 vs the plan's cross-install
                           for arm64/arm-v7 (vs emulated arm64 with --node-emulated)
                    cross: cold builds, native amd64 vs cross arm64/arm-v7/riscv64 vs emulated arm64
                    warm:  a rebuild after a one-line change with the per-target caches kept (after
                           each cold build; adds the rust-cc fixture)
                    concurrency: build+publish through the recording engine for 1,2,4,6 platforms
                    node:  npm ci of the Node fixture natively vs the plan's cross-install for
                           amd64/arm64/arm-v7 (vs under QEMU with --node-emulated); written as its
                           own block of RESULTS.md (--sections node rewrites only that block)
  --runs N          cold/warm runs of every Go native and cross job (default 3)
  --rust-runs N     the same for the Rust jobs (default 7: sub-second builds, cheap runs)
  --emu-runs N      runs of the emulated jobs (default 3; each Go run takes 1–2 min)
  --conc-runs N     runs of every platform count and latency (default 3)
  --latency MS      per-query latency of the recording engine (default 30)
  --counts LIST     platform counts (default 1,2,4,6)
  --langs LIST      go,rust (default both)
  --real-runs N     runs of each of (a), (b), (c) in the real section (default 1)
  --real-ways LIST  any of a,b,c (default a,b,c)
  --b-platforms LIST only these platforms in (b) (default: every platform with a toolchain image:
                    all four, go and rust)
  --cap-go S        cap of one (b) docker build of go-service, s (default 900; (c) gets 3×)
  --cap-rust S      the same for rust-service (default 1200)
  --real-deadline T (b)/(c) builds are capped so that they end by T (ISO time, e.g. 2026-12-01T16:30Z)
  --no-real-warm    skip the warm rebuilds of the real section
  --regenerate      regenerate the real fixtures (default: reuse them when their folders exist)
  --overhead-runs N samples of the module call overhead (default 5)
  --json FILE       also write the raw results as JSON (default bench/results.json)
  --from-json FILE  render the report from a JSON file of an earlier run (no measuring)
  --real-note TEXT  a note printed at the top of the real section (e.g. what was not run, and why)
  --overhead-note TEXT  a note printed in the overhead section (e.g. a before/after comparison)
  --node-runs N     samples of every Node job (default 1)
  --node-emulated   add the emulated arm64 npm ci (under QEMU; needs test/setup/node.sh build-root)
  --out FILE        where to write the report (default bench/RESULTS.md)
  --no-write        print only

Prerequisites: test/setup/go.sh and test/setup/rust.sh (host toolchains), bench/setup.sh (qemu binfmt
and the arm64 rootfs for the emulated builds), test/setup/node.sh (Node: cross g++, and build-root for
--node-emulated). Jobs whose tools are missing are listed as skipped.`

export interface Options {
  sections: Set<string>
  runs: number
  rustRuns: number
  emuRuns: number
  concRuns: number
  latencyMs: number
  counts: number[]
  langs: Lang[]
  nodeRuns: number
  nodeEmulated: boolean
  out: string
  write: boolean
  argv: string[]
  realRuns: number
  realWays: Way[]
  bPlatforms?: string[]
  deadlineMs?: number
  capGoS: number
  capRustS: number
  realWarm: boolean
  regenerate: boolean
  overheadRuns: number
  json: string
  fromJson?: string
  realNotes: string[]
  overheadNotes: string[]
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    sections: new Set(["cross", "concurrency", "warm", "real", "overhead", "node"]),
    runs: 3,
    rustRuns: 7,
    emuRuns: 3,
    concRuns: 3,
    latencyMs: 30,
    counts: [1, 2, 4, 6],
    langs: ["go", "rust"],
    nodeRuns: 1,
    nodeEmulated: false,
    out: resolve(ROOT, "bench/RESULTS.md"),
    write: true,
    argv,
    realRuns: 1,
    realWays: ["a", "b", "c"],
    capGoS: 900,
    capRustS: 1200,
    realWarm: true,
    regenerate: false,
    realNotes: [],
    overheadNotes: [],
    overheadRuns: 5,
    json: resolve(ROOT, "bench/results.json"),
  }
  const list = (v: string) => v.split(",").map((s) => s.trim()).filter(Boolean)
  const int = (name: string, v: string | undefined, min: number) => {
    const n = Number(v)
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} expects an integer ≥ ${min}, got ${v}`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2) as [string, string | undefined]
    const val = () => inline ?? argv[++i]
    switch (flag) {
      case "-h":
      case "--help":
        console.log(HELP)
        process.exit(0)
      case "--sections": {
        const s = list(val()).map((x) => (x === "compile" ? "cross" : x))
        for (const x of s) if (!["cross", "concurrency", "warm", "real", "overhead", "node"].includes(x)) throw new Error(`unknown section ${x} (cross, concurrency, warm, real, overhead, node)`)
        o.sections = new Set(s)
        break
      }
      case "--runs":
        o.runs = int(flag, val(), 1)
        break
      case "--rust-runs":
        o.rustRuns = int(flag, val(), 1)
        break
      case "--emu-runs":
        o.emuRuns = int(flag, val(), 0)
        break
      case "--conc-runs":
        o.concRuns = int(flag, val(), 1)
        break
      case "--latency":
        o.latencyMs = int(flag, val(), 1)
        break
      case "--counts": {
        o.counts = list(val()).map((x) => int(flag, x, 1))
        for (const n of o.counts) if (!PLATFORM_SETS[n]) throw new Error(`--counts: no platform set of ${n} (have ${Object.keys(PLATFORM_SETS).join(", ")})`)
        break
      }
      case "--langs": {
        const l = list(val())
        for (const x of l) if (x !== "go" && x !== "rust") throw new Error(`unknown language ${x} (go, rust)`)
        o.langs = l as Lang[]
        break
      }
      case "--node-runs":
        o.nodeRuns = int(flag, val(), 1)
        break
      case "--node-emulated":
        o.nodeEmulated = true
        break
      case "--out":
        o.out = resolve(process.cwd(), val())
        break
      case "--real-runs":
        o.realRuns = int(flag, val(), 1)
        break
      case "--real-ways": {
        const w = list(val())
        for (const x of w) if (!["a", "b", "c"].includes(x)) throw new Error(`--real-ways: unknown ${x} (a, b, c)`)
        o.realWays = w as Way[]
        break
      }
      case "--b-platforms": {
        const p = list(val())
        for (const x of p) if (!REAL_PLATFORMS.includes(x)) throw new Error(`--b-platforms: unknown ${x} (${REAL_PLATFORMS.join(", ")})`)
        o.bPlatforms = p
        break
      }
      case "--real-deadline": {
        const v = val()
        const t = Date.parse(v)
        if (!Number.isFinite(t)) throw new Error(`--real-deadline expects an ISO time (e.g. 2026-12-01T16:30Z), got ${v}`)
        o.deadlineMs = t
        break
      }
      case "--cap-go":
        o.capGoS = int(flag, val(), 10)
        break
      case "--cap-rust":
        o.capRustS = int(flag, val(), 10)
        break
      case "--real-note":
        o.realNotes.push(val())
        break
      case "--overhead-note":
        o.overheadNotes.push(val())
        break
      case "--regenerate":
        o.regenerate = true
        break
      case "--no-real-warm":
        o.realWarm = false
        break
      case "--overhead-runs":
        o.overheadRuns = int(flag, val(), 1)
        break
      case "--json":
        o.json = resolve(process.cwd(), val())
        break
      case "--from-json":
        o.fromJson = resolve(process.cwd(), val())
        break
      case "--no-write":
        o.write = false
        break
      default:
        throw new Error(`unknown option ${argv[i]}\n\n${HELP}`)
    }
  }
  return o
}

export interface ToolVersions {
  [k: string]: string
}

function toolVersions(emulated: boolean): ToolVersions {
  const first = (s: string) => s.split("\n")[0]
  const v: ToolVersions = {
    node: process.version,
    tsx: JSON.parse(readFileSync(resolve(ROOT, "node_modules/tsx/package.json"), "utf8")).version,
    "@dagger.io/dagger (SDK the module entrypoint runs)": JSON.parse(readFileSync(resolve(ROOT, "node_modules/@dagger.io/dagger/package.json"), "utf8")).version,
    "go (host)": out(["go", "version"]),
    "rustc (host, Debian rustc-web)": first(out(["/usr/bin/rustc", "--version"])),
    "cargo (host, Debian cargo-web)": first(out(["/usr/bin/cargo", "--version"])),
    "aarch64-linux-gnu-gcc": first(out(["aarch64-linux-gnu-gcc", "--version"])),
    "arm-linux-gnueabihf-gcc": first(out(["arm-linux-gnueabihf-gcc", "--version"])),
    "riscv64-linux-gnu-gcc": first(out(["riscv64-linux-gnu-gcc", "--version"])),
    "qemu-user-static": first(out(["qemu-aarch64-static", "--version"])),
    "binfmt qemu-aarch64": out(["sh", "-c", "tr '\\n' ' ' < /proc/sys/fs/binfmt_misc/qemu-aarch64"]),
  }
  if (emulated && !emulationUnavailable()) {
    const inRoot = (cmd: string) => first(out(["/usr/bin/unshare", "--mount", "--propagation", "private", "sh", "-c", `/bin/mount -t proc proc "$0/proc" && exec /usr/sbin/chroot "$0" /bin/sh -c "$1"`, ARM64_ROOT, cmd]))
    v["go (arm64 rootfs, under qemu)"] = inRoot("go version")
    v["rustc (arm64 rootfs, under qemu)"] = inRoot("rustc --version")
    v["gcc (arm64 rootfs, under qemu)"] = inRoot("gcc --version")
  }
  return v
}

export interface BenchResult {
  options: Options
  machine: ReturnType<typeof machineFacts>
  tools: ToolVersions
  loadStart: string
  loadEnd: string
  startedAt: string
  durationMs: number
  compile?: { jobs: Job[]; samples: Sample[]; loadStart: string; loadEnd: string; durationMs: number; work: string }
  concurrency?: { samples: ConcSample[]; warmupMs: number; loadStart: string; loadEnd: string; durationMs: number; fixture: string; address: string }
  real?: RealResult
  overhead?: OverheadResult
  node?: NodeBenchResult
}

/** Sets (the sections) as arrays in the JSON file. */
function jsonReplacer(_k: string, v: unknown): unknown {
  return v instanceof Set ? [...v] : v
}

/** The report with its Node block: this run's, else the one already in the report file (the Node section is its own block, so a run without it keeps it). */
function withNode(md: string, res: BenchResult, o: Options): string {
  const block = res.node ? renderNodeSection(res.node) : nodeBlockOf(existsSync(o.out) ? readFileSync(o.out, "utf8") : "")
  return block ? withNodeBlock(md, block) : md
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2))
  if (o.fromJson) {
    // several files (comma-separated, e.g. one run per language): their real and overhead sections merged
    const all = o.fromJson.split(",").map((f) => JSON.parse(readFileSync(resolve(process.cwd(), f), "utf8")) as BenchResult)
    const res = all[0]
    for (const r of all.slice(1)) {
      if (r.real) {
        if (!res.real) res.real = r.real
        else {
          res.real.fixtures.push(...r.real.fixtures.filter((f) => !res.real!.fixtures.some((x) => x.name === f.name)))
          // runs of the same language and way from another file are numbered after those already here
          for (const x of r.real.samples) {
            while (res.real.samples.some((y) => y.lang === x.lang && y.way === x.way && y.run === x.run)) x.run++
            res.real.samples.push(x)
          }
          res.real.warm.push(...r.real.warm)
          res.real.durationMs += r.real.durationMs
          res.real.loadEnd = r.real.loadEnd
        }
      }
      if (r.overhead) res.overhead = r.overhead
      if (r.node) res.node = r.node
      res.loadEnd = r.loadEnd
      res.durationMs += r.durationMs
    }
    if (res.real) res.real.notes.push(...o.realNotes)
    if (res.overhead) res.overhead.notes.push(...o.overheadNotes)
    // sections: what the files hold (older files wrote the Set as {})
    res.options.sections = new Set([...(res.compile ? ["cross"] : []), ...(res.concurrency ? ["concurrency"] : []), ...(res.real ? ["real"] : []), ...(res.overhead ? ["overhead"] : []), ...(res.node ? ["node"] : [])])
    res.options.argv = ["--from-json", "<files>"]
    const md = withNode(renderReport(res), res, o)
    console.log(md)
    if (o.write) writeFileSync(o.out, md)
    return
  }
  if (process.getuid?.() !== 0) log("warning: not root; the emulated builds (chroot, mounts) will fail")
  const t0 = performance.now()
  const res: BenchResult = {
    options: o,
    machine: machineFacts(),
    tools: toolVersions(o.sections.has("cross")),
    loadStart: loadNow(),
    loadEnd: "",
    startedAt: new Date().toISOString(),
    durationMs: 0,
  }
  log(`start; load average ${res.loadStart}; sections ${[...o.sections].join(",")}`)

  if (o.sections.has("cross") || o.sections.has("warm")) {
    const c0 = performance.now()
    const loadStart = loadNow()
    const jobs = makeJobs({ langs: o.langs, emulated: o.sections.has("cross") && o.emuRuns > 0, warmExtras: o.sections.has("warm") })
    const samples = await runCompileJobs(jobs, { runs: o.runs, rustRuns: o.rustRuns, emuRuns: o.emuRuns, warm: o.sections.has("warm") })
    res.compile = { jobs, samples, loadStart, loadEnd: loadNow(), durationMs: performance.now() - c0, work: WORK }
  }
  if (o.sections.has("concurrency")) {
    const c0 = performance.now()
    const loadStart = loadNow()
    const { samples, warmupMs } = await runConcurrency({ counts: o.counts, latencyMs: o.latencyMs, runs: o.concRuns })
    res.concurrency = { samples, warmupMs, loadStart, loadEnd: loadNow(), durationMs: performance.now() - c0, fixture: FIXTURE, address: ADDRESS }
  }
  if (o.sections.has("real")) {
    res.real = await runReal({ langs: o.langs as RealLang[], runs: o.realRuns, ways: o.realWays, bPlatforms: o.bPlatforms, deadlineMs: o.deadlineMs, capGoS: o.capGoS, capRustS: o.capRustS, warm: o.realWarm, regenerate: o.regenerate })
    res.real.notes.push(...o.realNotes)
    writeFileSync(o.json, JSON.stringify(res, jsonReplacer, 1))
  }
  if (o.sections.has("overhead")) {
    res.overhead = await measureOverhead(o.overheadRuns)
    res.overhead.notes.push(...o.overheadNotes)
    writeFileSync(o.json, JSON.stringify(res, jsonReplacer, 1))
  }
  if (o.sections.has("node")) {
    res.node = await runNodeBench({ runs: o.nodeRuns, emulated: o.nodeEmulated })
    writeFileSync(o.json, JSON.stringify(res, jsonReplacer, 1))
  }
  res.loadEnd = loadNow()
  res.durationMs = performance.now() - t0
  writeFileSync(o.json, JSON.stringify(res, jsonReplacer, 1))
  const nodeOnly = o.sections.size === 1 && o.sections.has("node") && existsSync(o.out)
  const md = nodeOnly ? withNode(readFileSync(o.out, "utf8"), res, o) : withNode(renderReport(res), res, o)
  console.log(md)
  if (o.write) {
    writeFileSync(o.out, md)
    log(`wrote ${relative(process.cwd(), o.out) || o.out} (${(res.durationMs / 60000).toFixed(1)} min; load average ${res.loadEnd})`)
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})

