/**
 * Which golang builder image a Go module gets: a tag that was really published.
 *
 * The `go` line of go.mod is a minimum (any newer Go builds the module), the `toolchain` line a
 * preference; `.go-version` (kind, several Kubernetes projects, goenv) pins a release. Images are
 * `golang:<version>-bookworm`, which exist only from Go 1.19 on: docker-library/golang added
 * bookworm variants in PR #456 (commit cd60713 "Add debian:bookworm distro for 1.20 and 1.19,
 * drop buster", merged 2023-06-13), when 1.19.10 and 1.20.5 were the current releases; every
 * later minor (1.21rc on) had them from its first release. So `golang:1.17-bookworm` and
 * `golang:1.20.3-bookworm` were never published, `golang:1.19-bookworm` and `golang:1.20.5-bookworm`
 * were.
 */
import { MultiarchInputError } from "../../core/errors/index.js"

/** The oldest Go minor with golang:*-bookworm images. */
export const OLDEST_BOOKWORM_GO = "1.19"
/** For minors released before bookworm variants existed: the first patch that has one. */
export const FIRST_BOOKWORM_PATCH: Readonly<Record<string, number>> = { "1.19": 10, "1.20": 5 }
/** The builder's Go when go.mod has no go line (a go.mod older than Go 1.12). */
export const DEFAULT_GO_VERSION = "1.23"

export interface GoVersionFacts {
  /** `go 1.22` / `go 1.22.4` / `go 1.22rc1`: the minimum. */
  go?: string
  /** `toolchain go1.23.2`: the preferred toolchain (`default` ignored). */
  toolchain?: string
  /** Contents of .go-version, trimmed (an optional `go` prefix dropped). */
  goVersionFile?: string
}

export interface GoImage {
  image: string
  /** The Go release the image holds, as far as known (X.Y or X.Y.Z); undefined for --go-image. */
  version?: string
  /** Where it came from, for the plan's notes. */
  source: string
}

const RELEASE = /^(\d+)\.(\d+)(?:\.(\d+))?$/
const ANY = /^(\d+)\.(\d+)(?:\.(\d+)|(?:rc|beta)\d+)?$/

function minorOf(v: string): string {
  const m = ANY.exec(v)!
  return `${m[1]}.${m[2]}`
}

function minorNumber(v: string): number {
  const m = ANY.exec(v)!
  return Number(m[1]) * 1000 + Number(m[2])
}

const FLOOR = minorNumber(OLDEST_BOOKWORM_GO)

/** Whether golang:<v>-bookworm was published (v: X.Y or X.Y.Z). */
export function hasBookwormImage(v: string): boolean {
  const m = RELEASE.exec(v)
  if (!m) return false
  if (minorNumber(v) < FLOOR) return false
  const first = FIRST_BOOKWORM_PATCH[minorOf(v)]
  return m[3] === undefined || first === undefined || Number(m[3]) >= first
}

/** a < b for Go versions (X.Y[.Z]; a pre-release counts as X.Y.-1). */
function less(a: string, b: string): boolean {
  const k = (v: string) => {
    const m = ANY.exec(v)!
    return [Number(m[1]), Number(m[2]), m[3] !== undefined ? Number(m[3]) : /rc|beta/.test(v) ? -1 : 0]
  }
  const x = k(a)
  const y = k(b)
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i]
  return false
}

const image = (v: string) => `golang:${v}-bookworm`

/** A version from a file/line the user did not type for us: the exact image if published, else the newest patch of its minor, never below 1.19. */
function published(v: string, where: string): GoImage {
  if (hasBookwormImage(v)) return { image: image(v), version: v, source: where }
  if (minorNumber(v) < FLOOR)
    return {
      image: image(OLDEST_BOOKWORM_GO),
      version: OLDEST_BOOKWORM_GO,
      source: `${where} says ${v}, older than any golang:*-bookworm image (they start at Go ${OLDEST_BOOKWORM_GO}); Go ${OLDEST_BOOKWORM_GO} builds it (newer Go builds older modules)`,
    }
  const minor = minorOf(v)
  const why = RELEASE.test(v) ? `golang:${v}-bookworm was never published (bookworm images of ${minor} start at ${minor}.${FIRST_BOOKWORM_PATCH[minor]})` : `${v} is a pre-release`
  return { image: image(minor), version: minor, source: `${where} says ${v}; ${why}: the newest ${minor} patch instead` }
}

/**
 * The builder image: --go-image, else --go-version (checked: it must have been published), else
 * the toolchain line (when not older than the go line), else .go-version, else the newest patch
 * of the go line's minor, else DEFAULT_GO_VERSION — never below Go 1.19.
 */
export function resolveGoImage(o: { goVersion?: string; goImage?: string }, f: GoVersionFacts): GoImage {
  if (o.goImage !== undefined) return { image: o.goImage, source: `--go-image ${o.goImage}` + (f.go ? ` (go.mod: go ${f.go}; the image must hold that Go or newer)` : "") }
  if (o.goVersion !== undefined) {
    const v = o.goVersion
    if (!hasBookwormImage(v)) {
      const minor = minorOf(v)
      const tooOld = minorNumber(v) < FLOOR
      throw new MultiarchInputError(
        "go-version",
        v,
        tooOld
          ? `golang:${v}-bookworm was never published: bookworm images start at Go ${OLDEST_BOOKWORM_GO} (docker-library/golang#456)`
          : `golang:${v}-bookworm was never published: bookworm images of ${minor} start at ${minor}.${FIRST_BOOKWORM_PATCH[minor]}`,
        tooOld ? `pass --go-version ${OLDEST_BOOKWORM_GO} or newer (go.mod's go line is a minimum: a newer Go builds the module)` : `pass --go-version ${minor} (its newest patch) or ${minor}.${FIRST_BOOKWORM_PATCH[minor]} or later`,
      )
    }
    return { image: image(v), version: v, source: "--go-version" }
  }
  if (f.toolchain && ANY.test(f.toolchain) && !(f.go && ANY.test(f.go) && less(f.toolchain, f.go))) return published(f.toolchain, `go.mod's toolchain line (go${f.toolchain})`)
  if (f.goVersionFile !== undefined) {
    if (ANY.test(f.goVersionFile)) return published(f.goVersionFile, `.go-version (${f.goVersionFile})`)
  }
  if (f.go && ANY.test(f.go)) {
    const minor = minorOf(f.go)
    const r = published(minor, `go.mod's go line (go ${f.go})`)
    if (r.version === minor) r.source = `go.mod's go line (go ${f.go}: a minimum): golang:${minor}-bookworm, the newest ${minor} patch`
    return r
  }
  return { image: image(DEFAULT_GO_VERSION), version: DEFAULT_GO_VERSION, source: `default (go.mod has no go line${f.goVersionFile !== undefined ? `; .go-version "${f.goVersionFile}" is not a Go release` : ""})` }
}

/** The Go minor as a number for build constraints (go1.N tags): 1.25 → 25; unknown → every go1.N tag is true. */
export function goMinorOf(v: string | undefined): number {
  if (!v || !ANY.test(v)) return Number.MAX_SAFE_INTEGER
  return Number(ANY.exec(v)![2])
}
