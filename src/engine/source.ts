/**
 * Engine glue: what a build needs to know before planning, read from the engine — the source's
 * top-level entries, the few root files the toolchains look at, the engine's own platform, and
 * then what the building toolchain's scan asks for (Toolchain.scan), through a SourceReader over
 * the Directory — and the source itself when none is given: the directory `dagger` is called from.
 *
 * What is read, in all: `entries()` of the root; the root files of every toolchain's factFiles
 * that exist (go.mod, .go-version, Cargo.toml, Cargo.lock, rust-toolchain(.toml), build.rs, the
 * Dockerfile); for Go, `glob("cmd/*\/*.go")` (when `.` is not a main package) and the first 100
 * lines of each .go file in `.` and `cmd/<name>` (`contents(limitLines)`), stopping in a directory
 * once a file shows a non-main package; for Rust, a few globs per workspace member pattern
 * (`<m>/Cargo.toml`, `<m>/src/main.rs`, `<m>/src/bin/*.rs`, `<m>/src/bin/*\/main.rs`) and each
 * member's Cargo.toml. Nothing else of the source is read before the build.
 */
import { dag, type Directory, type Workspace } from "@dagger.io/dagger"
import { MultiarchInputError } from "../../modules/core/errors/index.js"
import { enginePlatform, type EnginePlatform } from "../../modules/core/native.js"
import type { SourceFacts } from "../../modules/core/plan.js"
import { SOURCE_IGNORE } from "../../modules/core/source.js"
import type { SourceReader } from "../../modules/toolchains/source.js"

/**
 * The build's source: `--source` (the engine already applied the ignore list), else the caller's
 * directory. `defaultPath` cannot give that: Dagger resolves a default path against the *module's*
 * context (its own git repository, for `-m ./multiarch` or `-m github.com/…`), not the caller's;
 * a Workspace argument is what the engine fills with the directory the CLI runs in (dagger/dagger
 * core/modfunc.go, workspace arguments "are automatically injected"), read lazily from there.
 */
export function sourceOf(source: Directory | undefined, workspace: Workspace | undefined): Directory {
  if (source) return source
  if (workspace) return workspace.directory(".", { exclude: [...SOURCE_IGNORE] })
  throw new MultiarchInputError(
    "source",
    "(not given)",
    "no --source, and the engine gave no workspace to default to (Dagger v0.20 or newer fills it with the directory you call dagger from)",
    "pass --source=. (the project root: go.mod, Cargo.toml or a Dockerfile)",
  )
}

const GLOB_CHARS = /[*?[\]{}]/

/**
 * Read the directory listing and the wanted files (concurrently). A top-level file is read only when
 * it exists; a path into a subdirectory (--dockerfile build/Dockerfile) only when a glob finds it.
 * When a nested one is missing, the Dockerfile-looking paths of the source are listed in `others`
 * (to suggest the nearest one). The root's directories are listed as facts (`listings["*\/"]`) for hints.
 */
export async function sourceFacts(source: Directory, wanted: readonly string[]): Promise<SourceFacts> {
  const nested = wanted.filter((f) => f.includes("/"))
  const [listing, found] = await Promise.all([
    source.entries(),
    Promise.all(nested.map(async (f) => (GLOB_CHARS.test(f) ? false : (await source.glob(f)).some((g) => g.replace(/\/$/, "") === f)))),
  ])
  const entries = listing.map((e) => e.replace(/\/$/, ""))
  const dirs = listing.filter((e) => e.endsWith("/"))
  const present = nested.filter((_, i) => found[i])
  const read = [...new Set([...wanted.filter((f) => !f.includes("/") && entries.includes(f) && !dirs.includes(`${f}/`)), ...present])]
  const [contents, others] = await Promise.all([
    Promise.all(read.map((f) => source.file(f).contents())),
    present.length < nested.length ? source.glob("**/*[Dd]ockerfile*") : Promise.resolve(undefined),
  ])
  for (const f of present) if (!entries.includes(f)) entries.push(f)
  return {
    entries,
    files: Object.fromEntries(read.map((f, i) => [f, contents[i]])),
    listings: { "*/": dirs },
    ...(others ? { others: others.map((o) => o.replace(/\/$/, "")).slice(0, 50) } : {}),
  }
}

/** A SourceReader over a Directory: `glob`, and file heads with `contents({ limitLines })`. */
export function directoryReader(source: Directory): SourceReader {
  return {
    glob: (pattern) => source.glob(pattern),
    read: (path, maxLines) => source.file(path).contents(maxLines === undefined ? undefined : { limitLines: maxLines }),
  }
}

/** The engine's native platform, parsed. */
export async function engineOf(): Promise<EnginePlatform> {
  return enginePlatform(String(await dag.defaultPlatform()))
}
