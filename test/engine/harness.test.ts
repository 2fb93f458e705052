/**
 * Self-tests of the module harness on a small generated module (test/.out/harness-fixture, not
 * committed): registration, constructor + defaults, enum names, chaining into a custom object and
 * then into core objects, returned errors and ExecError values.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { startRecordingEngine, type RecordingEngine } from "./recording-engine.js"
import { ModuleHarness, type CallResult, type ChainResult, type ChainStep } from "./harness.js"
import { OUT_DIR } from "./introspect.js"

const ROOT = path.join(OUT_DIR, "harness-fixture")

const INDEX_TS = `/**
 * A fixture module for the harness self-tests.
 */
import { dag, Container, Directory, File, Platform, func, object } from "@dagger.io/dagger"

/** Flavours. */
export enum Flavor {
  /** Plain. */
  Plain = "plain",
  /** Fancy. */
  Fancy = "fancy",
}

/** A multi-platform image. */
@object()
export class FixtureModImage {
  /** Per-platform containers. */
  @func()
  variants: Container[]

  constructor(variants: Container[]) {
    this.variants = variants
  }

  /**
   * Publish every variant as one index.
   * @param address Registry address.
   */
  @func()
  async publish(address: string): Promise<string> {
    return dag.container().publish(address, { platformVariants: this.variants })
  }

  /** The image as an OCI tarball. */
  @func()
  tarball(): File {
    return dag.container().asTarball({ platformVariants: this.variants })
  }

