/**
 * The shell-word lexer against BuildKit's (frontend/dockerfile/shell). Data: buildkit-shell.cases.ts.
 *
 * Each ProcessWord case is checked twice:
 *  - directly: processWord (modules/toolchains/dockerfile/words.ts, exported from the Dockerfile
 *    toolchain) with the case's variables — BuildKit's ProcessWord itself;
 *  - through a Dockerfile, where the analysis shows the value, with the case's variables declared
 *    as ARGs and given as build args (raw, unexpanded) — that the analysis expands words the same way:
 *  - "arg":     `ARG R=<input>` before the first FROM → analysis.globalArgs.R (BuildKit:
 *               buildMetaArgs → ProcessWord). Used when the input has no whitespace (ARG splits
 *               its arguments on whitespace, in BuildKit too);
 *  - "workdir": `WORKDIR <input>` → the next RUN's workdir (BuildKit: ProcessWord on the whole
 *               argument). Used for inputs with whitespace; both sides are compared as the
 *               absolute path WORKDIR makes of them (path.posix.resolve("/", value));
 *  - none:      an input ending in a lone escape character cannot end a Dockerfile line (the line
 *               continues, in BuildKit too): checked directly only.
 * wordsTest (ProcessWords: EXPOSE and heredoc words, which the analysis does not expand) is checked
 * with processWords.
 */
import { posix } from "node:path"
import { describe, expect, it } from "vitest"
import { analyzeDockerfile } from "../../modules/toolchains/dockerfile/analyze.js"
import { DockerfileError } from "../../modules/toolchains/dockerfile/DockerfileError.js"
import { platformArgValues } from "../../modules/toolchains/dockerfile/platforms.js"
import { processWord, processWords, ShellWordError } from "../../modules/toolchains/dockerfile/words.js"
import {
  ENV_VAR_TEST,
  ISSUE_CASES,
  KEPT_WORD_CASES,
  MANDATORY_ENV_VARS,
  MATCHES_PLATFORM,
  PROCESS_WITH_MATCHES,
  SHELL_VERDICTS,
  WORDS_TEST,
  type WordCase,
} from "./buildkit-shell.cases.js"
import { cite, exceptionLabel } from "./sources.js"

type Channel = "arg" | "workdir" | "none"

export function channelOf(input: string): Channel {
  const trailing = /\\*$/.exec(input)![0].length
  if (trailing % 2 === 1) return "none"
  return /\s/.test(input) ? "workdir" : "arg"
}

/** Our value for a ProcessWord case through `channel`, or an Error when the analysis rejects it. */
function ours(c: WordCase, channel: Channel): string | Error {
  const names = Object.keys(c.env)
  const decl = names.map((n) => `ARG ${n}`)
  const text =
    channel === "arg"
      ? [...decl, `ARG R=${c.input}`, "FROM scratch", ""].join("\n")
      : ["FROM scratch", ...decl, `WORKDIR ${c.input}`, "RUN true", ""].join("\n")
  try {
    const a = analyzeDockerfile(text, { targetPlatform: c.targetPlatform ?? "linux/amd64", nativePlatform: "linux/amd64", buildArgs: c.env })
    if (channel === "arg") {
      if (!("R" in a.globalArgs)) return new Error(`no ARG R in ${JSON.stringify(a.globalArgs)}`)
      return a.globalArgs.R ?? ""
    }
    return a.stages[0].runs[0].workdir
  } catch (e) {
    if (e instanceof DockerfileError) return e
    throw e
  }
}

/** processWord itself, with the case's variables (and the automatic TARGET* ones of its platform). */
function direct(c: WordCase): string | Error {
  const vars = new Map([...(c.targetPlatform ? platformArgValues("TARGET", c.targetPlatform) : []), ...Object.entries(c.env)])
  try {
    return processWord(c.input, vars)
  } catch (e) {
    if (e instanceof ShellWordError) return e
    throw e
  }
}

