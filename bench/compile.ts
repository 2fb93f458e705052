/**
 * Sections 1 and 3: cold builds (native, cross, emulated) and warm rebuilds of the Go and Rust
 * fixtures, with exactly the env and argv the plans give the builder.
 *
 * Every job is one (fixture, target, mode): its plan comes from planGo/planRust, and
 * test/support/hostplan.ts `runPlanOnHost` runs the plan's steps (build, copy, ELF check) on this
 * host with the container paths mapped to a fresh work folder: source copy, output folder and one
 * folder per cache key (like a Dagger cache volume, empty at the start of each cold build). The
 * emulated jobs run the same steps inside the arm64 rootfs (bench/emulated.ts). A warm rebuild
 * follows each cold build: a one-line change in the copied source, same cache folders, same steps.
 *
 * Runs are interleaved: run r executes every job once (that still has runs left), in an order that
 * changes per run, so the load the other users of this machine put on it hits native, cross and
 * emulated jobs alike. CPU time (user + sys) is recorded next to wall time for the same reason.
 */
import { createHash } from "node:crypto"
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { planGo, planRust } from "../test/support/plans.js"
import { TARGETS } from "../modules/core/index.js"
import type { BuildPlan } from "../modules/core/plan.js"
import { factsOf } from "../test/support/facts.js"
import { runPlanOnHost, type StepResult } from "../test/support/hostplan.js"
import { emulatedSteps, emulationUnavailable } from "./emulated.js"
import { BENCH_CACHE, CACHE_ROOT, elfSection, hasCommand, load1, log, NATIVE, out, ROOT } from "./lib.js"

export type Lang = "go" | "rust"
export type Mode = "native" | "cross" | "emulated"
type Libc = "gnu" | "musl"

/** The targets of section 1 (issue #8): native amd64, cross arm64, arm/v7, riscv64, emulated arm64. */
export const CROSS_TARGETS = ["linux/arm64", "linux/arm/v7", "linux/riscv64"]
export const EMULATED_TARGET = "linux/arm64"

/** Root of the per-job work folders; bind-mounted at the same path into the arm64 rootfs. */
export const WORK = `${BENCH_CACHE}/work`

export interface Job {
  id: string
  lang: Lang
  fixture: string
  platform: string
  libc?: Libc
  mode: Mode
  plan: BuildPlan
  /** Host-only env on top of the plan's env (shown in RESULTS.md with the reason). */
  hostEnv: Record<string, string>
  /** The one-line change of the warm rebuild: file and the exact replacement. */
  edit: { file: string; from: string; to: string }
  /** Why the job cannot run here (missing std, no rootfs, …), else undefined. */
  skip?: string
  /** Section 3 only (not part of the cross/native/emulated comparison). */
  warmOnly?: boolean
}

export interface Sample {
  job: string
  run: number
  ok: boolean
  error?: string
  /** ms of the compile step (go build / cargo build), cold caches. */
  coldMs: number
  /** ms of every step of the plan (compile, copy, ELF check), cold. */
  coldAllMs: number
  /** CPU time (user + sys) of every process the cold build's steps ran, ms (10 ms resolution). */
  coldCpuMs: number
  /** ms of the compile step after the one-line change, caches kept. */
  warmMs?: number
  warmAllMs?: number
  warmCpuMs?: number
  /** 1-minute load average when the job started. */
  load1: number
  /** sha256 of the binary of the cold build (to show emulated and cross builds produce the same file). */
  sha256?: string
  /** sha256 of its .text section (the compiled code), to tell code differences from metadata ones. */
  textSha256?: string
}

/**
 * Host-only env for Rust, as test/real/rust.test.ts (HOST_ENV) does: Debian's cargo/rustc 1.96
 * (/usr/bin) before rustup's ~/.cargo/bin, and a CARGO_HOME whose config.toml replaces crates.io
 * (unreachable here) with Debian's vendored crates. test/setup/rust.sh writes that CARGO_HOME.
 */
