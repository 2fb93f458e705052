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

/**
 * A word the shell lexer cannot expand (unterminated quote, bad `${…}`, `${VAR:?message}` on an
 * unset variable…). `problem` and `fix` are for the user; processWord/processWords throw it, the
 * Dockerfile walk turns it into a DockerfileError with the line.
 */
export class ShellWordError extends Error {
  constructor(
    readonly word: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${problem} in ${JSON.stringify(word)}`)
    this.name = "ShellWordError"
  }
}

export interface LexOptions {
  /** The escape character: `\` (default) or the backtick of `# escape=\``. */
  escape?: string
  /** Keep the quote characters in the result (BuildKit's RawQuotes; heredoc detection). */
  rawQuotes?: boolean
  /** Keep the escape characters in the result (BuildKit's RawEscapes; heredoc detection). */
  rawEscapes?: boolean
  /** Leave references to unset variables as written (BuildKit's SkipUnsetEnv; heredoc detection). */
  skipUnsetEnv?: boolean
}

/** What a word expands to: the value (ProcessWord), the words (ProcessWords) and the variables looked up. */
export interface ProcessedWord {
  /** The expanded word, quotes and escapes removed, inner whitespace kept. */
  value: string
  /** The expanded word split on unquoted whitespace (whitespace from a variable's value splits too). */
  words: string[]
  /** Names looked up that were set. */
  matched: Set<string>
  /** Names looked up that were not set (positional and special parameters never are). */
  unmatched: Set<string>
}

/** Go's unicode.IsSpace (what BuildKit splits words on). */
const isSpace = (c: string) => /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u.test(c)
const isDigit = (c: string | undefined) => c !== undefined && /^\p{Nd}$/u.test(c)
const isNameChar = (c: string | undefined) => c !== undefined && (c === "_" || /^[\p{L}\p{Nd}]$/u.test(c))
/**
 * Nesting limit of ${…} inside ${…} operands: each level recurses (BuildKit's Go stack grows; a
 * JavaScript stack does not), and no real Dockerfile nests more than a few.
 */
const MAX_NESTING = 500

/** POSIX special parameters ($@ $* $# $? $- $$ $!, and $0): names, never set in a Dockerfile. */
const SPECIAL_PARAMS = new Set(["@", "*", "#", "?", "-", "$", "!", "0"])

/** Words being built: whitespace ends a word unless it came from a quote or an escape. */
class WordSplitter {
  readonly words: string[] = []
  private cur = ""
  private open = false
  /** One character as written: unquoted whitespace ends the current word. */
  char(c: string): void {
    if (!isSpace(c)) {
      this.cur += c
      this.open = true
    } else if (this.open && this.cur !== "") {
      this.words.push(this.cur)
      this.cur = ""
      this.open = false
    }
  }
  /** A variable's value: split like unquoted text. */
  split(s: string): void {
    for (const c of s) this.char(c)
  }
  /** Quoted or escaped text: never split. */
  raw(s: string): void {
    this.cur += s
    this.open = true
  }
  done(): string[] {
    if (this.cur !== "") this.words.push(this.cur)
    this.cur = ""
    this.open = false
    return this.words
  }
}

/** One element of a shell pattern: `*` (any run of characters but a newline), `?` (one such character) or a literal. */
type GlobToken = { t: "star" } | { t: "any" } | { t: "lit"; c: string }

/**
 * A shell pattern as tokens, in BuildKit's dialect: `*`, `?`, and the escapes `\*` `\?` `\\`; a
 * `\` before `}` or `/` is only how those are written inside ${…}; no bracket expressions (`[`
 * and `]` are literal). Any other escape is an error, as in BuildKit.
 */
function globTokens(pattern: string, word: string, written = pattern): GlobToken[] {
  const cs = Array.from(pattern)
  const out: GlobToken[] = []
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]
    if (c === "*") out.push({ t: "star" })
    else if (c === "?") out.push({ t: "any" })
    else if (c === "\\") {
      if (cs[i + 1] === "}" || cs[i + 1] === "/") continue
      const n = cs[++i]
      if (n !== "*" && n !== "?" && n !== "\\")
        throw new ShellWordError(word, `invalid escape '\\${n ?? ""}' in the pattern ${JSON.stringify(written)}`, "in a ${VAR#pattern}, ${VAR%pattern} or ${VAR/pattern/…} pattern only \\*, \\? and \\\\ are escapes")
      out.push({ t: "lit", c: n })
    } else out.push({ t: "lit", c })
  }
  return out
}

