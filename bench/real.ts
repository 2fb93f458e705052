/**
 * Section "real" (issue #18): the real-sized fixtures (bench/fixtures.ts), four platforms.
 *
 *  (a) multiarch: each platform's plan (planGo/planRust, engine platform linux/amd64) run with the
 *      real toolchains through test/support/hostplan.ts `runPlanOnHost` — the plan's env and argv
 *      verbatim, container paths mapped to a work folder, one empty folder per cache key; the four
 *      platforms run at the same time, as the engine runs them.
 *  (b) the conventional Dockerfile (bench/dockerfiles/<lang>.conventional.Dockerfile: build stage
 *      FROM the target platform's toolchain image, no BUILDPLATFORM) through the BuildKit rung's
 *      dockerd, one `docker build --platform P --no-cache` per platform, all at the same time; the
 *      non-amd64 build stages run under QEMU (binfmt_misc).
 *  (c) the cross pattern (bench/dockerfiles/<lang>.cross.Dockerfile) through the same dockerd.
 *
 * Then warm rebuilds of (a): a one-line change of the fixture's own code, and a dependency bump,
 * with the per-target caches of the cold build kept.
 */
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { planGo, planRust } from "../test/support/plans.js"
import { factsOf } from "../test/support/facts.js"
import { runPlanOnHost, type StepResult } from "../test/support/hostplan.js"
import type { BuildPlan } from "../modules/core/plan.js"
import { childrenCpuMs, RUST_HOST_CARGO_HOME } from "./compile.js"
import { describeFixture, FIXTURES_OUT, fixtureIsCurrent, makeGoService, makeRustService, type FixtureInfo } from "./fixtures.js"
import { BENCH_CACHE, load1, loadNow, log, NATIVE, ROOT } from "./lib.js"

export type RealLang = "go" | "rust"
export type Way = "a" | "b" | "c"

export const REAL_PLATFORMS = ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/riscv64"]
/**
 * Platforms with a toolchain base image for (b), per language: Go has all four (Debian's golang-go for
 * amd64/arm64 from test/setup/buildkit.sh; for arm/v7 and riscv64, bench/images.sh cross-builds the
 * same Go 1.19.8 toolchain from Debian's source), Rust all four too (bench/images.sh: Debian's
 * rustc-web 1.96 on bookworm roots, and on a trixie root for riscv64, which bookworm lacks).
 * --b-platforms narrows it (e.g. one emulated platform).
 */
export const CONVENTIONAL_PLATFORMS: Record<RealLang, string[]> = {
  go: [...REAL_PLATFORMS],
  rust: [...REAL_PLATFORMS],
}
const DOCKER = "/usr/bin/docker"
const RWORK = join(BENCH_CACHE, "real")


export interface PlatformTime {
  platform: string
  ms: number
  ok: boolean
  capped?: boolean
  error?: string
  /** 1-min load average when it started. */
  load1: number
}

export interface WaySample {
  lang: RealLang
  way: Way
  run: number
  /** Wall time of all platforms together (they run concurrently). */
  wallMs: number
  /** CPU (user+sys) of the processes this benchmark waited for; for (b)/(c) that is only the docker CLI (the build runs in dockerd). */
  cpuMs: number
  platforms: PlatformTime[]
  loadStart: string
  loadEnd: string
  ok: boolean
  capped: boolean
}

export interface WarmSample {
  lang: RealLang
  kind: "one-line" | "dependency"
  platform: string
  coldMs: number
  warmMs: number
  ok: boolean
  error?: string
  load1: number
  what: string
}

