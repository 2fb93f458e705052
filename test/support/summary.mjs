// Prints the closing line CI reads ("N passed, N failed, N skipped") from vitest JSON reports,
// and fails when no test ran at all.
import { readFileSync } from "node:fs"
let passed = 0, failed = 0, skipped = 0, files = 0
for (const f of process.argv.slice(2)) {
  const r = JSON.parse(readFileSync(f, "utf8"))
  passed += r.numPassedTests
  failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0)
  skipped += r.numPendingTests + r.numTodoTests
  files += r.numTotalTestSuites
}
console.log(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped`)
if (passed === 0) { console.error("no test ran"); process.exit(1) }
if (failed > 0) process.exit(1)