export const RUST_HOST_CARGO_HOME = join(CACHE_ROOT, "rust/cargo-home")
const RUST_HOST_ENV = { PATH: "/usr/bin:/bin", HOME: "/root", CARGO_HOME: RUST_HOST_CARGO_HOME }
/** The same inside the arm64 rootfs: a CARGO_HOME under the bind-mounted work root, with a copy of the registry. */
const EMU_CARGO_HOME = join(WORK, "cargo-home-emulated")
const EMU_REGISTRY = join(WORK, "cargo-registry")

function prepareEmulatedCargoHome(): void {
  mkdirSync(EMU_CARGO_HOME, { recursive: true })
  if (existsSync("/usr/share/cargo/registry")) cpSync("/usr/share/cargo/registry", EMU_REGISTRY, { recursive: true, dereference: true })
  else mkdirSync(EMU_REGISTRY, { recursive: true })
  writeFileSync(
    join(EMU_CARGO_HOME, "config.toml"),
    `# written by bench/compile.ts: the host's Debian crates (${"/usr/share/cargo/registry"}), copied where the arm64 rootfs sees them\n` +
      `[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = "${EMU_REGISTRY}"\n\n[net]\noffline = true\n`,
  )
}

function rustComponentMissing(triple: string): string | undefined {
  const lib = `/usr/lib/rustlib/${triple}/lib`
  if (!existsSync(lib) || !readdirSync(lib).some((f) => /^libstd-.*\.rlib$/.test(f))) return `no std for ${triple} (run test/setup/rust.sh)`
  if (triple.includes("musl") && !existsSync(join(lib, "self-contained", "libunwind.a"))) return `no self-contained musl objects for ${triple} (run test/setup/rust.sh)`
  return undefined
}

function rustHostMissing(): string | undefined {
  if (!out(["/usr/bin/cargo", "--version"]).startsWith("cargo 1.96")) return "Debian's cargo-web 1.96 is not at /usr/bin/cargo (run test/setup/rust.sh)"
  if (!existsSync(join(RUST_HOST_CARGO_HOME, "config.toml"))) return `no ${RUST_HOST_CARGO_HOME}/config.toml (run test/setup/rust.sh)`
  return undefined
}

const GO_EDIT = { file: "main.go", from: 'var version = "dev"', to: 'var version = "dev-warm"' }
const RUST_HELLO_EDIT = { file: "src/main.rs", from: '"hello arch=', to: '"hello-warm arch=' }
const RUST_CC_EDIT = { file: "src/main.rs", from: '"cc arch=', to: '"cc-warm arch=' }

/**
 * CPU time (user + sys) of this process's waited-for children and their waited-for descendants
 * (/proc/self/stat cutime + cstime), ms. The jobs run one at a time, so the difference around a
 * job is the CPU time of its build: a figure the other users' load changes far less than wall time.
 */
const CLK_TCK = Number(out(["getconf", "CLK_TCK"])) || 100
export function childrenCpuMs(): number {
  const stat = readFileSync("/proc/self/stat", "utf8")
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  // fields after the command name start at field 3 (state): cutime is field 16, cstime field 17
  return ((Number(f[13]) + Number(f[14])) * 1000) / CLK_TCK
}

export interface JobOptions {
  langs: Lang[]
  /** Include the emulated arm64 jobs. */
  emulated: boolean
  /** Include section 3's extra fixture (rust-cc: a crate with a dependency and a build script). */
  warmExtras: boolean
}

