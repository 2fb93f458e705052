/**
 * Parsing, as BuildKit's Dockerfile parser (frontend/dockerfile/parser) reads a file: parser
 * directives, logical lines (continuations, comments), heredocs, and each instruction's builder
 * flags and arguments split the way that instruction's line parser splits them — the AST whose
 * dump BuildKit's parser tests compare (test/reference/buildkit-parser.test.ts compares ours).
 */
import { DockerfileError } from "./DockerfileError.js"
import type { RunMount } from "./types.js"
import { processWords, ShellWordError } from "./words.js"

export const INSTRUCTIONS = new Set([
  "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
  "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
])
const HEREDOC_INSTRUCTIONS = new Set(["RUN", "COPY", "ADD"])

export interface Heredoc {
  name: string
  body: string
  line: number
}

/**
 * One instruction as BuildKit's parser gives it (its `Node`): what `Node.Dump()` prints as
 * `(keyword ["flag"…] "arg"…)`. Nothing is expanded yet.
 */
export interface InstructionNode {
  /** The keyword as written (BuildKit's dump lower-cases it); "" for a line continued into nothing. */
  keyword: string
  /** Builder flags before the arguments (`--platform=…`), quotes and escapes removed; a `--` word ends them. */
  flags: string[]
  /**
   * The arguments as the instruction's line parser splits them:
   *  - RUN CMD ENTRYPOINT SHELL: the JSON array's strings, or the whole rest (shell form);
   *  - COPY ADD VOLUME: the JSON array's strings, or the rest split on blanks (quotes not honoured);
   *  - FROM EXPOSE: the rest split on blanks; ARG: words (quotes and escapes kept);
   *  - ENV LABEL: name, value, "=" for each `name=value` word, or name, value, "" (legacy `ENV name value`);
   *  - HEALTHCHECK: the type (CMD, NONE…) then as RUN; WORKDIR USER STOPSIGNAL MAINTAINER: the rest;
   *  - ONBUILD: none (see `sub`); an unknown keyword: one empty string.
   */
  args: string[]
  /** The arguments were a JSON array (exec form). */
  json: boolean
  /** ONBUILD: the instruction it registers. */
  sub?: InstructionNode
}

export interface RawInstruction {
  /** The keyword upper-cased. */
  keyword: string
  /** Arguments after the keyword, builder flags included, continuation lines joined, trimmed. */
  args: string
  /** Arguments after the builder flags (BuildKit's line-parser input), trimmed. */
  rest: string
  /** BuildKit's view of the instruction: flags and split arguments. */
  node: InstructionNode
  line: number
  endLine: number
  /** First physical line, for error messages. */
  text: string
  heredocs: Heredoc[]
}

export interface Parsed {
  directives: { syntax?: string; escape: string; check?: string }
  instructions: RawInstruction[]
}

/** BuildKit's blanks (reWhitespace): what separates a keyword from its arguments, and plain-split arguments. */
const BLANKS = /[\t\v\f\r ]+/
/** Go's strings.TrimSpace (unicode.IsSpace). */
const trimSpace = (s: string) => s.replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, "")
const splitBlanks = (s: string): string[] => (s === "" ? [] : s.split(BLANKS))
const ASCII_BLANK = /[\t\n\v\f\r ]/

/** A parse error: BuildKit's parser rejects the instruction (shown at its first line). */
class NodeError extends Error {
  constructor(
    readonly problem: string,
    readonly fix: string,
  ) {
    super(problem)
  }
}

/**
 * Builder flags at the start of the arguments: words starting with `--` (quotes removed, the escape
 * character escapes the next character), up to the first other word or a lone `--`. Words end at
 * ASCII blanks only (BuildKit reads this part byte by byte). Returns the flags and the rest.
 */
