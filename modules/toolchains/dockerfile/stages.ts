/**
 * The stage graph: walk the instructions in order like BuildKit's Dockerfile frontend, tracking ARG
 * and ENV scopes, each stage's platform (target, build, literal, or its base stage's), its RUN steps
 * and copies from other stages; then check for cycles and mark the stages the target needs.
 */
import { MultiarchInputError } from "../../core/errors/index.js"
import { closest } from "../../core/suggest.js"
import { formatPlatform, normalizePlatformParts } from "../../core/platform.js"
import { classifyRun, mentionsTargetPlatform } from "./classify.js"
import { DockerfileError } from "./DockerfileError.js"
import { INSTRUCTIONS, parseFlags, parseMount, type RawInstruction } from "./parse.js"
import { runsNatively, type EnginePlatform } from "../../core/native.js"
import { PLATFORM_ARGS, platformArgValues } from "./platforms.js"
import { joinPath } from "./paths.js"
import type { DockerfileRun, DockerfileStage, PlatformSource, RunKind, RunMount } from "./types.js"
import { expandWord, lexFail, referencedNames, type LexCtx } from "./words.js"

export interface StageState {
  stage: DockerfileStage
  /** Values visible to RUN/COPY expansion (declared ARGs and ENV). */
  scope: Map<string, string>
  /** ENV names set in the stage (and inherited from a base stage). */
  envNames: Set<string>
  envText: string
  workdir: string
  /** Refs to other stages: [stage index, line] (FROM <stage>, COPY --from, RUN --mount from=). */
  deps: { stage: number; line: number }[]
  /** Native-code-producing RUNs: where they ran. */
  producers: { line: number; workdir: string; kind: RunKind; what: string }[]
}

/** The stage graph of a Dockerfile for one target platform. */
export interface StageGraph {
  states: StageState[]
  /** `AS name` → stage index. */
  stageNames: Map<string, number>
  /** Global (before the first FROM) ARGs after build-arg overrides; undefined = declared without a value. */
  globalArgs: Record<string, string | undefined>
  notes: string[]
  /** RUN → platform ARGs it uses without declaring them in its stage. */
  undeclaredArgs: Map<DockerfileRun, string[]>
  /** Index of the stage that is built (the --target, else the last). */
  targetIndex: number
}

/** What the walk knows while it reads the instructions in order. */
interface Walk {
  readonly escape: string
  readonly path: string
  readonly targetPlatform: string
  readonly engine: EnginePlatform
  readonly buildArgs: Record<string, string>
  /** BUILDPLATFORM/TARGETPLATFORM & co.: automatic global ARGs (the engine's and the target's values). */
  readonly automatic: Map<string, string>
  /** Automatic ARGs whose value a --build-arg or a global ARG default replaced (BuildKit lets them). */
  readonly overridden: Set<string>
  /** Values visible to FROM lines: automatic and global ARGs. */
  readonly meta: Map<string, string>
  readonly globalArgs: Record<string, string | undefined>
  readonly notes: string[]
  readonly states: StageState[]
  readonly undeclaredArgs: Map<DockerfileRun, string[]>
  readonly stageNames: Map<string, number>
  cur: StageState | undefined
}

export interface StageGraphOptions {
  escape: string
  path: string
  targetPlatform: string
  /** The engine's platform: BUILDPLATFORM, and what runs natively. */
  engine: EnginePlatform
  buildArgs: Record<string, string>
  /** `--target` stage name; default the last stage. */
  target?: string
}

/** Walk `instructions` and build the stage graph (throws DockerfileError / MultiarchInputError). */
export function buildStageGraph(instructions: RawInstruction[], o: StageGraphOptions): StageGraph {
  const automatic = new Map<string, string>([...platformArgValues("BUILD", o.engine.platform), ...platformArgValues("TARGET", o.targetPlatform)])
  const meta = new Map(automatic)
  const overridden = new Set<string>()
  // BuildKit (dockerfile2llb defaultArgs): a --build-arg of the same name replaces an automatic value
  for (const [k, v] of automatic)
    if (k in o.buildArgs && o.buildArgs[k] !== v) {
      meta.set(k, o.buildArgs[k])
      overridden.add(k)
    }
  const walk: Walk = {
    ...o,
    automatic,
    overridden,
    meta,
    globalArgs: {},
    notes: [],
    states: [],
    undeclaredArgs: new Map(),
    stageNames: stageNamesOf(instructions, o.escape, o.path),
    cur: undefined,
  }
  for (const ins of instructions) step(walk, ins)
  const { states, path } = walk
  if (states.length === 0) {
    const last = instructions.at(-1)!
    throw new DockerfileError(last.line, last.text, "no FROM instruction: the file declares no build stage", "add FROM <image> after the global ARGs", path)
  }
  checkCycles(states, instructions, path)
  const targetIndex = markNeeded(walk, o.target)
  return { states, stageNames: walk.stageNames, globalArgs: walk.globalArgs, notes: walk.notes, undeclaredArgs: walk.undeclaredArgs, targetIndex }
}

