/**
 * Dockerfile toolchain, pure part (no Dagger import): parse a Dockerfile the way BuildKit's
 * Dockerfile frontend reads it, then predict, for one target platform built on an engine with a
 * given native platform, which stages execute natively and which RUN steps run under QEMU, and
 * flag the multi-arch traps:
 *
 *  - heavy work (compilers, `go build`, `cargo build`, `npm ci`, JVM/.NET builds, package builds)
 *    emulated in a target-platform stage → the `FROM --platform=$BUILDPLATFORM` cross pattern;
 *  - the opposite trap: native build output (node_modules, *.node, node-gyp build/, cargo
 *    target/release, *.so, site-packages…) produced in a build-platform stage and copied into a
 *    target-platform stage — native code for the wrong architecture;
 *  - compiles in a build-platform stage that never look at TARGETOS/TARGETARCH;
 *  - RUN steps that use $TARGETARCH & co. without declaring `ARG TARGETARCH` in the stage;
 *  - stages pinned to a literal foreign platform, and a final stage whose platform is not the
 *    target's.
 *
 * What BuildKit does, and this module mirrors (checked against dockerd 20.10's BuildKit in
 * test/buildkit): BUILDPLATFORM is the engine's native platform, TARGETPLATFORM/TARGETOS/
 * TARGETARCH/TARGETVARIANT the requested one; both sets are automatic global ARGs usable in FROM
 * without a declaration, but a stage sees them only after `ARG <NAME>`. A stage runs on its
 * `--platform` (default: the target); `FROM <stage>` inherits the stage's platform. Only stages
 * reachable from the target stage (through FROM <stage>, COPY --from and RUN --mount from=) are
 * built.
 *
 * Malformed input raises DockerfileError (a MultiarchInputError with field "dockerfile" and the
 * line number); anything else thrown from here is a bug.
 */
import { MultiarchInputError } from "../../core/errors/index.js"
import { formatPlatform, normalizePlatformParts, parsePlatform } from "../../core/platform.js"
import { TARGETS } from "../../core/targets.js"

// ---------------------------------------------------------------------------------------------
// Errors

/** A malformed Dockerfile: names the line, the problem and the fix. */
export class DockerfileError extends MultiarchInputError {
  /** 1-based line of the offending instruction (its first physical line). */
  readonly line: number
  constructor(line: number, lineText: string, problem: string, fix: string, path = "Dockerfile") {
    const shown = lineText.trim()
    super("dockerfile", shown.length > 160 ? shown.slice(0, 157) + "..." : shown, `${path} line ${line}: ${problem}`, fix)
    this.line = line
  }
}

// ---------------------------------------------------------------------------------------------
// Public types

export interface BuildArgInput {
  name: string
  value: string
}

export interface AnalyzeOptions {
  /** The platform being built (`docker build --platform`, `dockerBuild({ platform })`). */
  targetPlatform: string
  /** The engine's native platform: BuildKit's BUILDPLATFORM. */
  nativePlatform: string
  /** `--target` stage name; default the last stage. */
  target?: string
  /** `--build-arg`s, as a record or as Dagger BuildArg pairs. */
  buildArgs?: Record<string, string> | BuildArgInput[]
  /** Path shown in error messages. Default "Dockerfile". */
  dockerfile?: string
}

/** Where a stage's platform comes from. */
export type PlatformSource =
  /** no --platform (or --platform=$TARGETPLATFORM…): the platform being built */
  | "target"
  /** --platform=$BUILDPLATFORM (or $BUILDOS/$BUILDARCH…): the engine's native platform */
  | "build"
  /** a literal platform or a user ARG: fixed, whatever the target */
  | "literal"
  /** FROM <earlier stage>: inherited */
  | "stage"

export type RunKind =
  | "go-build"
  | "rust-build"
  | "c-build"
  | "java-build"
  | "dotnet-build"
  | "node-install"
  | "js-build"
  | "python-build"
  | "package-build"
  | "package-install"
  | "python-install"
  | "download"
  | "other"

export interface RunMount {
  type: string
  from?: string
  source?: string
  target?: string
  /** Stage index when `from` names a stage. */
  stage?: number
}

export interface DockerfileRun {
  /** First physical line of the instruction (1-based). */
  line: number
  /** Last physical line, heredoc bodies included. */
  endLine: number
  form: "shell" | "exec"
  /** The command as written (continuations joined); exec form joined with spaces; heredoc bodies appended. */
  command: string
  /** Flags other than --mount, e.g. { network: "none" }. */
  flags: Record<string, string>
  mounts: RunMount[]
  /** WORKDIR in effect. */
  workdir: string
  /** True when the stage's platform cannot execute natively on the engine: QEMU runs it. */
  emulated: boolean
  heavy: boolean
  kind: RunKind
  /** Why it is classified so (set for every kind but "other"). */
  reason?: string
  /** True when the command (or the stage ENV) targets another platform: TARGETARCH, GOARCH, --target, a cross CC. */
  targetsOtherPlatform: boolean
}

export interface DockerfileCopy {
  line: number
  instruction: "COPY" | "ADD" | "RUN --mount"
  /** The --from value after ARG expansion. */
  from: string
  /** Index of the stage it names, if it names one; otherwise `from` is an image. */
  stage?: number
  sources: string[]
  dest: string
}

export interface DockerfileStage {
  index: number
  /** `AS name`, lower-cased as BuildKit does. */
  name?: string
  /** How BuildKit's progress output labels the stage: the name, else `stage-<index>`. */
  label: string
  /** Line of the FROM instruction. */
  line: number
  /** The FROM argument after ARG expansion. */
  base: string
  /** Set when FROM names another stage. */
  baseStage?: number
  /** The --platform value as written. */
  platformFlag?: string
  /** The platform the stage executes on, os/arch[/variant]. */
  platform: string
  platformSource: PlatformSource
  /** True when the stage's platform is not executable natively on the engine. */
  emulated: boolean
  /** Whether the requested target needs the stage (BuildKit skips the others). */
  needed: boolean
  /** ARG names declared in the stage, in order. */
  args: string[]
  runs: DockerfileRun[]
  copies: DockerfileCopy[]
}

export type FindingKind =
  /** heavy RUN executed under QEMU */
  | "heavy-emulated-run"
  /** native build output copied from a stage of another platform */
  | "native-output-copied"
  /** compile in a build-platform stage that never selects the target platform */
  | "build-platform-binary"
  /** RUN uses $TARGETARCH & co. that the stage did not declare with ARG */
  | "undeclared-platform-arg"
  /** stage pinned to a literal platform */
  | "literal-platform"
  /** the target stage does not execute on the target platform */
  | "final-stage-platform"

export interface DockerfileFinding {
  kind: FindingKind
  severity: "error" | "warning" | "info"
  line: number
  /** Label of the stage concerned. */
  stage: string
  message: string
  fix: string
}

export interface EmulatedRun {
  stage: string
  line: number
  command: string
  kind: RunKind
  heavy: boolean
}

export interface DockerfileAnalysis {
  targetPlatform: string
  nativePlatform: string
  /** Label of the stage that is built (the --target, else the last stage). */
  target: string
  targetIndex: number
  directives: { syntax?: string; escape: string; check?: string }
  /** Global (before the first FROM) ARGs after build-arg overrides; undefined = declared without a value. */
  globalArgs: Record<string, string | undefined>
  stages: DockerfileStage[]
  /** Every RUN of a needed stage that runs under QEMU, in file order. */
  emulatedRuns: EmulatedRun[]
  findings: DockerfileFinding[]
  notes: string[]
}

// ---------------------------------------------------------------------------------------------
// Platforms

export const PLATFORM_ARGS = [
  "BUILDPLATFORM",
  "BUILDOS",
  "BUILDARCH",
  "BUILDVARIANT",
  "TARGETPLATFORM",
  "TARGETOS",
  "TARGETARCH",
  "TARGETVARIANT",
] as const

function platformArgValues(prefix: "BUILD" | "TARGET", platform: string): [string, string][] {
  const p = normalizePlatformParts(platform)
  return [
    [`${prefix}PLATFORM`, formatPlatform(p)],
    [`${prefix}OS`, p.os],
    [`${prefix}ARCH`, p.arch],
    [`${prefix}VARIANT`, p.variant ?? ""],
  ]
}

/** The part of a platform that decides binary compatibility: os/arch, plus the variant for arm. */
export function abiKey(platform: string): string {
  const p = normalizePlatformParts(platform)
  return p.arch === "arm" ? formatPlatform(p) : `${p.os}/${p.arch}`
}