function builderFlags(line: string, escape: string): { flags: string[]; rest: string } {
  const flags: string[] = []
  let i = 0
  const n = line.length
  for (;;) {
    while (i < n && ASCII_BLANK.test(line[i])) i++
    if (i >= n) return { flags, rest: "" }
    if (!line.startsWith("--", i)) return { flags, rest: line.slice(i) }
    let word = ""
    let quote = ""
    for (; i < n; i++) {
      let c = line[i]
      if (!quote && ASCII_BLANK.test(c)) break
      if (quote) {
        if (c === quote) {
          quote = ""
          continue
        }
      } else if (c === "'" || c === '"') {
        quote = c
        continue
      }
      if (c === escape) {
        if (i + 1 === n) continue // an escape at the end is dropped
        c = line[++i]
      }
      word += c
    }
    if (word === "--") return { flags, rest: line.slice(i) }
    flags.push(word)
  }
}

/** ARG/ENV/LABEL words: split on unquoted blanks, quotes and escapes kept (BuildKit's parseWords). */
function nameValueWords(rest: string, escape: string): string[] {
  const words: string[] = []
  let word = ""
  let inWord = false
  let blankOK = false
  let quote = ""
  const cs = Array.from(rest)
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]
    if (!quote) {
      if (/^\s$/u.test(c)) {
        if (inWord && (blankOK || word !== "")) words.push(word)
        word = ""
        inWord = false
        blankOK = false
        continue
      }
      inWord = true
      if (c === "'" || c === '"') {
        quote = c
        blankOK = true
      }
      if (c === escape) {
        if (i + 1 === cs.length) continue // an escape at the end is dropped
        word += c + cs[++i]
        continue
      }
      word += c
    } else {
      if (c === quote) quote = ""
      else if (c === escape && quote !== "'") {
        if (i + 1 === cs.length) {
          quote = ""
          continue
        }
        word += c
        word += cs[++i]
        continue
      }
      word += c
    }
  }
  if (inWord && (blankOK || word !== "")) words.push(word)
  return words
}

/** A JSON array of strings (exec form), undefined when `rest` is not JSON; an error when an element is not a string. */
function jsonArray(rest: string): string[] | undefined {
  const t = rest.replace(/^\s+/u, "")
  if (!t.startsWith("[")) return undefined
  let v: unknown
  try {
    v = JSON.parse(t)
  } catch {
    return undefined
  }
  if (!Array.isArray(v)) return undefined
  if (!v.every((x) => typeof x === "string"))
    throw new NodeError("when using JSON array syntax, arrays must be comprised of strings only", 'write every element as a JSON string, e.g. ["/bin/sh", "-c", "echo hi"]')
  return v as string[]
}

/** ENV/LABEL: name, value, separator for each assignment (legacy form: one `name value` assignment). */
function nameValues(keyword: string, rest: string, escape: string): string[] {
  const words = nameValueWords(rest, escape)
  if (words.length === 0) return []
  if (!words[0].includes("=")) {
    // legacy `ENV name value words…`: the name, then everything after the first blanks
    const m = BLANKS.exec(rest)
    if (!m) throw new NodeError(`${keyword} ${rest} has no value`, `write ${keyword} ${rest}=<value>`)
    return [rest.slice(0, m.index), rest.slice(m.index + m[0].length), ""]
  }
  const out: string[] = []
  for (const w of words) {
    const eq = w.indexOf("=")
    if (eq === -1) throw new NodeError(`${keyword} entry ${JSON.stringify(w)} has no value (can't find =)`, `write ${keyword} name=value`)
    out.push(w.slice(0, eq), w.slice(eq + 1), "=")
  }
  return out
}

/** RUN/CMD/ENTRYPOINT/SHELL arguments: a JSON array of strings, or the whole text (shell form). */
function maybeJson(text: string): { args: string[]; json: boolean } {
  if (text === "") return { args: [], json: false }
  const arr = jsonArray(text)
  return arr ? { args: arr, json: true } : { args: [text], json: false }
}

/**
 * One logical line as BuildKit's parser splits it: the keyword (up to the first blank), the
 * builder flags, the arguments after them (`rest`), and the node. Throws NodeError.
 */