/** The pattern states reachable from `states` without reading a character (a star may match nothing); keeps the earliest start. */
function closure(toks: readonly GlobToken[], states: Map<number, number>): Map<number, number> {
  // epsilon moves only go from a star to the token after it: one pass in token order is enough
  for (let i = Math.min(...states.keys()); i < toks.length; i++) {
    const start = states.get(i)
    if (start === undefined || toks[i].t !== "star") continue
    if (!((states.get(i + 1) ?? Infinity) <= start)) states.set(i + 1, start)
  }
  return states
}

/** The states after reading `c` (state = index of the next token to match; value = where the match started). */
function step(toks: readonly GlobToken[], states: Map<number, number>, c: string): Map<number, number> {
  const next = new Map<number, number>()
  const add = (i: number, start: number) => {
    if (!((next.get(i) ?? Infinity) <= start)) next.set(i, start)
  }
  for (const [i, start] of states) {
    const tok = toks[i]
    if (!tok) continue
    if (tok.t === "star") {
      if (c !== "\n") add(i, start)
    } else if (tok.t === "any" ? c !== "\n" : tok.c === c) add(i + 1, start)
  }
  return closure(toks, next)
}

/** Every length of a prefix of `cs` that the whole pattern matches, shortest first (NFA simulation: O(length × tokens)). */
function matchingPrefixes(cs: readonly string[], toks: readonly GlobToken[]): number[] {
  const out: number[] = []
  let states = closure(toks, new Map([[0, 0]]))
  for (let pos = 0; states.size > 0; pos++) {
    if (states.has(toks.length)) out.push(pos)
    if (pos >= cs.length) break
    states = step(toks, states, cs[pos])
  }
  return out
}

/**
 * The leftmost match at or after `from`, and the longest one there (`*` is greedy), as
 * [start, end]; O(length × tokens) like Go's regexp, which BuildKit uses.
 */
function leftmostMatch(cs: readonly string[], toks: readonly GlobToken[], from: number): [number, number] | undefined {
  let best: [number, number] | undefined
  let states = new Map<number, number>()
  for (let pos = from; pos <= cs.length; pos++) {
    if (!best && !states.has(0)) states = closure(toks, states.set(0, pos))
    const st = states.get(toks.length)
    if (st !== undefined && (!best || st < best[0] || (st === best[0] && pos > best[1]))) best = [st, pos]
    if (pos === cs.length) break
    states = step(toks, states, cs[pos])
    if (best) for (const [i, start] of states) if (start > best[0]) states.delete(i)
    if (best && states.size === 0) break
  }
  return best
}

/**
 * Replace the leftmost match of the pattern (the longest one there), or every match left to right
 * without overlap, with `replacement` taken literally. An empty match right after a match is
 * skipped, as in Go's regexp ReplaceAll.
 */
function replaceMatches(value: string, toks: readonly GlobToken[], replacement: string, all: boolean): string {
  const cs = Array.from(value)
  let out = ""
  let last = 0
  let prevEnd = -1
  for (let from = 0; from <= cs.length; ) {
    const m = leftmostMatch(cs, toks, from)
    if (!m) break
    const [start, end] = m
    if (start === end && start === prevEnd) {
      from = start + 1
      continue
    }
    out += cs.slice(last, start).join("") + replacement
    last = prevEnd = end
    if (!all) break
    from = end > start ? end : start + 1
  }
  return out + cs.slice(last).join("")
}

/**
 * A pattern written backwards for matching suffixes from the end, as BuildKit reverses it: an
 * escape pair (`\*`) stays a pair, in mirrored position; a `\` at the very end is a lone
 * character (so it escapes what follows it once reversed, as in BuildKit).
 */
