/**
 * The Dockerfile parser against BuildKit's own parser test data (buildkit-parser/, see
 * buildkit-parser.cases.ts for the source of every file).
 *
 * What is compared. BuildKit's `result` is the AST dump, one line per instruction:
 * `(keyword ["--flag"…] "arg"…)`, ONBUILD as `(onbuild (run …))`. Per testfile:
 *  - the parser: parseInstructions (modules/toolchains/dockerfile/parse.ts, exported from the
 *    Dockerfile toolchain) gives every instruction of `result`: keyword, flags, arguments as that
 *    instruction's line parser splits them;
 *  - the frontend outcome: the analysis accepts the file, or rejects it at the same line BuildKit's
 *    frontend rejects it (its parser, instructions.Parse or dispatch: PARSER_FILES[].frontend);
 *  - for accepted files, the analysis' FROM/RUN sequence, in file order: `(from "img" ["AS"
 *    "name"])` ↔ stage {base, name (lower-cased), --platform flag}; `(run "cmd")` ↔ run {form
 *    shell, command}; `(run "a" "b")` (JSON form) ↔ run {form exec, command "a b"} (argv joined
 *    with spaces).
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { analyzeDockerfile } from "../../modules/toolchains/dockerfile/analyze.js"
import { DockerfileError } from "../../modules/toolchains/dockerfile/DockerfileError.js"
import { parseInstructions, type InstructionNode } from "../../modules/toolchains/dockerfile/parse.js"
import type { DockerfileAnalysis } from "../../modules/toolchains/dockerfile/types.js"
import { GAP_CASES, KEPT_PARSER_CASES, LINE_CASE, NEGATIVE_FILES, PARSER_FILES, type DockerfileGapCase } from "./buildkit-parser.cases.js"
import { cite, exceptionLabel } from "./sources.js"

const DIR = join(import.meta.dirname, "buildkit-parser")
const read = (rel: string) => readFileSync(join(DIR, rel), "utf8")
const analyze = (text: string, o: { nativePlatform?: string; targetPlatform?: string; buildArgs?: Record<string, string> } = {}) =>
  analyzeDockerfile(text, { targetPlatform: o.targetPlatform ?? "linux/amd64", nativePlatform: o.nativePlatform ?? "linux/amd64", buildArgs: o.buildArgs })

// ---------------------------------------------------------------------------------------------
// BuildKit's AST dump (Node.Dump): `(value ["flags"…] "next"… )`, strings quoted with Go's strconv.Quote

export interface DumpNode {
  keyword: string
  flags: string[]
  args: (string | DumpNode)[]
}

const GO_ESCAPES: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"', "'": "'" }

/** Reads a Go double-quoted string literal at s[i] (which is '"'); returns the value and the index after it. */
function goString(s: string, i: number): [string, number] {
  let out = ""
  let bytes: number[] = []
  const flush = () => {
    if (bytes.length) out += Buffer.from(bytes).toString("utf8")
    bytes = []
  }
  i++
  while (s[i] !== '"') {
    if (i >= s.length) throw new Error(`unterminated Go string in ${s}`)
    if (s[i] !== "\\") {
      flush()
      out += s[i++]
      continue
    }
    const c = s[i + 1]
    if (c in GO_ESCAPES) {
      flush()
      out += GO_ESCAPES[c]
      i += 2
    } else if (c === "x") {
      bytes.push(parseInt(s.slice(i + 2, i + 4), 16))
      i += 4
    } else if (c === "u" || c === "U") {
      flush()
      const n = c === "u" ? 4 : 8
      out += String.fromCodePoint(parseInt(s.slice(i + 2, i + 2 + n), 16))
      i += 2 + n
    } else if (/[0-7]/.test(c)) {
      bytes.push(parseInt(s.slice(i + 1, i + 4), 8))
      i += 4
    } else throw new Error(`unknown Go escape \\${c} in ${s}`)
  }
  flush()
  return [out, i + 1]
}

function dumpNode(s: string, i: number): [DumpNode, number] {
  if (s[i] !== "(") throw new Error(`expected ( at ${i} in ${s}`)
  let j = i + 1
  while (j < s.length && /[a-z]/.test(s[j])) j++
  const node: DumpNode = { keyword: s.slice(i + 1, j), flags: [], args: [] }
  for (;;) {
    while (s[j] === " ") j++
    if (s[j] === ")") return [node, j + 1]
    if (s[j] === "[") {
      j++
      while (s[j] !== "]") {
        while (s[j] === " ") j++
        const [v, k] = goString(s, j)
        node.flags.push(v)
        j = k
      }
      j++
    } else if (s[j] === '"') {
      const [v, k] = goString(s, j)
      node.args.push(v)
      j = k
    } else if (s[j] === "(") {
      const [n, k] = dumpNode(s, j)
      node.args.push(n)
      j = k
    } else throw new Error(`unexpected ${JSON.stringify(s[j])} at ${j} in ${s}`)
  }
}

