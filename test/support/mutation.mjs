#!/usr/bin/env node
// npm run test:mutation [-- --mutate <file>[,<file>…]] [-- other stryker flags, e.g. --force]
// With --mutate: one Stryker run on those files, against their own tests (stryker.config.mjs).
// Without: one Stryker run per group of files that share their own tests — each core file alone,
// each toolchain plug-in folder together, files with no test of their own against every unit test
// that imports them — then the per-file table of every report (test/support/mutation-table.mjs).
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { ownTests } from "../../stryker.config.mjs"

const args = process.argv.slice(2)
const slugOf = (sel) => sel.replace(/\.ts\b/g, "").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 80)

/**
 * Stryker's incremental mode re-tests a surviving mutant only when a test that covered it changed;
 * a *new* test file, or a mutant in module-level code (a constant table, a regex: "static"
 * mutants, covered by no test in particular), keeps its old "survived". So survivors and uncovered
 * mutants are dropped from the incremental file before each run: they are always re-tested (few,
 * once the tests are good), killed ones are reused.
 */
function forgetSurvivors(sel) {
  const file = `.cache/stryker/${slugOf(sel)}/incremental.json`
  if (!existsSync(file)) return
  const report = JSON.parse(readFileSync(file, "utf8"))
  for (const f of Object.values(report.files ?? {})) f.mutants = f.mutants.filter((m) => m.status !== "Survived" && m.status !== "NoCoverage")
  writeFileSync(file, JSON.stringify(report))
}
const stryker = (sel, more) => {
  forgetSurvivors(sel)
  return spawnSync("npx", ["stryker", "run", "--mutate", sel, ...more], { stdio: "inherit" }).status ?? 1
}

const at = args.findIndex((a) => a === "--mutate" || a === "-m" || a.startsWith("--mutate="))
if (at >= 0) {
  const sel = args[at].startsWith("--mutate=") ? args[at].slice(9) : args[at + 1]
  const rest = args.filter((_, i) => i !== at && (args[at].startsWith("--mutate=") || i !== at + 1))
  process.exit(stryker(sel, rest))
}

// the files stryker.config.mjs mutates, grouped by their own test files
const skip = new Set(["modules/toolchains/dockerfile/types.ts", "modules/toolchains/toolchain.ts"])
const files = []
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name)
    if (e.isDirectory()) walk(p)
    else if (p.endsWith(".ts") && e.name !== "index.ts" && !skip.has(p)) files.push(p)
  }
}
walk("modules/core")
walk("modules/toolchains")
const groups = new Map()
for (const f of files) {
  const key = ownTests(f).join(",") || "related"
  groups.set(key, [...(groups.get(key) ?? []), f])
}
let failed = 0
const reports = []
for (const [tests, group] of groups) {
  // files without their own tests run one by one (their related tests differ)
  for (const sel of tests === "related" ? group.map((f) => [f]) : [group]) {
    console.log(`\n== mutation testing ${sel.join(", ")}  (tests: ${tests})`)
    if (stryker(sel.join(","), args) !== 0) failed++
    const report = `.cache/stryker/${slugOf(sel.join(","))}/mutation.json`
    if (existsSync(report)) reports.push(report)
  }
}
spawnSync("node", ["test/support/mutation-table.mjs", ...reports], { stdio: "inherit" })
process.exit(failed ? 1 : 0)