function reversedPattern(pattern: string): string {
  const cs = Array.from(pattern)
  const out = new Array<string>(cs.length)
  for (let i = 0; i < cs.length; ) {
    const o = cs.length - 1 - i
    if (cs[i] === "\\" && i !== cs.length - 1) {
      out[o - 1] = "\\"
      out[o] = cs[i + 1]
      i += 2
    } else {
      out[o] = cs[i]
      i++
    }
  }
  return out.join("")
}

/**
 * `${VAR#p}` `${VAR##p}` `${VAR%p}` `${VAR%%p}`: remove the shortest (`#`, `%`) or longest (`##`,
 * `%%`) prefix (`#`) or suffix (`%`) that the whole pattern matches; no match leaves the value. A
 * suffix is matched as a prefix of the reversed value, by the reversed pattern (BuildKit's way,
 * which decides what an odd escape means).
 */
function trimPattern(value: string, pattern: string, op: "#" | "%", longest: boolean, word: string): string {
  const cs = Array.from(value)
  const subject = op === "#" ? cs : [...cs].reverse()
  const toks = globTokens(op === "#" ? pattern : reversedPattern(pattern), word, pattern)
  const lengths = matchingPrefixes(subject, toks)
  if (lengths.length === 0) return value
  const cut = longest ? lengths[lengths.length - 1] : lengths[0]
  return (op === "#" ? cs.slice(cut) : cs.slice(0, cs.length - cut)).join("")
}

/**
 * The shell-word lexer of BuildKit's Dockerfile frontend (frontend/dockerfile/shell), written
 * against its test data (test/reference/buildkit-shell.*): quotes, escapes, `$NAME`, `${NAME}`,
 * positional ($1, $999) and special ($@, $#, …) parameters (never set), and the modifiers
 * `:-` `-` `:+` `+` `:?` `?` `#` `##` `%` `%%` `/` `//`.
 */
class Lexer {
  private readonly cs: string[]
  private pos = 0
  private readonly escape: string
  /** How many ${ are open (each one recurses). */
  private depth = 0
  readonly matched = new Set<string>()
  readonly unmatched = new Set<string>()

  constructor(
    private readonly word: string,
    private readonly vars: Vars,
    private readonly o: LexOptions,
  ) {
    this.cs = Array.from(word)
    this.escape = o.escape ?? "\\"
  }

  private peek(): string | undefined {
    return this.cs[this.pos]
  }
  private next(): string | undefined {
    return this.cs[this.pos++]
  }
  private atEnd(): boolean {
    return this.pos >= this.cs.length
  }
  private fail(problem: string, fix: string): never {
    throw new ShellWordError(this.word, problem, fix)
  }
  private lookup(name: string): string | undefined {
    const v = this.vars.get(name)
    ;(v === undefined ? this.unmatched : this.matched).add(name)
    return v
  }

  /** Read up to `stop` (consumed) or the end of the word; `rawEscapes` keeps escape characters. */
  scan(stop: string | undefined, rawEscapes: boolean): { value: string; words: string[] } {
    let value = ""
    const words = new WordSplitter()
    while (!this.atEnd()) {
      const c = this.peek()!
      if (stop !== undefined && c === stop) {
        this.pos++
        return { value, words: words.done() }
      }
      if (c === "$") {
        const v = this.dollar()
        value += v
        words.split(v)
      } else if (c === "<") {
        const v = this.lessThan()
        value += v
        words.raw(v)
      } else if (c === "'") {
        const v = this.singleQuoted()
        value += v
        words.raw(v)
      } else if (c === '"') {
        const v = this.doubleQuoted(rawEscapes)
        value += v
        words.raw(v)
      } else if (c === this.escape) {
        this.pos++
        if (rawEscapes) {
          value += c
          words.raw(c)
        }
        const n = this.next()
        if (n === undefined) break // an escape at the end of the word escapes nothing
        value += n
        words.raw(n)
      } else {
        this.pos++
        value += c
        words.char(c)
      }
    }
    if (stop !== undefined) this.fail(`unexpected end of the word while looking for ${JSON.stringify(stop)}`, `close it with ${stop}`)
    return { value, words: words.done() }
  }

