// Mutation testing of the pure core and the toolchain planners (README, "Mutation testing").
//   npm run test:mutation                                     every file below (incremental)
//   npm run test:mutation -- --mutate modules/core/tags.ts    one file (comma-separate several)
//   npm run test:mutation -- --force                          ignore the incremental cache
// Reports and the incremental file live in .cache/stryker/ (git-ignored), one set per --mutate
// selection: a one-file run neither reads nor overwrites the whole set's incremental results.

import { existsSync, readdirSync } from "node:fs"

// `--mutate a.ts,b.ts` on the command line (the config is loaded in Stryker's own process)
const argv = process.argv
const i = argv.findIndex((a) => a === "--mutate" || a === "-m" || a.startsWith("--mutate="))
const selection = i < 0 ? "" : argv[i].startsWith("--mutate=") ? argv[i].slice(9) : (argv[i + 1] ?? "")
const slug = selection ? selection.replace(/\.ts\b/g, "").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 80) : "all"
const out = `.cache/stryker/${slug}`

/**
 * The test files that are a source file's own: in the mirrored folder under test/modules/, those
 * whose name has the file's name as a dash-separated word (core/tags.ts → tags.test.ts,
 * tags-boundaries.test.ts; core/time.ts → choice-time-url.test.ts); a toolchain plug-in's folder
 * (toolchains/go/…) is tested as a whole. [] when there are none: then every unit test file that
 * imports it (vitest.related) is used.
 */
export function ownTests(file) {
  // (a line range, modules/core/tags.ts:40-50, mutates part of the file: same tests)
  const m = /^modules\/(.+)\/([^/]+)\.ts(?::[\d:-]+)?$/.exec(file)
  if (!m) return []
  const dir = `test/modules/${m[1]}`
  if (!existsSync(dir)) return []
  const plugin = /^toolchains\/[^/]+$/.test(m[1])
  return readdirSync(dir)
    .filter((t) => {
      if (!t.endsWith(".test.ts")) return false
      const n = t.replace(/\.test\.ts$/, "")
      return plugin || n === m[2] || n.startsWith(`${m[2]}-`) || n.split("-").includes(m[2])
    })
    .map((t) => `${dir}/${t}`)
}
const own = selection ? selection.split(",").map((f) => ownTests(f.trim())) : []
// read by vitest.mutation.config.ts in the test-runner processes (they inherit the environment)
if (own.length > 0 && own.every((t) => t.length > 0)) process.env.MULTIARCH_MUTATION_TESTS = JSON.stringify(own.flat())

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: {
    configFile: "vitest.mutation.config.ts",
    // only the test files that import the mutated file (through any chain of imports)
    related: true,
  },
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.mutation.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: [
    "modules/core/**/*.ts",
    "modules/toolchains/**/*.ts",
    // re-export barrels and type-only files: nothing to mutate that a test could observe
    "!modules/**/index.ts",
    "!modules/toolchains/dockerfile/types.ts",
    "!modules/toolchains/toolchain.ts",
  ],
  // the machine is shared (2 cores): never more than 2 test-runner processes
  concurrency: 2,
  incremental: true,
  incrementalFile: `${out}/incremental.json`,
  tempDirName: ".cache/stryker/tmp",
  cleanTempDir: "always",
  // not /test/engine: test/support/facts.ts imports its glob matcher, and a test file whose import
  // fails in the sandbox is dropped by the vitest runner without a word (rust/plan.test.ts,
  // rust/workspace.test.ts, go/source.test.ts and core/shell.test.ts were, until issue 21's session 5)
  ignorePatterns: ["/sdk", "/dist", "/test/.out", "/bench/.out", "/.cache", "/src", "/ci", "/test/real", "/test/registry", "/test/buildkit", "/test/e2e"],
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: `${out}/mutation.html` },
  jsonReporter: { fileName: `${out}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  thresholds: { high: 95, low: 85, break: null },
  timeoutMS: 10000,
}
