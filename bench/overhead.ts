/**
 * Section "overhead" (issue #18): the cost of one module call before the module does any work.
 * Every `dagger call` starts the module's runtime: node + tsx, the SDK's `entrypoint()` (which
 * scans the module's TypeScript to learn its API), the module's imports, then the call. Measured
 * through the recording engine (test/engine), with the real entrypoint as the engine runs it:
 *
 *  - spawn → first query: from starting the runtime process to the first GraphQL query it sends
 *    (the SDK asking for the current function call);
 *  - spawn → first engine work: to the first query that is not the runtime protocol (for `plan`
 *    and `build`: reading the source directory);
 *  - the same for bench/fixtures/overhead-module, a module with one one-line function, so the
 *    SDK's fixed cost and multiarch's own share can be told apart;
 *  - `tsx` running an empty file: the node + tsx start-up alone.
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { ModuleHarness, PROTOCOL_FIELDS, type HarnessOptions } from "../test/engine/harness.js"
import { startRecordingEngine } from "../test/engine/recording-engine.js"
import { childrenCpuMs } from "./compile.js"
import { BENCH_CACHE, load1, log, NATIVE, ROOT } from "./lib.js"

export interface OverheadSample {
  call: string
  run: number
  ok: boolean
  error?: string
  /** spawn → first query, ms. */
  firstQueryMs: number
  /** spawn → first non-protocol query, ms. */
  firstWorkMs: number
  /** The whole call, ms. */
  totalMs: number
  /** CPU time (user + sys) of the module's runtime process, ms: the load of the other users inflates it far less than the wall times. */
  cpuMs: number
  load1: number
}

export interface OverheadResult {
  samples: OverheadSample[]
  /** `tsx` on an empty file, ms per run. */
  tsxEmptyMs: number[]
  tsxEmptyCpuMs: number[]
  notes: string[]
  /** How each call ran; absent in results from before 2026-12-01 evening: a fresh process per call with tsx's cache kept. */
  mode?: string
}

async function oneCall(h: ModuleHarness, label: string, parentName: string, fn: string, args: (engine: Awaited<ReturnType<typeof startRecordingEngine>>) => Record<string, unknown>, run: number): Promise<OverheadSample> {
  const engine = await startRecordingEngine({ defaultPlatform: NATIVE })
  const l = load1()
  try {
    const a = args(engine)
    const t0 = Date.now()
    const c0 = childrenCpuMs()
    const r = await h.call(engine, parentName, fn, {}, a)
    const cpuMs = childrenCpuMs() - c0
    const qs = r.queries
    const first = qs[0]
    const work = qs.find((q) => q.fields.some((f) => !PROTOCOL_FIELDS.has(f)))
    return {
      call: label,
      run,
      ok: r.ok,
      error: r.ok ? undefined : r.error,
      firstQueryMs: first ? first.receivedAt - t0 : NaN,
      firstWorkMs: work ? work.receivedAt - t0 : NaN,
      totalMs: r.durationMs,
      cpuMs,
      load1: l,
    }
  } finally {
    await engine.close?.()
  }
}

/**
 * How the engine runs a call (dagger's sdk/typescript/runtime, 0.21.x): a new process in a fresh copy
 * of the runtime container, so nothing is shared between calls and tsx's transform cache starts
 * empty. Hence the harness's "fresh" mode (not the test rungs' long-lived workers) and tsx's cache
 * turned off (this section kept it warm before 2026-12-01 evening).
 */
const ENGINE_LIKE: HarnessOptions = { process: "fresh", env: { TSX_DISABLE_CACHE: "1" } }
const ENGINE_LIKE_MODE = "a fresh process per call, tsx's transform cache off (TSX_DISABLE_CACHE=1), as in the engine's fresh runtime container"

export async function measureOverhead(runs: number): Promise<OverheadResult> {
  const multiarch = await ModuleHarness.create(ENGINE_LIKE)
  const tiny = await ModuleHarness.create({ ...ENGINE_LIKE, root: join(ROOT, "bench/fixtures/overhead-module") })
  const empty = join(BENCH_CACHE, "overhead-empty.ts")
  mkdirSync(BENCH_CACHE, { recursive: true })
  writeFileSync(empty, "export {}\n")
  const tsx = join(ROOT, "node_modules/.bin/tsx")
  const samples: OverheadSample[] = []
  const tsxEmptyMs: number[] = []
  const tsxEmptyCpuMs: number[] = []
  const source = (e: Awaited<ReturnType<typeof startRecordingEngine>>) => e.fixtureDirectory(join(ROOT, "test/fixtures/go-hello"))
  // one untimed call of each first (the page cache)
  await oneCall(multiarch, "warm-up", multiarch.mainObject, "plan", (e) => ({ source: source(e), platforms: NATIVE }), -1)
  await oneCall(tiny, "warm-up", tiny.mainObject, "ping", () => ({}), -1)
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now()
    const c0 = childrenCpuMs()
    spawnSync(tsx, ["--no-deprecation", empty], { stdio: "ignore", env: { ...process.env, ...ENGINE_LIKE.env } })
    tsxEmptyMs.push(performance.now() - t0)
    tsxEmptyCpuMs.push(childrenCpuMs() - c0)
    const order = [
      () => oneCall(multiarch, "multiarch plan", multiarch.mainObject, "plan", (e) => ({ source: source(e), platforms: "linux/amd64,linux/arm64,linux/arm/v7,linux/riscv64" }), r),
      () => oneCall(multiarch, "multiarch build", multiarch.mainObject, "build", (e) => ({ source: source(e), platforms: "linux/amd64,linux/arm64,linux/arm/v7,linux/riscv64" }), r),
      () => oneCall(tiny, "one-function module", tiny.mainObject, "ping", () => ({}), r),
    ]
    for (const f of r % 2 ? order.reverse() : order) {
      const s = await f()
      samples.push(s)
      log(`overhead ${s.call} run ${r + 1}: first query ${(s.firstQueryMs / 1000).toFixed(2)} s, first work ${(s.firstWorkMs / 1000).toFixed(2)} s, total ${(s.totalMs / 1000).toFixed(2)} s, cpu ${(s.cpuMs / 1000).toFixed(2)} s${s.ok ? "" : ` FAILED ${s.error}`}`)
    }
  }
  return { samples, tsxEmptyMs, tsxEmptyCpuMs, notes: [], mode: ENGINE_LIKE_MODE }
}
