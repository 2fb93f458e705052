#!/usr/bin/env node
// The per-file table of a Stryker JSON report (mutation-testing-report-schema), as the README and
// issue 21 give it: valid mutants (all but compile errors / ignored), killed, survived, no
// coverage, timeout, score = (killed + timeout) / valid.
//   node test/support/mutation-table.mjs .cache/stryker/all/mutation.json [more reports…]
//   add --survivors to list the surviving and uncovered mutants (line:column, mutator, replacement)
import { readFileSync } from "node:fs"

const args = process.argv.slice(2)
const survivors = args.includes("--survivors")
const reports = args.filter((a) => a !== "--survivors")
if (reports.length === 0) {
  console.error("usage: node test/support/mutation-table.mjs <mutation.json>… [--survivors]")
  process.exit(2)
}
const rows = []
for (const report of reports) {
  const { files } = JSON.parse(readFileSync(report, "utf8"))
  for (const [file, { mutants }] of Object.entries(files)) {
    const n = (s) => mutants.filter((m) => m.status === s).length
    const row = { file, killed: n("Killed"), survived: n("Survived"), noCoverage: n("NoCoverage"), timeout: n("Timeout") }
    row.valid = row.killed + row.survived + row.noCoverage + row.timeout + n("RuntimeError")
    row.score = row.valid ? (100 * (row.killed + row.timeout)) / row.valid : 100
    rows.push(row)
    if (survivors)
      for (const m of mutants.filter((m) => m.status === "Survived" || m.status === "NoCoverage"))
        console.log(`${file}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName}: ${JSON.stringify(m.replacement ?? "")}`)
  }
}
rows.sort((a, b) => a.file.localeCompare(b.file))
console.log("| file | mutants (valid) | killed | survived | no coverage | timeout | score |")
console.log("|---|---|---|---|---|---|---|")
for (const r of rows)
  console.log(`| ${r.file} | ${r.valid} | ${r.killed} | ${r.survived} | ${r.noCoverage} | ${r.timeout} | ${r.score.toFixed(1)} % |`)