export interface RealOptions {
  langs: RealLang[]
  runs: number
  ways: Way[]
  /** Cap of one (b) docker build, s ("> N s (capped)"); (c) gets three times as much (it is not the emulated one). */
  capGoS: number
  capRustS: number
  warm: boolean
  /** Regenerate the fixtures even if their folders exist. */
  regenerate: boolean
  /** The platforms of (b) when not all of CONVENTIONAL_PLATFORMS[lang] (those of them that are listed). */
  bPlatforms?: string[]
  /** Epoch ms by which every docker build of (b)/(c) must end: its cap shrinks to fit (a report due at a fixed time). */
  deadlineMs?: number
}

export interface RealResult {
  fixtures: FixtureInfo[]
  samples: WaySample[]
  warm: WarmSample[]
  loadStart: string
  loadEnd: string
  durationMs: number
  notes: string[]
}

const RUST_HOST_ENV = { PATH: "/usr/bin:/bin", HOME: "/root", CARGO_HOME: RUST_HOST_CARGO_HOME }

function planFor(lang: RealLang, fixtureDir: string, platform: string): BuildPlan {
  const facts = factsOf(fixtureDir)
  return lang === "go" ? planGo(platform, {}, facts, NATIVE) : planRust(platform, { libc: "gnu" }, facts, NATIVE)
}

function fixtureName(lang: RealLang): "go-service" | "rust-service" {
  return lang === "go" ? "go-service" : "rust-service"
}

function stepError(steps: StepResult[], plan: BuildPlan): string | undefined {
  const failed = steps.find((s) => s.status !== 0)
  if (failed) return `${failed.step} failed (exit ${failed.status}): ${(failed.stderr || failed.stdout).trim().split("\n").slice(-8).join(" ⏎ ")}`
  if (steps.length !== plan.steps.length) return `only ${steps.length} of ${plan.steps.length} steps ran`
  const verify = steps.find((s) => s.step === "verify ELF")
  if (!verify || !/ok for /.test(verify.stdout)) return `the plan's ELF check did not confirm the binary`
  return undefined
}

interface ADirs {
  src: string
  out: string
  caches: string
}

function aDirs(lang: RealLang, platform: string): ADirs {
  const w = join(RWORK, "a", `${lang}-${platform.replace(/\//g, "-")}`)
  return { src: join(w, "source"), out: join(w, "output"), caches: join(w, "caches") }
}

/** (a): every platform's plan at the same time, cold caches; the work folders stay for the warm rebuilds. */
async function runA(lang: RealLang, fixtureDir: string, run: number): Promise<WaySample> {
  const loadStart = loadNow()
  const prepared = REAL_PLATFORMS.map((platform) => {
    const dirs = aDirs(lang, platform)
    rmSync(join(dirs.src, ".."), { recursive: true, force: true })
    cpSync(fixtureDir, dirs.src, { recursive: true })
    mkdirSync(dirs.caches, { recursive: true })
    return { platform, dirs, plan: planFor(lang, dirs.src, platform) }
  })
  const cpu0 = childrenCpuMs()
  const t0 = performance.now()
  const platforms = await Promise.all(
    prepared.map(async ({ platform, dirs, plan }) => {
      const l = load1()
      const p0 = performance.now()
      const steps = await runPlanOnHost(plan, dirs, lang === "rust" ? RUST_HOST_ENV : {})
      const err = stepError(steps, plan)
      return { platform, ms: performance.now() - p0, ok: !err, error: err, load1: l }
    }),
  )
  const wallMs = performance.now() - t0
  return { lang, way: "a", run, wallMs, cpuMs: childrenCpuMs() - cpu0, platforms, loadStart, loadEnd: loadNow(), ok: platforms.every((p) => p.ok), capped: false }
}

