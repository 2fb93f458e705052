/**
 * Lexing: split instruction arguments into words and expand variables with BuildKit's shell-word
 * rules (quotes, escapes, `${…}` modifiers, glob trims).
 */
import { DockerfileError } from "./DockerfileError.js"

export type Vars = ReadonlyMap<string, string>

export interface LexCtx {
  line: number
  text: string
  escape: string
  path: string
}

export function lexFail(ctx: LexCtx, problem: string, fix: string): never {
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
export function expandWord(word: string, vars: Vars, ctx: LexCtx, refs: Set<string> = new Set()): string {
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
export function splitWords(s: string, escape: string): { word: string; start: number; end: number }[] {
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
export function referencedNames(text: string): Set<string> {
  const out = new Set<string>()
  const re = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g
  let m: RegExpExecArray | null
  while ((m = re.exec(text))) out.add(m[1] ?? m[2])
  return out
}
