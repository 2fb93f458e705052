/**
 * What the Dagger TypeScript runtime runs for every module call (its generated
 * `src/__dagger.entrypoint.ts`): list every .ts/.mts file under the module's src/ recursively, add
 * the generated client (here: the client.gen.ts shim, see test/engine/introspect.ts) and hand the
 * list to the SDK's `entrypoint()`. The engine connection comes from DAGGER_SESSION_PORT/TOKEN.
 *
 * Env: MULTIARCH_HARNESS_SRC (absolute src dir), MULTIARCH_HARNESS_CLIENT_GEN (absolute shim path).
 * Run with: tsx --no-deprecation --tsconfig <module>/tsconfig.json test/engine/runner/module-entrypoint.ts
 */
import { entrypoint } from "@dagger.io/dagger"
import { moduleFiles } from "./module-files.js"

const files = moduleFiles("module-entrypoint")
if (process.env.MULTIARCH_HARNESS_PRINT_FILES) console.error(`module-entrypoint files: ${JSON.stringify(files)}`)

entrypoint(files)
