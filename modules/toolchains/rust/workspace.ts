/**
 * Binary targets of a Cargo project: the root package's and, in a workspace, every member's —
 * read the way Cargo infers them (explicit [[bin]] tables; unless `autobins = false`,
 * src/main.rs named after the package, src/bin/<name>.rs and src/bin/<name>/main.rs).
 *
 * What the scan reads (`scanRust`, through SourceReader): for the root package and for every
 * `[workspace] members` pattern (minus `exclude`), the globs `<member>/Cargo.toml`,
 * `<member>/src/main.rs`, `<member>/src/bin/*.rs`, `<member>/src/bin/*\/main.rs`, and each member's
 * Cargo.toml. Member patterns that leave the source (`..`, absolute) are not read. Names read
 * from manifests reach cargo's argv only after the same check as --bin (options.ts NAME_RE).
 */
import type { SourceFacts } from "../../core/plan.js"
import { mapLimit, type FactsPatch, type SourceReader } from "../source.js"
import { readToml } from "./cargo.js"
import { NAME_RE } from "./options.js"

/** At most this many workspace members are read. */
export const MAX_MEMBERS = 300

type Table = Record<string, unknown>
const table = (v: unknown): Table | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date) ? (v as Table) : undefined)
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [])

/** A members pattern the scan may read: relative, no `..`, only path characters and `*`/`?`. */
export function safeMemberPattern(p: string): boolean {
  return /^[A-Za-z0-9_.\-/*?]+$/.test(p) && !p.startsWith("/") && !p.split("/").includes("..") && p !== "."
}

/** The globs that find a member's (or the root's, with prefix "") manifest and binary sources. */
export function memberGlobs(prefix: string): { manifest: string; main: string; bins: string; binDirs: string } {
  const at = prefix === "" ? "" : `${prefix.replace(/\/+$/, "")}/`
  return { manifest: `${at}Cargo.toml`, main: `${at}src/main.rs`, bins: `${at}src/bin/*.rs`, binDirs: `${at}src/bin/*/main.rs` }
}

interface WorkspaceDecl {
  members: string[]
  exclude: string[]
  defaultMembers: string[]
  /** Patterns not read (they leave the source). */
  unsafe: string[]
}

function workspaceOf(doc: Table): WorkspaceDecl | undefined {
  const ws = table(doc.workspace)
  if (!ws) return undefined
  const all = strings(ws.members)
  return {
    members: all.filter(safeMemberPattern),
    exclude: strings(ws.exclude),
    defaultMembers: strings(ws["default-members"]),
    unsafe: all.filter((p) => !safeMemberPattern(p)),
  }
}

/** The scan: the root's binary sources, and every workspace member's manifest and binary sources. */
export async function scanRust(read: SourceReader, facts: SourceFacts): Promise<FactsPatch> {
  const text = facts.files["Cargo.toml"]
  if (text === undefined) return {}
  let doc: Table
  try {
    doc = readToml(text, "Cargo.toml")
  } catch {
    return {} // the plan reports the TOML error
  }
  const patterns = [""]
  const ws = workspaceOf(doc)
  if (ws) patterns.push(...ws.members)
  const listings: Record<string, string[]> = {}
  const globs = patterns.flatMap((p) => {
    const g = memberGlobs(p)
    return p === "" ? [g.main, g.bins, g.binDirs] : [g.manifest, g.main, g.bins, g.binDirs]
  })
  const found = await mapLimit(globs, 8, (g) => read.glob(g))
  globs.forEach((g, i) => (listings[g] = [...found[i]].sort()))
  const manifests = [...new Set(patterns.filter((p) => p !== "").flatMap((p) => listings[memberGlobs(p).manifest]))].slice(0, MAX_MEMBERS)
  const texts = await mapLimit(manifests, 8, (m) => read.read(m))
  const files: Record<string, string> = {}
  manifests.forEach((m, i) => (files[m] = texts[i]))
  return { files, listings }
}

export interface BinTarget {
  name: string
  /** Directory of the package ("" for the root). */
  dir: string
  /** The package's name. */
  package?: string
}

export interface CargoTargets {
  /** Whether the scan ran. */
  scanned: boolean
  /** The root package's binaries (empty for a virtual workspace). */
  root: BinTarget[]
  /** Workspace members' binaries, by member directory order. */
  members: BinTarget[]
  /** Member directories in `default-members`. */
  defaultMembers: string[]
  /** Members patterns that were not read (they leave the source). */
  unsafe: string[]
  /** Member manifests that did not parse (cargo will say why). */
  unreadable: string[]
}

const base = (p: string) => p.replace(/^.*\//, "")
const dirOfManifest = (m: string) => (m.includes("/") ? m.replace(/\/Cargo\.toml$/, "") : "")

/** The binaries of one package, from its manifest and the scanned binary sources. */
function packageBins(doc: Table, dir: string, listings: Record<string, string[]>, pattern: string): BinTarget[] {
  const pkg = table(doc.package)
  const name = typeof pkg?.name === "string" ? pkg.name : undefined
  const explicit = (Array.isArray(doc.bin) ? doc.bin : []).map((b) => table(b)).filter((b): b is Table => !!b)
  const names = explicit.map((b) => (typeof b.name === "string" ? b.name : undefined)).filter((n): n is string => !!n)
  const paths = explicit.map((b) => (typeof b.path === "string" ? b.path.replace(/^\.\//, "") : undefined))
  const out: BinTarget[] = names.map((n) => ({ name: n, dir, package: name }))
  if (pkg?.autobins === false || !name) return out
  const g = memberGlobs(pattern)
  const inDir = (l: string[] | undefined) => (l ?? []).filter((f) => (dir === "" ? !f.includes("/") || f.startsWith("src/") : f.startsWith(dir + "/")))
  const inferred: { name: string; path: string }[] = []
  if (inDir(listings[g.main]).length) inferred.push({ name, path: "src/main.rs" })
  for (const f of inDir(listings[g.bins])) inferred.push({ name: base(f).replace(/\.rs$/, ""), path: `src/bin/${base(f)}` })
  for (const f of inDir(listings[g.binDirs])) {
    const n = f.split("/").at(-2)!
    inferred.push({ name: n, path: `src/bin/${n}/main.rs` })
  }
  for (const i of inferred) if (!names.includes(i.name) && !paths.includes(i.path)) out.push({ name: i.name, dir, package: name })
  return out
}

/** The binary targets the facts show; `scanned: false` when the scan did not run. */
export function cargoTargets(facts: SourceFacts, rootDoc: Table): CargoTargets {
  const listings = facts.listings ?? {}
  const rootGlobs = memberGlobs("")
  const scanned = listings[rootGlobs.main] !== undefined
  const ws = workspaceOf(rootDoc)
  const res: CargoTargets = { scanned, root: [], members: [], defaultMembers: [], unsafe: ws?.unsafe ?? [], unreadable: [] }
  if (!scanned) return res
  if (table(rootDoc.package)) res.root = packageBins(rootDoc, "", listings, "")
  if (!ws) return res
  const excluded = new Set(ws.exclude.map((e) => e.replace(/\/+$/, "")))
  const seen = new Set<string>()
  for (const p of ws.members) {
    for (const m of listings[memberGlobs(p).manifest] ?? []) {
      const dir = dirOfManifest(m)
      if (seen.has(dir) || excluded.has(dir) || dir === "") continue
      seen.add(dir)
      const text = facts.files[m]
      if (text === undefined) continue
      let doc: Table
      try {
        doc = readToml(text, m)
      } catch {
        res.unreadable.push(m)
        continue
      }
      res.members.push(...packageBins(doc, dir, listings, p))
    }
  }
  res.defaultMembers = ws.defaultMembers.map((d) => d.replace(/^\.\//, "").replace(/\/+$/, ""))
  return res
}

/** A target as shown in messages: its name (JSON-quoted when it is not a plain name) and its crate. */
export function showTarget(t: BinTarget): string {
  const n = NAME_RE.test(t.name) ? t.name : JSON.stringify(t.name)
  return t.dir === "" ? n : `${n} (${t.dir})`
}