export function parseDump(text: string): DumpNode[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [n, end] = dumpNode(l, 0)
      if (l.slice(end).trim() !== "") throw new Error(`trailing text in ${l}`)
      return n
    })
}

// ---------------------------------------------------------------------------------------------
// the comparable projection

type Step = { kind: "from"; base: string; name?: string; platform?: string } | { kind: "run"; form: "shell" | "exec"; command: string }

function bkSteps(nodes: DumpNode[]): { steps: Step[] } {
  const steps: Step[] = []
  for (const n of nodes) {
    const args = n.args.filter((a): a is string => typeof a === "string")
    if (n.keyword === "from") {
      const platform = n.flags.find((f) => f.startsWith("--platform="))?.slice("--platform=".length)
      steps.push({ kind: "from", base: args[0], ...(args[2] ? { name: args[2].toLowerCase() } : {}), ...(platform ? { platform } : {}) })
    } else if (n.keyword === "run" && args.length === n.args.length) {
      // one argument: shell form (the whole command) or a one-element JSON form; more: JSON form
      steps.push(args.length === 1 ? { kind: "run", form: "shell", command: args[0] } : { kind: "run", form: "exec", command: args.join(" ") })
    }
  }
  return { steps }
}

function ourSteps(a: DockerfileAnalysis): Step[] {
  const steps: { line: number; step: Step }[] = []
  for (const s of a.stages) {
    steps.push({ line: s.line, step: { kind: "from", base: s.base, ...(s.name ? { name: s.name } : {}), ...(s.platformFlag ? { platform: s.platformFlag } : {}) } })
    for (const r of s.runs) steps.push({ line: r.line, step: { kind: "run", form: r.form, command: r.command } })
  }
  return steps.sort((x, y) => x.line - y.line).map((x) => x.step)
}

/** Our parser's node as BuildKit dumps it. */
function ourDump(n: InstructionNode): DumpNode {
  return { keyword: n.keyword.toLowerCase(), flags: n.flags, args: n.sub ? [ourDump(n.sub)] : n.args }
}

/** A one-element JSON RUN dumps like a shell-form RUN: compare it as shell form. */
const normaliseForm = (steps: Step[]): Step[] => steps.map((s) => (s.kind === "run" && s.form === "exec" && !s.command.includes(" ") ? { ...s, form: "shell" } : s))

// ---------------------------------------------------------------------------------------------

let comparedSteps = 0
let comparedInstructions = 0

describe("the dump reader", () => {
  it("decodes Go strconv.Quote escapes and nested nodes", () => {
    expect(parseDump('(cmd "abc 123" "\\u2665" "\\" \\\\ / \\b \\f \\n \\r \\t \\x00")\n(onbuild (run "echo" "hi"))\n')).toEqual([
      { keyword: "cmd", flags: [], args: ["abc 123", "\u2665", '" \\ / \b \f \n \r \t \x00'] },
      { keyword: "onbuild", flags: [], args: [{ keyword: "run", flags: [], args: ["echo", "hi"] }] },
    ])
    expect(parseDump('(copy ["--user=me" "--doit=true"] "foo" "/tmp/")')).toEqual([{ keyword: "copy", flags: ["--user=me", "--doit=true"], args: ["foo", "/tmp/"] }])
  })
})

describe("BuildKit parser testfiles (TestParseCases): the parser's result, the frontend outcome and the FROM/RUN sequence", () => {
  for (const c of PARSER_FILES) {
    const text = read(`testfiles/${c.name}/Dockerfile`)
    const result = read(`testfiles/${c.name}/result`)
    const fe = c.frontend
    const outcome = fe === "ok" ? "accepted with the same FROM/RUN sequence" : `rejected at line ${fe.line} as BuildKit's frontend rejects it (${fe.rejects}; ${cite(fe.source)})`
    it(`${c.name}: every instruction of ${cite(c.source)}/result; ${outcome}`, () => {
      const bk = parseDump(result)
      expect(parseInstructions(text).instructions.map(ourDump)).toEqual(bk)
      comparedInstructions += bk.length
      if (fe === "ok") {
        const { steps } = bkSteps(bk)
        expect(normaliseForm(ourSteps(analyze(text)))).toEqual(normaliseForm(steps))
        comparedSteps += steps.length
      } else {
        let err: unknown
        try {
          analyze(text)
        } catch (e) {
          err = e
        }
        expect(err).toBeInstanceOf(DockerfileError)
        expect((err as DockerfileError).line).toBe(fe.line)
      }
    })
  }

  it("the dump reader reads every result file (keywords, flags, Go-quoted strings)", () => {
    for (const c of PARSER_FILES) {
      const nodes = parseDump(read(`testfiles/${c.name}/result`))
      expect(nodes.length, c.name).toBeGreaterThan(0)
      for (const n of nodes) expect(n.keyword, c.name).toMatch(/^[a-z]+$/)
    }
  })
})

