/**
 * Tag and label grammar (pure): read the CI context (GitHub Actions, GitLab CI or explicit values)
 * and compute image tags the way docker/metadata-action users expect, plus the standard OCI labels.
 *
 * What `computeTags` produces (metadata-action's common configuration
 * `type=ref,event=branch` + `type=ref,event=pr` + `type=semver` {{version}}, {{major}}.{{minor}},
 * {{major}} + `type=sha`, with `latest` by flavor `latest=auto`):
 * - git tag that is semver (`v` prefix allowed and dropped, build metadata dropped):
 *   `1.2.3`, `1.2`, `1`, `latest`. Pre-releases (`1.2.3-rc.1`) get only their full version.
 *   Differences from metadata-action, on purpose:
 *   - with `existingVersions`, `latest`, `1.2` and `1` are given only when this version is the
 *     highest stable one overall / in its minor line / in its major line, so a 1.1.5 hotfix after
 *     1.2.0 gets `1.1.5` and `1.1` but neither `1` nor `latest`;
 *   - `0` (the major tag of a 0.x version) is not given unless `majorZero: true` (0.x makes no
 *     compatibility promise; metadata-action's README suggests disabling it the same way).
 * - git tag that is not semver: the tag name, sanitised; no `latest`.
 * - branch: the branch name sanitised (`feature/Foo bar` → `feature-Foo-bar`; case kept, as
 *   metadata-action and the tag grammar allow). `edge` replaces the branch tag on the default
 *   branch only when `edge` is asked for (metadata-action's `type=edge` is opt-in too).
 * - pull/merge request: `pr-<number>` on both CIs (prefix configurable), so a pipeline keeps its
 *   tag scheme when it moves between GitHub and GitLab.
 * - scheduled run: `nightly` too (metadata-action's default `type=schedule`).
 * - always `sha-<7 hex>` when the commit is known.
 * Sanitising goes further than metadata-action (which only replaces invalid characters): leading
 * "." and "-" are dropped and the tag is cut to 128 characters, so every result is a valid tag.
 */
import { MultiarchInputError } from "./errors.js"
import { isValidTag } from "./reference.js"

export type CiProvider = "github" | "gitlab" | "explicit" | "unknown"
export type RefKind = "tag" | "branch" | "pr" | "unknown"

export interface CiContext {
  provider: CiProvider
  /** What triggered the build. */
  kind: RefKind
  /** Git tag name (kind "tag"), e.g. "v1.2.3". */
  tag?: string
  /** Branch name (kind "branch"), e.g. "main" or "feature/x". */
  branch?: string
  /** Pull/merge request number (kind "pr"). */
  pr?: number
  /** Source branch of the pull/merge request. */
  headRef?: string
  /** Target branch of the pull/merge request. */
  baseRef?: string
  /** Full commit SHA. */
  sha?: string
  /** The repository's default branch, when known (GitLab: CI_DEFAULT_BRANCH; GitHub: pass it). */
  defaultBranch?: string
  /** Web URL of the repository, e.g. "https://github.com/owner/repo". */
  repositoryUrl?: string
  /** "owner/repo" (GitHub) or the project path (GitLab), as the CI spells it (case kept). */
  repository?: string
  /** Image name the CI suggests: CI_REGISTRY_IMAGE on GitLab, ghcr.io/<owner/repo lower-cased> on GitHub. */
  registryImage?: string
  /** True for scheduled pipelines. */
  scheduled?: boolean
  /** Build date from SOURCE_DATE_EPOCH, if set (ISO 8601). */
  sourceDate?: string
}

/** Explicit values; each one wins over what the environment says. */
export interface ExplicitContext {
  tag?: string
  branch?: string
  pr?: number | string
  sha?: string
  defaultBranch?: string
  repositoryUrl?: string
  repository?: string
  scheduled?: boolean
}

type Env = Record<string, string | undefined>

const nonEmpty = (v: string | undefined): string | undefined => (v !== undefined && v.trim() !== "" ? v.trim() : undefined)