/** First pass: stage names (FROM … AS name), for references by name. */
function stageNamesOf(instructions: RawInstruction[], escape: string, path: string): Map<string, number> {
  const stageNames = new Map<string, number>()
  let idx = 0
  for (const ins of instructions) {
    if (ins.keyword !== "FROM") continue
    const words = ins.node.args
    if (words.length === 3 && words[1].toLowerCase() === "as") {
      const name = words[2].toLowerCase()
      if (!/^[a-z][a-z0-9._-]*$/.test(name))
        throw new DockerfileError(ins.line, ins.text, `invalid stage name ${JSON.stringify(words[2])}`, "stage names start with a letter and use letters, digits, '-', '_', '.'", path)
      if (stageNames.has(name))
        throw new DockerfileError(ins.line, ins.text, `duplicate stage name ${JSON.stringify(name)}`, "give each stage its own name", path)
      stageNames.set(name, idx)
    }
    idx++
  }
  return stageNames
}

/** The stage a `--from`/`from=` value names (by name, or by index when allowed), or undefined for an image. */
function resolveStageRef(walk: Walk, ref: string, self: number, ins: RawInstruction, allowIndex: boolean): number | undefined {
  const lower = ref.toLowerCase()
  const byName = walk.stageNames.get(lower)
  if (byName !== undefined) {
    if (byName === self)
      throw new DockerfileError(ins.line, ins.text, `stage ${JSON.stringify(lower)} refers to itself`, "copy from an earlier stage or an image", walk.path)
    return byName
  }
  if (allowIndex && /^\d+$/.test(ref)) {
    const idx = Number(ref)
    if (idx >= self)
      throw new DockerfileError(ins.line, ins.text, `stage index ${idx} is not an earlier stage (this is stage ${self})`, `use an index below ${self} or the stage's name`, walk.path)
    return idx
  }
  return undefined
}

function step(walk: Walk, ins: RawInstruction): void {
  const kw = ins.keyword
  const ctx: LexCtx = { line: ins.line, text: ins.text, escape: walk.escape, path: walk.path }
  if (kw === "")
    throw new DockerfileError(
      ins.line,
      ins.text,
      `the escape character ${JSON.stringify(walk.escape)} at the end of the line continues it, and no instruction follows`,
      `remove the trailing ${walk.escape}`,
      walk.path,
    )
  if (!INSTRUCTIONS.has(kw)) {
    const best = closest(kw, INSTRUCTIONS, 2)
    throw new DockerfileError(
      ins.line,
      ins.text,
      `unknown instruction ${JSON.stringify(kw)}`,
      best ? `did you mean ${best}?` : `use one of ${[...INSTRUCTIONS].join(", ")}`,
      walk.path,
    )
  }
  if (ins.rest === "" && ins.heredocs.length === 0 && !ins.node.json)
    throw new DockerfileError(ins.line, ins.text, `${kw} needs at least one argument`, `see the Dockerfile reference for ${kw}`, walk.path)
  if (kw === "ARG") return declareArgs(walk, ins, ctx)
  if (kw === "FROM") return openStage(walk, ins, ctx)
  const cur = walk.cur
  if (!cur)
    throw new DockerfileError(ins.line, ins.text, `${kw} before the first FROM`, "only ARG and parser directives may come before the first FROM", walk.path)
  switch (kw) {
    case "ENV":
      return setEnv(walk, cur, ins, ctx)
    case "WORKDIR":
      cur.workdir = joinPath(cur.workdir, expandWord(ins.rest, cur.scope, ctx))
      return
    case "RUN":
      return addRun(walk, cur, ins, ctx)
    case "COPY":
    case "ADD":
      return addCopy(walk, cur, ins, ctx, kw)
    case "ONBUILD":
      return checkOnbuild(walk, ins)
  }
}

/**
 * ARG, as BuildKit's frontend reads it: a --build-arg of the name wins, then the ARG's default
 * (expanded). Without either, a global ARG keeps the value the name already has (an automatic
 * one or an earlier global ARG: buildMetaArgs), and a stage ARG takes the global value
 * (dispatchArg). So `ARG BUILDPLATFORM=linux/amd64` before the first FROM replaces the automatic
 * value, as `ARG TARGETARCH=amd64` does inside a stage.
 */
