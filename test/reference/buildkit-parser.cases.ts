/**
 * BuildKit Dockerfile parser cases (data only).
 *
 * buildkit-parser/ holds moby/buildkit's frontend/dockerfile/parser test data, byte for byte, at
 * REFS.buildkit.commit: testfiles/<name>/{Dockerfile,result} (TestParseCases: `result` is
 * parser.Parse(Dockerfile).AST.Dump()), testfiles-negative/<name>/Dockerfile (TestParseErrorCases:
 * Parse must fail) and testfile-line/Dockerfile (TestParseIncludesLineNumbers). The files cannot
 * carry a comment (it would change the parse), so this file names their source.
 *
 * `frontend` is what BuildKit's whole Dockerfile frontend does with the file (parser, then
 * instructions.Parse and dispatch), because our analyzer is parser + instruction checks in one:
 * "ok", or the BuildKit source line that rejects it.
 */
import type { Source, Verdict } from "./sources.js"

export const PARSER_DIR = "frontend/dockerfile/parser"

export interface ParserFileCase {
  name: string
  source: Source
  /** BuildKit's frontend outcome; a string = the reason it rejects the file (with its source line). */
  frontend: "ok" | { rejects: string; line: number; source: Source }
  verdict?: Verdict
}

const tf = (name: string): Source => ({ ref: "buildkit", file: `${PARSER_DIR}/testfiles/${name}`, test: "TestParseCases" })
const NO_STAGE = {
  rejects: "no build stage in current context (an instruction before the first FROM)",
  line: 1,
  source: { ref: "buildkit", file: "frontend/dockerfile/instructions/parse.go", test: "Parse → CurrentStage", line: 202 } as Source,
}

export const PARSER_FILES: ParserFileCase[] = [
  ...[
    "ADD-COPY-with-JSON", "args", "brimstone-consuldock", "brimstone-docker-consul", "continue-at-eof", "continueIndent",
    "cpuguy83-nagios", "docker", "escape", "escape-after-comment", "escape-nonewline", "escape-with-syntax", "escapes",
    "flags", "influxdb", "kartar-entrypoint-oddities", "lk4d4-the-edge-case-generator", "mail", "multiple-volumes",
    "mumble", "nginx", "tf2", "trailing-backslash", "weechat", "znc",
  ].map((name): ParserFileCase => ({ name, source: tf(name), frontend: "ok" })),
  {
    name: "env",
    source: tf("env"),
    // line 12 `ENV name='a\'b'`: inside single quotes a backslash is literal (envVarTest: 'hello\' → hello\),
    // so the quote after b is never closed (envVarTest: 'hello → error)
    frontend: {
      rejects: "ENV value 'a\\'b' has an unterminated single quote (ProcessWord)",
      line: 12,
      source: { ref: "buildkit", file: "frontend/dockerfile/shell/envVarTest", test: "A|'hello\\' and A|'hello", line: 15 },
    },
  },
  {
    name: "health",
    source: tf("health"),
    frontend: {
      rejects: "HEALTHCHECK requires at least one argument",
      line: 4,
      source: { ref: "buildkit", file: "frontend/dockerfile/instructions/parse.go", test: "parseHealthcheck", line: 594 },
    },
  },
  ...[
    "json", "jeztah-invalid-json-json-inside-string", "jeztah-invalid-json-json-inside-string-double",
    "jeztah-invalid-json-single-quotes", "jeztah-invalid-json-unterminated-bracket", "jeztah-invalid-json-unterminated-string",
  ].map((name): ParserFileCase => ({ name, source: tf(name), frontend: NO_STAGE })),
]

export const NEGATIVE_FILES: { name: string; source: Source }[] = ["empty_dockerfile", "env_no_value", "only_comments", "shykes-nested-json"].map((name) => ({
  name,
  source: { ref: "buildkit", file: `${PARSER_DIR}/testfiles-negative/${name}`, test: "TestParseErrorCases" },
}))

/** TestParseIncludesLineNumbers: children of testfile-line/Dockerfile span these lines. */
export const LINE_CASE = {
  source: { ref: "buildkit", file: `${PARSER_DIR}/parser_test.go`, test: "TestParseIncludesLineNumbers", line: 112 } as Source,
  file: "testfile-line/Dockerfile",
  children: [
    { keyword: "from", start: 5, end: 5 },
    { keyword: "env", start: 11, end: 12 },
    { keyword: "run", start: 17, end: 31 },
  ],
}

