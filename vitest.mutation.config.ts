import { defineConfig } from "vitest/config"

/**
 * The tests `npm run test:mutation` (stryker.config.mjs) runs against each mutant: the rung-1 unit
 * and property tests of the pure core and the toolchain planners only — no child processes, no
 * engine, no registry — so that a mutant costs milliseconds. Stryker's vitest runner then narrows
 * this further to the test files that import the mutated file (`vitest.related`) and, per mutant,
 * to the tests that covered it in the dry run.
 */
export default defineConfig({
  test: {
    include: ["test/modules/core/**/*.test.ts", "test/modules/toolchains/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/.out/**", "test/fixtures/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
})
