/** SourceFacts of a fixture folder on disk, read the way the module reads a Directory. */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { factFiles, toolchainOptions } from "../../modules/toolchains/index.js"
import type { SourceFacts } from "../../modules/core/plan.js"

/** The files the toolchains read with default options (go.mod, Cargo.toml, Cargo.lock, rust-toolchain(.toml), Dockerfile). */
export const FACT_FILES = factFiles(toolchainOptions({}))

export function factsOf(dir: string): SourceFacts {
  const entries = readdirSync(dir)
  const files: Record<string, string> = {}
  for (const f of FACT_FILES) if (existsSync(join(dir, f))) files[f] = readFileSync(join(dir, f), "utf8")
  return { entries, files }
}
