/**
 * Drive the REAL module entrypoint the way the Dagger engine does for `dagger call`.
 *
 * For each function call the engine starts the module runtime with DAGGER_SESSION_PORT/TOKEN and
 * a "current function call" (parent object name, function name, parent state JSON, input args as
 * JSON values). The SDK's `entrypoint()` reads that context over GraphQL, runs the function and
 * answers with `returnValue(json)` or `returnError(error)` (then `process.exit(1)`). The engine starts
 * a process per call: `tsx --tsconfig <module>/tsconfig.json runner/module-entrypoint.ts` does
 * exactly that (process "fresh"). By default the harness runs the same `entrypoint()` once per call
 * in long-lived worker processes instead (runner/module-worker.ts, process "worker"): ~1 s of CPU
 * per call instead of ~5 s, because node, tsx and the SDK start once per worker; harness.test.ts
 * checks that both record the same queries, results, errors and output. Each call has its own
 * RecordingEngine session whose token identifies it (calls can run in parallel).
 *
 * Like the engine, the harness fills registered default values (lists included), `defaultPath`
 * arguments and Workspace arguments (the directory the CLI runs in: `cwd`, bounded by
 * `contextDir`) the caller did not pass, and, like the CLI, accepts enum member names
 * case-insensitively, a local path for Directory/File arguments, a URI for Secret arguments, an
 * address for Container arguments and "a,b" for list arguments.
 */