function declareArgs(walk: Walk, ins: RawInstruction, ctx: LexCtx): void {
  const cur = walk.cur
  const words = ins.node.args
  const scope = cur ? cur.scope : walk.meta
  for (const w of words) {
    const eq = w.indexOf("=")
    const name = eq === -1 ? w : w.slice(0, eq)
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name))
      throw new DockerfileError(ins.line, ins.text, `invalid ARG name ${JSON.stringify(name)}`, "write ARG NAME or ARG NAME=default", walk.path)
    const def = eq === -1 ? undefined : expandWord(w.slice(eq + 1), scope, ctx)
    const given = name in walk.buildArgs ? walk.buildArgs[name] : def
    if (cur) {
      const value = given ?? walk.meta.get(name)
      cur.stage.args.push(name)
      if (value !== undefined) cur.scope.set(name, value)
      else cur.scope.delete(name)
    } else {
      if (given !== undefined) {
        walk.meta.set(name, given)
        if (walk.automatic.has(name) && given !== walk.automatic.get(name)) walk.overridden.add(name)
      }
      walk.globalArgs[name] = walk.meta.get(name)
    }
  }
}

/** FROM: a new stage, its base (image or earlier stage) and the platform it executes on. */
function openStage(walk: Walk, ins: RawInstruction, ctx: LexCtx): void {
  const { flags } = parseFlags(ins, walk.path)
  for (const f of flags.keys())
    if (f !== "platform")
      throw new DockerfileError(ins.line, ins.text, `FROM has no --${f} flag`, "FROM takes only --platform=<platform>", walk.path)
  const words = ins.node.args
  if (!(words.length === 1 || (words.length === 3 && words[1].toLowerCase() === "as")))
    throw new DockerfileError(ins.line, ins.text, "FROM takes an image and optionally `AS <name>`", "write FROM [--platform=<platform>] <image> [AS <name>]", walk.path)
  const index = walk.states.length
  const name = words.length === 3 ? words[2].toLowerCase() : undefined
  const base = expandWord(words[0], walk.meta, ctx)
  if (base.trim() === "")
    throw new DockerfileError(ins.line, ins.text, `the base image ${JSON.stringify(words[0])} expands to an empty string`, "declare the ARG before the first FROM with a default, or pass it as a build arg", walk.path)
  const baseStage = walk.stageNames.has(base.toLowerCase()) && walk.stageNames.get(base.toLowerCase())! < index ? walk.stageNames.get(base.toLowerCase()) : undefined
  const platformFlag = flags.get("platform")?.at(-1)
  let platform = walk.targetPlatform
  let platformSource: PlatformSource = "target"
  if (baseStage !== undefined) {
    platform = walk.states[baseStage].stage.platform
    platformSource = "stage"
    if (platformFlag !== undefined)
      walk.notes.push(`line ${ins.line}: --platform=${platformFlag} on FROM ${base} is ignored: a stage based on another stage runs on that stage's platform (${platform})`)
  } else if (platformFlag !== undefined) {
    const refs = new Set<string>()
    const v = expandWord(platformFlag, walk.meta, ctx, refs)
    if (v === "")
      throw new DockerfileError(ins.line, ins.text, `--platform=${platformFlag} expands to an empty string`, "use --platform=$BUILDPLATFORM, or declare the ARG it uses before the first FROM", walk.path)
    platform = parsePlatformValue(v, ctx, `--platform=${platformFlag} gives`)
    const names = [...refs]
    // the automatic values as BuildKit sets them (not replaced by a --build-arg or an ARG default)
    const automatic = (r: string) => walk.automatic.has(r) && !walk.overridden.has(r)
    if (names.length && names.every((r) => r.startsWith("BUILD") && automatic(r))) platformSource = "build"
    else if (names.length && names.every((r) => r.startsWith("TARGET") && automatic(r))) platformSource = "target"
    else platformSource = "literal"
  }
  const stage: DockerfileStage = {
    index,
    ...(name ? { name } : {}),
    label: name ?? `stage-${index}`,
    line: ins.line,
    base,
    ...(baseStage !== undefined ? { baseStage } : {}),
    ...(platformFlag !== undefined ? { platformFlag } : {}),
    platform,
    platformSource,
    emulated: !runsNatively(normalizePlatformParts(platform), walk.engine),
    needed: false,
    args: [],
    runs: [],
    copies: [],
  }
  const parent = baseStage !== undefined ? walk.states[baseStage] : undefined
  walk.cur = {
    stage,
    scope: new Map(parent ? [...parent.scope].filter(([k]) => parent.envNames.has(k)) : []),
    envNames: new Set(parent?.envNames ?? []),
    envText: parent?.envText ?? "",
    workdir: parent?.workdir ?? "/",
    deps: baseStage !== undefined ? [{ stage: baseStage, line: ins.line }] : [],
    producers: [...(parent?.producers ?? [])],
  }
  walk.states.push(walk.cur)
}