function splitInstruction(line: string, escape: string): { node: InstructionNode; args: string; rest: string } {
  const trimmed = trimSpace(line)
  const m = BLANKS.exec(trimmed)
  const keyword = m ? trimmed.slice(0, m.index) : trimmed
  const args = m ? trimmed.slice(m.index + m[0].length) : ""
  const bf = builderFlags(args, escape)
  const rest = trimSpace(bf.rest)
  const node: InstructionNode = { keyword, flags: bf.flags, args: [], json: false }
  switch (keyword.toUpperCase()) {
    case "RUN":
    case "CMD":
    case "ENTRYPOINT":
    case "SHELL":
      Object.assign(node, maybeJson(rest))
      break
    case "COPY":
    case "ADD":
    case "VOLUME": {
      const arr = jsonArray(rest)
      Object.assign(node, arr ? { args: arr, json: true } : { args: splitBlanks(rest) })
      break
    }
    case "FROM":
    case "EXPOSE":
      node.args = splitBlanks(rest)
      break
    case "ARG":
      node.args = nameValueWords(rest, escape)
      break
    case "ENV":
    case "LABEL":
      node.args = nameValues(keyword.toUpperCase(), rest, escape)
      break
    case "HEALTHCHECK": {
      // the type (CMD, NONE…) up to an ASCII blank (BuildKit reads bytes here), then a command as for RUN
      const t = /^[^\t\n\v\f\r ]+/.exec(rest)
      if (!t) break
      const cmd = maybeJson(rest.slice(t[0].length).replace(/^[\t\n\v\f\r ]+/, ""))
      Object.assign(node, { args: [t[0], ...cmd.args], json: cmd.json })
      break
    }
    case "WORKDIR":
    case "USER":
    case "STOPSIGNAL":
    case "MAINTAINER":
      if (rest !== "") node.args = [rest]
      break
    case "ONBUILD":
      if (rest !== "") node.sub = splitInstruction(rest, escape).node
      break
    default:
      node.args = [""] // BuildKit's parser keeps an unknown instruction with one empty argument; its frontend rejects it
  }
  return { node, args: trimSpace(args), rest }
}

/**
 * Heredoc openers in a logical line, as BuildKit finds them: words of the line (lexed with `\`,
 * quotes and escapes kept, variables left alone) of the form `[n]<<[-]NAME`; NAME with its quotes
 * removed must be one word.
 */
function heredocOpeners(line: string): { name: string; strip: boolean }[] {
  let words: string[]
  try {
    words = processWords(line, new Map(), { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true })
  } catch (e) {
    if (e instanceof ShellWordError) return [] // BuildKit ignores a line it cannot lex here
    throw e
  }
  const out: { name: string; strip: boolean }[] = []
  for (const w of words) {
    const m = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/.exec(w)
    if (!m || m[3] === "") continue
    let names: string[]
    try {
      names = processWords(m[3], new Map(), { skipUnsetEnv: true })
    } catch (e) {
      if (e instanceof ShellWordError) throw new NodeError(`heredoc opener ${w}: ${e.problem}`, e.fix)
      throw e
    }
    if (names.length !== 1) continue
    out.push({ name: names[0], strip: m[2] === "-" })
  }
  return out
}

/** The lines of a text as BuildKit's scanner yields them: split on \n, no empty line after a final newline, trailing \r removed. */
function physicalLines(text: string): string[] {
  const lines = text.split("\n")
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop()
  return lines.map((l) => l.replace(/[\r\n]+$/, ""))
}

