// Prints the closing line CI reads ("N passed, N failed, N skipped") from vitest JSON reports, and
// fails when no test ran at all, when a test failed, or when a file failed outside its tests (a
// beforeAll that timed out marks its tests skipped: that is a failure, not a skip).
import { readFileSync } from "node:fs"
let passed = 0, failed = 0, skipped = 0, files = 0
const brokenFiles = []
for (const f of process.argv.slice(2)) {
  const r = JSON.parse(readFileSync(f, "utf8"))
  passed += r.numPassedTests
  failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0)
  skipped += r.numPendingTests + r.numTodoTests
  files += r.numTotalTestSuites
  for (const t of r.testResults ?? [])
    if (t.status === "failed" && !(t.assertionResults ?? []).some((a) => a.status === "failed"))
      brokenFiles.push(`${t.name}: ${(t.message ?? "").split("\n")[0]}`)
}
failed += brokenFiles.length
console.log(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped`)
for (const b of brokenFiles) console.error(`  failed outside a test: ${b}`)
if (passed === 0) { console.error("no test ran"); process.exit(1) }
if (failed > 0) process.exit(1)