// ---------------------------------------------------------------------------------------------
// Cases issue 14 names, each written as a small Dockerfile whose BuildKit behaviour follows from
// the cited source. `expect` says what to check in our analysis.

export interface DockerfileGapCase {
  name: string
  source: Source
  dockerfile: string
  nativePlatform: string
  targetPlatform: string
  buildArgs?: Record<string, string>
  expect:
    | { runs: { line: number; endLine?: number; command: string }[] }
    | { error: string }
    | { stage: string; platform: string; emulated: boolean }
    | { noFinding: "build-platform-binary"; line: number }
  verdict?: Verdict
}

export const GAP_CASES: DockerfileGapCase[] = [
  {
    name: "an escaped trailing backslash is not a line continuation",
    source: { ref: "buildkit", file: `${PARSER_DIR}/parser.go`, test: "lineContinuationRegex ([^\\\\]\\\\[ \\t]*$ — testfiles/trailing-backslash ENV C/D)", line: 168 },
    dockerfile: "FROM hello-world\nRUN echo trailing\\\\backslash\\\\\nRUN echo D\n",
    nativePlatform: "linux/amd64",
    targetPlatform: "linux/amd64",
    expect: { runs: [{ line: 2, endLine: 2, command: "echo trailing\\\\backslash\\\\" }, { line: 3, endLine: 3, command: "echo D" }] },
    verdict: {
      kind: "fixed",
      fn: "modules/toolchains/dockerfile/parse.ts parseDockerfile (continues)",
      why: "a line continues only when it ends in an escape character that is not itself escaped (BuildKit: `([^\\\\])\\\\[ \\t]*$` or a line that is only the escape); ours continued on any trailing escape, so `…\\\\` swallowed the next instruction",
    },
  },
  {
    name: "a continuation at the end of the file ends on its own line (file ending in a newline)",
    source: { ref: "buildkit", file: `${PARSER_DIR}/parser.go`, test: "Parse: EndLine = last scanned line; bufio.Scanner yields no empty line after the final newline (testfiles/continue-at-eof)", line: 283 },
    dockerfile: "FROM alpine:3.5\n\nRUN something \\\n",
    nativePlatform: "linux/amd64",
    targetPlatform: "linux/amd64",
    expect: { runs: [{ line: 3, endLine: 3, command: "something" }] },
    verdict: {
      kind: "fixed",
      fn: "modules/toolchains/dockerfile/parse.ts parseDockerfile (line split)",
      why: "ours split the text on newlines and so saw an empty line after the final newline, which the continuation swallowed: endLine was one too high",
    },
  },
  {
    name: "continue-at-eof as BuildKit ships it (no final newline)",
    source: tf("continue-at-eof"),
    dockerfile: "FROM alpine:3.5\n\nRUN something \\",
    nativePlatform: "linux/amd64",
    targetPlatform: "linux/amd64",
    expect: { runs: [{ line: 3, endLine: 3, command: "something" }] },
  },
  {
    name: "a global ARG BUILDPLATFORM default replaces the automatic value",
    source: { ref: "buildkit", file: "frontend/dockerfile/dockerfile2llb/convert.go", test: "buildMetaArgs: a global ARG's default is AddOrReplace'd over the automatic args", line: 2144 },
    dockerfile: "ARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go version\nFROM alpine\nCOPY --from=build /usr/local/go/VERSION /\n",
    nativePlatform: "linux/arm64",
    targetPlatform: "linux/arm64",
    expect: { stage: "build", platform: "linux/amd64", emulated: true },
    verdict: {
      kind: "fixed",
      fn: "modules/toolchains/dockerfile/stages.ts declareArgs",
      why: "ours always kept the automatic value for BUILDPLATFORM/TARGETPLATFORM/…; BuildKit lets a --build-arg, then an ARG default, replace it (global: buildMetaArgs; in a stage: dispatchArg), so this stage runs as linux/amd64 — emulated on an arm64 engine",
    },
  },
  {
    name: "COPY --from with a variable is rejected",
    source: { ref: "buildkit", file: "frontend/dockerfile/dockerfile2llb/convert.go", test: "toCommand (and dockerfile_copy_test.go testDockerfileCopyFromArgs)", line: 950 },
    dockerfile: "ARG SRC=builder\nFROM alpine AS builder\nRUN true\nFROM alpine\nARG SRC\nCOPY --from=$SRC /etc/os-release /\n",
    nativePlatform: "linux/amd64",
    targetPlatform: "linux/amd64",
    expect: { error: "variable expansion is not supported for --from" },
    verdict: {
      kind: "fixed",
      fn: "modules/toolchains/dockerfile/stages.ts addCopy",
      why: "BuildKit rejects any --from whose ProcessWord (no variables) differs from the text (variables, quotes, escapes); ours expanded it with the stage's ARGs and followed the stage",
    },
  },
  {
    name: "a JSON array that is not all strings is an error",
    source: { ref: "buildkit", file: `${PARSER_DIR}/line_parsers.go`, test: "parseMaybeJSON → errDockerfileNotStringArray (testfiles-negative/shykes-nested-json after a FROM)", line: 321 },
    dockerfile: 'FROM busybox\nCMD [ "echo", [ "nested json" ] ]\n',
    nativePlatform: "linux/amd64",
    targetPlatform: "linux/amd64",
    expect: { error: "arrays must be comprised of strings" },
    verdict: {
      kind: "fixed",
      fn: "modules/toolchains/dockerfile/parse.ts splitInstruction (jsonArray: every instruction with a JSON form)",
      why: "BuildKit's parser rejects a JSON array with a non-string element (RUN/CMD/ENTRYPOINT/COPY/ADD/VOLUME/SHELL/HEALTHCHECK); ours took it for shell form (RUN) or did not look (CMD), and the engine failed later",
    },
  },
  {
    name: "build-platform-binary does not fire on a tool built and run only inside the builder",
    source: { ref: "issue-14", file: "issue 14", test: "build-platform-binary finding on builder-only tools" },
    dockerfile: [
      "FROM --platform=$BUILDPLATFORM golang:1.22 AS build",
      "ARG TARGETOS TARGETARCH",
      "WORKDIR /src",
      "COPY . .",
      "RUN go build -o /usr/local/bin/gen ./cmd/gen && gen > zz_generated.go",
      "RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .",
      "FROM alpine",
      "COPY --from=build /out/app /app",
      "",
    ].join("\n"),
    nativePlatform: "linux/amd64",
    targetPlatform: "linux/arm64",
    expect: { noFinding: "build-platform-binary", line: 5 },
    verdict: {
      kind: "fixed",
      fn: "modules/toolchains/dockerfile/findings.ts (build-platform-binary), classify.ts compileOutputs",
      why: "the finding fired for every compile without TARGETARCH in a stage another-platform stage copies from, even when what is copied (/out/app) is not that compile's output; it fires only when a copied path contains the compile's output (its -o path, or its workdir when no -o)",
    },
  },
]