  /**
   * One variant.
   * @param platform Which one.
   */
  @func()
  async variant(platform: Platform): Promise<Container> {
    for (const v of this.variants) if ((await v.platform()) === platform) return v
    throw new Error(\`no variant for \${platform}\`)
  }
}

@object()
export class FixtureMod {
  greeting: string

  /** @param greeting How to greet. */
  constructor(greeting = "hello") {
    this.greeting = greeting
  }

  /**
   * Echo the inputs.
   * @param name Who.
   * @param flavor Which flavour.
   * @param times How often.
   */
  @func()
  echo(name: string, flavor: Flavor = Flavor.Plain, times = 1): string {
    return JSON.stringify({ greeting: this.greeting, name, flavor, times })
  }

  /**
   * Build one container per platform.
   * @param source Files.
   * @param platforms Targets.
   */
  @func()
  build(source: Directory, platforms: Platform[]): FixtureModImage {
    return new FixtureModImage(
      platforms.map((p) => dag.container({ platform: p }).from("alpine:3.20").withDirectory("/src", source).withExec(["make", "-C", "/src"])),
    )
  }

  /** Always fails. */
  @func()
  async boom(): Promise<string> {
    throw new Error("boom: bad input")
  }

  /** Crashes its process after it returned: an error nobody catches. */
  @func()
  async lateCrash(): Promise<string> {
    setTimeout(() => {
      throw new Error("late crash")
    }, 0)
    await new Promise((r) => setTimeout(r, 2000))
    return "unreachable"
  }

  /**
   * Writes to stdout and stderr, and reads an environment variable a previous call may have set.
   * @param set A value to leave in MULTIARCH_FIXTURE_LEFT for later calls (a fresh process forgets it).
   */
  @func()
  async logs(set = ""): Promise<string> {
    console.log("to stdout")
    console.error("to stderr")
    const before = process.env.MULTIARCH_FIXTURE_LEFT ?? ""
    if (set) process.env.MULTIARCH_FIXTURE_LEFT = set
    return before
  }

  /** Runs a failing command. */
  @func()
  async execFail(): Promise<string> {
    return dag.container().from("alpine:3.20").withExec(["sh", "-c", "exit 5"]).stdout()
  }
}
`

function writeFixture(): void {
  fs.mkdirSync(path.join(ROOT, "src"), { recursive: true })
  fs.mkdirSync(path.join(ROOT, "data"), { recursive: true })
  const files: Record<string, string> = {
    "dagger.json": JSON.stringify({ name: "fixture-mod", engineVersion: "v0.21.9", sdk: { source: "typescript" } }),
    "package.json": JSON.stringify({ type: "module" }),
    "tsconfig.json": JSON.stringify({
      compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Node", experimentalDecorators: true, strict: true, skipLibCheck: true },
    }),
    "src/index.ts": INDEX_TS,
    "data/Makefile": "all:\n\techo ok\n",
  }
  for (const [p, c] of Object.entries(files)) {
    const f = path.join(ROOT, p)
    if (!fs.existsSync(f) || fs.readFileSync(f, "utf8") !== c) fs.writeFileSync(f, c)
  }
}

let engine: RecordingEngine
let h: ModuleHarness
let reg: Awaited<ReturnType<ModuleHarness["register"]>>
let echo: ChainResult
let build: ChainResult
let publish: ChainResult
let tarball: ChainResult
let variant: ChainResult
let boom: ChainResult
let execFail: ChainResult

beforeAll(async () => {
  writeFixture()
  engine = await startRecordingEngine()
  engine.failExec({ match: "exit 5", exitCode: 5, stderr: "five" })
  h = await ModuleHarness.create({ root: ROOT })
  const platforms = ["linux/amd64", "linux/arm64"]
  // every module call is one subprocess (~2-3 s of CPU): start them all, the harness queues them
  const built = h.callChain(engine, [{ fn: "build", args: { source: "data", platforms } }])
  // later steps start from build's returned state, as `dagger call build … publish …` would
  const fromBuild = async (steps: ChainStep[]) => {
    const b = await built
    if (!b.ok) return b
    return h.callChain(engine, steps, { parentName: "FixtureModImage", parent: b.returnValue })
  }
  ;[reg, echo, build, publish, tarball, variant, boom, execFail] = await Promise.all([
    h.register(engine),
    h.callChain(engine, [{ fn: "echo", args: { name: "bob", flavor: "FANCY" } }], { constructorArgs: { greeting: "hi" } }),
    built,
    fromBuild([{ fn: "publish", args: { address: "ttl.sh/fixture:1" } }]),
    fromBuild([{ fn: "tarball" }, { fn: "export", args: { path: "out.tar" } }]),
    fromBuild([{ fn: "variant", args: { platform: "linux/arm64" } }, { fn: "platform" }]),
    // parentName given: no constructor call
    h.callChain(engine, [{ fn: "boom" }], { parentName: "FixtureMod", parent: { greeting: "x" } }),
    h.callChain(engine, [{ fn: "execFail" }], { parentName: "FixtureMod", parent: { greeting: "x" } }),
  ])
}, 600_000)

afterAll(async () => {
  await engine?.close()
})

// The same calls, one after another, in fresh processes (as the engine runs them) and in one worker
// process (the harness's default, HarnessOptions.process): what the engine records and what comes
// back must not differ, except that the worker starts once.
type Sample = { ok: boolean; exitCode: number | null; crashed: boolean; returnValue: unknown; error?: string; errorValues?: unknown; stdout: string; stderr: string; queries: string[] }
const modeRuns: Record<"fresh" | "worker", { samples: Sample[]; started: number; ms: number }> = {} as never
const sampleOf = (r: CallResult): Sample => ({
  ok: r.ok,
  exitCode: r.exitCode,
  crashed: !!r.crashed,
  returnValue: r.returnValue,
  error: r.error?.replace(/\n[\s\S]*/, ""),
  errorValues: r.errorValues,
  stdout: r.stdout.split("\n").filter((l) => l.startsWith("to ")).join("\n"),
  stderr: r.stderr.split("\n").filter((l) => l.startsWith("to ")).join("\n"),
  // the query texts, sorted (the SDK sends some at once, e.g. while registering, so their order varies
  // from run to run); the engine names a call's argument values with random IDs, numbered here in order
  queries: numberArgIds(r.queries.map((q) => q.text)).sort(),
})
function numberArgIds(texts: string[]): string[] {
  const seen = new Map<string, string>()
  return texts.map((t) => t.replace(/FunctionCallArgValue:[0-9a-f]{12}/g, (id) => seen.get(id) ?? (seen.set(id, `FunctionCallArgValue:#${seen.size}`), seen.get(id)!)))
}

beforeAll(async () => {
  for (const mode of ["fresh", "worker"] as const) {
    const e = await startRecordingEngine()
    e.failExec({ match: "exit 5", exitCode: 5, stderr: "five" })
    const hm = await ModuleHarness.create({ root: ROOT, process: mode, concurrency: 1 })
    const t0 = performance.now()
    const samples: Sample[] = []
    const calls: Array<() => Promise<CallResult>> = [
      () => hm.register(e),
      async () => (await hm.callChain(e, [{ fn: "echo", args: { name: "bob", flavor: "FANCY" } }], { constructorArgs: { greeting: "hi" } })).last,
      async () => (await hm.callChain(e, [{ fn: "build", args: { source: "data", platforms: ["linux/amd64", "linux/arm64"] } }, { fn: "publish", args: { address: "ttl.sh/fixture:2" } }])).last,
      async () => (await hm.callChain(e, [{ fn: "boom" }], { parentName: "FixtureMod", parent: { greeting: "x" } })).last,
      async () => (await hm.callChain(e, [{ fn: "execFail" }], { parentName: "FixtureMod", parent: { greeting: "x" } })).last,
      async () => (await hm.callChain(e, [{ fn: "logs", args: { set: "first" } }], { parentName: "FixtureMod", parent: { greeting: "x" } })).last,
      async () => (await hm.callChain(e, [{ fn: "logs" }], { parentName: "FixtureMod", parent: { greeting: "x" } })).last,
      async () => (await hm.callChain(e, [{ fn: "lateCrash" }], { parentName: "FixtureMod", parent: { greeting: "x" } })).last,
      async () => (await hm.callChain(e, [{ fn: "echo", args: { name: "after the crash" } }], { parentName: "FixtureMod", parent: { greeting: "x" } })).last,
    ]
    for (const c of calls) samples.push(sampleOf(await c()))
    modeRuns[mode] = { samples, started: hm.workersStarted, ms: performance.now() - t0 }
    hm.close()
    await e.close()
  }
}, 600_000)

const why = (r: ChainResult | CallResult) => `${r.error ?? ""}\n${"stderr" in r ? r.stderr : r.last?.stderr ?? ""}`

describe("module harness", () => {
  it("registers the module through the real entrypoint and decodes what it registered", () => {
    expect(reg.ok, why(reg)).toBe(true)
    expect(reg.moduleId).toMatch(/^Module:[0-9a-f]{12}$/)
    const m = reg.registered!
    expect(m.description).toBe("A fixture module for the harness self-tests.")
    expect(Object.keys(m.objects).sort()).toEqual(["FixtureMod", "FixtureModImage"])
    const e = m.objects.FixtureMod.functions.echo
    expect(e.returnType).toBe("string")
    expect(e.args).toEqual([
      expect.objectContaining({ name: "name", type: "string", description: "Who." }),
      // a registered default makes an argument optional for the engine, without withOptional
      expect.objectContaining({ name: "flavor", type: "Flavor", defaultValue: "Plain", description: "Which flavour." }),
      expect.objectContaining({ name: "times", type: "integer", defaultValue: 1 }),
    ])
    expect(m.objects.FixtureMod.constructorFn?.args).toEqual([expect.objectContaining({ name: "greeting", defaultValue: "hello" })])
    expect(m.objects.FixtureModImage.fields.variants).toEqual({ type: "[Container]", description: "Per-platform containers." })
    expect(m.enums.Flavor.members).toEqual({ Plain: { value: "plain", description: "Plain." }, Fancy: { value: "fancy", description: "Fancy." } })
    expect(engine.unknownFields.filter((u) => u.session === "register")).toEqual([])
  })

  it("calls the constructor first, fills registered defaults and maps enum names", () => {
    expect(echo.ok, why(echo)).toBe(true)
    expect(echo.steps.map((s) => s.step)).toEqual(["FixtureMod.constructor", "FixtureMod.echo"])
    expect(echo.steps[0].sentArgs).toEqual({ greeting: "hi" })
    expect(echo.steps[0].returnValue).toEqual({ greeting: "hi" })
    // the engine sends registered defaults (times=1) and enum member names (FANCY → Fancy)
    expect(echo.steps[1].sentArgs).toEqual({ name: "bob", flavor: "Fancy", times: 1 })
    expect(JSON.parse(echo.returnValue as string)).toEqual({ greeting: "hi", name: "bob", flavor: "fancy", times: 1 })
    // without constructor arguments the registered default is sent
    expect(build.steps[0].sentArgs).toEqual({ greeting: "hello" })
    expect(build.steps[0].returnValue).toEqual({ greeting: "hello" })
  })

  it("chains build → publish through the returned object state", () => {
    expect(build.ok, why(build)).toBe(true)
    expect(publish.ok, why(publish)).toBe(true)
    const b = build.last
    expect(build.steps.map((s) => s.step)).toEqual(["FixtureMod.constructor", "FixtureMod.build"])
    expect(b.returnType).toEqual({ kind: "OBJECT_KIND", name: "FixtureModImage" })
    const state = b.returnValue as { variants: string[] }
    expect(state.variants).toHaveLength(2)
    expect(state.variants.every((v) => /^Container:[0-9a-f]{12}$/.test(v))).toBe(true)
    const pub = publish.last
    expect(pub.parentName).toBe("FixtureModImage")
    expect(pub.returnValue).toMatch(/^ttl\.sh\/fixture:1@sha256:[0-9a-f]{64}$/)
    const ev = engine.publishes.find((p) => p.ref === pub.returnValue)!
    expect(ev.platforms).toEqual(["linux/amd64", "linux/arm64"])
    expect(ev.variants.map((v) => v.execs.map((x) => x.argv.join(" ")))).toEqual([["make -C /src"], ["make -C /src"]])
    // the Directory argument given as a local path became a fixture directory with the real files
    const srcId = ev.variants[0].files[0].sourceId!
    expect(engine.directoryEntries(srcId)).toEqual(["Makefile"])
    // build only built IDs (lazy); the execs ran when publish evaluated the variants
    expect(engine.execs.filter((x) => x.session === "FixtureMod.build")).toEqual([])
    // (publish, tarball export and variant run concurrently here; the exec cache is engine-wide)
    const makes = engine.execs.filter((x) => x.argv[0] === "make")
    expect(new Set(makes.map((x) => x.platform))).toEqual(new Set(["linux/amd64", "linux/arm64"]))
    expect(makes.every((x) => x.session !== "FixtureMod.build" && x.session !== "FixtureMod.constructor")).toBe(true)
    expect(pub.queries.some((q) => q.fields.includes("publish"))).toBe(true)
  })

  it("continues into core objects: tarball → export, variant → platform", () => {
    expect(tarball.ok, why(tarball)).toBe(true)
    expect(tarball.steps.map((s) => [s.kind, s.step])).toEqual([
      ["module", "FixtureModImage.tarball"],
      ["core", "File.export"],
    ])
    expect(tarball.returnValue).toBe("out.tar")
    expect(engine.events.some((e) => e.kind === "tarball" && e.exportPath === "out.tar" && e.platforms.length === 2)).toBe(true)
    expect(variant.ok, why(variant)).toBe(true)
    expect(variant.returnValue).toBe("linux/arm64")
  })

  it("reports a thrown error as the returned error (entrypoint exits 1)", () => {
    expect(boom.ok).toBe(false)
    expect(boom.error).toBe("boom: bad input")
    expect(boom.last.exitCode).toBe(1)
    expect(boom.last.crashed).toBeFalsy()
  })

  it("carries ExecError details in the returned error's values", () => {
    expect(execFail.ok).toBe(false)
    expect(execFail.error).toContain("exit code: 5")
    expect(execFail.last.errorValues).toMatchObject({ _type: "EXEC_ERROR", exitCode: 5, stderr: "five", cmd: ["sh", "-c", "exit 5"] })
  })

  it("runs the same calls in one worker process as in fresh processes: same queries, results, errors and output", () => {
    const fresh = modeRuns.fresh.samples
    const worker = modeRuns.worker.samples
    expect(worker).toHaveLength(9)
    for (let i = 0; i < fresh.length; i++) expect(worker[i], `call ${i}`).toEqual(fresh[i])
    // what the calls did, so the comparison is not between two equal failures
    expect(fresh.map((s) => s.ok)).toEqual([true, true, true, false, false, true, true, false, true])
    expect(fresh[3]).toMatchObject({ exitCode: 1, crashed: false, error: "boom: bad input" })
    expect(fresh[4].errorValues).toMatchObject({ _type: "EXEC_ERROR", exitCode: 5 })
    expect(fresh[5]).toMatchObject({ returnValue: "", stdout: "to stdout", stderr: "to stderr" })
    expect(fresh[6].returnValue).toBe("")
    expect(fresh[7]).toMatchObject({ crashed: true, ok: false })
    expect(fresh[8]).toMatchObject({ ok: true })
    expect(fresh[1].queries.length).toBeGreaterThan(3)
  })

  it("a worker process serves calls one after another, and a crash or a call's environment does not reach the next call", () => {
    expect(modeRuns.fresh.started).toBe(0)
    // one worker for the first seven calls; the crash ends it and the next call starts a new one
    expect(modeRuns.worker.started).toBe(2)
    // a variable one call left in its process is gone in the next call, as with a fresh process
    expect(modeRuns.worker.samples[6].returnValue).toBe("")
  })

  it("rejects unknown functions and arguments like the CLI", async () => {
    await expect(h.callChain(engine, [{ fn: "nope" }])).rejects.toThrow(/has no function nope/)
    await expect(h.callChain(engine, [{ fn: "echo", args: { name: "x", colour: "red" } }])).rejects.toThrow(/no argument colour/)
    await expect(h.callChain(engine, [{ fn: "echo", args: { name: "x", flavor: "spicy" } }])).rejects.toThrow(/not a Flavor/)
  })
})