function spawnTimed(argv: string[], env: Record<string, string>, capS: number, logFile: string): Promise<{ status: number | null; ms: number; capped: boolean; tail: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now()
    const p = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...env }, detached: true })
    let out = ""
    p.stdout.on("data", (d) => (out += d))
    p.stderr.on("data", (d) => (out += d))
    let capped = false
    const timer = setTimeout(() => {
      capped = true
      // the docker CLI's process group: cancelling the CLI cancels the build in dockerd
      try {
        process.kill(-p.pid!, "SIGINT")
      } catch {}
      setTimeout(() => {
        try {
          process.kill(-p.pid!, "SIGKILL")
        } catch {}
      }, 15_000)
    }, capS * 1000)
    p.on("close", (status) => {
      clearTimeout(timer)
      writeFileSync(logFile, out)
      resolve({ status, ms: performance.now() - t0, capped, tail: out.trim().split("\n").slice(-8).join(" ⏎ ") })
    })
  })
}

/** (b) or (c): one `docker build` per platform, all at the same time, no cache, binary exported to a folder. */
async function runDocker(lang: RealLang, way: "b" | "c", fixtureDir: string, run: number, capS: number, bPlatforms?: string[]): Promise<WaySample> {
  const loadStart = loadNow()
  const dockerfile = join(ROOT, "bench/dockerfiles", `${lang}.${way === "b" ? "conventional" : "cross"}.Dockerfile`)
  const platforms = way === "b" ? CONVENTIONAL_PLATFORMS[lang].filter((p) => !bPlatforms || bPlatforms.includes(p)) : REAL_PLATFORMS
  const cpu0 = childrenCpuMs()
  const t0 = performance.now()
  const res = await Promise.all(
    platforms.map(async (platform): Promise<PlatformTime> => {
      const l = load1()
      const out = join(RWORK, way, `${lang}-${platform.replace(/\//g, "-")}`)
      rmSync(out, { recursive: true, force: true })
      mkdirSync(out, { recursive: true })
      const r = await spawnTimed(
        [DOCKER, "build", "--no-cache", "--progress", "plain", "--platform", platform, "-f", dockerfile, "--output", `type=local,dest=${join(out, "export")}`, fixtureDir],
        { DOCKER_BUILDKIT: "1" },
        capS,
        join(out, "build.log"),
      )
      const bin = join(out, "export/usr/local/bin", fixtureName(lang))
      const ok = r.status === 0 && existsSync(bin)
      return { platform, ms: r.ms, ok, capped: r.capped, error: ok ? undefined : r.capped ? `capped at ${capS} s` : `exit ${r.status}: ${r.tail}`, load1: l }
    }),
  )
  const wallMs = performance.now() - t0
  return { lang, way, run, wallMs, cpuMs: childrenCpuMs() - cpu0, platforms: res, loadStart, loadEnd: loadNow(), ok: res.every((p) => p.ok), capped: res.some((p) => p.capped) }
}

// ---- warm rebuilds ------------------------------------------------------------------------------

const ONE_LINE: Record<RealLang, { file: string; from: string; to: string }> = {
  go: { file: "main.go", from: 'var version = "dev"', to: 'var version = "dev-warm"' },
  rust: { file: "src/main.rs", from: 'const VERSION: &str = "dev";', to: 'const VERSION: &str = "dev-warm";' },
}

/**
 * A dependency bump, offline: Debian ships one version of each library, so the bump is made on the
 * vendored copy. Go: github.com/google/uuid gets a new version in go.mod and vendor/modules.txt and
 * a changed source line (a patch release); everything importing it recompiles. Rust: the same for
 * the `itoa` crate (used by serde_json, hyper, http, …): a changed source line, the version in its
 * Cargo.toml, Cargo.lock and the vendor folder, its .cargo-checksum.json recomputed.
 */