describe("BuildKit parser testfiles-negative (TestParseErrorCases): the parser rejects them", () => {
  for (const c of NEGATIVE_FILES) {
    it(`${c.name} (${cite(c.source)})`, () => {
      const text = read(`testfiles-negative/${c.name}/Dockerfile`)
      expect(() => parseInstructions(text)).toThrow(DockerfileError)
      expect(() => analyze(text)).toThrow(DockerfileError)
    })
  }
})

describe("BuildKit TestParseIncludesLineNumbers", () => {
  it(`FROM at line 5, ENV over lines 11–12, RUN over lines 17–31 (${cite(LINE_CASE.source)})`, () => {
    const p = parseInstructions(read(LINE_CASE.file))
    expect(p.instructions.map((n) => ({ keyword: n.keyword.toLowerCase(), start: n.line, end: n.endLine }))).toEqual(LINE_CASE.children)
    const a = analyze(read(LINE_CASE.file))
    const from = LINE_CASE.children.find((c) => c.keyword === "from")!
    const run = LINE_CASE.children.find((c) => c.keyword === "run")!
    expect(a.stages.map((s) => s.line)).toEqual([from.start])
    expect(a.stages[0].runs.map((r) => [r.line, r.endLine])).toEqual([[run.start, run.end]])
  })
})

function checkGap(c: DockerfileGapCase): void {
  const run = () => analyze(c.dockerfile, c)
  const e = c.expect
  if ("error" in e) {
    let err: unknown
    try {
      run()
    } catch (x) {
      err = x
    }
    expect(err).toBeInstanceOf(DockerfileError)
    expect((err as Error).message).toContain(e.error)
  } else if ("runs" in e) {
    const a = run()
    expect(a.stages.flatMap((s) => s.runs.map((r) => ({ line: r.line, ...(e.runs.some((x) => x.endLine) ? { endLine: r.endLine } : {}), command: r.command })))).toEqual(e.runs)
  } else if ("stage" in e) {
    const s = run().stages.find((x) => x.label === e.stage)!
    expect({ platform: s.platform, emulated: s.emulated }).toEqual({ platform: e.platform, emulated: e.emulated })
  } else {
    const a = run()
    expect(a.findings.filter((f) => f.kind === e.noFinding && f.line === e.line)).toEqual([])
  }
}

describe("Dockerfile cases issue 14 names (BuildKit behaviour from the cited source)", () => {
  for (const c of GAP_CASES) {
    const v = c.verdict
    const title = `${c.name} (${cite(c.source)})`
    if (!v) it(title, () => checkGap(c))
    else if (v.kind === "fixed") it(`FIXED ${title}: ${v.fn}`, () => checkGap(c))
    else throw new Error(`${c.name}: kept/n.a. Dockerfile cases go in KEPT_PARSER_CASES`)
  }
})

describe("differences we keep (README: where we differ)", () => {
  for (const c of KEPT_PARSER_CASES) {
    const v = c.verdict
    if (v.kind === "fixed") throw new Error(`${c.name}: a fixed case agrees; it belongs with the reference cases`)
    it(`${exceptionLabel(v)} ${c.name}: BuildKit ${c.buildkit}, ours ${c.ours} (${cite(c.source)}): ${v.why}`, () => {
      const [bk] = parseDump(c.buildkit)
      const [ours] = parseDump(c.ours)
      expect(ours).not.toEqual(bk)
      expect(ourDump(parseInstructions(c.dockerfile).instructions[c.index])).toEqual(ours)
    })
  }
})

describe("coverage of the comparison", () => {
  it("prints how much of BuildKit's results was compared", () => {
    // runs after the testfile cases (same file, sequential)
    expect(comparedInstructions).toBeGreaterThan(comparedSteps)
    expect(comparedSteps).toBeGreaterThan(100)
    console.info(`buildkit-parser: ${comparedInstructions} instructions of BuildKit's result files compared with our parser, ${comparedSteps} FROM/RUN of them also through the analysis`)
  })
})
