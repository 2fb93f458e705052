#!/usr/bin/env node
// npm run test:mutation [-- --mutate <file>[,<file>…]] [-- other stryker flags, e.g. --force]
// With --mutate: one Stryker run on those files, against their own tests (stryker.config.mjs).
// Without: one Stryker run per group of files that share their own tests — each core file alone,
// each toolchain plug-in folder together, files with no test of their own against every unit test
// that imports them — then the per-file table of every report (test/support/mutation-table.mjs).
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { ownTests } from "../../stryker.config.mjs"

const args = process.argv.slice(2)
const stryker = (more) => spawnSync("npx", ["stryker", "run", ...more], { stdio: "inherit" }).status ?? 1

if (args.some((a) => a === "--mutate" || a === "-m" || a.startsWith("--mutate="))) process.exit(stryker(args))

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
    if (stryker(["--mutate", sel.join(","), ...args]) !== 0) failed++
    const slug = sel.join(",").replace(/\.ts\b/g, "").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 80)
    const report = `.cache/stryker/${slug}/mutation.json`
    if (existsSync(report)) reports.push(report)
  }
}
spawnSync("node", ["test/support/mutation-table.mjs", ...reports], { stdio: "inherit" })
process.exit(failed ? 1 : 0)
