/**
 * Go main-package discovery from a cheap scan of the source (pure, except `scanGo`, which reads
 * through the SourceReader interface).
 *
 * What is read: the .go files (not `_test.go`, not `_`/`.` files) directly in `.` and, when `.` is
 * not a main package, in every `cmd/<name>` directory — only the first GO_HEAD_LINES lines of each
 * (enough for the `//go:build` / `// +build` lines, the `package` clause and an `import "C"` after
 * a short cgo preamble), in batches, stopping in a directory as soon as a file shows it is not
 * `package main`. With --pkg, the named directories are read the same way (for the cgo check).
 *
 * What is evaluated, as `go build` would for linux/<GOARCH>: file-name suffixes (`_linux`,
 * `_arm64`, `_windows_amd64`, …), `//go:build` expressions (or legacy `// +build` lines) with the
 * tags linux, unix, gc, the target GOARCH, cgo (only with --cgo), go1.N up to the builder's Go, and
 * --tags; a file importing "C" counts only with cgo. Not evaluated: anything beyond the head, the
 * packages a main package imports (a cgo-only import such as runc's nsenter shows up as "build
 * constraints exclude all Go files" from go build; the plan's note says what to do).
 */
import type { SourceFacts } from "../../core/plan.js"
import { mapLimit, type FactsPatch, type SourceReader } from "../source.js"

/** Lines of each .go file the scan reads. */
export const GO_HEAD_LINES = 100
/** At most this many files are read per directory (a main package is small; a library is decided by its first file). */
export const MAX_FILES_PER_DIR = 200
/** The listing of root .go files the scan records (its presence means: the scan ran). */
export const ROOT_LISTING = "*.go"
/** The listing of the cmd/<name> packages' files. */
export const CMD_LISTING = "cmd/*/*.go"

const GOOS = new Set("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos".split(" "))
const GOARCH = new Set(
  "386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm".split(" "),
)

export interface GoFileHead {
  /** The package clause's name; undefined when not within the head. */
  package?: string
  /** The `//go:build` expression, or the legacy `// +build` lines (AND of ORs), as written. */
  goBuild?: string
  plusBuild: string[]
  /** The file imports "C" (cgo). */
  importsC: boolean
}