/** Every job of sections 1 and 3. */
export function makeJobs(o: JobOptions): Job[] {
  const jobs: Job[] = []
  const emuSkip = o.emulated ? emulationUnavailable() : "emulated builds not selected"
  if (o.langs.includes("go")) {
    const fixture = "go-hello"
    const facts = factsOf(join(ROOT, "test/fixtures", fixture))
    const goSkip = hasCommand("go") ? undefined : "no go on PATH (run test/setup/go.sh)"
    for (const platform of [NATIVE, ...CROSS_TARGETS]) {
      const mode: Mode = platform === NATIVE ? "native" : "cross"
      jobs.push({ id: `go ${fixture} ${platform} ${mode}`, lang: "go", fixture, platform, mode, plan: planGo(platform, {}, facts, NATIVE), hostEnv: {}, edit: GO_EDIT, skip: goSkip })
    }
    if (o.emulated) {
      // the plan `--emulate` gives: the Go toolchain itself runs as linux/arm64 under QEMU
      const plan = planGo(EMULATED_TARGET, { emulate: true }, facts, NATIVE)
      jobs.push({ id: `go ${fixture} ${EMULATED_TARGET} emulated`, lang: "go", fixture, platform: EMULATED_TARGET, mode: "emulated", plan, hostEnv: {}, edit: GO_EDIT, skip: emuSkip })
    }
  }
  if (o.langs.includes("rust")) {
    const hostSkip = rustHostMissing()
    const rustJob = (fixture: string, platform: string, libc: Libc, mode: Mode, edit: Job["edit"], warmOnly = false): Job => {
      const facts = factsOf(join(ROOT, "test/fixtures", fixture))
      // an emulated builder is a native builder of the target platform: plan it that way
      const plan = planRust(platform, { libc }, facts, mode === "emulated" ? platform : NATIVE)
      const triple = TARGETS.get(platform)!.rust[libc]
      const linker = plan.env[`CARGO_TARGET_${triple.toUpperCase().replace(/[-.]/g, "_")}_LINKER`]
      const skip =
        mode === "emulated"
          ? emuSkip
          : (hostSkip ?? rustComponentMissing(triple) ?? (linker && !hasCommand(linker) ? `no ${linker} (run test/setup/rust.sh)` : undefined))
      const hostEnv = mode === "emulated" ? { PATH: "/usr/bin:/bin", HOME: "/root", CARGO_HOME: EMU_CARGO_HOME } : RUST_HOST_ENV
      return { id: `rust ${fixture} ${platform} ${libc} ${mode}`, lang: "rust", fixture, platform, libc, mode, plan, hostEnv, edit, skip, warmOnly }
    }
    for (const libc of ["gnu", "musl"] as const)
      for (const platform of [NATIVE, ...CROSS_TARGETS]) jobs.push(rustJob("rust-hello", platform, libc, platform === NATIVE ? "native" : "cross", RUST_HELLO_EDIT))
    // gnu: the arm64 rootfs has Debian's native std (libstd-rust-web-dev), as the cross host has
    if (o.emulated) jobs.push(rustJob("rust-hello", EMULATED_TARGET, "gnu", "emulated", RUST_HELLO_EDIT))
    if (o.warmExtras)
      for (const platform of [NATIVE, ...CROSS_TARGETS]) jobs.push(rustJob("rust-cc", platform, "gnu", platform === NATIVE ? "native" : "cross", RUST_CC_EDIT, true))
  }
  return jobs
}

function stepsOk(steps: StepResult[], plan: BuildPlan): string | undefined {
  const failed = steps.find((s) => s.status !== 0)
  if (failed) return `${failed.step} failed (exit ${failed.status}): ${(failed.stderr || failed.stdout).trim().split("\n").slice(-6).join(" ⏎ ")}`
  if (steps.length !== plan.steps.length) return `only ${steps.length} of ${plan.steps.length} steps ran`
  const verify = steps.find((s) => s.step === "verify ELF")
  if (!verify || !/ok for /.test(verify.stdout)) return `the plan's ELF check did not confirm the binary: ${verify?.stdout ?? "no verify step"}`
  return undefined
}

