/**
 * Which Node.js the builder and the runtime run: `--node-version`, else `.node-version`, else
 * `.nvmrc`, else the newest known line whose current release satisfies `engines.node`, else the
 * default line. Builder and runtime always get the same version: addons built against V8's own API
 * (better-sqlite3, …) only load in a node with the same NODE_MODULE_VERSION.
 */
import { MultiarchInputError } from "../../core/errors/index.js"
import type { SourceFacts } from "../../core/plan.js"

export interface NodeLine {
  major: number
  /** The line's newest release in the official images (`node:<major>-…`). */
  latest: string
  /** LTS codename (`lts/<codename>` in .nvmrc); undefined before the line is named. */
  codename?: string
  /** End of life. */
  end: string
}

/**
 * The Node.js lines multiarch knows, newest first: versions and dates from nodejs/docker-node's
 * versions.json (commit f27d936, 2026-08-19; 20 from the last versions.json that listed it). Which
 * platforms have images of each line is a column of the target table (`nodeImages`).
 */
export const NODE_LINES: readonly NodeLine[] = [
  { major: 26, latest: "26.7.0", end: "2029-04-30" },
  { major: 24, latest: "24.19.0", codename: "krypton", end: "2028-04-30" },
  { major: 22, latest: "22.23.2", codename: "jod", end: "2027-04-30" },
  { major: 20, latest: "20.20.2", codename: "iron", end: "2026-04-30" },
]

/** The line used when nothing in the source or the options names one: the newest LTS line with a codename. */
export const DEFAULT_NODE_MAJOR = 24

export interface NodeVersion {
  /** The tag part of the image (`node:<tag>-bookworm`): "20", "20.11", "20.11.1". */
  tag: string
  major: number
  /** Where it came from: "--node-version", ".nvmrc", "engines.node >=20.9.0", "default". */
  source: string
}

/** A version as .nvmrc/.node-version/--node-version spell it → image tag; undefined when not one. */
function tagOf(raw: string): { tag: string; major: number } | string | undefined {
  const s = raw.trim().toLowerCase()
  const m = /^v?(\d{1,3})(?:\.(\d{1,3})(?:\.(\d{1,3}))?)?$/.exec(s)
  if (m) return { tag: [m[1], m[2], m[3]].filter((x) => x !== undefined).join("."), major: Number(m[1]) }
  if (s === "lts/*" || s === "lts") return { tag: String(DEFAULT_NODE_MAJOR), major: DEFAULT_NODE_MAJOR }
  if (s === "node" || s === "latest" || s === "current" || s === "stable") return { tag: String(NODE_LINES[0].major), major: NODE_LINES[0].major }
  const lts = /^lts\/([a-z0-9-]+)$/.exec(s)
  if (lts) {
    const line = NODE_LINES.find((l) => l.codename === lts[1])
    return line ? { tag: String(line.major), major: line.major } : `lts/${lts[1]}`
  }
  return undefined
}

const SPELLINGS = `20, 20.11, v20.11.1, lts/iron, lts/* (known lines: ${NODE_LINES.map((l) => l.major + (l.codename ? ` ${l.codename}` : "")).join(", ")})`

/** Check a --node-version value (before any engine work). */
export function checkNodeVersion(v: string): void {
  const t = tagOf(v)
  if (typeof t === "object") return
  throw new MultiarchInputError(
    "node-version",
    v,
    typeof t === "string" ? `${t} is not an LTS codename multiarch knows` : "not a Node.js version",
    `pass e.g. ${SPELLINGS}`,
  )
}

/** The first line of a version file that is not blank or a comment (nvm allows `# …`). */
function versionLine(text: string): string | undefined {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, "").trim())
    .find((l) => l !== "")
}

/** Resolve the Node.js version for a build (pure). */
export function resolveNodeVersion(option: string | undefined, facts: SourceFacts, pkg: { engines?: { node?: unknown } }): NodeVersion {
  if (option !== undefined) {
    checkNodeVersion(option)
    const t = tagOf(option) as { tag: string; major: number }
    return { ...t, source: "--node-version" }
  }
  for (const file of [".node-version", ".nvmrc"]) {
    const text = facts.files[file]
    if (text === undefined) continue
    const line = versionLine(text)
    if (line === undefined) continue
    const t = tagOf(line)
    if (typeof t !== "object")
      throw new MultiarchInputError("source", `${file}: ${line}`, `${file} names ${typeof t === "string" ? "an LTS codename multiarch does not know" : "no Node.js version multiarch can map to an image"}`, `write a version such as ${SPELLINGS} in ${file}, or pass --node-version`)
    return { ...t, source: file }
  }
  const range = pkg.engines?.node
  if (typeof range === "string" && range.trim() !== "") {
    const line = NODE_LINES.find((l) => satisfies(l.latest, range))
    if (!line)
      throw new MultiarchInputError(
        "source",
        `package.json engines.node: ${range}`,
        `no Node.js line multiarch knows has a current release in this range (${NODE_LINES.map((l) => l.latest).join(", ")})`,
        "pass --node-version with the version to build with, or add .nvmrc",
      )
    return { tag: String(line.major), major: line.major, source: `engines.node ${range.trim()}` }
  }
  return { tag: String(DEFAULT_NODE_MAJOR), major: DEFAULT_NODE_MAJOR, source: "default" }
}