/**
 * Read the CI context from environment variables (GitHub Actions or GitLab CI), with explicit
 * values taking precedence. Pure: pass `process.env` (or a test object).
 *
 * GitHub: GITHUB_REF (refs/heads/…, refs/tags/…, refs/pull/<n>/merge), GITHUB_REF_NAME +
 * GITHUB_REF_TYPE as fallback, GITHUB_SHA, GITHUB_EVENT_NAME, GITHUB_HEAD_REF, GITHUB_BASE_REF,
 * GITHUB_SERVER_URL, GITHUB_REPOSITORY. GitHub does not put the default branch in the environment:
 * pass `defaultBranch` (e.g. `${{ github.event.repository.default_branch }}`) when you use `edge`.
 * GitLab: CI_COMMIT_TAG, CI_MERGE_REQUEST_IID (+ _SOURCE/_TARGET_BRANCH_NAME), CI_COMMIT_BRANCH,
 * CI_COMMIT_REF_NAME as fallback, CI_COMMIT_SHA, CI_DEFAULT_BRANCH, CI_PROJECT_URL,
 * CI_PROJECT_PATH, CI_REGISTRY_IMAGE, CI_PIPELINE_SOURCE. Precedence: tag, then pull/merge
 * request, then branch.
 *
 * @example ciContext({ GITHUB_ACTIONS: "true", GITHUB_REF: "refs/tags/v1.2.3", GITHUB_SHA: "0123456789abcdef…" })
 *   // { provider: "github", kind: "tag", tag: "v1.2.3", sha: "0123456789abcdef…", … }
 */