export function bumpDependency(lang: RealLang, src: string): string {
  if (lang === "go") {
    const mod = "github.com/google/uuid"
    const gomod = readFileSync(join(src, "go.mod"), "utf8")
    const m = new RegExp(`\\t${mod.replace(/[./]/g, "\\$&")} (v\\d+\\.\\d+\\.)(\\d+)`).exec(gomod)
    if (!m) throw new Error(`go.mod has no ${mod} requirement`)
    const from = `${m[1]}${m[2]}`
    const to = `${m[1]}${Number(m[2]) + 1}`
    writeFileSync(join(src, "go.mod"), gomod.replace(`${mod} ${from}`, `${mod} ${to}`))
    const mt = join(src, "vendor/modules.txt")
    writeFileSync(mt, readFileSync(mt, "utf8").replace(`# ${mod} ${from}`, `# ${mod} ${to}`))
    const f = join(src, "vendor", mod, "version4.go")
    writeFileSync(f, readFileSync(f, "utf8") + `\n// bumped to ${to} by bench/real.ts\nvar benchBump = ${JSON.stringify(to)}\n`)
    return `${mod} ${from} → ${to} (go.mod, vendor/modules.txt, one line added to vendor/${mod}/version4.go)`
  }
  const crate = "itoa"
  const lockPath = join(src, "Cargo.lock")
  const lock = readFileSync(lockPath, "utf8")
  const m = new RegExp(`name = "${crate}"\\nversion = "(\\d+\\.\\d+\\.)(\\d+)"`).exec(lock)
  if (!m) throw new Error(`Cargo.lock has no ${crate}`)
  const from = `${m[1]}${m[2]}`
  const to = `${m[1]}${Number(m[2]) + 1}`
  const oldDir = join(src, "vendor", `${crate}-${from}`)
  const newDir = join(src, "vendor", `${crate}-${to}`)
  cpSync(oldDir, newDir, { recursive: true })
  rmSync(oldDir, { recursive: true, force: true })
  const toml = join(newDir, "Cargo.toml")
  writeFileSync(toml, readFileSync(toml, "utf8").replace(`version = "${from}"`, `version = "${to}"`))
  const lib = join(newDir, "src/lib.rs")
  writeFileSync(lib, readFileSync(lib, "utf8") + `\n// bumped to ${to} by bench/real.ts\n#[doc(hidden)]\npub const BENCH_BUMP: &str = "${to}";\n`)
  // directory sources check every file against .cargo-checksum.json; the package checksum is Cargo.lock's
  const sums = JSON.parse(readFileSync(join(newDir, ".cargo-checksum.json"), "utf8")) as { files: Record<string, string>; package?: string }
  for (const f of Object.keys(sums.files)) if (existsSync(join(newDir, f))) sums.files[f] = createHash("sha256").update(readFileSync(join(newDir, f))).digest("hex")
  const pkgSum = createHash("sha256").update(`${crate}-${to}`).digest("hex")
  sums.package = pkgSum
  writeFileSync(join(newDir, ".cargo-checksum.json"), JSON.stringify(sums))
  const entry = new RegExp(`(name = "${crate}"\\nversion = ")${from.replace(/\./g, "\\.")}("\\nsource = "[^"]+"\\n(?:checksum = ")?)([0-9a-f]*)`)
  writeFileSync(lockPath, lock.replace(entry, (_all, a, b, sum) => `${a}${to}${b}${sum ? pkgSum : ""}`).split(`"${crate} ${from}"`).join(`"${crate} ${to}"`))
  return `${crate} ${from} → ${to} (Cargo.lock, the vendored crate's Cargo.toml and one line of src/lib.rs, its checksums)`
}