/** The header of a Go source file: build constraints, package clause, whether it imports "C". */
export function parseGoHead(text: string): GoFileHead {
  const head: GoFileHead = { plusBuild: [], importsC: false }
  let inBlock = false
  let inImports = false
  let afterPackage = false
  for (const raw of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    let line = raw.trim()
    if (inBlock) {
      const end = line.indexOf("*/")
      if (end < 0) continue
      inBlock = false
      line = line.slice(end + 2).trim()
    }
    if (!afterPackage) {
      const gb = /^\/\/go:build\s+(.+)$/.exec(line)
      if (gb) {
        head.goBuild ??= gb[1].trim()
        continue
      }
      const pb = /^\/\/\s*\+build\s+(.+)$/.exec(line)
      if (pb) {
        head.plusBuild.push(pb[1].trim())
        continue
      }
    }
    // strip comments on the line (a block comment may open here)
    line = line.replace(/\/\*.*?\*\//g, " ").trim()
    const open = line.indexOf("/*")
    if (open >= 0) {
      inBlock = true
      line = line.slice(0, open).trim()
    }
    line = line.replace(/\/\/.*$/, "").trim()
    if (line === "") continue
    if (!afterPackage) {
      const pkg = /^package\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(line)
      if (!pkg) return head
      head.package = pkg[1]
      afterPackage = true
      continue
    }
    if (inImports) {
      if (line.startsWith(")")) {
        inImports = false
        continue
      }
      if (/^"C"$/.test(line)) head.importsC = true
      continue
    }
    if (/^import\s+"C"\s*;?$/.test(line)) {
      head.importsC = true
      continue
    }
    if (/^import\s*\(/.test(line)) {
      inImports = true
      const rest = line.replace(/^import\s*\(/, "").trim()
      if (/^"C"\s*\)?$/.test(rest)) head.importsC = true
      if (rest.endsWith(")")) inImports = false
      continue
    }
    if (/^import\b/.test(line)) continue
    // the first declaration ends the import section
    break
  }
  return head
}

// ---- build constraints --------------------------------------------------------------------------

type Expr = { tag: string } | { not: Expr } | { and: [Expr, Expr] } | { or: [Expr, Expr] }

/** A //go:build expression; undefined when it does not parse (then the file is taken as included). */
export function parseBuildExpr(s: string): Expr | undefined {
  const toks = s.match(/\(|\)|!|&&|\|\||[A-Za-z0-9_.]+|\S/g) ?? []
  let i = 0
  const fail = Symbol()
  const or = (): Expr => {
    let e = and()
    while (toks[i] === "||") {
      i++
      e = { or: [e, and()] }
    }
    return e
  }
  const and = (): Expr => {
    let e = not()
    while (toks[i] === "&&") {
      i++
      e = { and: [e, not()] }
    }
    return e
  }
  const not = (): Expr => {
    if (toks[i] === "!") {
      i++
      return { not: not() }
    }
    if (toks[i] === "(") {
      i++
      const e = or()
      if (toks[i++] !== ")") throw fail
      return e
    }
    const t = toks[i++]
    if (t === undefined || !/^[A-Za-z0-9_.]+$/.test(t)) throw fail
    return { tag: t }
  }
  try {
    const e = or()
    return i === toks.length ? e : undefined
  } catch (x) {
    if (x === fail) return undefined
    throw x
  }
}

export interface BuildContext {
  goarch: string
  cgo: boolean
  /** --tags */
  tags: readonly string[]
  /** The builder's Go minor (go1.N tags up to it are set). */
  goMinor: number
}

function tagSet(ctx: BuildContext): (t: string) => boolean {
  return (t) => {
    if (t === "linux" || t === "unix" || t === "gc") return true
    if (t === "cgo") return ctx.cgo
    if (ctx.tags.includes(t)) return true
    if (GOARCH.has(t)) return t === ctx.goarch
    const go = /^go1\.(\d+)$/.exec(t)
    if (go) return Number(go[1]) <= ctx.goMinor
    return false
  }
}

function evalExpr(e: Expr, has: (t: string) => boolean): boolean {
  if ("tag" in e) return has(e.tag)
  if ("not" in e) return !evalExpr(e.not, has)
  if ("and" in e) return evalExpr(e.and[0], has) && evalExpr(e.and[1], has)
  return evalExpr(e.or[0], has) || evalExpr(e.or[1], has)
}

/** `name_GOOS_GOARCH.go`, `name_GOOS.go`, `name_GOARCH.go`: the file-name constraint. */
export function fileNameMatches(file: string, goarch: string): boolean {
  const base = file.replace(/^.*\//, "").replace(/\.go$/, "")
  const i = base.indexOf("_")
  if (i < 0) return true
  const parts = base.slice(i + 1).split("_")
  const last = parts.at(-1)!
  const prev = parts.length > 1 ? parts.at(-2)! : undefined
  if (prev !== undefined && GOOS.has(prev) && GOARCH.has(last)) return prev === "linux" && last === goarch
  if (GOOS.has(last)) return last === "linux"
  if (GOARCH.has(last)) return last === goarch
  return true
}

/** Whether `go build` for linux/ctx.goarch compiles this file. */
export function fileIncluded(path: string, head: GoFileHead, ctx: BuildContext): boolean {
  if (!fileNameMatches(path, ctx.goarch)) return false
  if (head.importsC && !ctx.cgo) return false
  const has = tagSet(ctx)
  if (head.goBuild !== undefined) {
    const e = parseBuildExpr(head.goBuild)
    return e === undefined ? true : evalExpr(e, has)
  }
  // legacy: lines are ANDed; space-separated options ORed; comma-separated terms ANDed
  return head.plusBuild.every((line) =>
    line.split(/\s+/).some((opt) => opt.split(",").every((term) => (term.startsWith("!") ? !has(term.slice(1)) : has(term)))),
  )
}

// ---- the scan (reads through SourceReader) -----------------------------------------------------

/** Go files `go build` considers in a directory listing (no tests, no `_`/`.` files). */
export function isBuildFile(path: string): boolean {
  const base = path.replace(/^.*\//, "")
  return base.endsWith(".go") && !base.endsWith("_test.go") && !base.startsWith("_") && !base.startsWith(".")
}

/** GOARCH values of the targets multiarch builds (linux). */
const LINUX_GOARCHES = ["amd64", "arm64", "arm", "386", "riscv64", "ppc64le", "s390x", "loong64", "mips", "mipsle", "mips64", "mips64le"]

const dirOf = (path: string) => (path.includes("/") ? path.replace(/\/[^/]*$/, "") : ".")

/** Read the heads of a directory's files in batches; stop once a file that counts shows a non-main package. */
async function readPackageHeads(read: SourceReader, files: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const list = files.slice(0, MAX_FILES_PER_DIR)
  for (let i = 0; i < list.length; i += 8) {
    const batch = list.slice(i, i + 8)
    const heads = await mapLimit(batch, 8, (f) => read.read(f, GO_HEAD_LINES))
    let decided = false
    batch.forEach((f, j) => {
      out[f] = heads[j]
      const h = parseGoHead(heads[j])
      // a file no build excludes (no constraint, no cgo) tells the package name for sure
      if (h.package && h.package !== "main" && h.goBuild === undefined && h.plusBuild.length === 0 && !h.importsC) decided = true
    })
    if (decided) break
  }
  return out
}

/**
 * The cheap scan: heads of the .go files in `.`, and (unless `.` is a main package) in every
 * `cmd/<name>` directory; with --pkg, in those directories instead.
 */
export async function scanGo(read: SourceReader, o: { package?: string; tags?: string | readonly string[] }, facts: SourceFacts): Promise<FactsPatch> {
  const rootFiles = facts.entries.filter(isBuildFile).sort()
  const files: Record<string, string> = {}
  const listings: Record<string, string[]> = { [ROOT_LISTING]: rootFiles }
  const pkgs = o.package ? packageList(o.package) : undefined
  if (pkgs) {
    for (const p of pkgs) {
      // import paths (example.com/x/cmd/y) are go's to resolve; only directories of the source are read
      if (p !== "." && !p.startsWith("./")) continue
      const dir = p.replace(/^\.\/?/, "").replace(/\/+$/, "")
      if (dir === "") {
        Object.assign(files, await readPackageHeads(read, rootFiles))
        continue
      }
      const pattern = `${dir}/*.go`
      const found = (await read.glob(pattern)).filter(isBuildFile).sort()
      listings[pattern] = found
      Object.assign(files, await readPackageHeads(read, found))
    }
    return { files, listings }
  }
  Object.assign(files, await readPackageHeads(read, rootFiles))
  // main for some linux target (a `//go:build ignore` generator in package main does not count)
  const tags = typeof o.tags === "string" ? o.tags.split(/[\s,]+/) : [...(o.tags ?? [])]
  const rootIsMain = rootFiles.some((f) => {
    const h = parseGoHead(files[f] ?? "")
    return h.package === "main" && LINUX_GOARCHES.some((goarch) => fileIncluded(f, h, { goarch, cgo: true, tags, goMinor: Number.MAX_SAFE_INTEGER }))
  })
  if (!rootIsMain && facts.entries.includes("cmd")) {
    const found = (await read.glob(CMD_LISTING)).filter(isBuildFile).sort()
    listings[CMD_LISTING] = found
    const byDir = new Map<string, string[]>()
    for (const f of found) byDir.set(dirOf(f), [...(byDir.get(dirOf(f)) ?? []), f])
    const heads = await mapLimit([...byDir.values()], 4, (fs) => readPackageHeads(read, fs))
    for (const h of heads) Object.assign(files, h)
  }
  return { files, listings }
}

// ---- discovery (pure) ----------------------------------------------------------------------------

/** --pkg as a list: comma-separated package paths. */
export function packageList(pkg: string): string[] {
  return pkg
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")
}

export interface PackageFacts {
  /** `.` or `./cmd/name`. */
  path: string
  /** Package name of the files that count for this target (undefined: none counts). */
  name?: string
  /** Files read in the directory. */
  files: number
  /** Every file that counts needs cgo (`import "C"` or a cgo constraint): none counts without it. */
  cgoOnly: boolean
  /** Package name of the files that would count with cgo (for the hint). */
  nameWithCgo?: string
  /** The distinct build constraints of its files, as written (for messages). */
  constraints: string[]
}

/** What the scanned heads of one directory say, for one target. */
export function packageFacts(facts: SourceFacts, dir: string, ctx: BuildContext): PackageFacts {
  const path = dir === "." ? "." : `./${dir}`
  const heads = Object.entries(facts.files).filter(([f, t]) => t !== undefined && isBuildFile(f) && dirOf(f) === dir)
  const nameOf = (c: BuildContext) => {
    for (const [f, t] of heads) {
      const h = parseGoHead(t!)
      if (h.package && fileIncluded(f, h, c)) return h.package
    }
    return undefined
  }
  const name = nameOf(ctx)
  const withCgo = ctx.cgo ? name : nameOf({ ...ctx, cgo: true })
  const constraints = [
    ...new Set(
      heads.map(([, t]) => parseGoHead(t!)).map((h) => (h.goBuild !== undefined ? `//go:build ${h.goBuild}` : h.plusBuild.length ? `// +build ${h.plusBuild.join(" / ")}` : "")).filter((c) => c !== ""),
    ),
  ]
  return { path, name, files: heads.length, cgoOnly: name === undefined && withCgo !== undefined, nameWithCgo: withCgo, constraints }
}

export interface Discovery {
  /** Whether the scan ran (facts.listings has the root listing). */
  scanned: boolean
  /** Main packages to build, in order (`.` or ./cmd/<name>…). */
  mains: string[]
  /** Scanned directories and what they are, for messages. */
  seen: PackageFacts[]
  /** Main packages that need cgo to have any file (CGO_ENABLED=0 excludes them all). */
  cgoOnly: string[]
}

/** Main packages for one target: `.` if it is one, else the cmd/<name> ones. */
export function discoverMains(facts: SourceFacts, ctx: BuildContext): Discovery {
  const rootList = facts.listings?.[ROOT_LISTING]
  if (rootList === undefined) return { scanned: false, mains: ["."], seen: [], cgoOnly: [] }
  const root = packageFacts(facts, ".", ctx)
  const seen = [root]
  if (root.name === "main") return { scanned: true, mains: ["."], seen, cgoOnly: [] }
  if (root.cgoOnly && root.nameWithCgo === "main") return { scanned: true, mains: ["."], seen, cgoOnly: ["."] }
  const dirs = [...new Set((facts.listings?.[CMD_LISTING] ?? []).map(dirOf))].sort()
  const mains: string[] = []
  const cgoOnly: string[] = []
  for (const d of dirs) {
    const p = packageFacts(facts, d, ctx)
    seen.push(p)
    if (p.name === "main") mains.push(p.path)
    else if (p.cgoOnly && p.nameWithCgo === "main") {
      mains.push(p.path)
      cgoOnly.push(p.path)
    }
  }
  return { scanned: true, mains, seen, cgoOnly }
}

/** One line per scanned directory, for error messages: "." is package caddy; ./cmd/x has no Go file for linux/arm64. */
export function describeSeen(seen: readonly PackageFacts[], goarch: string): string {
  return seen
    .map((p) =>
      p.files === 0
        ? `${p.path} has no Go files`
        : p.name
          ? `${p.path} is package ${p.name}`
          : p.nameWithCgo
            ? `${p.path} (package ${p.nameWithCgo}) has files only with cgo`
            : `${p.path}: build constraints exclude all its files for linux/${goarch}` +
              (p.constraints.length ? ` (${p.constraints.slice(0, 4).join(", ")}): pass --tags <tag> if a tag selects them` : ""),
    )
    .join("; ")
}
