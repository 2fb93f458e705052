/**
 * The shell-word lexer (BuildKit's ProcessWord / ProcessWords), directly. BuildKit's own cases run
 * in test/reference/buildkit-shell.test.ts; these pin the behaviours issue 14 fixed and the API.
 */
import { describe, expect, it } from "vitest"
import { processWord, processWords, processWordWithMatches, ShellWordError, analyzeDockerfile } from "../../../../modules/toolchains/dockerfile/index.js"

const vars = (o: Record<string, string> = {}) => new Map(Object.entries(o))
const word = (w: string, o: Record<string, string> = {}) => processWord(w, vars(o))
function problem(w: string, o: Record<string, string> = {}): string {
  try {
    processWord(w, vars(o))
  } catch (e) {
    expect(e).toBeInstanceOf(ShellWordError)
    expect((e as ShellWordError).fix.length).toBeGreaterThan(5)
    return (e as ShellWordError).message
  }
  throw new Error(`expected ${JSON.stringify(w)} to be rejected`)
}

describe("processWord", () => {
  it("quotes and escapes: '…' literal, \"…\" expands $, the escape character outside quotes", () => {
    expect(word(`a'$X'"$X"\\$X`, { X: "1" })).toBe("a$X1$X")
    expect(word(`"a\\tb"`)).toBe("a\\tb")
    expect(word("hello\\")).toBe("hello") // a lone escape at the end escapes nothing
    expect(word("a`$X", { X: "1" })).toBe("a`1")
    expect(processWord("a`$X", vars({ X: "1" }), { escape: "`" })).toBe("a$X")
  })

  it("positional parameters are all the digits, special parameters one character; neither is ever set (issue 14)", () => {
    expect(word("$999aaa")).toBe("aaa")
    expect(word("${001:-bbb}")).toBe("bbb")
    expect(word("$@@@")).toBe("@@")
    expect(word("${#:+x}${?:-y}$$")).toBe("y")
    expect(processWordWithMatches("$1${@}", vars()).unmatched).toEqual(new Set(["1", "@"]))
  })

  it("# ## % %%: shortest/longest prefix/suffix; an escaped * or ? is literal (issue 14)", () => {
    const V = { V: "a/b/c.tar.gz" }
    expect(word("${V#*/}", V)).toBe("b/c.tar.gz")
    expect(word("${V##*/}", V)).toBe("c.tar.gz")
    expect(word("${V%.*}", V)).toBe("a/b/c.tar")
    expect(word("${V%%.*}", V)).toBe("a/b/c")
    expect(word("${V%%\\**}", { V: "xx**" })).toBe("xx")
    expect(word("${V#?\\?}", { V: "???y" })).toBe("?y")
    expect(word("${V%[ab]}", { V: "x[ab]" })).toBe("x") // no bracket expressions: [ and ] are literal
    // % matches the reversed pattern against the reversed value, as BuildKit: a trailing \ then escapes the /
    expect(word("${V%$P}", { V: "a9/", P: "9/\\" })).toBe("a")
    expect(problem("${V#$P}", { V: "9/a", P: "9/\\" })).toMatch(/invalid escape/)
  })

  it("${V/pattern/replacement} and ${V//pattern/replacement} (issue 14: was an unsupported modifier)", () => {
    expect(word("${TARGETARCH/amd64/x64}", { TARGETARCH: "amd64" })).toBe("x64")
    expect(word("${TARGETARCH/amd64/x64}", { TARGETARCH: "arm64" })).toBe("arm64")
    expect(word("${P//\\//-}", { P: "linux/arm/v7" })).toBe("linux-arm-v7")
    expect(word("${P/\\//-}", { P: "linux/arm/v7" })).toBe("linux-arm/v7")
    expect(word("${V/*\\//}", { V: "docker.io/library/golang" })).toBe("golang") // * is greedy
    expect(word("${V/$E/ww}", { V: "xxyy", E: "" })).toBe("wwxxyy") // an empty pattern matches at the start
    expect(word("${V///}", { V: "xxyy" })).toBe("xxyy")
    expect(word("${V//*/-}", { V: "abc" })).toBe("-") // no second, empty match right after the first
    expect(word("${V//x/$$}", { V: "axb" })).toBe("ab") // $$ is a special parameter: ""
    expect(problem("${V//ww}", { V: "x" })).toMatch(/missing '\/' in \$\{/)
    expect(problem("${V/a\\x/b}", { V: "x" })).toMatch(/invalid escape/)
  })

  it("errors name the word and the problem", () => {
    expect(problem("${V:?must be set}")).toMatch(/V: must be set in "\$\{V:\?must be set\}"/)
    expect(problem("${V=a}")).toMatch(/unsupported modifier "="/)
    expect(problem("${V:#a}")).toMatch(/unsupported modifier ":#"/)
    expect(problem("${}")).toMatch(/bad substitution/)
    expect(problem("${V")).toMatch(/missing '\}'/)
    expect(problem("'a")).toMatch(/unmatched single quote/)
    expect(problem('"a\\"')).toMatch(/unmatched double quote/)
  })

  it("${…} nests up to 500 deep; deeper is an input error, never a stack overflow", () => {
    const nest = (d: number) => "${A:-".repeat(d) + "y" + "}".repeat(d)
    expect(word(nest(500), { A: "x" })).toBe("x")
    expect(word(nest(500))).toBe("y")
    expect(problem(nest(501))).toMatch(/nested more than 500 deep/)
    expect(problem(nest(20000))).toMatch(/nested more than 500 deep/)
  })

  it("patterns are matched without backtracking: long values and many stars finish", () => {
    const long = "a".repeat(20000)
    expect(word("${V%%*a*a*a*a*a*b}", { V: long })).toBe(long)
    expect(word("${V//*a*a*a*b/x}", { V: long })).toBe(long)
    expect(word("${V#*a*a}", { V: long })).toBe("a".repeat(19998))
  })
})

describe("processWords", () => {
  it("splits after expansion on whitespace that is not quoted or escaped (wordsTest)", () => {
    const env = { space: "abc  def", leading: "  ab c" }
    expect(processWords("hello${space}bye", vars(env))).toEqual(["helloabc", "defbye"])
    expect(processWords('hello"${space}"bye', vars(env))).toEqual(["helloabc  defbye"])
    expect(processWords("hello${leading}def", vars(env))).toEqual(["hello", "ab", "cdef"])
    expect(processWords("hello\\ there", vars())).toEqual(["hello there"])
    expect(() => processWords('hello" there', vars())).toThrow(ShellWordError)
  })

  it("keeps the text before a ${V<modifier>…} in the same word (BuildKit drops it: README, where we differ)", () => {
    expect(processWords("hello${x:-a}b", vars())).toEqual(["helloab"])
  })
})

describe("the analysis expands with the same lexer", () => {
  it("ARG DART_ARCH=${TARGETARCH/amd64/x64} (gohugoio/hugo) follows the target", () => {
    const text = "FROM alpine\nARG TARGETARCH\nARG DART_ARCH=${TARGETARCH/amd64/x64}\nWORKDIR /opt/$DART_ARCH\nRUN true\n"
    const at = (p: string) => analyzeDockerfile(text, { targetPlatform: p, nativePlatform: "linux/amd64" }).stages[0].runs[0].workdir
    expect(at("linux/amd64")).toBe("/opt/x64")
    expect(at("linux/arm64")).toBe("/opt/arm64")
  })
})
