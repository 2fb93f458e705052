// Mutation testing of the pure core and the toolchain planners (README, "Mutation testing").
//   npm run test:mutation                                     every file below (incremental)
//   npm run test:mutation -- --mutate modules/core/tags.ts    one file (comma-separate several)
//   npm run test:mutation -- --force                          ignore the incremental cache
// Reports and the incremental file live in .cache/stryker/ (git-ignored), one set per --mutate
// selection: a one-file run neither reads nor overwrites the whole set's incremental results.

// `--mutate a.ts,b.ts` on the command line (the config is loaded in Stryker's own process)
const argv = process.argv
const i = argv.findIndex((a) => a === "--mutate" || a === "-m" || a.startsWith("--mutate="))
const selection = i < 0 ? "" : argv[i].startsWith("--mutate=") ? argv[i].slice(9) : (argv[i + 1] ?? "")
const slug = selection ? selection.replace(/\.ts\b/g, "").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 80) : "all"
const out = `.cache/stryker/${slug}`

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
  ignorePatterns: ["/sdk", "/dist", "/test/.out", "/bench/.out", "/.cache", "/src", "/ci", "/test/engine", "/test/real", "/test/registry", "/test/buildkit", "/test/e2e"],
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: `${out}/mutation.html` },
  jsonReporter: { fileName: `${out}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  thresholds: { high: 95, low: 85, break: null },
  timeoutMS: 10000,
}