/**
 * Whether an engine on `native` executes `platform` without QEMU: the same os/arch (amd64
 * micro-architecture levels are assumed supported by the CPU), or linux/386 on an amd64 engine.
 * 32-bit arm on an arm64 engine counts as emulated: many arm64 CPUs (Graviton 3, Apple silicon)
 * have no AArch32 mode.
 */
export function runsNatively(platform: string, native: string): boolean {
  const p = normalizePlatformParts(platform)
  const n = normalizePlatformParts(native)
  if (p.os !== n.os) return false
  if (p.arch === n.arch) return p.arch !== "arm" || (p.variant ?? "v7") <= (n.variant ?? "v7")
  return n.arch === "amd64" && p.arch === "386"
}

// ---------------------------------------------------------------------------------------------
// Lexing: variable expansion with BuildKit's shell-word rules (quotes, escapes, ${…} modifiers)

type Vars = ReadonlyMap<string, string>

interface LexCtx {
  line: number
  text: string
  escape: string
  path: string
}

function lexFail(ctx: LexCtx, problem: string, fix: string): never {
  throw new DockerfileError(ctx.line, ctx.text, problem, fix, ctx.path)
}

type GlobToken = { t: "star" } | { t: "one"; test: (c: string) => boolean }

/** Shell glob (*, ?, [..], [!..]) as tokens. */
function globTokens(pat: string): GlobToken[] {
  const out: GlobToken[] = []
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i]
    if (c === "*") {
      if (out.at(-1)?.t !== "star") out.push({ t: "star" })
    } else if (c === "?") out.push({ t: "one", test: () => true })
    else if (c === "[" && pat.indexOf("]", i + 2) !== -1) {
      const close = pat.indexOf("]", i + 2)
      let body = pat.slice(i + 1, close)
      const negate = body.startsWith("!") || body.startsWith("^")
      if (negate) body = body.slice(1)
      const ranges: [string, string][] = []
      for (let j = 0; j < body.length; j++)
        if (body[j + 1] === "-" && j + 2 < body.length) {
          ranges.push([body[j], body[j + 2]])
          j += 2
        } else ranges.push([body[j], body[j]])
      out.push({ t: "one", test: (x) => ranges.some(([a, b]) => x >= a && x <= b) !== negate })
      i = close
    } else out.push({ t: "one", test: (x) => x === c })
  }
  return out
}

/** Whole-string glob match, O(len × tokens) (greedy star with backtracking to the last star only). */
function globMatch(str: string, toks: GlobToken[]): boolean {
  let si = 0
  let ti = 0
  let starTi = -1
  let starSi = 0
  while (si < str.length) {
    const tok = toks[ti]
    if (tok && tok.t === "one" && tok.test(str[si])) {
      si++
      ti++
    } else if (tok && tok.t === "star") {
      starTi = ti++
      starSi = si
    } else if (starTi !== -1) {
      ti = starTi + 1
      si = ++starSi
    } else return false
  }
  while (toks[ti]?.t === "star") ti++
  return ti === toks.length
}

function trimPattern(value: string, pat: string, op: "#" | "##" | "%" | "%%"): string {
  const toks = globTokens(pat)
  // bounded work (the loop below is O(len² × tokens)): values this long are not image references
  if (value.length > 4096 || toks.length > 256) return value
  if (op === "#" || op === "##") {
    for (let k = 0; k <= value.length; k++) {
      const l = op === "#" ? k : value.length - k
      if (globMatch(value.slice(0, l), toks)) return value.slice(l)
    }
  } else {
    for (let k = 0; k <= value.length; k++) {
      const st = op === "%" ? value.length - k : k
      if (globMatch(value.slice(st), toks)) return value.slice(0, st)
    }
  }
  return value
}

/**
 * Expand one word: quotes removed, `$VAR`, `${VAR}`, `${VAR:-w}`, `${VAR-w}`, `${VAR:+w}`,
 * `${VAR+w}`, `${VAR:?w}`, `${VAR#p}`, `${VAR##p}`, `${VAR%p}`, `${VAR%%p}`; unknown variables
 * expand to "". Returns the value and the variable names referenced.
 */
function expandWord(word: string, vars: Vars, ctx: LexCtx, refs: Set<string> = new Set()): string {
  const esc = ctx.escape
  let out = ""
  let i = 0
  const n = word.length

  const readName = (): string => {
    let j = i
    if (j < n && /[0-9]/.test(word[j])) return word[i++]
    while (j < n && /[A-Za-z0-9_]/.test(word[j])) j++
    const name = word.slice(i, j)
    i = j
    return name
  }

  // parse ${ ... } starting after "${"; returns value
  const braced = (): string => {
    const name = readName()
    if (name === "")
      lexFail(ctx, `bad substitution in ${JSON.stringify(word)}: \${ must be followed by a variable name`, "write ${NAME}, ${NAME:-default} or $NAME")
    refs.add(name)
    const has = vars.has(name)
    const val = vars.get(name) ?? ""
    if (word[i] === "}") {
      i++
      return val
    }
    // modifier
    let op = ""
    if (word[i] === ":" && i + 1 < n && "-+?".includes(word[i + 1])) {
      op = word.slice(i, i + 2)
      i += 2
    } else if (i < n && "-+?".includes(word[i])) {
      op = word[i]
      i++
    } else if (word.startsWith("##", i) || word.startsWith("%%", i)) {
      op = word.slice(i, i + 2)
      i += 2
    } else if (i < n && "#%".includes(word[i])) {
      op = word[i]
      i++
    } else if (i >= n) {
      lexFail(ctx, `missing '}' in ${JSON.stringify(word)}`, "close every ${ with }")
    } else {
      lexFail(ctx, `unsupported modifier ${JSON.stringify(word[i])} in ${JSON.stringify(word)}`, "use ${NAME:-default}, ${NAME:+alternative}, ${NAME#prefix} or ${NAME%suffix}")
    }
    // the operand runs to the matching }
    let depth = 0
    const start = i
    while (i < n) {
      const c = word[i]
      if (c === esc && i + 1 < n) {
        i += 2
        continue
      }
      if (c === "$" && word[i + 1] === "{") {
        depth++
        i += 2
        continue
      }
      if (c === "}") {
        if (depth === 0) break
        depth--
      }
      i++
    }
    if (i >= n) lexFail(ctx, `missing '}' in ${JSON.stringify(word)}`, "close every ${ with }")
    const operandRaw = word.slice(start, i)
    i++ // skip }
    const operand = () => expandWord(operandRaw, vars, ctx, refs)
    const set = has
    const nonEmpty = has && val !== ""
    switch (op) {
      case ":-":
        return nonEmpty ? val : operand()
      case "-":
        return set ? val : operand()
      case ":+":
        return nonEmpty ? operand() : ""
      case "+":
        return set ? operand() : ""
      case ":?":
      case "?":
        if (op === ":?" ? nonEmpty : set) return val
        return lexFail(ctx, `${name}: ${operand() || "parameter not set"}`, `pass --build-arg ${name}=<value> or give the ARG a default`)
      default:
        return trimPattern(val, operand(), op as "#" | "##" | "%" | "%%")
    }
  }

  const dollar = (): string => {
    // at word[i] === "$"
    i++
    if (word[i] === "{") {
      i++
      return braced()
    }
    if (i < n && /[A-Za-z0-9_]/.test(word[i])) {
      const name = readName()
      refs.add(name)
      return vars.get(name) ?? ""
    }
    return "$"
  }

  while (i < n) {
    const c = word[i]
    if (c === esc) {
      if (i + 1 < n) {
        out += word[i + 1]
        i += 2
      } else {
        out += c
        i++
      }
    } else if (c === "'") {
      const close = word.indexOf("'", i + 1)
      if (close === -1) lexFail(ctx, `unmatched single quote in ${JSON.stringify(word)}`, "close the quote")
      out += word.slice(i + 1, close)
      i = close + 1
    } else if (c === '"') {
      i++
      let closed = false
      while (i < n) {
        const d = word[i]
        if (d === '"') {
          closed = true
          i++
          break
        }
        if (d === esc && i + 1 < n && (word[i + 1] === '"' || word[i + 1] === "$" || word[i + 1] === esc)) {
          out += word[i + 1]
          i += 2
        } else if (d === "$") out += dollar()
        else {
          out += d
          i++
        }
      }
      if (!closed) lexFail(ctx, `unmatched double quote in ${JSON.stringify(word)}`, "close the quote")
    } else if (c === "$") out += dollar()
    else {
      out += c
      i++
    }
  }
  return out
}

