/**
 * Section 2: platform concurrency through the recording engine (test/engine). The REAL module
 * entrypoint runs `build --source go-hello --platforms … publish --address …` in subprocesses, the
 * way `dagger call` does (test/engine/harness.ts `callChain`), against a RecordingEngine that
 * sleeps a fixed latency before answering each query. With per-platform work done concurrently,
 * the latency cost stays flat as platforms are added; anything awaited per platform in sequence
 * adds one latency per platform.
 *
 * Measured per sample (fresh engine each time):
 *  - wall: the whole chain (both module subprocesses: tsx start, SDK introspection, the calls);
 *  - the same at 0 latency: start-up + CPU cost, subtracted to get the latency-attributable time;
 *  - queries, the engine's max in flight, and serial rounds: the longest chain of queries where
 *    each starts after the previous one was answered (the number of latencies on the critical
 *    path: a count, so the other users' load on this machine cannot blur it);
 *  - active span: per call, from the first currentFunctionCall query (SDK start-up and module
 *    introspection done) to the last answer, summed over the two calls.
 */
import { callChain, moduleHarness, type ChainResult } from "../test/engine/harness.js"
import type { RecordedQuery } from "../test/engine/recording-engine.js"
import { startRecordingEngine } from "../test/engine/recording-engine.js"
import { join } from "node:path"
import { load1, log, NATIVE, ROOT } from "./lib.js"

export const PLATFORM_SETS: Record<number, string[]> = {
  1: [NATIVE],
  2: [NATIVE, "linux/arm64"],
  4: [NATIVE, "linux/arm64", "linux/arm/v7", "linux/riscv64"],
  6: [NATIVE, "linux/arm64", "linux/arm/v7", "linux/riscv64", "linux/ppc64le", "linux/s390x"],
}

export const FIXTURE = "test/fixtures/go-hello"
export const ADDRESS = "registry.example.com/bench/hello:1.0.0"

export interface StepShape {
  step: string
  queries: number
  rounds: number
  /** Root fields in arrival order, run-length encoded ("node×3 container"). */
  shape: string
  /** From the first currentFunctionCall query to the last answer (start-up and introspection excluded). */
  activeMs: number
  durationMs: number
}

export interface ConcSample {
  n: number
  latencyMs: number
  run: number
  ok: boolean
  error?: string
  wallMs: number
  queries: number
  maxInFlight: number
  rounds: number
  activeMs: number
  steps: StepShape[]
  load1: number
}

/** Longest chain of queries q1, q2, … with q(i+1).start ≥ q(i).end: latencies on the critical path. */
export function serialRounds(qs: RecordedQuery[]): number {
  const s = [...qs].sort((a, b) => a.start - b.start)
  const best: number[] = []
  let max = 0
  for (let j = 0; j < s.length; j++) {
    let b = 1
    for (let i = 0; i < j; i++) if ((s[i].end ?? s[i].start) <= s[j].start && best[i] + 1 > b) b = best[i] + 1
    best.push(b)
    max = Math.max(max, b)
  }
  return max
}

function shapeOf(qs: RecordedQuery[]): string {
  const names = [...qs].sort((a, b) => a.start - b.start).map((q) => q.rootFields.join("+") || "?")
  const parts: string[] = []
  for (let i = 0; i < names.length; ) {
    let j = i
    while (j < names.length && names[j] === names[i]) j++
    parts.push(j - i > 1 ? `${names[i]}×${j - i}` : names[i])
    i = j
  }
  return parts.join(" ")
}

function activeSpan(qs: RecordedQuery[]): number {
  const first = qs.find((q) => q.rootFields.includes("currentFunctionCall"))
  if (!first) return NaN
  const end = Math.max(...qs.map((q) => q.end ?? q.start))
  return end - first.start
}

export async function chainOnce(n: number, latencyMs: number, run: number): Promise<ConcSample> {
  const engine = await startRecordingEngine({ defaultPlatform: NATIVE })
  engine.setLatency(latencyMs)
  const l = load1()
  try {
    const source = engine.fixtureDirectory(join(ROOT, FIXTURE))
    const t0 = performance.now()
    let r: ChainResult
    try {
      r = await callChain(engine, [
        { fn: "build", args: { source, platforms: PLATFORM_SETS[n] } },
        { fn: "publish", args: { address: ADDRESS } },
      ])
    } catch (e) {
      return { n, latencyMs, run, ok: false, error: (e as Error).message, wallMs: NaN, queries: engine.queryCount, maxInFlight: NaN, rounds: NaN, activeMs: NaN, steps: [], load1: l }
    }
    const wallMs = performance.now() - t0
    const steps: StepShape[] = r.steps.map((s) => ({
      step: s.step,
      queries: s.queries.length,
      rounds: serialRounds(s.queries),
      shape: shapeOf(s.queries),
      activeMs: activeSpan(s.queries),
      durationMs: s.durationMs,
    }))
    const publishes = engine.publishes
    let error = r.ok ? undefined : (r.error ?? "chain failed").split("\n").slice(0, 6).join(" ⏎ ")
    if (r.ok && (publishes.length !== 1 || publishes[0].platforms.length !== n))
      error = `expected one publish of ${n} platforms, engine saw ${publishes.map((p) => p.platforms.length).join(", ") || "none"}`
    return {
      n,
      latencyMs,
      run,
      ok: !error,
      error,
      wallMs,
      queries: engine.queryCount,
      maxInFlight: engine.stats().maxInFlight,
      rounds: steps.reduce((a, s) => a + s.rounds, 0),
      activeMs: steps.reduce((a, s) => a + s.activeMs, 0),
      steps,
      load1: l,
    }
  } finally {
    await engine.close()
  }
}

export interface ConcOptions {
  counts: number[]
  latencyMs: number
  runs: number
}

/**
 * Warm-up (module scan by the SDK introspector, tsx's transform cache), then `runs` rounds; each
 * round visits every platform count (order rotated by round) at the latency and at 0 latency.
 */
export async function runConcurrency(o: ConcOptions): Promise<{ samples: ConcSample[]; warmupMs: number }> {
  const t0 = performance.now()
  await moduleHarness()
  const w = await chainOnce(1, 0, -1)
  const warmupMs = performance.now() - t0
  if (!w.ok) log(`warm-up chain failed: ${w.error}`)
  const samples: ConcSample[] = []
  for (let r = 0; r < o.runs; r++) {
    const k = r % o.counts.length
    const counts = [...o.counts.slice(k), ...o.counts.slice(0, k)]
    for (const n of counts) {
      const lats = r % 2 ? [0, o.latencyMs] : [o.latencyMs, 0]
      for (const lat of lats) {
        log(`concurrency run ${r + 1}/${o.runs}: ${n} platform(s), ${lat} ms/query`)
        const s = await chainOnce(n, lat, r)
        samples.push(s)
        log(s.ok ? `  wall ${(s.wallMs / 1000).toFixed(2)} s, ${s.queries} queries, ${s.rounds} serial rounds, active ${(s.activeMs / 1000).toFixed(2)} s` : `  FAILED: ${s.error}`)
      }
    }
  }
  return { samples, warmupMs }
}
