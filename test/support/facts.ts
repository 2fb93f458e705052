/** SourceFacts of a fixture folder on disk, read the way the module reads a Directory. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { factFiles, toolchain, toolchainOptions, type BuildOptions, type LangName } from "../../modules/toolchains/index.js"
import type { SourceFacts } from "../../modules/core/plan.js"
import { withPatch, type SourceReader } from "../../modules/toolchains/source.js"
import { globToRegExp } from "../engine/recording-engine.js"

/** The files the toolchains read with default options (go.mod, .go-version, Cargo.toml, Cargo.lock, rust-toolchain(.toml), build.rs, Dockerfile). */
export const FACT_FILES = factFiles(toolchainOptions({}))

/** Root entries and root fact files only (no toolchain scan: plans then assume the plain layout). */
export function factsOf(dir: string): SourceFacts {
  const entries = readdirSync(dir)
  const files: Record<string, string> = {}
  for (const f of FACT_FILES) if (existsSync(join(dir, f)) && statSync(join(dir, f)).isFile()) files[f] = readFileSync(join(dir, f), "utf8")
  return { entries, files }
}

function walk(dir: string, root = dir, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const abs = join(dir, e)
    const rel = relative(root, abs)
    if (statSync(abs).isDirectory()) {
      out.push(rel + "/")
      walk(abs, root, out)
    } else out.push(rel)
  }
  return out
}

/** A SourceReader over a folder, with the glob semantics of the recording engine (and Dagger's): `*` within one path element. */
export function diskReader(dir: string, log: string[] = []): SourceReader {
  return {
    glob: async (pattern) => {
      log.push(`glob ${pattern}`)
      const re = globToRegExp(pattern)
      return walk(dir).filter((p) => re.test(p.replace(/\/$/, ""))).sort()
    },
    read: async (path, maxLines) => {
      log.push(`read ${path}${maxLines === undefined ? "" : ` (${maxLines} lines)`}`)
      const text = readFileSync(join(dir, path), "utf8")
      return maxLines === undefined ? text : text.split("\n").slice(0, maxLines).join("\n")
    },
  }
}

/** Facts as the engine glue gathers them for `lang`: the root, then the toolchain's scan (what it read goes to `log`). */
export async function scannedFactsOf(dir: string, lang: LangName, options: BuildOptions = {}, log: string[] = []): Promise<SourceFacts> {
  const facts = factsOf(dir)
  facts.listings = { "*/": readdirSync(dir).filter((e) => statSync(join(dir, e)).isDirectory()).map((e) => e + "/").sort() }
  const tc = toolchain(lang)
  const o = toolchainOptions(options)[lang]
  return tc.scan ? withPatch(facts, await tc.scan(diskReader(dir, log), o, facts)) : facts
}
