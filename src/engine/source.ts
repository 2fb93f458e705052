/**
 * Engine glue: what a build needs to know before planning, read from the engine — the source's
 * top-level entries and the few files the toolchains look at, and the engine's own platform.
 */
import { dag, type Directory } from "@dagger.io/dagger"
import { enginePlatform, type EnginePlatform } from "../../modules/core/native.js"
import type { SourceFacts } from "../../modules/core/plan.js"

/**
 * Read the directory listing and the wanted files (concurrently). A top-level file is read only when
 * it exists; a path into a subdirectory (--dockerfile build/Dockerfile) is read as given and counts
 * as present for detection.
 */
export async function sourceFacts(source: Directory, wanted: readonly string[]): Promise<SourceFacts> {
  const entries = (await source.entries()).map((e) => e.replace(/\/$/, ""))
  const nested = wanted.filter((f) => f.includes("/"))
  const read = [...new Set([...wanted.filter((f) => !f.includes("/") && entries.includes(f)), ...nested])]
  const contents = await Promise.all(read.map((f) => source.file(f).contents()))
  for (const f of nested) if (!entries.includes(f)) entries.push(f)
  return { entries, files: Object.fromEntries(read.map((f, i) => [f, contents[i]])) }
}

/** The engine's native platform, parsed. */
export async function engineOf(): Promise<EnginePlatform> {
  return enginePlatform(String(await dag.defaultPlatform()))
}