export function ciContext(env: Env = {}, explicit: ExplicitContext = {}): CiContext {
  let ctx: CiContext
  const isGitHub = env.GITHUB_ACTIONS === "true" || (!!nonEmpty(env.GITHUB_REF) || !!nonEmpty(env.GITHUB_SHA))
  const isGitLab = env.GITLAB_CI === "true" || !!nonEmpty(env.CI_COMMIT_SHA) || !!nonEmpty(env.CI_COMMIT_REF_NAME)
  if (isGitHub) ctx = fromGitHub(env)
  else if (isGitLab) ctx = fromGitLab(env)
  else ctx = { provider: "unknown", kind: "unknown" }

  const sde = nonEmpty(env.SOURCE_DATE_EPOCH)
  if (sde && /^\d+$/.test(sde)) ctx.sourceDate = new Date(Number(sde) * 1000).toISOString()

  const hasExplicitRef = explicit.tag !== undefined || explicit.branch !== undefined || explicit.pr !== undefined
  if (hasExplicitRef) {
    if (ctx.provider === "unknown") ctx.provider = "explicit"
    delete ctx.tag
    delete ctx.branch
    delete ctx.pr
    if (nonEmpty(explicit.tag)) {
      ctx.kind = "tag"
      ctx.tag = nonEmpty(explicit.tag)
    } else if (explicit.pr !== undefined && nonEmpty(String(explicit.pr))) {
      ctx.kind = "pr"
      ctx.pr = parsePrNumber(String(explicit.pr))
      if (nonEmpty(explicit.branch)) ctx.headRef = nonEmpty(explicit.branch)
    } else if (nonEmpty(explicit.branch)) {
      ctx.kind = "branch"
      ctx.branch = nonEmpty(explicit.branch)!.replace(/^refs\/heads\//, "")
    } else ctx.kind = "unknown"
  }
  if (nonEmpty(explicit.sha)) ctx.sha = nonEmpty(explicit.sha)
  if (nonEmpty(explicit.defaultBranch)) ctx.defaultBranch = nonEmpty(explicit.defaultBranch)
  if (nonEmpty(explicit.repositoryUrl)) ctx.repositoryUrl = nonEmpty(explicit.repositoryUrl)!.replace(/\/+$/, "")
  if (nonEmpty(explicit.repository)) ctx.repository = nonEmpty(explicit.repository)
  if (explicit.scheduled !== undefined) ctx.scheduled = explicit.scheduled
  if (ctx.provider === "unknown" && (explicit.sha || explicit.repositoryUrl)) ctx.provider = "explicit"
  return ctx
}

function parsePrNumber(s: string): number {
  const n = Number(s.replace(/^#|^!/, ""))
  if (!Number.isInteger(n) || n <= 0) throw new MultiarchInputError("pr", s, "a pull/merge request number is a positive integer", "pass e.g. 42")
  return n
}

function fromGitHub(env: Env): CiContext {
  const ctx: CiContext = { provider: "github", kind: "unknown" }
  const ref = nonEmpty(env.GITHUB_REF)
  let m: RegExpExecArray | null
  if (ref?.startsWith("refs/tags/")) {
    ctx.kind = "tag"
    ctx.tag = ref.slice("refs/tags/".length)
  } else if (ref && (m = /^refs\/pull\/(\d+)\/(?:merge|head)$/.exec(ref))) {
    ctx.kind = "pr"
    ctx.pr = Number(m[1])
  } else if (ref?.startsWith("refs/heads/")) {
    ctx.kind = "branch"
    ctx.branch = ref.slice("refs/heads/".length)
  } else if (!ref && nonEmpty(env.GITHUB_REF_NAME)) {
    const name = nonEmpty(env.GITHUB_REF_NAME)!
    if (env.GITHUB_REF_TYPE === "tag") {
      ctx.kind = "tag"
      ctx.tag = name
    } else if ((m = /^(\d+)\/merge$/.exec(name))) {
      ctx.kind = "pr"
      ctx.pr = Number(m[1])
    } else if (env.GITHUB_REF_TYPE === "branch") {
      ctx.kind = "branch"
      ctx.branch = name
    }
  }
  if (ctx.kind === "pr") {
    if (nonEmpty(env.GITHUB_HEAD_REF)) ctx.headRef = nonEmpty(env.GITHUB_HEAD_REF)
    if (nonEmpty(env.GITHUB_BASE_REF)) ctx.baseRef = nonEmpty(env.GITHUB_BASE_REF)
  }
  if (nonEmpty(env.GITHUB_SHA)) ctx.sha = nonEmpty(env.GITHUB_SHA)
  if (env.GITHUB_EVENT_NAME === "schedule") ctx.scheduled = true
  const repo = nonEmpty(env.GITHUB_REPOSITORY)
  if (repo) {
    ctx.repository = repo
    ctx.repositoryUrl = `${(nonEmpty(env.GITHUB_SERVER_URL) ?? "https://github.com").replace(/\/+$/, "")}/${repo}`
    ctx.registryImage = `ghcr.io/${repo.toLowerCase()}`
  }
  return ctx
}

function fromGitLab(env: Env): CiContext {
  const ctx: CiContext = { provider: "gitlab", kind: "unknown" }
  const tag = nonEmpty(env.CI_COMMIT_TAG)
  const mr = nonEmpty(env.CI_MERGE_REQUEST_IID)
  const branch = nonEmpty(env.CI_COMMIT_BRANCH)
  if (tag) {
    ctx.kind = "tag"
    ctx.tag = tag
  } else if (mr && /^\d+$/.test(mr)) {
    ctx.kind = "pr"
    ctx.pr = Number(mr)
    if (nonEmpty(env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME)) ctx.headRef = nonEmpty(env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME)
    if (nonEmpty(env.CI_MERGE_REQUEST_TARGET_BRANCH_NAME)) ctx.baseRef = nonEmpty(env.CI_MERGE_REQUEST_TARGET_BRANCH_NAME)
  } else if (branch) {
    ctx.kind = "branch"
    ctx.branch = branch
  } else if (nonEmpty(env.CI_COMMIT_REF_NAME)) {
    // neither tag nor MR: the ref name is a branch (CI_COMMIT_TAG would be set for a tag)
    ctx.kind = "branch"
    ctx.branch = nonEmpty(env.CI_COMMIT_REF_NAME)
  }
  if (nonEmpty(env.CI_COMMIT_SHA)) ctx.sha = nonEmpty(env.CI_COMMIT_SHA)
  if (nonEmpty(env.CI_DEFAULT_BRANCH)) ctx.defaultBranch = nonEmpty(env.CI_DEFAULT_BRANCH)
  if (nonEmpty(env.CI_PROJECT_URL)) ctx.repositoryUrl = nonEmpty(env.CI_PROJECT_URL)!.replace(/\/+$/, "")
  if (nonEmpty(env.CI_PROJECT_PATH)) ctx.repository = nonEmpty(env.CI_PROJECT_PATH)
  if (nonEmpty(env.CI_REGISTRY_IMAGE)) ctx.registryImage = nonEmpty(env.CI_REGISTRY_IMAGE)
  if (env.CI_PIPELINE_SOURCE === "schedule") ctx.scheduled = true
  return ctx
}

// ---------------------------------------------------------------------------------------------
// semver

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

// ---------------------------------------------------------------------------------------------
// tags

/** True when `tag` is a valid image tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}` (same function as the registry's). */
export { isValidTag }

/**
 * Turn any ref name into a valid tag: runs of characters outside `[A-Za-z0-9_.-]` become "-"
 * (as metadata-action does; case is kept), leading "." and "-" are dropped, and the result is cut
 * to 128 characters (trailing "." and "-" left by the cut are dropped). Returns "" when nothing is left.
 *
 * @example sanitizeTag("feature/Foo bar") // "feature-Foo-bar"
 */
export function sanitizeTag(name: string): string {
  let t = name.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[.-]+/, "")
  if (t.length > 128) t = t.slice(0, 128).replace(/[.-]+$/, "")
  return t
}

export interface TagOptions {
  /**
   * Versions (or tags) already published, e.g. the repository's git tags or the registry's tags.
   * Non-semver entries are ignored. Decides whether `latest`, `<major>` and `<major>.<minor>` move.
   */
  existingVersions?: readonly string[]
  /** "auto" (default): `latest` for the highest stable semver release; true: always; false: never. */
  latest?: "auto" | boolean
  /** Tag the default branch (true) or the named branch (string) `edge` instead of its name. Default false. */
  edge?: boolean | string
  /** Add `sha-<short>` (default true). */
  sha?: boolean
  /** Length of the short SHA (default 7). */
  shaLength?: number
  /** Prefix of pull/merge request tags (default "pr-"). */
  prPrefix?: string
  /** Also give `0` for 0.x.y releases (default false). */
  majorZero?: boolean
  /** Add `nightly` for scheduled runs (default true). */
  nightly?: boolean
}

/**
 * Compute the image tags for a CI context. The first tag is the most specific one (it is also the
 * `org.opencontainers.image.version` label); duplicates are removed; `latest` comes last.
 *
 * @example computeTags(ciContext({ GITHUB_REF: "refs/tags/v1.2.3", GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567" }))
 *   // ["1.2.3", "1.2", "1", "sha-0123456", "latest"]
 */
export function computeTags(ctx: CiContext, opts: TagOptions = {}): string[] {
  const tags: string[] = []
  const add = (t: string | undefined) => {
    if (!t) return
    const s = sanitizeTag(t)
    if (s && !tags.includes(s)) tags.push(s)
  }
  let latest = false

  if (ctx.scheduled && opts.nightly !== false) add("nightly")
  if (ctx.kind === "tag" && ctx.tag) {
    const v = parseSemver(ctx.tag)
    if (v) {
      add(v.version)
      if (v.prerelease.length === 0) {
        const known = (opts.existingVersions ?? []).map(parseSemver).filter((x): x is SemVer => !!x && x.prerelease.length === 0)
        const higher = (pred: (x: SemVer) => boolean) => known.some((x) => pred(x) && compareSemver(x, v) > 0)
        if (!higher((x) => x.major === v.major && x.minor === v.minor)) add(`${v.major}.${v.minor}`)
        if ((v.major > 0 || opts.majorZero) && !higher((x) => x.major === v.major)) add(String(v.major))
        latest = !higher(() => true)
      }
    } else add(ctx.tag)
  } else if (ctx.kind === "branch" && ctx.branch) {
    const edgeBranch = opts.edge === true ? ctx.defaultBranch : typeof opts.edge === "string" ? opts.edge : undefined
    add(edgeBranch !== undefined && edgeBranch === ctx.branch ? "edge" : ctx.branch)
  } else if (ctx.kind === "pr" && ctx.pr !== undefined) {
    add(`${opts.prPrefix ?? "pr-"}${ctx.pr}`)
  }
  if (opts.sha !== false && ctx.sha) {
    const len = opts.shaLength ?? 7
    add(`sha-${ctx.sha.slice(0, len).toLowerCase()}`)
  }
  const wantLatest = opts.latest === undefined || opts.latest === "auto" ? latest : opts.latest
  if (wantLatest) add("latest")
  return tags
}

// ---------------------------------------------------------------------------------------------
// labels

export interface LabelOptions extends TagOptions {
  /** Build date; default: SOURCE_DATE_EPOCH from the context, else `now`. */
  created?: string | Date
  /** Clock for `created` (default: the current time). */
  now?: Date
  /** Version label; default: the first computed tag. */
  version?: string
  /** Title; default: the repository name. */
  title?: string
  description?: string
  licenses?: string
}

/**
 * The standard OCI labels (and index annotations) for a CI context, as metadata-action writes them:
 * org.opencontainers.image.{created, revision, source, url, version, title} plus description and
 * licenses when given. Empty values are left out.
 *
 * @example ociLabels(ctx, { now: new Date("2025-01-01T00:00:00Z") })
 *   // { "org.opencontainers.image.created": "2025-01-01T00:00:00.000Z", "org.opencontainers.image.revision": "…", … }
 */
export function ociLabels(ctx: CiContext, opts: LabelOptions = {}): Record<string, string> {
  const created =
    opts.created instanceof Date ? opts.created.toISOString() : opts.created ?? ctx.sourceDate ?? (opts.now ?? new Date()).toISOString()
  const version = opts.version ?? computeTags(ctx, opts)[0]
  const title = opts.title ?? ctx.repository?.split("/").pop()
  const labels: Record<string, string | undefined> = {
    "org.opencontainers.image.created": created,
    "org.opencontainers.image.description": opts.description,
    "org.opencontainers.image.licenses": opts.licenses,
    "org.opencontainers.image.revision": ctx.sha,
    "org.opencontainers.image.source": ctx.repositoryUrl,
    "org.opencontainers.image.title": title,
    "org.opencontainers.image.url": ctx.repositoryUrl,
    "org.opencontainers.image.version": version,
  }
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(labels)) if (v !== undefined && v !== "") out[k] = v
  return out
}