// ---- npm's range grammar, as far as engines fields use it ---------------------------------------

type V = [number, number, number]
const cmp = (a: V, b: V) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]

/** "20", "20.9", "20.9.1", "20.x", "*" → the given parts (undefined = wildcard). */
function partial(s: string): (number | undefined)[] | undefined {
  const m = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.exec(s)
  if (!m) return undefined
  const parts = [m[1], m[2], m[3]].map((x) => (x === undefined || /^[xX*]$/.test(x) ? undefined : Number(x)))
  // a wildcard makes everything after it a wildcard
  const w = parts.findIndex((x) => x === undefined)
  return w < 0 ? parts : parts.map((x, i) => (i >= w ? undefined : x))
}

/** Lower bound (inclusive) and upper bound (exclusive) of a partial version: 20.9 → [20.9.0, 20.10.0). */
function bounds(p: (number | undefined)[]): { lo: V; hi?: V } {
  const [a, b, c] = p
  if (a === undefined) return { lo: [0, 0, 0] }
  if (b === undefined) return { lo: [a, 0, 0], hi: [a + 1, 0, 0] }
  if (c === undefined) return { lo: [a, b, 0], hi: [a, b + 1, 0] }
  return { lo: [a, b, c], hi: [a, b, c + 1] }
}

type Test = (v: V) => boolean

function comparator(op: string, rest: string): Test | undefined {
  const p = partial(rest)
  if (!p) return undefined
  const { lo, hi } = bounds(p)
  switch (op) {
    case "":
    case "=":
      return (v) => cmp(v, lo) >= 0 && (!hi || cmp(v, hi) < 0)
    case ">=":
      return (v) => cmp(v, lo) >= 0
    case ">":
      return (v) => (hi ? cmp(v, hi) >= 0 : false)
    case "<":
      return (v) => cmp(v, lo) < 0
    case "<=":
      return (v) => (hi ? cmp(v, hi) < 0 : true)
    case "~": {
      const [a, b] = p
      const top: V | undefined = a === undefined ? undefined : b === undefined ? [a + 1, 0, 0] : [a, b + 1, 0]
      return (v) => cmp(v, lo) >= 0 && (!top || cmp(v, top) < 0)
    }
    case "^": {
      const [a, b, c] = p
      const top: V | undefined =
        a === undefined ? undefined : a > 0 || b === undefined ? [a + 1, 0, 0] : b > 0 || c === undefined ? [0, b + 1, 0] : [0, 0, c + 1]
      return (v) => cmp(v, lo) >= 0 && (!top || cmp(v, top) < 0)
    }
  }
  return undefined
}

/**
 * Whether `version` (x.y.z) satisfies an npm range: `||` alternatives of space-separated
 * comparators (`>=`, `>`, `<=`, `<`, `=`, `^`, `~`, x-ranges, `a - b`). A range outside this grammar
 * throws MultiarchInputError (engines.node).
 */
export function satisfies(version: string, range: string): boolean {
  const v = version.split(".").map(Number) as V
  return range.split("||").some((alt) => {
    const a = alt.trim()
    if (a === "" || a === "*" || /^[xX]$/.test(a)) return true
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(a)
    const tests: Test[] = []
    if (hyphen) {
      const lo = comparator(">=", hyphen[1])
      const hi = comparator("<=", hyphen[2])
      if (!lo || !hi) throw badRange(range)
      tests.push(lo, hi)
    } else {
      for (const tok of a.replace(/(>=|<=|[<>=^~])\s+/g, "$1").split(/\s+/)) {
        const m = /^(>=|<=|[<>=^~]?)(.*)$/.exec(tok)!
        const t = comparator(m[1], m[2])
        if (!t) throw badRange(range)
        tests.push(t)
      }
    }
    return tests.every((t) => t(v))
  })
}

function badRange(range: string): MultiarchInputError {
  return new MultiarchInputError("source", `package.json engines.node: ${range}`, "not an npm version range multiarch can read", "pass --node-version, or add .nvmrc with the version to build with")
}
