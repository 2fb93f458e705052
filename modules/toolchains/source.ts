/**
 * How a toolchain reads more of the source than the root files (Toolchain.scan): through this
 * interface only, so the toolchains stay pure. The engine glue implements it over a Dagger
 * Directory (src/engine/source.ts: `glob`, `file(…).contents({ limitLines })`); tests implement it
 * over a fixture folder. What a scan read is returned as a patch of SourceFacts (files by path,
 * listings by glob pattern), so plans stay pure functions of the facts.
 */
import type { SourceFacts } from "../core/plan.js"

export interface SourceReader {
  /** Paths (relative to the source root) matching a glob pattern; `*` stays within one path element. */
  glob(pattern: string): Promise<string[]>
  /** A file's text; with `maxLines`, only its first lines (a head is all a cheap scan needs). */
  read(path: string, maxLines?: number): Promise<string>
}

/** What a scan adds to the facts. */
export interface FactsPatch {
  files?: Record<string, string>
  listings?: Record<string, string[]>
}

/** Facts with a scan's patch applied. */
export function withPatch(facts: SourceFacts, patch: FactsPatch | undefined): SourceFacts {
  if (!patch) return facts
  return {
    entries: facts.entries,
    files: { ...facts.files, ...(patch.files ?? {}) },
    listings: { ...(facts.listings ?? {}), ...(patch.listings ?? {}) },
  }
}

/** Run `f` over `items`, at most `n` at a time, results in order. */
export async function mapLimit<T, R>(items: readonly T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await f(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker))
  return out
}