import { spawn, type ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as readline from "node:readline"
import { fileURLToPath, pathToFileURL } from "node:url"
import {
  apiSurface,
  ensureClientGenShim,
  listModuleFiles,
  moduleNameOf,
  REPO_ROOT,
  returnedObjectName,
  scanModule,
  type ApiSurface,
  type ArgSurface,
  type FunctionSurface,
  type TypeRef,
} from "./introspect.js"
import type { RecordedQuery, RecordingEngine, RegisteredModule } from "./recording-engine.js"

const HERE = path.dirname(fileURLToPath(import.meta.url))
const RUNNER = path.join(HERE, "runner/module-entrypoint.ts")
const WORKER = path.join(HERE, "runner/module-worker.ts")

export interface HarnessOptions {
  /** Module root (dagger.json, tsconfig.json, src/). Default: the repo root. */
  root?: string
  /** Per-call timeout, ms. Default 120 000. */
  timeoutMs?: number
  /** Base for relative Directory/File path arguments (the CLI's CWD). Default: root. */
  cwd?: string
  /** Context directory (git root) for `defaultPath: "/…"`. Default: root. */
  contextDir?: string
  /** Extra environment for the module process. */
  env?: Record<string, string>
  /** Module processes running at once (each is CPU-bound for ~2 s: tsx + TypeScript introspection). Default: CPU count. */
  concurrency?: number
  /**
   * How each call's entrypoint runs. "fresh": a new process per call, exactly as the engine runs the
   * runtime. "worker" (default): long-lived processes (runner/module-worker.ts) that run the same
   * `entrypoint()` once per call against that call's session, so node, tsx, the SDK and the module's
   * files are imported once per worker instead of once per call (~5 s of CPU saved per call). The
   * env MULTIARCH_HARNESS_PROCESS=fresh switches every harness to "fresh"; harness.test.ts checks
   * that both modes record the same queries and results.
   */
  process?: "fresh" | "worker"
}

export interface CallResult {
  /** "Multiarch.plan", "MultiarchImage.publish", "register", "File.export" (core step). */
  step: string
  kind: "module" | "core" | "register"
  parentName: string
  fn: string
  ok: boolean
  /** Parsed JSON of returnValue (module calls) or the GraphQL leaf / object ID (core steps). */
  returnValue?: unknown
  /** The raw JSON string passed to returnValue. */
  rawReturn?: string
  /** The message of returnError (the module's thrown error), a GraphQL error (core), or why the process died. */
  error?: string
  /** Values attached to the returned error (ExecError extensions: exitCode, cmd, stdout, stderr), JSON-parsed. */
  errorValues?: Record<string, unknown>
  /** The module process ended without returnValue/returnError (import error, crash, timeout). */
  crashed?: boolean
  exitCode: number | null
  /** Queries issued during this call (its session). */
  queries: RecordedQuery[]
  stdout: string
  stderr: string
  durationMs: number
  /** Arguments as sent to the engine (after defaults / CLI-style conversion). */
  sentArgs: Record<string, unknown>
  /** Declared return type (module calls). */
  returnType?: TypeRef
}

export interface ChainStep {
  fn: string
  args?: Record<string, unknown>
}

export interface ChainOptions {
  /** Constructor arguments (top-level flags). The constructor is called iff the main object declares one. */
  constructorArgs?: Record<string, unknown>
  /** Start from this object instead of the main object (with parent state `parent`). */
  parentName?: string
  parent?: unknown
}

export interface ChainResult {
  ok: boolean
  steps: CallResult[]
  last: CallResult
  returnValue?: unknown
  error?: string
}

/** Marker for an enum value in a core step's arguments (sent unquoted). */
export function coreEnum(name: string): { __enum: string } {
  return { __enum: name }
}

const ID_RE = /^[A-Z][A-Za-z0-9]*:[0-9a-f]{12}$/

export class ModuleHarness {
  readonly root: string
  readonly srcDir: string
  readonly moduleName: string
  readonly surface: ApiSurface
  private readonly opts: HarnessOptions
  private running = 0
  private readonly waiting: Array<() => void> = []
  private readonly idle: ModuleWorker[] = []
  private readonly workers = new Set<ModuleWorker>()

  private constructor(opts: HarnessOptions, surface: ApiSurface, moduleName: string) {
    this.opts = opts
    this.root = opts.root ?? REPO_ROOT
    this.srcDir = path.join(this.root, "src")
    this.surface = surface
    this.moduleName = moduleName
  }

  /** Scan the module once (SDK introspector) and prepare the client.gen.ts shim. */
  static async create(opts: HarnessOptions = {}): Promise<ModuleHarness> {
    const root = opts.root ?? REPO_ROOT
    const moduleName = moduleNameOf(root)
    const mod = await scanModule({ root, files: listModuleFiles(path.join(root, "src")), moduleName })
    ensureClientGenShim()
    return new ModuleHarness(opts, apiSurface(mod), moduleName)
  }

  /** "fresh" or "worker": how this harness runs each call (see HarnessOptions.process). */
  get processMode(): "fresh" | "worker" {
    const env = process.env.MULTIARCH_HARNESS_PROCESS
    if (env !== undefined && env !== "fresh" && env !== "worker") throw new Error(`MULTIARCH_HARNESS_PROCESS=${env}: use "fresh" or "worker"`)
    return (env as "fresh" | "worker" | undefined) ?? this.opts.process ?? "worker"
  }

  /** Module worker processes started so far (0 in "fresh" mode). */
  get workersStarted(): number {
    return this.started
  }
  private started = 0

  /** End the worker processes (they also end by themselves when the test process exits). */
  close(): void {
    for (const w of this.workers) w.child.kill("SIGKILL")
    this.workers.clear()
    this.idle.length = 0
  }

  get mainObject(): string {
    return this.surface.mainObject
  }

  /** Registration (parentName ""): the module describes its API to the engine. */
  async register(engine: RecordingEngine): Promise<CallResult & { moduleId?: string; registered?: RegisteredModule }> {
    const r = await this.spawnCall(engine, { parentName: "", name: "", parent: {}, inputArgs: [] }, "register", "register", {})
    const moduleId = typeof r.returnValue === "string" ? r.returnValue : undefined
    return { ...r, moduleId, registered: moduleId ? engine.registeredModule(moduleId) : undefined }
  }

  /** Invoke `<parentName>.<fn>` (fn "" = constructor) with a parent state and arguments. */
  async call(engine: RecordingEngine, parentName: string, fn: string, parent: unknown = {}, args: Record<string, unknown> = {}): Promise<CallResult> {
    const obj = this.surface.objects[parentName]
    if (!obj) throw new Error(`harness: ${parentName} is not an object of module ${this.moduleName} (objects: ${Object.keys(this.surface.objects).join(", ")})`)
    let argDefs: ArgSurface[]
    let fnDef: FunctionSurface | undefined
    if (fn === "") argDefs = obj.constructorArgs
    else {
      fnDef = obj.functions[fn] ?? Object.values(obj.functions).find((f) => f.method === fn)
      if (!fnDef) throw new Error(`harness: ${parentName} has no function ${fn} (functions: ${Object.keys(obj.functions).join(", ")})`)
      argDefs = fnDef.args
    }
    const inputArgs = await this.prepareArgs(engine, `${parentName}.${fn}`, argDefs, args)
    const r = await this.spawnCall(engine, { parentName, name: fnDef?.name ?? "", parent, inputArgs }, `${parentName}.${fn || "constructor"}`, "module", Object.fromEntries(inputArgs))
    if (fnDef) r.returnType = fnDef.returnType
    return r
  }

  /**
   * Like `dagger call [ctor flags] fn1 --a … fn2 --b …`: each module call's returnValue (the object
   * state) is the parent of the next call, whose object type is the declared return type of the
   * previous function. Once a step returns a core object (Container, File, Directory), the following
   * steps are core API fields queried on that object's ID (e.g. `tarball` then `export --path`).
   * Stops at the first failing step.
   */
  async callChain(engine: RecordingEngine, steps: ChainStep[], opts: ChainOptions = {}): Promise<ChainResult> {
    this.validateChain(opts.parentName ?? this.mainObject, steps)
    const results: CallResult[] = []
    const done = (): ChainResult => {
      const last = results[results.length - 1]
      return { ok: results.every((r) => r.ok), steps: results, last, returnValue: last?.returnValue, error: last?.error }
    }
    let parentName = opts.parentName ?? this.mainObject
    let parent: unknown = opts.parent ?? {}
    let core: { type: string; id: string } | undefined
    if (!opts.parentName && opts.parent === undefined && this.surface.objects[parentName]?.hasConstructor) {
      const r = await this.call(engine, parentName, "", {}, opts.constructorArgs ?? {})
      results.push(r)
      if (!r.ok) return done()
      parent = r.returnValue
    } else if (opts.constructorArgs && Object.keys(opts.constructorArgs).length) {
      throw new Error(`harness: ${parentName} has no constructor; constructorArgs cannot be used`)
    }
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]
      const hasNext = i < steps.length - 1
      if (core) {
        const r = await this.coreStep(engine, core, step, hasNext)
        results.push(r)
        if (!r.ok) return done()
        if (hasNext) core = { type: guessCoreType(core.type, step.fn), id: String(r.returnValue) }
        continue
      }
      const r = await this.call(engine, parentName, step.fn, parent, step.args ?? {})
      results.push(r)
      if (!r.ok || !hasNext) return done()
      const ret = returnedObjectName(r.returnType ?? { kind: "UNKNOWN" })
      if (!ret) throw new Error(`harness: ${parentName}.${step.fn} returns ${JSON.stringify(r.returnType)}, nothing to chain into`)
      if (ret.list) throw new Error(`harness: ${parentName}.${step.fn} returns a list; the CLI cannot chain into list elements`)
      if (this.surface.objects[ret.name]) {
        parentName = ret.name
        parent = r.returnValue
      } else {
        if (typeof r.returnValue !== "string") throw new Error(`harness: ${parentName}.${step.fn} returned ${JSON.stringify(r.returnValue)}, expected a ${ret.name} ID`)
        core = { type: ret.name, id: r.returnValue }
      }
    }
    return done()
  }

  /** Static check of a chain (function and argument names, enum values) before anything runs, like the CLI's flag parsing. */
  private validateChain(start: string, steps: ChainStep[]): void {
    let objName: string | undefined = start
    for (const step of steps) {
      if (!objName) return // core object: the engine validates
      const obj = this.surface.objects[objName]
      if (!obj) throw new Error(`harness: ${objName} is not an object of module ${this.moduleName}`)
      const fn = obj.functions[step.fn] ?? Object.values(obj.functions).find((f) => f.method === step.fn)
      if (!fn) throw new Error(`harness: ${objName} has no function ${step.fn} (functions: ${Object.keys(obj.functions).join(", ")})`)
      const names = new Set(fn.args.map((a) => a.name))
      const extra = Object.keys(step.args ?? {}).filter((k) => !names.has(k))
      if (extra.length) throw new Error(`harness: ${objName}.${step.fn} has no argument ${extra.join(", ")} (arguments: ${[...names].join(", ") || "none"})`)
      for (const a of fn.args) {
        const v = step.args?.[a.name]
        if (v === undefined) continue
        const t = a.type.kind === "LIST_KIND" ? a.type.of ?? a.type : a.type
        if (t.kind !== "ENUM_KIND") continue
        const values = a.type.kind === "LIST_KIND" ? (typeof v === "string" ? v.split(",") : (v as unknown[])) : [v]
        for (const x of values) this.enumName(`${objName}.${step.fn}`, a, t, typeof x === "string" ? x.trim() : x)
      }
      const ret = returnedObjectName(fn.returnType)
      objName = ret && !ret.list && this.surface.objects[ret.name] ? ret.name : undefined
    }
  }

  /** Engine-side argument handling: defaults, defaultPath, CLI-style conversions, enum names. */
  private async prepareArgs(engine: RecordingEngine, where: string, defs: ArgSurface[], given: Record<string, unknown>): Promise<Array<[string, unknown]>> {
    const known = new Set(defs.map((d) => d.name))
    const extra = Object.keys(given).filter((k) => !known.has(k))
    if (extra.length) throw new Error(`harness: ${where} has no argument ${extra.join(", ")} (arguments: ${[...known].join(", ") || "none"})`)
    const out: Array<[string, unknown]> = []
    for (const d of defs) {
      if (given[d.name] !== undefined) {
        out.push([d.name, await this.convert(engine, where, d, d.type, given[d.name])])
        continue
      }
      if (d.type.kind === "OBJECT_KIND" && d.type.name === "Workspace") {
        // the engine injects the caller's workspace into every Workspace argument not set (core/modfunc.go)
        const cwd = this.opts.cwd ?? this.root
        out.push([d.name, engine.workspace(cwd, this.opts.contextDir ?? cwd)])
        continue
      }
      if (d.defaultValue !== undefined && (isPrimitive(d.type) || (d.type.kind === "LIST_KIND" && d.type.of !== undefined && isPrimitive(d.type.of)))) {
        out.push([d.name, d.type.kind === "ENUM_KIND" ? this.enumName(where, d, d.type, d.defaultValue) : d.defaultValue])
        continue
      }
      if (d.defaultAddress !== undefined) {
        out.push([d.name, await queryId(engine, `{ container { from(address: ${JSON.stringify(d.defaultAddress)}) { id } } }`)])
        continue
      }
      if (d.defaultPath !== undefined) {
        // "/abs" is relative to the context directory (git root), "rel" to the module source root
        const base = d.defaultPath.startsWith("/") ? (this.opts.contextDir ?? this.root) : this.root
        const p = path.join(base, d.defaultPath)
        const isFile = d.type.name === "File"
        if (isFile ? fs.existsSync(p) && fs.statSync(p).isFile() : fs.existsSync(p) && fs.statSync(p).isDirectory())
          out.push([d.name, isFile ? engine.fixtureFile(p) : engine.fixtureDirectory(p, { exclude: d.ignore })])
        continue
      }
    }
    return out
  }

  private async convert(engine: RecordingEngine, where: string, d: ArgSurface, t: TypeRef, v: unknown): Promise<unknown> {
    if (t.kind === "LIST_KIND") {
      const items = typeof v === "string" ? v.split(",").map((s) => s.trim()) : (v as unknown[])
      if (!Array.isArray(items)) throw new Error(`harness: ${where} --${d.name} expects a list`)
      return Promise.all(items.map((x) => this.convert(engine, where, d, t.of ?? { kind: "UNKNOWN" }, x)))
    }
    if (t.kind === "ENUM_KIND") return this.enumName(where, d, t, v)
    // a string flag takes one value: "a,b" is what a user types for a list given to a string argument
    if (t.kind === "STRING_KIND" && Array.isArray(v)) return v.join(",")
    if (t.kind === "OBJECT_KIND" && typeof v === "string" && !ID_RE.test(v)) {
      const cwd = this.opts.cwd ?? this.root
      switch (t.name) {
        case "Directory":
          return engine.fixtureDirectory(path.resolve(cwd, v), { exclude: d.ignore })
        case "File":
          return engine.fixtureFile(path.resolve(cwd, v))
        case "Secret":
          return queryId(engine, `{ secret(uri: ${JSON.stringify(v)}) { id } }`)
        case "Container":
          return queryId(engine, `{ container { from(address: ${JSON.stringify(v)}) { id } } }`)
        case "CacheVolume":
          return engine.cacheVolume(v)
      }
    }
    return v
  }

  private enumName(where: string, d: ArgSurface, t: TypeRef, v: unknown): unknown {
    const e = t.name ? this.surface.enums[t.name] : undefined
    if (!e || typeof v !== "string") return v
    const byName = Object.keys(e.members).find((n) => n.toLowerCase() === v.toLowerCase())
    if (byName) return byName
    const byValue = Object.entries(e.members).find(([, m]) => m.value === v)
    if (byValue) return byValue[0]
    throw new Error(`harness: ${where} --${d.name}: ${JSON.stringify(v)} is not a ${t.name} (members: ${Object.keys(e.members).join(", ")})`)
  }

  private async coreStep(engine: RecordingEngine, on: { type: string; id: string }, step: ChainStep, hasNext: boolean): Promise<CallResult> {
    const args = Object.entries(step.args ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${gqlValue(v)}`)
      .join(", ")
    const q = `{ node(id: ${JSON.stringify(on.id)}) { ... on ${on.type} { ${step.fn}${args ? `(${args})` : ""}${hasNext ? " { id }" : ""} } } }`
    const session = engine.openSession({ label: `${on.type}.${step.fn}` })
    const t0 = performance.now()
    const res = await engine.execute(q, session)
    session.close()
    const base = {
      step: `${on.type}.${step.fn}`,
      kind: "core" as const,
      parentName: on.type,
      fn: step.fn,
      exitCode: null,
      queries: [...session.queries],
      stdout: "",
      stderr: "",
      durationMs: performance.now() - t0,
      sentArgs: step.args ?? {},
    }
    if (res.errors?.length) return { ...base, ok: false, error: res.errors[0].message, errorValues: res.errors[0].extensions }
    const node = (res.data as { node: Record<string, unknown> }).node
    let value = node[step.fn]
    if (hasNext && value && typeof value === "object") value = (value as { id: string }).id
    return { ...base, ok: true, returnValue: value }
  }

  private async spawnCall(
    engine: RecordingEngine,
    call: { parentName: string; name: string; parent: unknown; inputArgs: Array<[string, unknown]> },
    step: string,
    kind: "module" | "register",
    sentArgs: Record<string, unknown>,
  ): Promise<CallResult> {
    const limit = Math.max(1, this.opts.concurrency ?? os.availableParallelism())
    // a finishing call hands its slot directly to the next waiter
    if (this.running >= limit) await new Promise<void>((r) => this.waiting.push(r))
    else this.running++
    try {
      return await this.spawnOne(engine, call, step, kind, sentArgs)
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.running--
    }
  }

  private spawnOne(
    engine: RecordingEngine,
    call: { parentName: string; name: string; parent: unknown; inputArgs: Array<[string, unknown]> },
    step: string,
    kind: "module" | "register",
    sentArgs: Record<string, unknown>,
  ): Promise<CallResult> {
    const session = engine.openSession({ label: step, call, moduleName: this.moduleName })
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) {
      if (v === undefined || k.startsWith("DAGGER_") || k.startsWith("OTEL_") || k === "TRACEPARENT" || k.startsWith("VITEST") || k === "NODE_OPTIONS") continue
      env[k] = v
    }
    Object.assign(env, this.opts.env ?? {}, session.env, {
      MULTIARCH_HARNESS_SRC: this.srcDir,
      MULTIARCH_HARNESS_CLIENT_GEN: ensureClientGenShim(),
    })
    if (this.processMode === "worker") return this.workerCall(session, call, step, kind, sentArgs, env)
    const tsx = path.join(this.root, "node_modules/.bin/tsx")
    const bin = fs.existsSync(tsx) ? tsx : path.join(REPO_ROOT, "node_modules/.bin/tsx")
    const t0 = performance.now()
    return new Promise<CallResult>((resolve) => {
      const child = spawn(bin, ["--no-deprecation", "--tsconfig", path.join(this.root, "tsconfig.json"), RUNNER], {
        cwd: this.root,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()))
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()))
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        child.kill("SIGKILL")
      }, this.opts.timeoutMs ?? 120_000)
      const finish = (code: number | null, spawnError?: Error) => {
        clearTimeout(timer)
        const why = spawnError ? `could not start ${bin}: ${spawnError.message}` : timedOut ? `timed out after ${this.opts.timeoutMs ?? 120_000} ms` : `exited with code ${code}`
        resolve(callOutcome(session, { step, kind, call, sentArgs, code, stdout, stderr, t0, why }))
      }
      child.on("error", (err) => finish(null, err))
      child.on("close", (code) => finish(code))
    })
  }

  /** One call in a worker process (HarnessOptions.process "worker"); same result shape as a fresh process. */
  private async workerCall(
    session: ReturnType<RecordingEngine["openSession"]>,
    call: { parentName: string; name: string },
    step: string,
    kind: "module" | "register",
    sentArgs: Record<string, unknown>,
    env: Record<string, string>,
  ): Promise<CallResult> {
    const perCall = session.env as Record<string, string>
    const base = Object.fromEntries(Object.entries(env).filter(([k]) => !(k in perCall)))
    const worker = this.idle.pop() ?? this.startWorker(base)
    const t0 = performance.now()
    const timeoutMs = this.opts.timeoutMs ?? 120_000
    const res = await worker.run(perCall, timeoutMs)
    if (res.alive) this.idle.push(worker)
    else this.workers.delete(worker)
    const why = res.timedOut ? `timed out after ${timeoutMs} ms` : `exited with code ${res.exitCode}`
    return callOutcome(session, { step, kind, call, sentArgs, code: res.exitCode, stdout: res.stdout, stderr: res.stderr, t0, why })
  }

  private startWorker(env: Record<string, string>): ModuleWorker {
    const tsxDir = fs.existsSync(path.join(this.root, "node_modules/tsx")) ? path.join(this.root, "node_modules/tsx") : path.join(REPO_ROOT, "node_modules/tsx")
    const child = spawn(process.execPath, ["--no-deprecation", "--import", pathToFileURL(path.join(tsxDir, "dist/loader.mjs")).href, WORKER], {
      cwd: this.root,
      env: { ...env, TSX_TSCONFIG_PATH: path.join(this.root, "tsconfig.json") },
      stdio: ["pipe", "pipe", "pipe", "pipe"],
    })
    const w = new ModuleWorker(child)
    this.workers.add(w)
    this.started++
    return w
  }
}

/** The CallResult of a finished module process (fresh) or worker call: what the session recorded, and why it failed if it did. */
function callOutcome(
  session: ReturnType<RecordingEngine["openSession"]>,
  c: { step: string; kind: "module" | "register"; call: { parentName: string; name: string }; sentArgs: Record<string, unknown>; code: number | null; stdout: string; stderr: string; t0: number; why: string },
): CallResult {
  session.close()
  const o = session.outcome
  const r: CallResult = {
    step: c.step,
    kind: c.kind,
    parentName: c.call.parentName,
    fn: c.call.name,
    ok: false,
    exitCode: c.code,
    queries: [...session.queries],
    stdout: c.stdout,
    stderr: c.stderr,
    durationMs: performance.now() - c.t0,
    sentArgs: c.sentArgs,
  }
  if (o.returnError) {
    r.error = o.returnError.message
    r.errorValues = Object.fromEntries(Object.entries(o.returnError.values).map(([k, v]) => [k, parseMaybeJson(v)]))
  } else if (o.returnValue !== undefined && c.code === 0) {
    r.ok = true
    r.rawReturn = o.returnValue
    r.returnValue = JSON.parse(o.returnValue)
  } else {
    r.crashed = true
    r.error = `module process ${c.why} without returning a value${c.stderr ? `:\n${tail(c.stderr, 4000)}` : ""}`
    if (o.returnValue !== undefined) {
      r.rawReturn = o.returnValue
      r.returnValue = parseMaybeJson(o.returnValue)
    }
  }
  return r
}

/** A runner/module-worker.ts process: one call at a time; it dies on a crash or a timeout (and is not reused). */
class ModuleWorker {
  private next = 0
  private pending?: { id: number; resolve: (r: WorkerResult) => void }
  private dead = false
  private rawStderr = ""
  private exitCode: number | null = null

  constructor(readonly child: ChildProcess) {
    child.unref()
    for (const s of [child.stdin, child.stdout, child.stderr, child.stdio[3]] as Array<{ unref?: () => void } | null>) s?.unref?.()
    child.stdout!.on("data", () => {}) // the worker captures the module's output itself
    child.stderr!.on("data", (c: Buffer) => (this.rawStderr = tail(this.rawStderr + c.toString(), 8000)))
    child.stdin!.on("error", () => {})
    readline.createInterface({ input: child.stdio[3] as NodeJS.ReadableStream }).on("line", (l) => {
      const m = JSON.parse(l) as { id?: number; crash?: boolean; exitCode?: number; stdout: string; stderr: string }
      const p = this.pending
      if (!p || (m.id !== undefined && m.id !== p.id)) return
      this.pending = undefined
      if (m.crash) {
        this.dead = true
        p.resolve({ alive: false, exitCode: 1, stdout: m.stdout, stderr: m.stderr, timedOut: false })
      } else p.resolve({ alive: true, exitCode: m.exitCode ?? null, stdout: m.stdout, stderr: m.stderr, timedOut: false })
    })
    child.on("close", (code) => {
      this.dead = true
      this.exitCode = code
      const p = this.pending
      this.pending = undefined
      p?.resolve({ alive: false, exitCode: code, stdout: "", stderr: this.rawStderr, timedOut: false })
    })
    child.on("error", (e) => {
      this.dead = true
      const p = this.pending
      this.pending = undefined
      p?.resolve({ alive: false, exitCode: null, stdout: "", stderr: `could not start the module worker: ${e.message}`, timedOut: false })
    })
  }

  run(env: Record<string, string>, timeoutMs: number): Promise<WorkerResult> {
    if (this.dead) return Promise.resolve({ alive: false, exitCode: this.exitCode, stdout: "", stderr: this.rawStderr, timedOut: false })
    const id = this.next++
    return new Promise<WorkerResult>((resolve) => {
      const timer = setTimeout(() => {
        this.dead = true
        this.pending = undefined
        this.child.kill("SIGKILL")
        resolve({ alive: false, exitCode: null, stdout: "", stderr: this.rawStderr, timedOut: true })
      }, timeoutMs)
      this.pending = {
        id,
        resolve: (r) => {
          clearTimeout(timer)
          resolve({ ...r, alive: r.alive && !this.dead })
        },
      }
      this.child.stdin!.write(JSON.stringify({ id, env }) + "\n")
    })
  }
}

interface WorkerResult {
  alive: boolean
  exitCode: number | null
  stdout: string
  stderr: string
  timedOut: boolean
}

function isPrimitive(t: TypeRef): boolean {
  return ["STRING_KIND", "INTEGER_KIND", "BOOLEAN_KIND", "FLOAT_KIND", "ENUM_KIND"].includes(t.kind)
}

function parseMaybeJson(s: string): unknown {
  try {
    return JSON.parse(s)
  } catch {
    return s
  }
}

function tail(s: string, n: number): string {
  return s.length > n ? "…" + s.slice(-n) : s
}

async function queryId(engine: RecordingEngine, q: string): Promise<string> {
  const res = await engine.execute(q)
  if (res.errors?.length) throw new Error(`harness: ${q}: ${res.errors[0].message}`)
  let v: unknown = res.data
  while (v && typeof v === "object") v = Object.values(v as object)[0]
  return String(v)
}

function gqlValue(v: unknown): string {
  if (v && typeof v === "object" && "__enum" in (v as object)) return String((v as { __enum: string }).__enum)
  if (Array.isArray(v)) return `[${v.map(gqlValue).join(",")}]`
  if (v && typeof v === "object")
    return `{${Object.entries(v as object)
      .map(([k, x]) => `${k}:${gqlValue(x)}`)
      .join(",")}}`
  return JSON.stringify(v)
}

/** Type of a core field's object result, for chaining core steps. */
function guessCoreType(parentType: string, field: string): string {
  const table: Record<string, string> = {
    file: "File", asTarball: "File", directory: "Directory", rootfs: "Directory", withName: "File", dockerBuild: "Container",
  }
  if (table[field]) return table[field]
  return parentType
}

// ---------------------------------------------------------------------------------------------
// Default harness for the repo's module

let defaultHarness: Promise<ModuleHarness> | undefined

/** The harness of this repo's module (scanned once per process). */
export function moduleHarness(): Promise<ModuleHarness> {
  defaultHarness ??= ModuleHarness.create()
  defaultHarness.catch(() => (defaultHarness = undefined))
  return defaultHarness
}

/** `dagger call` a chain on this repo's module. */
export async function callChain(engine: RecordingEngine, steps: ChainStep[], opts: ChainOptions = {}): Promise<ChainResult> {
  return (await moduleHarness()).callChain(engine, steps, opts)
}

/** Register this repo's module (what the engine does when loading it). */
export async function registerModule(engine: RecordingEngine) {
  return (await moduleHarness()).register(engine)
}

/** One call on this repo's module: `<parentName>.<fn>` with parent state and args. */
export async function callFunction(engine: RecordingEngine, parentName: string, fn: string, parent: unknown = {}, args: Record<string, unknown> = {}) {
  return (await moduleHarness()).call(engine, parentName, fn, parent, args)
}

/** Fields the module runtime protocol itself uses (reading the call, returning a value or an error). */
export const PROTOCOL_FIELDS: ReadonlySet<string> = new Set([
  "currentModule", "name", "currentFunctionCall", "parentName", "parent", "inputArgs", "id", "node", "value",
  "returnValue", "returnError", "error", "withValue",
])

/** Field names of queries that are not part of the runtime protocol, i.e. engine work. */
export function engineWork(queries: RecordedQuery[]): string[] {
  return queries.flatMap((q) => q.fields).filter((f) => !PROTOCOL_FIELDS.has(f))
}
