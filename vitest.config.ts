import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/.out/**", "test/fixtures/**"],
    // Module-contract tests spawn the real module entrypoint (tsx + TypeScript introspection) per
    // call, a few seconds each; real-toolchain rungs run compilers.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Separate processes: engine tests set DAGGER_SESSION_PORT/TOKEN in process.env and the SDK
    // keeps a global connection.
    pool: "forks",
    reporters: ["default"],
  },
})