/** One cold build (fresh caches), then optionally the warm rebuild after a one-line change. */
export async function runJob(job: Job, run: number, warm: boolean): Promise<Sample> {
  const w = join(WORK, job.id.replace(/[^A-Za-z0-9.-]+/g, "_"))
  rmSync(w, { recursive: true, force: true })
  const dirs = { src: join(w, "source"), out: join(w, "output"), caches: join(w, "caches") }
  cpSync(join(ROOT, "test/fixtures", job.fixture), dirs.src, { recursive: true })
  mkdirSync(dirs.caches, { recursive: true })
  if (job.mode === "emulated" && job.lang === "rust") prepareEmulatedCargoHome()
  const steps = job.mode === "emulated" ? emulatedSteps(job.plan, WORK) : job.plan.steps
  const sample: Sample = { job: job.id, run, ok: false, coldMs: NaN, coldAllMs: NaN, coldCpuMs: NaN, load1: load1() }
  let cpu0 = childrenCpuMs()
  const cold = await runPlanOnHost(job.plan, dirs, job.hostEnv, steps)
  sample.coldCpuMs = childrenCpuMs() - cpu0
  sample.coldMs = cold[0]?.ms ?? NaN
  sample.coldAllMs = cold.reduce((a, s) => a + s.ms, 0)
  const coldErr = stepsOk(cold, job.plan)
  if (coldErr) {
    sample.error = `cold: ${coldErr}`
    return sample
  }
  const bin = join(dirs.out, job.plan.output.name)
  if (existsSync(bin)) {
    const bytes = readFileSync(bin)
    sample.sha256 = createHash("sha256").update(bytes).digest("hex")
    const text = elfSection(bytes, ".text")
    if (text) sample.textSha256 = createHash("sha256").update(text).digest("hex")
  }
  if (warm) {
    const file = join(dirs.src, job.edit.file)
    const text = readFileSync(file, "utf8")
    if (!text.includes(job.edit.from)) {
      sample.error = `warm: ${job.edit.file} no longer contains ${JSON.stringify(job.edit.from)} (fixture changed; update the edit in bench/compile.ts)`
      return sample
    }
    writeFileSync(file, text.replace(job.edit.from, job.edit.to))
    cpu0 = childrenCpuMs()
    const again = await runPlanOnHost(job.plan, dirs, job.hostEnv, steps)
    sample.warmCpuMs = childrenCpuMs() - cpu0
    sample.warmMs = again[0]?.ms ?? NaN
    sample.warmAllMs = again.reduce((a, s) => a + s.ms, 0)
    const warmErr = stepsOk(again, job.plan)
    if (warmErr) {
      sample.error = `warm: ${warmErr}`
      return sample
    }
  }
  sample.ok = true
  rmSync(w, { recursive: true, force: true })
  return sample
}

export interface CompileRunOptions {
  /** Runs of the Go native/cross jobs. */
  runs: number
  /** Runs of the Rust native/cross jobs (sub-second builds: more runs for stable medians). */
  rustRuns: number
  /** Runs of the emulated jobs. */
  emuRuns: number
  warm: boolean
}

export function runsOf(job: Job, o: CompileRunOptions): number {
  return job.mode === "emulated" ? o.emuRuns : job.lang === "rust" ? o.rustRuns : o.runs
}

/**
 * Interleaved runs: run r does every job that still has runs left, once. The order changes per run
 * (rotated by r·⌈n/3⌉, reversed on odd runs) so no job always follows the same one (e.g. the first
 * Rust build after the Go builds, or the build after a long emulated one). Before the timed runs,
 * one untimed build of each language's first native job loads the toolchains into the page cache.
 */
export async function runCompileJobs(jobs: Job[], o: CompileRunOptions): Promise<Sample[]> {
  const samples: Sample[] = []
  const runnable = jobs.filter((j) => !j.skip)
  for (const j of jobs.filter((j) => j.skip)) log(`skip ${j.id}: ${j.skip}`)
  for (const lang of ["go", "rust"] as const) {
    const first = runnable.find((j) => j.lang === lang && j.mode === "native")
    if (first) {
      log(`warm-up (untimed): ${first.id}`)
      await runJob(first, -1, false)
    }
  }
  const total = Math.max(0, ...runnable.map((j) => runsOf(j, o)))
  for (let r = 0; r < total; r++) {
    const todo = runnable.filter((j) => r < runsOf(j, o))
    const k = todo.length ? (r * Math.ceil(todo.length / 3)) % todo.length : 0
    let order = [...todo.slice(k), ...todo.slice(0, k)]
    if (r % 2) order = order.reverse()
    for (const [i, job] of order.entries()) {
      log(`run ${r + 1}/${total} job ${i + 1}/${order.length}: ${job.id}`)
      const s = await runJob(job, r, o.warm)
      samples.push(s)
      log(
        s.ok
          ? `  cold ${(s.coldMs / 1000).toFixed(2)} s (cpu ${(s.coldCpuMs / 1000).toFixed(2)} s)${s.warmMs !== undefined ? `, warm ${(s.warmMs / 1000).toFixed(2)} s` : ""}`
          : `  FAILED: ${s.error}`,
      )
    }
  }
  return samples
}