/** Split instruction arguments into words on unquoted whitespace, keeping quotes; with offsets. */
function splitWords(s: string, escape: string): { word: string; start: number; end: number }[] {
  const words: { word: string; start: number; end: number }[] = []
  let i = 0
  const n = s.length
  while (i < n) {
    while (i < n && /\s/.test(s[i])) i++
    if (i >= n) break
    const start = i
    let quote = ""
    while (i < n) {
      const c = s[i]
      if (quote) {
        if (c === escape && quote === '"' && i + 1 < n) i += 2
        else {
          if (c === quote) quote = ""
          i++
        }
      } else if (c === escape && i + 1 < n) i += 2
      else if (c === "'" || c === '"') {
        quote = c
        i++
      } else if (/\s/.test(c)) break
      else i++
    }
    words.push({ word: s.slice(start, i), start, end: i })
  }
  return words
}

/** Variable names referenced by `$NAME`/`${NAME…}` anywhere in a text (no expansion). */
function referencedNames(text: string): Set<string> {
  const out = new Set<string>()
  const re = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g
  let m: RegExpExecArray | null
  while ((m = re.exec(text))) out.add(m[1] ?? m[2])
  return out
}

// ---------------------------------------------------------------------------------------------
// Parsing: directives, logical lines (continuations, comments), heredocs, instructions

const INSTRUCTIONS = new Set([
  "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
  "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
])
const HEREDOC_INSTRUCTIONS = new Set(["RUN", "COPY", "ADD"])

interface Heredoc {
  name: string
  body: string
  line: number
}

interface RawInstruction {
  keyword: string
  /** Arguments after the keyword, continuation lines joined, trimmed. */
  args: string
  line: number
  endLine: number
  /** First physical line, for error messages. */
  text: string
  heredocs: Heredoc[]
}

interface Parsed {
  directives: { syntax?: string; escape: string; check?: string }
  instructions: RawInstruction[]
}

function editDistance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]
    d[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return d[b.length]
}

