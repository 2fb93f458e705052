/**
 * README's "Where we differ from containerd, metadata-action and BuildKit, and why" and the
 * reference suites name the same exceptions: every row is an exception of sources.ts EXCEPTIONS
 * (same reference, n.a. marked), every exception has its row, and every exception is the verdict
 * of at least one case (so no row is left without a test, and no test without a row).
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { GAP_CASES, KEPT_PARSER_CASES } from "./buildkit-parser.cases.js"
import { KEPT_WORD_CASES, SHELL_VERDICTS } from "./buildkit-shell.cases.js"
import { PLATFORM_CASES } from "./containerd-platforms.cases.js"
import { FIXTURE_VERDICTS, KEEP_CLI_SCHEDULE, META_TEST_VERDICTS } from "./metadata-action.cases.js"
import { EXCEPTIONS, exceptionsOf, REFS, type ExceptionName, type Verdict } from "./sources.js"

const README = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8")
const HEADING = "## Where we differ from containerd, metadata-action and BuildKit, and why"
const REF_COLUMN: Record<string, keyof typeof REFS> = { containerd: "containerd", "metadata-action": "metadataAction", BuildKit: "buildkit" }

/** The table rows of the section: [reference column, exception name, n.a.?]. */
function rows(): { ref: string; name: string; na: boolean }[] {
  const at = README.indexOf(HEADING)
  expect(at, `README.md has the section "${HEADING}"`).toBeGreaterThan(-1)
  const section = README.slice(at + HEADING.length).split(/\n## /)[0]
  return section
    .split("\n")
    .filter((l) => l.startsWith("| ") && !l.startsWith("| reference") && !/^\|[-|]+\|$/.test(l))
    .map((l) => {
      const cells = l.split(" | ")
      const m = /^`([a-z0-9-]+)`( \(n\.a\.\))?$/.exec(cells[1])
      if (!m) throw new Error(`README.md "where we differ": the second column of this row is not \`exception-name\`: ${l}`)
      return { ref: cells[0].replace(/^\| /, ""), name: m[1], na: !!m[2] }
    })
}

const ALL_VERDICTS: (Verdict | undefined)[] = [
  ...PLATFORM_CASES.map((c) => c.verdict),
  ...Object.values(FIXTURE_VERDICTS).map((v) => v.verdict),
  ...Object.values(META_TEST_VERDICTS).map((v) => v.verdict),
  KEEP_CLI_SCHEDULE,
  ...Object.values(SHELL_VERDICTS).map((v) => v.verdict),
  ...KEPT_WORD_CASES.map((c) => c.verdict),
  ...GAP_CASES.map((c) => c.verdict),
  ...KEPT_PARSER_CASES.map((c) => c.verdict),
]

describe("README's differences table and the tests' named exceptions", () => {
  it("every row names an exception of the tests, with its reference, n.a. marked", () => {
    const r = rows()
    expect(r.length).toBeGreaterThan(0)
    for (const { ref, name, na } of r) {
      expect(Object.keys(EXCEPTIONS), `README row ${name}`).toContain(name)
      const e = EXCEPTIONS[name as ExceptionName]
      expect(REF_COLUMN[ref], `README row ${name}: reference "${ref}"`).toBe(e.ref)
      expect(na, `README row ${name}: "(n.a.)" when and only when the exception is n.a.`).toBe(e.kind === "na")
    }
    expect(new Set(r.map((x) => x.name)).size, "one row per exception").toBe(r.length)
  })

  it("every exception has its row", () => {
    expect(rows().map((x) => x.name).sort()).toEqual(Object.keys(EXCEPTIONS).sort())
  })

  it("every exception is the verdict of at least one case, of its own reference", () => {
    expect([...exceptionsOf(ALL_VERDICTS)].sort()).toEqual(Object.keys(EXCEPTIONS).sort())
    for (const v of ALL_VERDICTS) if (v && v.kind !== "fixed") expect(v.kind, v.exception).toBe(EXCEPTIONS[v.exception].kind)
  })
})
