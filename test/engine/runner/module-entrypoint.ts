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
import * as fs from "node:fs"
import * as path from "node:path"

const allowedExtensions = [".ts", ".mts"]

const srcDir = process.env.MULTIARCH_HARNESS_SRC
const clientGen = process.env.MULTIARCH_HARNESS_CLIENT_GEN
if (!srcDir || !clientGen) {
  console.error("module-entrypoint: MULTIARCH_HARNESS_SRC and MULTIARCH_HARNESS_CLIENT_GEN must be set")
  process.exit(2)
}

function listTsFilesInModule(dir: string): string[] {
  const res = fs.readdirSync(dir).map((file) => {
    const filepath = path.join(dir, file)
    if (fs.statSync(filepath).isDirectory()) return listTsFilesInModule(filepath)
    return allowedExtensions.includes(path.extname(filepath)) ? [filepath] : []
  })
  return res.reduce((p, c) => [...c, ...p], [] as string[])
}

const files = [...listTsFilesInModule(srcDir), clientGen]
if (process.env.MULTIARCH_HARNESS_PRINT_FILES) console.error(`module-entrypoint files: ${JSON.stringify(files)}`)

entrypoint(files)
