/**
 * Parsing: parser directives, logical lines (continuations, comments), heredocs, instructions, and
 * the flags, exec forms and mounts of an instruction.
 */
import { DockerfileError } from "./DockerfileError.js"
import type { RunMount } from "./types.js"
import { splitWords } from "./words.js"

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

export interface RawInstruction {
  keyword: string
  /** Arguments after the keyword, continuation lines joined, trimmed. */
  args: string
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

export function parseDockerfile(text: string, path: string): Parsed {
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


export interface Flagged {
  flags: Map<string, string[]>
  /** Arguments after the flags (raw text). */
  rest: string
}

export function parseFlags(ins: RawInstruction, escape: string, path: string): Flagged {
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
export function jsonForm(rest: string): string[] | undefined {
  if (!rest.startsWith("[")) return undefined
  try {
    const v: unknown = JSON.parse(rest)
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[]
  } catch {
    // shell form
  }
  return undefined
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