/** Heredoc openers (`<<EOF`, `<<-EOF`, `<<"EOF"`, `2<<'X'`) at the start of an unquoted word. */
function findHeredocs(args: string, escape: string): { name: string; strip: boolean }[] {
  const out: { name: string; strip: boolean }[] = []
  for (const { word } of splitWords(args, escape)) {
    const m = /^\d*<<(-?)([^<].*)$/.exec(word)
    if (!m) continue
    const name = m[2].replace(/["']/g, "")
    if (name === "" || /[\s<>|;&()]/.test(name)) continue
    out.push({ name, strip: m[1] === "-" })
  }
  return out
}

function parseDockerfile(text: string, path: string): Parsed {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/)
  const directives: Parsed["directives"] = { escape: "\\" }
  const seen = new Set<string>()

  // parser directives: `# key=value` comment lines at the very top
  let i = 0
  for (; i < lines.length; i++) {
    const m = /^\s*#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(.*?)\s*$/.exec(lines[i])
    if (!m) break
    const key = m[1].toLowerCase()
    if (key !== "syntax" && key !== "escape" && key !== "check") break // an ordinary comment ends the directives
    if (seen.has(key))
      throw new DockerfileError(i + 1, lines[i], `the ${key} parser directive appears twice`, `keep one "# ${key}=" line at the top`, path)
    seen.add(key)
    if (key === "escape") {
      if (m[2] !== "\\" && m[2] !== "`")
        throw new DockerfileError(i + 1, lines[i], `invalid escape character ${JSON.stringify(m[2])}`, "use # escape=\\ or # escape=`", path)
      directives.escape = m[2]
    } else directives[key] = m[2]
  }

  const escape = directives.escape
  const isComment = (l: string) => /^\s*#/.test(l)
  const isBlank = (l: string) => /^\s*$/.test(l)
  const continues = (l: string): boolean => {
    const t = l.replace(/[ \t]+$/, "")
    return t.endsWith(escape)
  }
  const stripContinuation = (l: string): string => {
    const t = l.replace(/[ \t]+$/, "")
    return t.slice(0, -1)
  }

  const instructions: RawInstruction[] = []
  i = 0
  while (i < lines.length) {
    const first = lines[i]
    if (isBlank(first) || isComment(first)) {
      i++
      continue
    }
    const startLine = i + 1
    let joined = ""
    let cur = first
    for (;;) {
      if (!continues(cur)) {
        joined += cur
        i++
        break
      }
      joined += stripContinuation(cur)
      i++
      // skip comment and blank lines inside a continued instruction (BuildKit does)
      while (i < lines.length && (isComment(lines[i]) || isBlank(lines[i]))) i++
      if (i >= lines.length) break // a trailing escape at the end of the file ends the instruction
      cur = lines[i]
    }
    let endLine = i
    const trimmed = joined.trim()
    // a lone escape (or escapes and blanks only) joins into nothing: no instruction
    if (trimmed === "") continue
    const km = /^(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed)!
    const keyword = km[1].toUpperCase()
    const args = (km[2] ?? "").trim()

    const heredocs: Heredoc[] = []
    if (HEREDOC_INSTRUCTIONS.has(keyword)) {
      for (const h of findHeredocs(args, escape)) {
        const bodyStart = i
        const body: string[] = []
        let closed = false
        while (i < lines.length) {
          const l = h.strip ? lines[i].replace(/^\t+/, "") : lines[i]
          i++
          if (l === h.name) {
            closed = true
            break
          }
          body.push(l)
        }
        if (!closed)
          throw new DockerfileError(
            startLine,
            first,
            `heredoc <<${h.name} opened here is never closed (reached the end of the file)`,
            `end it with a line containing only ${h.name}`,
            path,
          )
        heredocs.push({ name: h.name, body: body.join("\n"), line: bodyStart + 1 })
      }
      endLine = i
    }
    instructions.push({ keyword, args, line: startLine, endLine, text: first, heredocs })
  }
  return { directives, instructions }
}

// ---------------------------------------------------------------------------------------------
// Flags, forms, mounts

interface Flagged {
  flags: Map<string, string[]>
  /** Arguments after the flags (raw text). */
  rest: string
}

function parseFlags(ins: RawInstruction, escape: string, path: string): Flagged {
  const words = splitWords(ins.args, escape)
  const flags = new Map<string, string[]>()
  let restStart = ins.args.length
  let k = 0
  for (; k < words.length; k++) {
    const w = words[k].word
    if (!w.startsWith("--") || w === "--") {
      restStart = words[k].start
      break
    }
    const eq = w.indexOf("=")
    const name = (eq === -1 ? w.slice(2) : w.slice(2, eq)).toLowerCase()
    if (name === "")
      throw new DockerfileError(ins.line, ins.text, `malformed flag ${JSON.stringify(w)}`, "write flags as --name=value", path)
    const value = eq === -1 ? "" : w.slice(eq + 1)
    if (eq === -1 && ["platform", "from", "mount", "chown", "chmod", "network", "security"].includes(name))
      throw new DockerfileError(ins.line, ins.text, `flag --${name} needs a value`, `write --${name}=<value> (no space before the value)`, path)
    flags.set(name, [...(flags.get(name) ?? []), value])
  }
  if (k === words.length) restStart = ins.args.length
  return { flags, rest: ins.args.slice(restStart).trim() }
}

/** JSON (exec) form: a JSON array of strings. Anything else is shell form, as in BuildKit. */
function jsonForm(rest: string): string[] | undefined {
  if (!rest.startsWith("[")) return undefined
  try {
    const v: unknown = JSON.parse(rest)
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[]
  } catch {
    // shell form
  }
  return undefined
}

function unquote(s: string): string {
  if (s.length >= 2 && ((s[0] === '"' && s.endsWith('"')) || (s[0] === "'" && s.endsWith("'")))) return s.slice(1, -1)
  return s
}

function parseMount(spec: string): RunMount {
  const m: RunMount = { type: "bind" }
  for (const part of spec.split(",")) {
    const eq = part.indexOf("=")
    const key = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase()
    const value = unquote(eq === -1 ? "" : part.slice(eq + 1).trim())
    if (key === "type") m.type = value
    else if (key === "from") m.from = value
    else if (key === "source" || key === "src") m.source = value
    else if (key === "target" || key === "dst" || key === "destination") m.target = value
  }
  return m
}

// ---------------------------------------------------------------------------------------------
// RUN classification

export interface Classification {
  kind: RunKind
  heavy: boolean
  reason?: string
}

const HEAVY_ORDER: RunKind[] = [
  "rust-build", "go-build", "c-build", "java-build", "dotnet-build", "node-install", "js-build",
  "python-build", "package-build", "package-install", "python-install", "download", "other",
]

const C_COMPILERS = /^(gcc|g\+\+|cc|c\+\+|clang|clang\+\+|tcc|[a-z0-9_]+(-[a-z0-9_]+)+-(gcc|g\+\+|cc|clang)(-\d+)?|gcc-\d+|g\+\+-\d+|clang-\d+)$/
const C_BUILD_TOOLS = /^(make|gmake|cmake|ninja|meson|configure|autoreconf|autogen\.sh|bazel|bazelisk|scons|b2|bjam|cargo-c)$/

/** Split shell text into simple commands and return each one's words, program first. */
function simpleCommands(text: string): string[][] {
  const out: string[][] = []
  const WRAPPERS = /^(if|while|until|!|exec|sudo|time|nice|nohup|env|command|xargs|eval|then|do|else|\{)$/
  for (const seg of text.split(/&&|\|\||[;|\n()`]|\$\(|\bthen\b|\bdo\b|\belse\b|\belif\b/)) {
    let words = seg.trim().split(/\s+/).filter(Boolean)
    // drop env assignments, wrappers and the wrappers' options in front of the program
    let afterWrapper = false
    while (words.length) {
      const w = words[0]
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || WRAPPERS.test(w) || (afterWrapper && w.startsWith("-"))) {
        afterWrapper = WRAPPERS.test(w) || (afterWrapper && w.startsWith("-"))
        words = words.slice(1)
        continue
      }
      break
    }
    if (words.length) out.push(words.map((w) => unquote(w)))
  }
  return out
}

function classifyCommand(words: string[]): Classification | undefined {
  const prog = words[0].replace(/^.*\//, "")
  const sub = (words.slice(1).find((w) => !w.startsWith("-")) ?? "").toLowerCase()
  const all = words.join(" ")
  switch (prog) {
    case "go":
      if (["build", "install", "test", "generate", "vet", "run"].includes(sub))
        return { kind: "go-build", heavy: true, reason: `go ${sub} compiles Go packages (the Go toolchain itself runs on this stage's platform)` }
      if (sub === "mod") return { kind: "download", heavy: false, reason: "go mod downloads modules" }
      return undefined
    case "cargo":
      if (["build", "b", "install", "test", "t", "run", "r", "zigbuild", "chef", "auditable", "rustc"].includes(sub))
        return { kind: "rust-build", heavy: true, reason: `cargo ${sub} compiles Rust crates` }
      if (sub === "fetch" || sub === "vendor") return { kind: "download", heavy: false, reason: `cargo ${sub} downloads crates` }
      return undefined
    case "rustc":
      return { kind: "rust-build", heavy: true, reason: "rustc compiles Rust" }
    case "npm":
      if (["ci", "install", "i", "add", "rebuild"].includes(sub))
        return { kind: "node-install", heavy: true, reason: `npm ${sub} runs dependency install scripts; node-gyp compiles native addons` }
      if (sub === "run" || sub === "run-script" || sub === "test" || sub === "t")
        return { kind: "js-build", heavy: true, reason: `npm ${words.slice(1, 3).join(" ")} runs an arch-neutral JavaScript build/test` }
      return undefined
    case "yarn":
      if (sub === "" || ["install", "add"].includes(sub))
        return { kind: "node-install", heavy: true, reason: "yarn install runs dependency install scripts; node-gyp compiles native addons" }
      if (sub !== "cache" && sub !== "config" && sub !== "set")
        return { kind: "js-build", heavy: true, reason: `yarn ${sub} runs an arch-neutral JavaScript build/test` }
      return undefined
    case "pnpm":
      if (["install", "i", "add", "fetch", "rebuild"].includes(sub))
        return { kind: "node-install", heavy: true, reason: `pnpm ${sub} runs dependency install scripts; node-gyp compiles native addons` }
      if (sub === "run" || sub === "build" || sub === "test")
        return { kind: "js-build", heavy: true, reason: `pnpm ${sub} runs an arch-neutral JavaScript build/test` }
      return undefined
    case "node-gyp":
    case "prebuild-install":
    case "node-pre-gyp":
      return { kind: "node-install", heavy: true, reason: `${prog} builds a native Node.js addon` }
    case "tsc":
    case "webpack":
    case "esbuild":
    case "vite":
    case "rollup":
    case "next":
    case "ng":
      return { kind: "js-build", heavy: true, reason: `${prog} is an arch-neutral JavaScript build` }
    case "npx":
      return words[1] ? classifyCommand(words.slice(1)) : undefined
    case "mvn":
    case "mvnw":
    case "gradle":
    case "gradlew":
    case "sbt":
    case "lein":
    case "ant":
      return { kind: "java-build", heavy: true, reason: `${prog} runs a JVM build (the JVM's JIT is very slow under QEMU; bytecode is arch-neutral)` }
    case "dotnet":
      if (["build", "publish", "restore", "test", "pack"].includes(sub))
        return { kind: "dotnet-build", heavy: true, reason: `dotnet ${sub} runs the .NET SDK` }
      return undefined
    case "dpkg-buildpackage":
    case "debuild":
    case "rpmbuild":
    case "abuild":
    case "makepkg":
    case "pbuilder":
      return { kind: "package-build", heavy: true, reason: `${prog} builds a distribution package from source` }
    case "python":
    case "python3":
      if (/\bsetup\.py\s+(build|bdist|bdist_wheel|install|develop)/.test(all) || /-m\s+build\b/.test(all) || /-m\s+pip\s+wheel\b/.test(all))
        return { kind: "python-build", heavy: true, reason: "builds a Python distribution (C extensions are compiled)" }
      if (/-m\s+pip\s+install\b/.test(all))
        return { kind: "python-install", heavy: false, reason: "pip installs wheels; it compiles C extensions when no wheel matches the platform" }
      return undefined
    case "pip":
    case "pip3":
      if (sub === "wheel") return { kind: "python-build", heavy: true, reason: "pip wheel builds wheels (C extensions are compiled)" }
      if (sub === "install")
        return { kind: "python-install", heavy: false, reason: "pip installs wheels; it compiles C extensions when no wheel matches the platform" }
      return undefined
    case "maturin":
      return { kind: "python-build", heavy: true, reason: "maturin compiles a Rust Python extension" }
    case "apt-get":
    case "apt":
    case "aptitude":
      if (["install", "upgrade", "dist-upgrade", "full-upgrade"].includes(sub))
        return { kind: "package-install", heavy: false, reason: `${prog} ${sub} runs package maintainer scripts (under QEMU, libc-bin's ldconfig trigger is the usual exit-139 site)` }
      return undefined
    case "apk":
      if (sub === "add" || sub === "upgrade") return { kind: "package-install", heavy: false, reason: `apk ${sub} installs packages for the stage's platform` }
      return undefined
    case "dnf":
    case "yum":
    case "microdnf":
    case "zypper":
      if (["install", "in", "update", "upgrade"].includes(sub)) return { kind: "package-install", heavy: false, reason: `${prog} ${sub} installs packages for the stage's platform` }
      return undefined
    case "curl":
    case "wget":
    case "git":
      return { kind: "download", heavy: false, reason: `${prog} fetches files` }
  }
  if (C_COMPILERS.test(prog)) return { kind: "c-build", heavy: true, reason: `${prog} compiles C/C++` }
  if (C_BUILD_TOOLS.test(prog)) return { kind: "c-build", heavy: true, reason: `${prog} drives a native (C/C++) build` }
  return undefined
}

export function classifyRun(command: string, argv?: string[]): Classification {
  const found: Classification[] = []
  if (argv && argv.length) {
    const prog = argv[0].replace(/^.*\//, "")
    const c = argv.length >= 3 && /^(sh|bash|dash|ash|zsh)$/.test(prog) && argv[1] === "-c" ? classifyRun(argv.slice(2).join(" ")) : classifyCommand(argv)
    if (c && c.kind !== "other") found.push(c)
  } else {
    for (const words of simpleCommands(command)) {
      const c = classifyCommand(words)
      if (c) found.push(c)
    }
  }
  if (!found.length) return { kind: "other", heavy: false }
  found.sort((a, b) => HEAVY_ORDER.indexOf(a.kind) - HEAVY_ORDER.indexOf(b.kind))
  return found[0]
}

/** Does the text select a target platform (Go/Rust/C cross-compilation, xx helpers)? */
function mentionsTargetPlatform(text: string): boolean {
  return (
    /\$\{?(TARGETPLATFORM|TARGETOS|TARGETARCH|TARGETVARIANT)\b/.test(text) ||
    /\bGOARCH=/.test(text) ||
    /--target[= ]/.test(text) ||
    /\bCARGO_BUILD_TARGET=/.test(text) ||
    /\b(CC|CXX)=\S*-(gcc|g\+\+|clang|cc)\b/.test(text) ||
    /\bCC=["']?zig cc/.test(text) ||
    /\bxx-(go|cargo|clang|apt-get|apk|info|cc|c\+\+)\b/.test(text) ||
    /\bnpm_config_arch=/.test(text) ||
    /\s-r\s+linux-|--runtime\s+linux-/.test(text)
  )
}

// ---------------------------------------------------------------------------------------------
// Native-output paths (the reverse trap)

const NATIVE_OUTPUT_PATTERNS: { re: RegExp; what: string }[] = [
  { re: /(^|\/)node_modules(\/|$)/, what: "node_modules (native addons are compiled for the platform `npm ci` ran on)" },
  { re: /(^|\/)build\/(Release|Debug)(\/|$)/, what: "a node-gyp build/ output" },
  { re: /\.node$/, what: "a native Node.js addon (.node)" },
  { re: /(^|\/)target\/(release|debug)(\/|$)/, what: "cargo's target/release (a build for the platform cargo ran on, no --target)" },
  { re: /\.so(\.\d+)*$/, what: "a shared library (.so)" },
  { re: /\.(a|o)$/, what: "object code (.a/.o)" },
  { re: /(^|\/)(site-packages|dist-packages|\.?venv)(\/|$)|\.whl$/, what: "Python packages (C extensions are compiled for the platform pip ran on)" },
  { re: /(^|\/)vendor\/bundle(\/|$)/, what: "Ruby gems (native extensions)" },
]

function nativeOutputWhat(path: string): string | undefined {
  const p = path.replace(/\/+$/, "")
  for (const { re, what } of NATIVE_OUTPUT_PATTERNS) if (re.test(p)) return what
  return undefined
}

function joinPath(base: string, rel: string): string {
  const abs = rel.startsWith("/") ? rel : `${base.replace(/\/+$/, "")}/${rel}`
  const parts: string[] = []
  for (const seg of abs.split("/")) {
    if (seg === "" || seg === ".") continue
    if (seg === "..") parts.pop()
    else parts.push(seg)
  }
  return "/" + parts.join("/")
}

/** `dir` is `anc` or below it. */
function within(dir: string, anc: string): boolean {
  if (anc === "/") return true
  return dir === anc || dir.startsWith(anc + "/")
}

// ---------------------------------------------------------------------------------------------
// Fix texts

function goFix(targetPlatform: string): string {
  const row = TARGETS.get(targetPlatform)
  const armNote = row?.go.GOARM ? ` (for ${targetPlatform} that is GOARM=${row.go.GOARM})` : ""
  return (
    "cross-compile on the build platform: `FROM --platform=$BUILDPLATFORM <go image> AS build`, " +
    "`ARG TARGETOS TARGETARCH TARGETVARIANT`, then " +
    "`RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} go build -o /out/app .`" +
    armNote +
    ", and `COPY --from=build /out/app` into the runtime stage; the Go toolchain then runs natively (≈9× faster than under QEMU, bit-identical output)"
  )
}

function rustFix(targetPlatform: string): string {
  const row = TARGETS.get(targetPlatform)
  const triple = row ? row.rust.gnu : "<target triple>"
  const musl = row ? row.rust.musl : "<musl triple>"
  const linker = row ? `${row.gccTriple}-gcc` : "<triple>-gcc"
  return (
    "cross-compile on the build platform: `FROM --platform=$BUILDPLATFORM <rust image> AS build`, `ARG TARGETPLATFORM`, map it to the target triple " +
    `(${targetPlatform} → ${triple}, or ${musl} for a static binary), \`rustup target add <triple>\`, ` +
    `\`cargo build --release --target <triple>\` with \`CARGO_TARGET_<TRIPLE>_LINKER=${linker}\` (Debian: gcc-${row?.gccTriple ?? "<triple>"}), ` +
    "then `COPY --from=build /src/target/<triple>/release/<bin>` into the runtime stage"
  )
}

function cFix(targetPlatform: string): string {
  const row = TARGETS.get(targetPlatform)
  const pk = row ? `gcc-${row.gccTriple} libc6-dev-${row.debianArch}-cross` : "gcc-<triple> libc6-dev-<arch>-cross"
  const cc = row ? `${row.gccTriple}-gcc` : "<triple>-gcc"
  return (
    `compile on the build platform with a cross compiler: \`FROM --platform=$BUILDPLATFORM <debian image> AS build\`, \`ARG TARGETARCH\`, install ${pk}, ` +
    `build with CC=${cc} (CMake: CMAKE_C_COMPILER; autotools: --host=${row?.gccTriple ?? "<triple>"}), and COPY the output into the target stage`
  )
}

function nodeInstallFix(): string {
  return (
    "native addons must match the target, so keep dependency installation in a target-platform stage but make it small: " +
    "`npm ci --omit=dev` there (prefer packages with prebuilt binaries, e.g. prebuildify/node-gyp-build), and run arch-neutral work " +
    "(bundling, tsc, tests) in a `FROM --platform=$BUILDPLATFORM` stage whose output (dist/, not node_modules/) is copied"
  )
}

function fixFor(kind: RunKind, targetPlatform: string): string {
  switch (kind) {
    case "go-build":
      return goFix(targetPlatform)
    case "rust-build":
      return rustFix(targetPlatform)
    case "c-build":
    case "package-build":
      return cFix(targetPlatform)
    case "node-install":
      return nodeInstallFix()
    case "js-build":
      return "the output is arch-neutral: run it in a `FROM --platform=$BUILDPLATFORM` stage and `COPY --from` its dist/ into the target stage (install native dependencies in the target stage)"
    case "java-build":
      return "bytecode is arch-neutral: run the build in a `FROM --platform=$BUILDPLATFORM` stage and `COPY --from` the jar into the runtime stage"
    case "dotnet-build": {
      const arch = targetPlatform.split("/")[1]
      const rid = arch === "amd64" ? "linux-x64" : arch === "arm" ? "linux-arm" : `linux-${arch}`
      return `run the SDK in a \`FROM --platform=$BUILDPLATFORM\` stage and cross-publish: \`dotnet publish -r ${rid}\` (map TARGETARCH to the RID), then COPY the output into the runtime stage`
    }
    case "python-build":
      return "build wheels for the target once (cibuildwheel, or a cross toolchain in a `FROM --platform=$BUILDPLATFORM` stage) or use published manylinux wheels for the target, and install them in the target stage"
    default:
      return "move the work to a `FROM --platform=$BUILDPLATFORM` stage when its output is arch-neutral"
  }
}

// ---------------------------------------------------------------------------------------------
// Analysis

interface StageState {
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

function toRecord(args: AnalyzeOptions["buildArgs"]): Record<string, string> {
  if (!args) return {}
  if (Array.isArray(args)) {
    const out: Record<string, string> = {}
    for (const a of args) out[a.name] = a.value
    return out
  }
  return { ...args }
}

function parsePlatformValue(value: string, ctx: LexCtx, what: string): string {
  try {
    return formatPlatform(normalizePlatformParts(value))
  } catch (e) {
    if (!(e instanceof MultiarchInputError)) throw e
    return lexFail(ctx, `${what} ${JSON.stringify(value)} is not a platform (${e.message})`, "use os/arch[/variant], e.g. --platform=$BUILDPLATFORM or --platform=linux/arm64")
  }
}

/**
 * Parse and analyse a Dockerfile for one target platform. Pure; throws DockerfileError (a
 * MultiarchInputError, field "dockerfile", with `.line`) for malformed files, and
 * MultiarchInputError for bad options (platform, target).
 */
export function analyzeDockerfile(text: string, opts: AnalyzeOptions): DockerfileAnalysis {
  if (typeof text !== "string")
    throw new MultiarchInputError("dockerfile", String(text), "the Dockerfile must be text", "pass the file's contents")
  const path = opts.dockerfile ?? "Dockerfile"
  const targetPlatform = parsePlatform(opts.targetPlatform)
  let nativePlatform: string
  try {
    nativePlatform = formatPlatform(normalizePlatformParts(opts.nativePlatform))
  } catch (e) {
    if (!(e instanceof MultiarchInputError)) throw e
    throw new MultiarchInputError("native-platform", String(opts.nativePlatform), e.message, `pass the engine's default platform, e.g. "linux/amd64"`)
  }
  const buildArgs = toRecord(opts.buildArgs)
  const { directives, instructions } = parseDockerfile(text, path)
  const escape = directives.escape

  if (instructions.length === 0)
    throw new DockerfileError(1, text.split(/\r?\n/)[0] ?? "", "the file has no instructions", "start with FROM <image>", path)

  const automatic = new Map<string, string>([...platformArgValues("BUILD", nativePlatform), ...platformArgValues("TARGET", targetPlatform)])
  const meta = new Map<string, string>(automatic)
  const globalArgs: Record<string, string | undefined> = {}
  const notes: string[] = []

  const states: StageState[] = []
  /** RUN → platform ARGs it uses without declaring them in its stage. */
  const undeclaredArgs = new Map<DockerfileRun, string[]>()
  const ctxOf = (ins: RawInstruction): LexCtx => ({ line: ins.line, text: ins.text, escape, path })

  // first pass: stage names (FROM … AS name), for references by name
  const stageNames = new Map<string, number>()
  {
    let idx = 0
    for (const ins of instructions) {
      if (ins.keyword !== "FROM") continue
      const words = splitWords(parseFlags(ins, escape, path).rest, escape).map((w) => w.word)
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
  }

  const resolveStageRef = (ref: string, self: number, ins: RawInstruction, allowIndex: boolean): number | undefined => {
    const lower = ref.toLowerCase()
    const byName = stageNames.get(lower)
    if (byName !== undefined) {
      if (byName === self)
        throw new DockerfileError(ins.line, ins.text, `stage ${JSON.stringify(lower)} refers to itself`, "copy from an earlier stage or an image", path)
      return byName
    }
    if (allowIndex && /^\d+$/.test(ref)) {
      const idx = Number(ref)
      if (idx >= self)
        throw new DockerfileError(ins.line, ins.text, `stage index ${idx} is not an earlier stage (this is stage ${self})`, `use an index below ${self} or the stage's name`, path)
      return idx
    }
    return undefined
  }

  let cur: StageState | undefined
  for (const ins of instructions) {
    const kw = ins.keyword
    const ctx = ctxOf(ins)
    if (!INSTRUCTIONS.has(kw)) {
      const best = [...INSTRUCTIONS].map((k) => [k, editDistance(kw, k)] as const).sort((a, b) => a[1] - b[1])[0]
      throw new DockerfileError(
        ins.line,
        ins.text,
        `unknown instruction ${JSON.stringify(kw)}`,
        best[1] <= 2 ? `did you mean ${best[0]}?` : `use one of ${[...INSTRUCTIONS].join(", ")}`,
        path,
      )
    }
    if (ins.args === "" && ins.heredocs.length === 0)
      throw new DockerfileError(ins.line, ins.text, `${kw} needs at least one argument`, `see the Dockerfile reference for ${kw}`, path)

    if (kw === "ARG") {
      const words = splitWords(ins.args, escape).map((w) => w.word)
      const scope = cur ? cur.scope : meta
      for (const w of words) {
        const eq = w.indexOf("=")
        const name = eq === -1 ? w : w.slice(0, eq)
        if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name))
          throw new DockerfileError(ins.line, ins.text, `invalid ARG name ${JSON.stringify(name)}`, "write ARG NAME or ARG NAME=default", path)
        const def = eq === -1 ? undefined : expandWord(w.slice(eq + 1), scope, ctx)
        let value: string | undefined
        if (automatic.has(name)) value = automatic.get(name)
        else if (name in buildArgs) value = buildArgs[name]
        else if (def !== undefined) value = def
        else if (cur && name in globalArgs) value = globalArgs[name]
        if (cur) {
          cur.stage.args.push(name)
          if (value !== undefined) cur.scope.set(name, value)
          else cur.scope.delete(name)
        } else {
          globalArgs[name] = value
          if (value !== undefined) meta.set(name, value)
          else if (!automatic.has(name)) meta.delete(name)
        }
      }
      continue
    }

    if (kw === "FROM") {
      const { flags, rest } = parseFlags(ins, escape, path)
      for (const f of flags.keys())
        if (f !== "platform")
          throw new DockerfileError(ins.line, ins.text, `FROM has no --${f} flag`, "FROM takes only --platform=<platform>", path)
      const words = splitWords(rest, escape).map((w) => w.word)
      if (!(words.length === 1 || (words.length === 3 && words[1].toLowerCase() === "as")))
        throw new DockerfileError(ins.line, ins.text, "FROM takes an image and optionally `AS <name>`", "write FROM [--platform=<platform>] <image> [AS <name>]", path)
      const index = states.length
      const name = words.length === 3 ? words[2].toLowerCase() : undefined
      const base = expandWord(words[0], meta, ctx)
      if (base.trim() === "")
        throw new DockerfileError(ins.line, ins.text, `the base image ${JSON.stringify(words[0])} expands to an empty string`, "declare the ARG before the first FROM with a default, or pass it as a build arg", path)
      const baseStage = stageNames.has(base.toLowerCase()) && stageNames.get(base.toLowerCase())! < index ? stageNames.get(base.toLowerCase()) : undefined
      const platformFlag = flags.get("platform")?.at(-1)
      let platform = targetPlatform
      let platformSource: PlatformSource = "target"
      if (baseStage !== undefined) {
        platform = states[baseStage].stage.platform
        platformSource = "stage"
        if (platformFlag !== undefined)
          notes.push(`line ${ins.line}: --platform=${platformFlag} on FROM ${base} is ignored: a stage based on another stage runs on that stage's platform (${platform})`)
      } else if (platformFlag !== undefined) {
        const refs = new Set<string>()
        const v = expandWord(platformFlag, meta, ctx, refs)
        if (v === "")
          throw new DockerfileError(ins.line, ins.text, `--platform=${platformFlag} expands to an empty string`, "use --platform=$BUILDPLATFORM, or declare the ARG it uses before the first FROM", path)
        platform = parsePlatformValue(v, ctx, `--platform=${platformFlag} gives`)
        const names = [...refs]
        if (names.length && names.every((r) => r.startsWith("BUILD") && automatic.has(r))) platformSource = "build"
        else if (names.length && names.every((r) => r.startsWith("TARGET") && automatic.has(r))) platformSource = "target"
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
        emulated: !runsNatively(platform, nativePlatform),
        needed: false,
        args: [],
        runs: [],
        copies: [],
      }
      const parent = baseStage !== undefined ? states[baseStage] : undefined
      cur = {
        stage,
        scope: new Map(parent ? [...parent.scope].filter(([k]) => parent.envNames.has(k)) : []),
        envNames: new Set(parent?.envNames ?? []),
        envText: parent?.envText ?? "",
        workdir: parent?.workdir ?? "/",
        deps: baseStage !== undefined ? [{ stage: baseStage, line: ins.line }] : [],
        producers: [...(parent?.producers ?? [])],
      }
      states.push(cur)
      continue
    }

    if (!cur)
      throw new DockerfileError(ins.line, ins.text, `${kw} before the first FROM`, "only ARG and parser directives may come before the first FROM", path)

    switch (kw) {
      case "ENV": {
        const words = splitWords(ins.args, escape).map((w) => w.word)
        if (words.length && !words[0].includes("=")) {
          // legacy form: ENV NAME value words…
          if (words.length < 2)
            throw new DockerfileError(ins.line, ins.text, `ENV ${words[0]} has no value`, `write ENV ${words[0]}=<value>`, path)
          const value = expandWord(ins.args.slice(ins.args.indexOf(words[0]) + words[0].length).trim(), cur.scope, ctx)
          cur.scope.set(words[0], value)
          cur.envNames.add(words[0])
        } else {
          for (const w of words) {
            const eq = w.indexOf("=")
            if (eq <= 0)
              throw new DockerfileError(ins.line, ins.text, `ENV entry ${JSON.stringify(w)} has no value`, "write ENV NAME=value", path)
            const k = w.slice(0, eq)
            cur.scope.set(k, expandWord(w.slice(eq + 1), cur.scope, ctx))
            cur.envNames.add(k)
          }
        }
        cur.envText += "\n" + ins.args
        break
      }
      case "WORKDIR": {
        cur.workdir = joinPath(cur.workdir, expandWord(ins.args, cur.scope, ctx))
        break
      }
      case "RUN": {
        const { flags, rest } = parseFlags(ins, escape, path)
        const argv = jsonForm(rest)
        const heredocText = ins.heredocs.map((h) => h.body).join("\n")
        const command = (argv ? argv.join(" ") : rest) + (heredocText ? "\n" + heredocText : "")
        const mounts: RunMount[] = []
        const other: Record<string, string> = {}
        for (const [f, values] of flags) {
          if (f === "mount") {
            for (const v of values) {
              const m = parseMount(expandWord(v, cur.scope, ctx))
              if (m.from !== undefined) {
                const s = resolveStageRef(m.from, cur.stage.index, ins, true)
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
            undeclaredArgs.set(run, [...(undeclaredArgs.get(run) ?? []), r])
          }
        }
        break
      }
      case "COPY":
      case "ADD": {
        const { flags, rest } = parseFlags(ins, escape, path)
        const fromRaw = flags.get("from")?.at(-1)
        if (fromRaw === undefined) break
        if (kw === "ADD")
          throw new DockerfileError(ins.line, ins.text, "ADD has no --from flag", "use COPY --from=<stage|image>", path)
        const from = expandWord(fromRaw, cur.scope, ctx)
        if (from === "")
          throw new DockerfileError(ins.line, ins.text, `--from=${fromRaw} expands to an empty string`, "name a stage, a stage index or an image", path)
        const stageIdx = resolveStageRef(from, cur.stage.index, ins, true)
        const argv = jsonForm(rest)
        let words = argv ?? splitWords(rest, escape).map((w) => expandWord(w.word, cur!.scope, ctx))
        words = words.filter((w) => !/^\d*<<-?/.test(w))
        if (words.length < 2 && ins.heredocs.length === 0)
          throw new DockerfileError(ins.line, ins.text, "COPY needs at least one source and a destination", "write COPY --from=<stage> <src>... <dest>", path)
        if (stageIdx !== undefined) cur.deps.push({ stage: stageIdx, line: ins.line })
        cur.stage.copies.push({
          line: ins.line,
          instruction: "COPY",
          from,
          ...(stageIdx !== undefined ? { stage: stageIdx } : {}),
          sources: words.slice(0, -1),
          dest: words.at(-1) ?? "",
        })
        break
      }
      case "ONBUILD": {
        const inner = /^(\S+)/.exec(ins.args)?.[1]?.toUpperCase() ?? ""
        if (inner === "ONBUILD" || inner === "FROM" || inner === "MAINTAINER")
          throw new DockerfileError(ins.line, ins.text, `ONBUILD ${inner} is not allowed`, "ONBUILD takes any other instruction", path)
        if (!INSTRUCTIONS.has(inner))
          throw new DockerfileError(ins.line, ins.text, `unknown instruction ${JSON.stringify(inner)} after ONBUILD`, "write ONBUILD <instruction> <args>", path)
        break
      }
      default:
        break
    }
  }

  if (states.length === 0) {
    const last = instructions.at(-1)!
    throw new DockerfileError(last.line, last.text, "no FROM instruction: the file declares no build stage", "add FROM <image> after the global ARGs", path)
  }

  // cycles (only possible through COPY --from / --mount from= a later stage by name)
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

  // target and reachability
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

  const stages = states.map((s) => s.stage)
  const findings: DockerfileFinding[] = []
  const reportedProducers = new Set<string>()
  const targetAbi = abiKey(targetPlatform)
  const crossBuild = targetAbi !== abiKey(nativePlatform)

  for (const st of states) {
    const s = st.stage
    if (!s.needed) continue
    // heavy emulated RUNs
    for (const r of s.runs) {
      if (r.emulated && r.heavy)
        findings.push({
          kind: "heavy-emulated-run",
          severity: "warning",
          line: r.line,
          stage: s.label,
          message: `RUN ${oneLine(r.command)} (stage ${s.label}) runs under QEMU as ${s.platform} on this ${nativePlatform} engine: ${r.reason}; expect it to be several times slower (≈9× for Go/Rust compiles) and prone to QEMU crashes (exit 139)`,
          fix: r.kind === "c-build" && /node_modules|node-gyp|node_api\.h|\/include\/node/.test(r.command)
            ? `${cFix(targetPlatform)}; for a Node.js addon that is \`CC=${TARGETS.get(targetPlatform)?.gccTriple ?? "<triple>"}-gcc npm_config_arch=$TARGETARCH npm ci\` in a --platform=$BUILDPLATFORM stage — or keep it in the target stage, which is correct, only slower`
            : fixFor(r.kind, targetPlatform),
        })
      const undeclared = undeclaredArgs.get(r)
      if (undeclared?.length) {
        const list = [...new Set(undeclared)]
        findings.push({
          kind: "undeclared-platform-arg",
          severity: r.heavy ? "error" : "warning",
          line: r.line,
          stage: s.label,
          message: `RUN uses ${list.map((x) => "$" + x).join(", ")} but stage ${s.label} declares no \`ARG ${list.join(" ")}\`: inside the stage ${list.length > 1 ? "they expand" : "it expands"} to an empty string${r.kind === "go-build" ? ", so GOOS/GOARCH fall back to the build platform's and the binary is built for the wrong architecture" : ""}`,
          fix: `add \`ARG ${list.join(" ")}\` after the stage's FROM line (the automatic platform ARGs are global; a stage sees them only once declared)`,
        })
      }
    }

    // stages pinned to a literal platform
    if (s.platformSource === "literal") {
      if (s.emulated)
        findings.push({
          kind: "literal-platform",
          severity: "warning",
          line: s.line,
          stage: s.label,
          message: `stage ${s.label} is pinned to --platform=${s.platformFlag} (${s.platform}): on this ${nativePlatform} engine it runs under QEMU for every target${s.runs.length ? ` (${s.runs.length} RUN step${s.runs.length > 1 ? "s" : ""})` : ""}`,
          fix: "use --platform=$BUILDPLATFORM for stages that only produce arch-neutral output or cross-compile, and no --platform for stages whose binaries end up in the image",
        })
      else
        findings.push({
          kind: "literal-platform",
          severity: "info",
          line: s.line,
          stage: s.label,
          message: `stage ${s.label} is pinned to --platform=${s.platformFlag}: native on this ${nativePlatform} engine, but emulated on engines of other architectures (e.g. Apple silicon or Graviton)`,
          fix: "use --platform=$BUILDPLATFORM if the stage is meant to run on the build machine",
        })
    }

    // the reverse trap: native output copied across platforms
    for (const c of s.copies) {
      if (c.stage === undefined) continue
      const src = states[c.stage]
      if (abiKey(src.stage.platform) === abiKey(s.platform)) continue
      const hits: string[] = []
      for (const raw of c.sources) {
        const p = joinPath("/", raw)
        const what = nativeOutputWhat(p)
        // producers whose working directory is inside the copied path (it contains their output)
        const inside = src.producers.filter((x) => within(x.workdir, p))
        if (what) {
          hits.push(`${raw} is ${what}`)
          // the path is under a producer's workdir (node_modules under /app where gcc/npm ran): same problem
          for (const x of src.producers) if (within(p, x.workdir) || within(x.workdir, p)) reportedProducers.add(`${src.stage.index}:${x.line}`)
          continue
        }
        if (inside.length) {
          for (const x of inside) reportedProducers.add(`${src.stage.index}:${x.line}`)
          hits.push(`${raw} contains the output of line ${inside[0].line} (${inside[0].what}, in ${inside[0].workdir})`)
        }
      }
      if (!hits.length) continue
      findings.push({
        kind: "native-output-copied",
        severity: "error",
        line: c.line,
        stage: s.label,
        message: `${c.instruction} --from=${c.from} copies native code built on ${src.stage.platform} (stage ${src.stage.label}${src.stage.platformSource === "build" ? ", $BUILDPLATFORM" : ""}) into stage ${s.label}, which runs on ${s.platform}: ${hits.join("; ")}. The ${targetPlatform} image then fails at run time (invalid ELF header / exec format error / exit 139)`,
        fix:
          hits.some((h) => /node_modules|node-gyp|\.node\b|npm|yarn|pnpm/.test(h))
            ? `install dependencies in the ${s.platform} stage (\`COPY package*.json ./\` + \`RUN npm ci --omit=dev\` after its FROM) and copy only arch-neutral output (dist/) from stage ${src.stage.label}`
            : hits.some((h) => /cargo|target\/release/.test(h))
              ? `cross-compile with \`cargo build --release --target <triple>\` (${TARGETS.get(targetPlatform)?.rust.gnu ?? "the target triple"}) and copy target/<triple>/release/<bin>, or build in a stage without --platform=$BUILDPLATFORM`
              : `build it in a stage that runs on ${s.platform} (drop --platform=$BUILDPLATFORM from stage ${src.stage.label}) or cross-compile it for ${s.platform} there`,
      })
    }
  }

  // compiles on the build platform that never select the target
  for (const st of states) {
    const s = st.stage
    if (!s.needed) continue
    const consumers = states.filter(
      (o) => o.stage.needed && o !== st && o.stage.copies.some((c) => c.stage === s.index) && abiKey(o.stage.platform) !== abiKey(s.platform),
    )
    if (!consumers.length) continue
    for (const r of s.runs) {
      if (!(r.kind === "go-build" || r.kind === "rust-build" || r.kind === "c-build") || r.targetsOtherPlatform) continue
      if (reportedProducers.has(`${s.index}:${r.line}`)) continue
      const to = consumers[0].stage
      findings.push({
        kind: "build-platform-binary",
        severity: "warning",
        line: r.line,
        stage: s.label,
        message: `RUN ${oneLine(r.command)} in stage ${s.label} runs on ${s.platform} and never selects the target (no TARGETARCH/TARGETOS, GOARCH, --target or cross CC): it builds for ${s.platform}, and stage ${to.label} (${to.platform}) copies from it`,
        fix: fixFor(r.kind, targetPlatform),
      })
    }
  }

  // the built stage must execute on the target platform, or the image carries foreign binaries
  const t = stages[targetIndex]
  if (abiKey(t.platform) !== targetAbi)
    findings.push({
      kind: "final-stage-platform",
      severity: "error",
      line: t.line,
      stage: t.label,
      message: `the built stage ${t.label} runs on ${t.platform}${t.platformSource === "stage" ? " (inherited from its base stage)" : t.platformFlag ? ` (--platform=${t.platformFlag})` : ""}, not on ${targetPlatform}: the ${targetPlatform} image would contain ${t.platform} binaries`,
      fix: "drop --platform from the final stage (and from the stage chain it is based on) so it follows TARGETPLATFORM",
    })

  findings.sort((a, b) => a.line - b.line || a.kind.localeCompare(b.kind))

  const emulatedRuns: EmulatedRun[] = []
  for (const s of stages)
    if (s.needed) for (const r of s.runs) if (r.emulated) emulatedRuns.push({ stage: s.label, line: r.line, command: r.command, kind: r.kind, heavy: r.heavy })
  emulatedRuns.sort((a, b) => a.line - b.line)

  const skipped = stages.filter((s) => !s.needed).map((s) => s.label)
  if (skipped.length) notes.push(`stages not needed for ${stages[targetIndex].label} (BuildKit skips them): ${skipped.join(", ")}`)
  if (directives.syntax) notes.push(`# syntax=${directives.syntax}: BuildKit fetches that frontend; this analysis follows the standard Dockerfile syntax`)
  if (!crossBuild) notes.push(`${targetPlatform} is the engine's native platform: no stage is emulated unless pinned to another platform`)

  return {
    targetPlatform,
    nativePlatform,
    target: stages[targetIndex].label,
    targetIndex,
    directives,
    globalArgs,
    stages,
    emulatedRuns,
    findings,
    notes,
  }
}

function oneLine(cmd: string, max = 80): string {
  const s = cmd.replace(/\s+/g, " ").trim()
  return s.length > max ? s.slice(0, max - 1) + "…" : s
}

// ---------------------------------------------------------------------------------------------
// Plans for the dockerfile toolchain

export interface DockerfilePlanOptions {
  platforms: string[]
  nativePlatform: string
  /** Path of the Dockerfile in the source. Default "Dockerfile". */
  dockerfile?: string
  target?: string
  buildArgs?: Record<string, string> | BuildArgInput[]
  /** Names of the secrets passed to the build (shown in the plan; values never are). */
  secrets?: string[]
}

/** One platform's entry of `plan` for the dockerfile toolchain (the BuildPlan counterpart). */
export interface DockerfileBuildPlan {
  platform: string
  toolchain: "dockerfile"
  /** "emulated" when any RUN the target needs runs under QEMU; else "cross" (BuildKit on the native platform). */
  mode: "cross" | "emulated"
  /** True when the platform is the engine's native platform. */
  native: boolean
  /** What `apply` passes to Directory.dockerBuild. */
  dockerBuild: {
    platform: string
    dockerfile: string
    target?: string
    buildArgs: BuildArgInput[]
    secrets: string[]
  }
  /** The stage that is built. */
  target: string
  buildPlatform: string
  stages: {
    index: number
    label: string
    base: string
    platform: string
    platformSource: PlatformSource
    executes: "native" | "emulated"
    needed: boolean
    runs: number
  }[]
  emulatedRuns: EmulatedRun[]
  findings: DockerfileFinding[]
  notes: string[]
}

/** Per-platform plan entries for a Dockerfile build. Throws DockerfileError / MultiarchInputError. */
export function planDockerfile(text: string, o: DockerfilePlanOptions): DockerfileBuildPlan[] {
  if (!o.platforms.length)
    throw new MultiarchInputError("platforms", "", "the platform list is empty", `pass e.g. "linux/amd64,linux/arm64"`)
  const dockerfile = o.dockerfile ?? "Dockerfile"
  const buildArgs = Object.entries(toRecord(o.buildArgs)).map(([name, value]) => ({ name, value }))
  return o.platforms.map((platform) => {
    const a = analyzeDockerfile(text, {
      targetPlatform: platform,
      nativePlatform: o.nativePlatform,
      target: o.target,
      buildArgs: o.buildArgs,
      dockerfile,
    })
    const heavy = a.emulatedRuns.filter((r) => r.heavy).length
    const notes = [
      `BuildKit sets BUILDPLATFORM=${a.nativePlatform} (the engine's) and TARGETPLATFORM=${a.targetPlatform}`,
      a.emulatedRuns.length
        ? `${a.emulatedRuns.length} RUN step${a.emulatedRuns.length > 1 ? "s" : ""} run${a.emulatedRuns.length > 1 ? "" : "s"} under QEMU (${heavy} heavy): ${a.emulatedRuns.map((r) => `line ${r.line}`).join(", ")}`
        : "no RUN step runs under QEMU",
      ...a.notes,
    ]
    return {
      platform: a.targetPlatform,
      toolchain: "dockerfile" as const,
      mode: a.emulatedRuns.length ? ("emulated" as const) : ("cross" as const),
      native: abiKey(a.targetPlatform) === abiKey(a.nativePlatform),
      dockerBuild: {
        platform: a.targetPlatform,
        dockerfile,
        ...(o.target ? { target: o.target } : {}),
        buildArgs,
        secrets: o.secrets ?? [],
      },
      target: a.target,
      buildPlatform: a.nativePlatform,
      stages: a.stages.map((s) => ({
        index: s.index,
        label: s.label,
        base: s.base,
        platform: s.platform,
        platformSource: s.platformSource,
        executes: s.emulated ? ("emulated" as const) : ("native" as const),
        needed: s.needed,
        runs: s.runs.length,
      })),
      emulatedRuns: a.emulatedRuns,
      findings: a.findings,
      notes,
    }
  })
}

/**
 * The emulated RUN of a plan entry that an exec's argv belongs to (BuildKit runs shell-form RUN as
 * `/bin/sh -c <command>`), to name the Dockerfile line in an emulation failure. Whitespace-insensitive.
 */
export function emulatedRunFor(plan: Pick<DockerfileBuildPlan, "emulatedRuns">, argv: string[] | undefined): EmulatedRun | undefined {
  if (!argv?.length) return undefined
  const norm = (x: string) => x.replace(/\s+/g, " ").trim()
  const cmd = norm(argv.length >= 3 && /(^|\/)(ba|da|a)?sh$/.test(argv[0]) && argv[1] === "-c" ? argv.slice(2).join(" ") : argv.join(" "))
  return plan.emulatedRuns.find((r) => norm(r.command) === cmd)
}

/** Human-readable form of plan entries (one block per platform), for `plan --format text`. */
export function dockerfilePlanText(plans: DockerfileBuildPlan[]): string {
  const out: string[] = []
  for (const p of plans) {
    out.push(`${p.platform}: dockerfile ${p.dockerBuild.dockerfile}${p.dockerBuild.target ? ` --target ${p.dockerBuild.target}` : ""}, ${p.mode}${p.native ? " (native platform)" : ""}`)
    for (const s of p.stages)
      out.push(`  stage ${s.label}: ${s.base} on ${s.platform} (${s.platformSource}) ${s.needed ? s.executes : "skipped"}${s.runs ? `, ${s.runs} RUN` : ""}`)
    for (const r of p.emulatedRuns) out.push(`  emulated line ${r.line}${r.heavy ? " [heavy]" : ""}: RUN ${oneLine(r.command, 70)}`)
    for (const f of p.findings) {
      out.push(`  ${f.severity} line ${f.line} (${f.kind}): ${f.message}`)
      out.push(`    fix: ${f.fix}`)
    }
  }
  return out.join("\n")
}