function check(c: WordCase, channel: Channel): void {
  expectValue(c, direct(c), "raw")
  if (channel !== "none") expectValue(c, ours(c, channel), channel)
}

function expectValue(c: WordCase, got: string | Error, channel: Channel | "raw"): void {
  if (c.expected.startsWith("error")) {
    expect(got, `expected an error, got ${JSON.stringify(got)}`).toBeInstanceOf(Error)
    const text = c.expected.slice("error:".length)
    if (text) expect((got as Error).message).toContain(text)
    return
  }
  if (got instanceof Error) throw got
  expect(got).toBe(channel === "workdir" ? posix.resolve("/", c.expected) : c.expected)
}


function suite(name: string, cases: WordCase[]) {
  describe(name, () => {
    for (const c of cases) {
      const channel = channelOf(c.input)
      const title = `${JSON.stringify(c.input)}${Object.keys(c.env).length ? ` with ${JSON.stringify(c.env)}` : ""} → ${JSON.stringify(c.expected)} [${channel}] (${cite(c.source)})`
      const v = SHELL_VERDICTS[c.input]
      if (!v) {
        it(title, () => check(c, channel))
      } else if (v.verdict.kind === "fixed") {
        it(`FIXED ${title}: ${v.verdict.fn}`, () => check(c, channel))
      } else throw new Error(`${c.input}: kept/n.a. lexer cases go in KEPT_WORD_CASES`)
    }
  })
}

suite("BuildKit envVarTest (ProcessWord)", ENV_VAR_TEST)
suite("BuildKit lex_test.go TestProcessWithMatches (ProcessWordWithMatches; the matched/unmatched sets are not observable)", PROCESS_WITH_MATCHES)
suite("BuildKit lex_test.go TestShellParserMandatoryEnvVars", MANDATORY_ENV_VARS)
suite("BuildKit lex_test.go TestProcessWithMatchesPlatform", MATCHES_PLATFORM)
suite("issue 14: ${VAR/pattern/replacement} in real Dockerfiles", ISSUE_CASES)

describe("verdicts", () => {
  it("every verdict names a case that exists", () => {
    const inputs = new Set([...ENV_VAR_TEST, ...PROCESS_WITH_MATCHES, ...MANDATORY_ENV_VARS, ...MATCHES_PLATFORM, ...ISSUE_CASES].map((c) => c.input))
    for (const k of Object.keys(SHELL_VERDICTS)) expect(inputs.has(k), k).toBe(true)
  })
})

describe("BuildKit wordsTest (ProcessWords)", () => {
  for (const c of WORDS_TEST)
    it(`${JSON.stringify(c.input)} with ${JSON.stringify(c.env)} → ${JSON.stringify(c.expected)} (${cite(c.source)})`, () => {
      const vars = new Map(Object.entries(c.env))
      if (c.expected[0] === "error") expect(() => processWords(c.input, vars)).toThrow(ShellWordError)
      else expect(processWords(c.input, vars)).toEqual(c.expected)
    })
})

describe("differences we keep (README: where we differ)", () => {
  for (const c of KEPT_WORD_CASES) {
    const v = c.verdict
    if (v.kind === "fixed") throw new Error(`${c.name}: a fixed case agrees; it belongs with the reference cases`)
    it(`${exceptionLabel(v)} ${c.name}: BuildKit ${JSON.stringify(c.buildkit)}, ours ${JSON.stringify(c.ours)} (${cite(c.source)}): ${v.why}`, () => {
      expect(c.ours).not.toEqual(c.buildkit)
      const vars = new Map(Object.entries(c.env))
      const ours = () => (c.op === "word" ? processWord(c.input, vars) : processWords(c.input, vars))
      if (typeof c.ours === "string" && c.ours.startsWith("error:")) expect(ours).toThrow(c.ours.slice("error:".length))
      else expect(ours()).toEqual(c.ours)
    })
  }
})
