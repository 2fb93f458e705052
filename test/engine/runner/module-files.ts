/**
 * The module's files as the Dagger TypeScript runtime's generated entrypoint lists them: every
 * .ts/.mts file under src/ (recursively), then the generated client (here the client.gen.ts shim,
 * see test/engine/introspect.ts). Shared by module-entrypoint.ts (a process per call) and
 * module-worker.ts (one process, many calls).
 *
 * Env: MULTIARCH_HARNESS_SRC (absolute src dir), MULTIARCH_HARNESS_CLIENT_GEN (absolute shim path).
 */
import * as fs from "node:fs"
import * as path from "node:path"

const allowedExtensions = [".ts", ".mts"]

function listTsFilesInModule(dir: string): string[] {
  const res = fs.readdirSync(dir).map((file) => {
    const filepath = path.join(dir, file)
    if (fs.statSync(filepath).isDirectory()) return listTsFilesInModule(filepath)
    return allowedExtensions.includes(path.extname(filepath)) ? [filepath] : []
  })
  return res.reduce((p, c) => [...c, ...p], [] as string[])
}

/** The file list entrypoint() gets; exits 2 when the harness did not say where the module is. */
export function moduleFiles(runner: string): string[] {
  const srcDir = process.env.MULTIARCH_HARNESS_SRC
  const clientGen = process.env.MULTIARCH_HARNESS_CLIENT_GEN
  if (!srcDir || !clientGen) {
    console.error(`${runner}: MULTIARCH_HARNESS_SRC and MULTIARCH_HARNESS_CLIENT_GEN must be set`)
    process.exit(2)
  }
  return [...listTsFilesInModule(srcDir), clientGen]
}