  /** `<` or a heredoc opener `<<` (with the blanks after it, so `<< EOF` stays one word). */
  private lessThan(): string {
    this.pos++
    if (this.peek() !== "<") return "<"
    this.pos++
    let v = "<<"
    while (this.peek() === " " || this.peek() === "\t" || this.peek() === "\r") v += this.next()
    return v
  }

  /** '…': every character literal, escapes included; a ' cannot be escaped inside. */
  private singleQuoted(): string {
    this.pos++
    let v = this.o.rawQuotes ? "'" : ""
    for (;;) {
      const c = this.next()
      if (c === undefined) this.fail("unmatched single quote", "close the quote (inside '…' a backslash is literal, so \\' does not escape it)")
      if (c === "'") return this.o.rawQuotes ? v + "'" : v
      v += c
    }
  }

  /** "…": $ expands; the escape character escapes only " $ and itself, and is kept before anything else. */
  private doubleQuoted(rawEscapes: boolean): string {
    this.pos++
    let v = this.o.rawQuotes ? '"' : ""
    for (;;) {
      const c = this.peek()
      if (c === undefined) this.fail("unmatched double quote", 'close the quote with "')
      if (c === '"') {
        this.pos++
        return this.o.rawQuotes ? v + '"' : v
      }
      if (c === "$") {
        v += this.dollar()
        continue
      }
      this.pos++
      let ch = c
      if (c === this.escape) {
        // BuildKit writes the escape once more when it keeps raw escapes (`"\\x"` → `\\\\x`); kept for agreement
        if (rawEscapes) v += c
        const n = this.peek()
        if (n === undefined) continue
        if (n === '"' || n === "$" || n === this.escape) ch = this.next()!
      }
      v += ch
    }
  }

  /** A name after $ or ${: all the digits (positional), one special character, or letters, digits and _. */
  private name(): string {
    const c = this.peek()
    if (isDigit(c)) {
      let n = ""
      while (isDigit(this.peek())) n += this.next()
      return n
    }
    if (c !== undefined && SPECIAL_PARAMS.has(c)) return this.next()!
    let n = ""
    while (isNameChar(this.peek())) n += this.next()
    return n
  }

  private dollar(): string {
    this.pos++ // $
    if (this.peek() !== "{") {
      const name = this.name()
      if (name === "") return "$"
      const v = this.lookup(name)
      return v === undefined && this.o.skipUnsetEnv ? "$" + name : (v ?? "")
    }
    this.pos++ // {
    if (++this.depth > MAX_NESTING)
      this.fail(`\${…} nested more than ${MAX_NESTING} deep`, "nest fewer ${…} inside each other")
    try {
      return this.braced()
    } finally {
      this.depth--
    }
  }

  /** After `${`: the name, then `}` or a modifier. */
  private braced(): string {
    const first = this.peek()
    if (first === undefined) this.fail("missing '}'", "close every ${ with }")
    if (first === "{" || first === "}" || first === ":")
      this.fail("bad substitution: ${ must be followed by a variable name", "write ${NAME}, ${NAME:-default} or $NAME")
    const name = this.name()
    const op = this.next()
    if (op === "}") {
      const v = this.lookup(name)
      return v === undefined && this.o.skipUnsetEnv ? `\${${name}}` : (v ?? "")
    }
    if (op === "/") return this.replace(name)
    if (op === ":") return this.modifier(name, this.next(), true)
    if (op !== undefined && "+-?#%".includes(op)) return this.modifier(name, op, false)
    return this.unsupported(op)
  }

  private unsupported(op: string | undefined): never {
    this.fail(
      op === undefined ? "missing '}'" : `unsupported modifier ${JSON.stringify(op)}`,
      op === undefined ? "close every ${ with }" : "use ${NAME:-default}, ${NAME:+alternative}, ${NAME:?message}, ${NAME#prefix}, ${NAME%suffix} or ${NAME/pattern/replacement}",
    )
  }

