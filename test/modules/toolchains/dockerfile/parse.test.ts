/**
 * The Dockerfile parser (BuildKit's parser: instructions, flags, arguments as each instruction's
 * line parser splits them). BuildKit's own testfiles run in test/reference/buildkit-parser.test.ts;
 * these pin the behaviours issue 14 fixed and the exported API.
 */
import { describe, expect, it } from "vitest"
import { DockerfileError, parseInstructions } from "../../../../modules/toolchains/dockerfile/index.js"

const nodes = (text: string) => parseInstructions(text).instructions.map(({ keyword, flags, args, json, sub }) => ({ keyword, flags, args, json, ...(sub ? { sub } : {}) }))
function error(text: string): DockerfileError {
  try {
    parseInstructions(text)
  } catch (e) {
    expect(e).toBeInstanceOf(DockerfileError)
    return e as DockerfileError
  }
  throw new Error("expected a DockerfileError")
}

describe("parseInstructions", () => {
  it("splits each instruction as BuildKit's line parsers do", () => {
    expect(nodes('FROM --platform=$BUILDPLATFORM "a b" AS x\nRUN ["go", "build"]\nRUN go build\nCOPY --from=x "a b" /c/\nENV A=1 B="2 3"\nENV C 4 5\nARG X Y="1 2"\nHEALTHCHECK --interval=5s CMD ["true"]\nONBUILD RUN echo\nFOO bar\n')).toEqual([
      { keyword: "FROM", flags: ["--platform=$BUILDPLATFORM"], args: ['"a', 'b"', "AS", "x"], json: false },
      { keyword: "RUN", flags: [], args: ["go", "build"], json: true },
      { keyword: "RUN", flags: [], args: ["go build"], json: false },
      { keyword: "COPY", flags: ["--from=x"], args: ['"a', 'b"', "/c/"], json: false }, // shell-form COPY is split on blanks, quotes or not
      { keyword: "ENV", flags: [], args: ["A", "1", "=", "B", '"2 3"', "="], json: false },
      { keyword: "ENV", flags: [], args: ["C", "4 5", ""], json: false },
      { keyword: "ARG", flags: [], args: ["X", 'Y="1 2"'], json: false },
      { keyword: "HEALTHCHECK", flags: ["--interval=5s"], args: ["CMD", "true"], json: true },
      { keyword: "ONBUILD", flags: [], args: [], json: false, sub: { keyword: "RUN", flags: [], args: ["echo"], json: false } },
      { keyword: "FOO", flags: [], args: [""], json: false }, // the parser keeps an unknown instruction; the analysis rejects it
    ])
  })

  it("builder flags: quotes removed, `--` ends them", () => {
    expect(nodes('FROM a\nCOPY --chown="a b" --link -- --not-a-flag /d\n')[1]).toMatchObject({ flags: ["--chown=a b", "--link"], args: ["--not-a-flag", "/d"] })
  })

  it("a JSON array with an element that is not a string is an error (issue 14; was shell form or unchecked)", () => {
    for (const text of ['FROM a\nCMD [ "echo", [ "nested json" ] ]\n', "FROM a\nRUN [1]\n", 'FROM a\nCOPY ["a", null, "/"]\n', "FROM a\nHEALTHCHECK CMD [true]\n"]) {
      const e = error(text)
      expect(e.line).toBe(2)
      expect(e.message).toMatch(/arrays must be comprised of strings only/)
    }
    // not JSON at all is shell form, as before
    expect(nodes('FROM a\nRUN ["a" b\n')[1]).toMatchObject({ args: ['["a" b'], json: false })
  })

  it("ENV and LABEL need a value", () => {
    expect(error("FROM a\nENV FOO\n").message).toMatch(/ENV FOO has no value/)
    expect(error("FROM a\nLABEL a=1 b\n").message).toMatch(/LABEL entry "b" has no value/)
  })

  it("line continuation: not after an escaped escape; the final newline adds no line (issue 14)", () => {
    const p = parseInstructions("FROM a\nRUN echo x\\\\\nRUN echo y \\\n\n# c\n  z \\\n").instructions
    expect(p.map((n) => [n.keyword, n.args, n.line, n.endLine])).toEqual([
      ["FROM", ["a"], 1, 1],
      ["RUN", ["echo x\\\\"], 2, 2],
      ["RUN", ["echo y   z"], 3, 6],
    ])
  })

  it("heredocs: found as BuildKit finds them (`<< EOF` too, ONBUILD RUN too), never in JSON form", () => {
    const p = parseInstructions("FROM a\nRUN cat << EOF\nhi\nEOF\nONBUILD RUN <<-'X'\n\tbody\n\tX\nRUN [\"a\"]\n").instructions
    expect(p.map((n) => [n.keyword, n.line, n.endLine, n.heredocs.map((h) => [h.name, h.body])])).toEqual([
      ["FROM", 1, 1, []],
      ["RUN", 2, 4, [["EOF", "hi"]]],
      ["ONBUILD", 5, 7, [["X", "body"]]],
      ["RUN", 8, 8, []],
    ])
  })

  it("a file without instructions is an error", () => {
    expect(error("# only\n# comments\n").message).toMatch(/no instructions/)
  })
})