/** ENV: values for later expansion in the stage (and stages based on it). */
function setEnv(walk: Walk, cur: StageState, ins: RawInstruction, ctx: LexCtx): void {
  // the parser gives name, value, separator for each assignment (and rejects a name without a value)
  const a = ins.node.args
  for (let k = 0; k + 1 < a.length; k += 3) {
    if (a[k] === "")
      throw new DockerfileError(ins.line, ins.text, `ENV entry ${JSON.stringify(`=${a[k + 1]}`)} has no name`, "write ENV NAME=value", walk.path)
    cur.scope.set(a[k], expandWord(a[k + 1], cur.scope, ctx))
    cur.envNames.add(a[k])
  }
  cur.envText += "\n" + ins.rest
}

/** RUN: its command, mounts (stage dependencies), classification and undeclared platform ARGs. */
function addRun(walk: Walk, cur: StageState, ins: RawInstruction, ctx: LexCtx): void {
  const { flags, rest } = parseFlags(ins, walk.path)
  const argv = ins.node.json ? ins.node.args : undefined
  const heredocText = ins.heredocs.map((h) => h.body).join("\n")
  const command = (argv ? argv.join(" ") : rest) + (heredocText ? "\n" + heredocText : "")
  const mounts: RunMount[] = []
  const other: Record<string, string> = {}
  for (const [f, values] of flags) {
    if (f === "mount") {
      for (const v of values) {
        const m = parseMount(expandWord(v, cur.scope, ctx))
        if (m.from !== undefined) {
          const s = resolveStageRef(walk, m.from, cur.stage.index, ins, true)
          if (s !== undefined) {
            m.stage = s
            cur.deps.push({ stage: s, line: ins.line })
          }
          if (m.type === "bind" || m.type === "cache")
            cur.stage.copies.push({
              line: ins.line,
              instruction: "RUN --mount",
              from: m.from,
              ...(s !== undefined ? { stage: s } : {}),
              sources: [m.source ?? "/"],
              dest: m.target ?? "",
            })
        }
        mounts.push(m)
      }
    } else other[f] = values.at(-1)!
  }
  const cls = argv ? classifyRun(command, argv) : classifyRun(command)
  const targetsOther = mentionsTargetPlatform(command) || mentionsTargetPlatform(cur.envText)
  const run: DockerfileRun = {
    line: ins.line,
    endLine: ins.endLine,
    form: argv ? "exec" : "shell",
    command,
    flags: other,
    mounts,
    workdir: cur.workdir,
    emulated: cur.stage.emulated,
    heavy: cls.heavy,
    kind: cls.kind,
    ...(cls.reason ? { reason: cls.reason } : {}),
    targetsOtherPlatform: targetsOther,
  }
  cur.stage.runs.push(run)
  const native =
    cls.kind === "node-install" ||
    cls.kind === "python-build" ||
    ((cls.kind === "c-build" || cls.kind === "rust-build" || cls.kind === "go-build") && !targetsOther)
  if (native) cur.producers.push({ line: ins.line, workdir: cur.workdir, kind: cls.kind, what: cls.reason ?? cls.kind })
  // undeclared platform ARGs (shell form only: exec form expands nothing)
  if (!argv) {
    for (const r of referencedNames(command)) {
      if (!(PLATFORM_ARGS as readonly string[]).includes(r)) continue
      if (cur.stage.args.includes(r) || cur.envNames.has(r)) continue
      walk.undeclaredArgs.set(run, [...(walk.undeclaredArgs.get(run) ?? []), r])
    }
  }
}