// ---------------------------------------------------------------------------------------------
// Differences we keep (README: where we differ). BuildKit's dump comes from running its parser
// (frontend/dockerfile/parser at REFS.buildkit.commit, built outside this repository) on the file.

export interface KeptParserCase {
  name: string
  dockerfile: string
  /** Which instruction (0-based) differs, and its dump by BuildKit's parser and ours. */
  index: number
  buildkit: string
  ours: string
  source: Source
  verdict: Verdict
}

export const KEPT_PARSER_CASES: KeptParserCase[] = [
  {
    name: "a builder flag with a non-ASCII character",
    dockerfile: "FROM a\nCOPY --chown=josé:staff x /y\n",
    index: 1,
    buildkit: '(copy ["--chown=josÃ©:staff"] "x" "/y")',
    ours: '(copy ["--chown=josé:staff"] "x" "/y")',
    source: { ref: "buildkit", file: `${PARSER_DIR}/split_command.go`, test: "extractBuilderFlags reads bytes: ch = rune(line[pos])", line: 46 },
    verdict: {
      kind: "keep",
      exception: "flags-keep-non-ascii",
      why: "BuildKit's flag reader takes each byte for a character, so a non-ASCII character in a builder flag turns into mojibake (é → Ã©); we keep the character",
    },
  },
]
