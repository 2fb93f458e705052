import { defineConfig } from "vitest/config"

/**
 * The tests `npm run test:mutation` (stryker.config.mjs) runs against each mutant: the rung-1 unit
 * and property tests of the pure core and the toolchain planners only — no child processes, no
 * engine, no registry — and, for a run on one file, only that file's own test files
 * (MULTIARCH_MUTATION_TESTS, set by stryker.config.mjs). Stryker's vitest runner narrows this to the
 * test files that import the mutated file (`vitest.related`) and, per mutant, to the tests that
 * covered it in the dry run.
 */
// stryker.config.mjs narrows this to the mutated files' own test files when it can
const own = process.env.MULTIARCH_MUTATION_TESTS
export default defineConfig({
  test: {
    include: own ? (JSON.parse(own) as string[]) : ["test/modules/core/**/*.test.ts", "test/modules/toolchains/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/.out/**", "test/fixtures/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
})