/** COPY/ADD --from: a dependency on another stage (or an image) and what it copies. */
function addCopy(walk: Walk, cur: StageState, ins: RawInstruction, ctx: LexCtx, kw: "COPY" | "ADD"): void {
  const { flags } = parseFlags(ins, walk.path)
  const fromRaw = flags.get("from")?.at(-1)
  if (fromRaw === undefined) return
  if (kw === "ADD")
    throw new DockerfileError(ins.line, ins.text, "ADD has no --from flag", "use COPY --from=<stage|image>", walk.path)
  // BuildKit expands nothing in --from and rejects a value that would change (convert.go toCommand)
  if (expandWord(fromRaw, new Map(), ctx) !== fromRaw)
    throw new DockerfileError(
      ins.line,
      ins.text,
      `variable expansion is not supported for --from (--from=${fromRaw})`,
      "define a new stage with FROM using an ARG from the global scope (ARG SRC=builder before the first FROM, FROM ${SRC} AS src) and COPY --from=src",
      walk.path,
    )
  const from = fromRaw
  if (from === "") throw new DockerfileError(ins.line, ins.text, "--from= names nothing", "name a stage, a stage index or an image", walk.path)
  const stageIdx = resolveStageRef(walk, from, cur.stage.index, ins, true)
  let words = ins.node.json ? ins.node.args : ins.node.args.map((w) => expandWord(w, cur.scope, ctx))
  words = words.filter((w) => !/^\d*<<-?/.test(w))
  if (words.length < 2 && ins.heredocs.length === 0)
    throw new DockerfileError(ins.line, ins.text, "COPY needs at least one source and a destination", "write COPY --from=<stage> <src>... <dest>", walk.path)
  if (stageIdx !== undefined) cur.deps.push({ stage: stageIdx, line: ins.line })
  cur.stage.copies.push({
    line: ins.line,
    instruction: "COPY",
    from,
    ...(stageIdx !== undefined ? { stage: stageIdx } : {}),
    sources: words.slice(0, -1),
    dest: words.at(-1) ?? "",
  })
}

function checkOnbuild(walk: Walk, ins: RawInstruction): void {
  const inner = ins.node.sub?.keyword.toUpperCase() ?? ""
  if (inner === "ONBUILD" || inner === "FROM" || inner === "MAINTAINER")
    throw new DockerfileError(ins.line, ins.text, `ONBUILD ${inner} is not allowed`, "ONBUILD takes any other instruction", walk.path)
  if (!INSTRUCTIONS.has(inner))
    throw new DockerfileError(ins.line, ins.text, `unknown instruction ${JSON.stringify(inner)} after ONBUILD`, "write ONBUILD <instruction> <args>", walk.path)
}

/** Cycles are only possible through COPY --from / --mount from= a later stage by name. */
function checkCycles(states: StageState[], instructions: RawInstruction[], path: string): void {
    {
  const color = new Array(states.length).fill(0)
  const visit = (i: number): void => {
    color[i] = 1
    for (const d of states[i].deps) {
      if (color[d.stage] === 1) {
        const ins = instructions.find((x) => x.line === d.line)!
        throw new DockerfileError(d.line, ins.text, `circular dependency between stages ${states[d.stage].stage.label} and ${states[i].stage.label}`, "a stage can only use stages that do not use it", path)
      }
      if (color[d.stage] === 0) visit(d.stage)
    }
    color[i] = 2
  }
  for (let i = 0; i < states.length; i++) if (color[i] === 0) visit(i)
    }
}

/** The target stage (--target, else the last) and every stage it needs, marked `needed`. */
function markNeeded(walk: Walk, target: string | undefined): number {
  const { states, stageNames } = walk
  const opts = { target }
  let targetIndex = states.length - 1
  if (opts.target !== undefined && opts.target !== "") {
    const t = opts.target.toLowerCase()
    const idx = stageNames.get(t)
    if (idx === undefined)
      throw new MultiarchInputError(
        "target",
        opts.target,
        `the Dockerfile has no stage named ${JSON.stringify(opts.target)}`,
        stageNames.size ? `use one of: ${[...stageNames.keys()].join(", ")}` : "name a stage with FROM <image> AS <name>, or drop --target",
      )
    targetIndex = idx
  }
  const stack = [targetIndex]
  while (stack.length) {
    const i = stack.pop()!
    if (states[i].stage.needed) continue
    states[i].stage.needed = true
    for (const d of states[i].deps) stack.push(d.stage)
  }
  return targetIndex
}

function parsePlatformValue(value: string, ctx: LexCtx, what: string): string {
  try {
    return formatPlatform(normalizePlatformParts(value))
  } catch (e) {
    if (!(e instanceof MultiarchInputError)) throw e
    return lexFail(ctx, `${what} ${JSON.stringify(value)} is not a platform (${e.message})`, "use os/arch[/variant], e.g. --platform=$BUILDPLATFORM or --platform=linux/arm64")
  }
}