/** Warm rebuilds of (a), after the cold (a) run: the same work folders and caches. */
async function runWarm(lang: RealLang): Promise<WarmSample[]> {
  const out: WarmSample[] = []
  const coldOf = new Map<string, number>()
  for (const kind of ["one-line", "dependency"] as const) {
    const prepared = REAL_PLATFORMS.map((platform) => {
      const dirs = aDirs(lang, platform)
      let what: string
      if (kind === "one-line") {
        const e = ONE_LINE[lang]
        const f = join(dirs.src, e.file)
        const text = readFileSync(f, "utf8")
        if (!text.includes(e.from)) throw new Error(`${e.file} has no ${JSON.stringify(e.from)}`)
        writeFileSync(f, text.replace(e.from, e.to))
        what = `${e.file}: ${e.from} → ${e.to}`
      } else what = bumpDependency(lang, dirs.src)
      return { platform, dirs, plan: planFor(lang, dirs.src, platform), what }
    })
    const res = await Promise.all(
      prepared.map(async ({ platform, dirs, plan, what }) => {
        const l = load1()
        const steps = await runPlanOnHost(plan, dirs, lang === "rust" ? RUST_HOST_ENV : {})
        const err = stepError(steps, plan)
        return { lang, kind, platform, coldMs: coldOf.get(platform) ?? NaN, warmMs: steps[0]?.ms ?? NaN, ok: !err, error: err, load1: l, what }
      }),
    )
    out.push(...res)
  }
  return out
}

export async function runReal(o: RealOptions): Promise<RealResult> {
  const t0 = performance.now()
  const loadStart = loadNow()
  const notes: string[] = []
  const fixtures: FixtureInfo[] = []
  for (const lang of o.langs) {
    const name = fixtureName(lang)
    if (o.regenerate || !fixtureIsCurrent(name)) {
      log(`fixture ${name}: generating (bench/fixtures.ts)`)
      fixtures.push(lang === "go" ? makeGoService() : makeRustService())
    } else fixtures.push(describeFixture(name))
  }
  const samples: WaySample[] = []
  const warm: WarmSample[] = []
  for (const lang of o.langs) {
    const dir = join(FIXTURES_OUT, fixtureName(lang))
    const cap = lang === "go" ? o.capGoS : o.capRustS
    for (let r = 0; r < o.runs; r++) {
      // interleaved: the order of a, b, c rotates per run (and per language)
      const k = (r + (lang === "rust" ? 1 : 0)) % o.ways.length
      const order = [...o.ways.slice(k), ...o.ways.slice(0, k)]
      for (const way of order) {
        log(`real ${lang} run ${r + 1}/${o.runs}: (${way})`)
        let capS = way === "c" ? 3 * cap : cap
        if (o.deadlineMs !== undefined) capS = Math.max(10, Math.min(capS, Math.floor((o.deadlineMs - Date.now()) / 1000)))
        const s = way === "a" ? await runA(lang, dir, r) : await runDocker(lang, way, dir, r, capS, o.bPlatforms)
        samples.push(s)
        log(`  (${way}) ${(s.wallMs / 1000).toFixed(1)} s${s.ok ? "" : " NOT OK"}: ${s.platforms.map((p) => `${p.platform} ${(p.ms / 1000).toFixed(1)} s${p.ok ? "" : ` (${p.error?.slice(0, 300)})`}`).join("; ")}`)
      }
    }
    if (o.warm) {
      // the last cold (a) run left the work folders and caches the warm rebuilds reuse ((b) and (c)
      // do not touch them); without one, a cold (a) run first
      const last = samples.filter((s) => s.lang === lang && s.way === "a").at(-1)
      if (!last || !last.ok) {
        log(`real ${lang}: cold (a) for the warm rebuilds`)
        samples.push(await runA(lang, dir, -1))
      }
      const cold = samples.filter((s) => s.lang === lang && s.way === "a").at(-1)!
      log(`real ${lang}: warm rebuilds`)
      const ws = await runWarm(lang)
      for (const w of ws) {
        const c = cold.platforms.find((p) => p.platform === w.platform)
        w.coldMs = c?.ms ?? NaN
        log(`  ${w.kind} ${w.platform}: ${(w.warmMs / 1000).toFixed(1)} s (cold ${(w.coldMs / 1000).toFixed(1)} s)${w.ok ? "" : ` FAILED ${w.error}`}`)
      }
      warm.push(...ws)
    }
  }
  return { fixtures, samples, warm, loadStart, loadEnd: loadNow(), durationMs: performance.now() - t0, notes }
}