  /** The operand of a ${…} modifier, up to the closing }. */
  private operand(stop: string, rawEscapes: boolean, missing: string): string {
    try {
      return this.scan(stop, rawEscapes).value
    } catch (e) {
      if (e instanceof ShellWordError && this.atEnd()) this.fail(`missing '${missing}'`, missing === "}" ? "close every ${ with }" : "write ${NAME/pattern/replacement}")
      throw e
    }
  }

  private modifier(name: string, op: string | undefined, colon: boolean): string {
    const pattern = op === "#" || op === "%"
    if (colon && pattern) this.unsupported(`:${op}`)
    const word = this.operand("}", pattern, "}")
    const v = this.lookup(name)
    if (v === undefined && this.o.skipUnsetEnv) return `\${${name}${colon ? ":" : ""}${op ?? ""}${word}}`
    const unset = v === undefined || (colon && v === "")
    switch (op) {
      case "-":
        return unset ? word : v!
      case "+":
        return unset ? "" : word
      case "?":
        if (unset)
          this.fail(
            `${name}: ${word || (v === undefined ? "is not allowed to be unset" : "is not allowed to be empty")}`,
            `pass --build-arg ${name}=<value> or give the ARG a default`,
          )
        return v!
      case "#":
      case "%": {
        // doubled (## or %%) after expansion: the longest match
        const longest = word.startsWith(op)
        return trimPattern(v ?? "", longest ? word.slice(1) : word, op, longest, this.word)
      }
      default:
        return this.unsupported(colon ? `:${op ?? ""}` : op)
    }
  }

  /** ${NAME/pattern/replacement} (first match) and ${NAME//pattern/replacement} (every match); an empty pattern matches at the start. */
  private replace(name: string): string {
    const all = this.peek() === "/"
    if (all) this.pos++
    const pattern = this.operand("/", true, "/' in ${")
    const replacement = this.operand("}", true, "}")
    const v = this.lookup(name)
    if (v === undefined && this.o.skipUnsetEnv) return `\${${name}/${pattern}/${replacement}}`
    return replaceMatches(v ?? "", globTokens(pattern, this.word), replacement, all)
  }
}

/**
 * Expand one word as BuildKit's ProcessWord does (ARG/ENV values, FROM, WORKDIR, COPY --from …):
 * quotes and escapes removed, variables from `vars` expanded (unset → ""), whitespace kept.
 * Throws ShellWordError.
 */
export function processWord(word: string, vars: Vars, o: LexOptions = {}): string {
  return processWordWithMatches(word, vars, o).value
}

/**
 * Expand and split a word as BuildKit's ProcessWords does (EXPOSE, heredoc openers): the words
 * after expansion, split on whitespace that is not quoted or escaped. Throws ShellWordError.
 */
export function processWords(word: string, vars: Vars, o: LexOptions = {}): string[] {
  return processWordWithMatches(word, vars, o).words
}

/** processWord and processWords in one, with the names looked up. Throws ShellWordError. */
export function processWordWithMatches(word: string, vars: Vars, o: LexOptions = {}): ProcessedWord {
  const lexer = new Lexer(word, vars, o)
  const { value, words } = lexer.scan(undefined, o.rawEscapes ?? false)
  return { value, words, matched: lexer.matched, unmatched: lexer.unmatched }
}

/**
 * processWord inside a Dockerfile: errors become DockerfileErrors naming the line; `refs` collects
 * the names the word looks up.
 */
export function expandWord(word: string, vars: Vars, ctx: LexCtx, refs: Set<string> = new Set()): string {
  try {
    const r = processWordWithMatches(word, vars, { escape: ctx.escape })
    for (const n of [...r.matched, ...r.unmatched]) refs.add(n)
    return r.value
  } catch (e) {
    if (e instanceof ShellWordError) return lexFail(ctx, e.message, e.fix)
    throw e
  }
}

/** Variable names referenced by `$NAME`/`${NAME…}` anywhere in a text (no expansion). */
export function referencedNames(text: string): Set<string> {
  const out = new Set<string>()
  const re = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g
  let m: RegExpExecArray | null
  while ((m = re.exec(text))) out.add(m[1] ?? m[2])
  return out
}