export function parseDockerfile(text: string, path: string): Parsed {
  const lines = physicalLines(text.replace(/^\uFEFF/, ""))
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
  /**
   * A line continues when it ends (blanks aside) in the escape character that is not itself
   * escaped, or is only that character (BuildKit parser.go lineContinuationRegex). Like BuildKit,
   * an escaped escape before it (`a\\\`) is read as escaped: no continuation.
   */
  const continues = (l: string): boolean => {
    const t = l.replace(/[ \t]+$/, "")
    return t.endsWith(escape) && (t.length === 1 || t[t.length - 2] !== escape)
  }
  const stripContinuation = (l: string): string => l.replace(/[ \t]+$/, "").slice(0, -1)

  const instructions: RawInstruction[] = []
  i = 0
  while (i < lines.length) {
    // the first line of an instruction is read without its leading blanks
    const first = lines[i].replace(/^\s+/u, "")
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
    let split: ReturnType<typeof splitInstruction>
    try {
      split = splitInstruction(joined, escape)
    } catch (e) {
      if (e instanceof NodeError) throw new DockerfileError(startLine, lines[startLine - 1], e.problem, e.fix, path)
      throw e
    }
    const { node, args, rest } = split
    const keyword = node.keyword.toUpperCase()

    const heredocs: Heredoc[] = []
    const heredocNode = keyword === "ONBUILD" && node.sub ? node.sub : node
    if (HEREDOC_INSTRUCTIONS.has(heredocNode.keyword.toUpperCase()) && !heredocNode.json && joined.includes("<<")) {
      let openers: { name: string; strip: boolean }[]
      try {
        openers = heredocOpeners(joined)
      } catch (e) {
        if (e instanceof NodeError) throw new DockerfileError(startLine, lines[startLine - 1], e.problem, e.fix, path)
        throw e
      }
      for (const h of openers) {
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
            lines[startLine - 1],
            `heredoc <<${h.name} opened here is never closed (reached the end of the file)`,
            `end it with a line containing only ${h.name}`,
            path,
          )
        heredocs.push({ name: h.name, body: body.join("\n"), line: bodyStart + 1 })
      }
      endLine = i
    }
    instructions.push({ keyword, args, rest, node, line: startLine, endLine, text: lines[startLine - 1], heredocs })
  }
  if (instructions.length === 0)
    throw new DockerfileError(1, lines[0] ?? "", "the file has no instructions", "start with FROM <image>", path)
  return { directives, instructions }
}

/** BuildKit's parser on a whole file: each instruction's node and lines. Throws DockerfileError. */
export function parseInstructions(text: string, path = "Dockerfile"): { escape: string; instructions: (InstructionNode & { line: number; endLine: number; heredocs: Heredoc[] })[] } {
  const { directives, instructions } = parseDockerfile(text, path)
  return { escape: directives.escape, instructions: instructions.map((ins) => ({ ...ins.node, line: ins.line, endLine: ins.endLine, heredocs: ins.heredocs })) }
}

export interface Flagged {
  flags: Map<string, string[]>
  /** Arguments after the flags (raw text). */
  rest: string
}

/** The builder flags of an instruction by name (lower-cased; a flag may repeat), and the arguments after them. */
export function parseFlags(ins: RawInstruction, path: string): Flagged {
  const flags = new Map<string, string[]>()
  for (const w of ins.node.flags) {
    const body = w.slice(2)
    const eq = body.indexOf("=")
    const name = (eq === -1 ? body : body.slice(0, eq)).toLowerCase()
    if (name === "")
      throw new DockerfileError(ins.line, ins.text, `malformed flag ${JSON.stringify(w)}`, "write flags as --name=value", path)
    if (eq === -1 && ["platform", "from", "mount", "chown", "chmod", "network", "security"].includes(name))
      throw new DockerfileError(ins.line, ins.text, `flag --${name} needs a value`, `write --${name}=<value> (no space before the value)`, path)
    flags.set(name, [...(flags.get(name) ?? []), eq === -1 ? "" : body.slice(eq + 1)])
  }
  return { flags, rest: ins.rest }
}

export function unquote(s: string): string {
  if (s.length >= 2 && ((s[0] === '"' && s.endsWith('"')) || (s[0] === "'" && s.endsWith("'")))) return s.slice(1, -1)
  return s
}

export function parseMount(spec: string): RunMount {
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
