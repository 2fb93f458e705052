/** SourceFacts of a fixture folder on disk, read the way the module reads a Directory. */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { FACT_FILES } from "../../modules/core/detect.js"
import type { SourceFacts } from "../../modules/core/plan.js"

export function factsOf(dir: string): SourceFacts {
  const entries = readdirSync(dir)
  const files: Record<string, string> = {}
  for (const f of FACT_FILES) if (existsSync(join(dir, f))) files[f] = readFileSync(join(dir, f), "utf8")
  return { entries, files }
}
