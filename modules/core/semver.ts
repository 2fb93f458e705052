/** SemVer 2.0.0 (pure): parse a version (optional `v` prefix) and order versions by precedence. */

export interface SemVer {
  major: number
  minor: number
  patch: number
  prerelease: (string | number)[]
  build: string[]
  /** `major.minor.patch[-prerelease]` (no `v`, no build metadata). */
  version: string
}

const SEMVER_RE =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/

/** Parse a SemVer 2.0.0 version with an optional lower-case `v` prefix; undefined when not semver. */
export function parseSemver(s: string): SemVer | undefined {
  const m = SEMVER_RE.exec(s.trim())
  if (!m) return undefined
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (![major, minor, patch].every(Number.isSafeInteger)) return undefined
  const prerelease = m[4] ? m[4].split(".").map((x) => (/^\d+$/.test(x) ? Number(x) : x)) : []
  const build = m[5] ? m[5].split(".") : []
  return { major, minor, patch, prerelease, build, version: `${major}.${minor}.${patch}${m[4] ? `-${m[4]}` : ""}` }
}

/** SemVer precedence: negative when a < b, 0 when equal (build metadata ignored), positive when a > b. */
export function compareSemver(a: SemVer, b: SemVer): number {
  for (const k of ["major", "minor", "patch"] as const) if (a[k] !== b[k]) return a[k] - b[k]
  if (!a.prerelease.length || !b.prerelease.length) return (a.prerelease.length ? -1 : 0) + (b.prerelease.length ? 1 : 0)
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i]
    const y = b.prerelease[i]
    if (x === undefined) return -1
    if (y === undefined) return 1
    if (x === y) continue
    if (typeof x === "number" && typeof y === "number") return x - y
    if (typeof x === "number") return -1
    if (typeof y === "number") return 1
    return x < y ? -1 : 1
  }
  return 0
}
