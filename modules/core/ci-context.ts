/**
 * The CI context (pure): which provider, what triggered the build (tag, branch, pull/merge request),
 * commit, repository, from GitHub Actions or GitLab CI variables, with explicit values winning.
 */
import { MultiarchInputError } from "./errors/index.js"

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
 * A `pull_request_target` run has GITHUB_REF = the *base* branch and the pull request's number
 * only in the event payload (the JSON file GITHUB_EVENT_PATH names): pass that payload as
 * `githubEvent` and the run is tagged pr-<n> like a pull_request run (as docker/metadata-action
 * does); without it the run has no ref to tag from — never the base branch's tag, which would
 * push the pull request's code as `:main`.
 * GitLab: CI_COMMIT_TAG, CI_MERGE_REQUEST_IID (+ _SOURCE/_TARGET_BRANCH_NAME), CI_COMMIT_BRANCH,
 * CI_COMMIT_REF_NAME as fallback, CI_COMMIT_SHA, CI_DEFAULT_BRANCH, CI_PROJECT_URL,
 * CI_PROJECT_PATH, CI_REGISTRY_IMAGE, CI_PIPELINE_SOURCE. Precedence: tag, then pull/merge
 * request, then branch.
 *
 * @example ciContext({ GITHUB_ACTIONS: "true", GITHUB_REF: "refs/tags/v1.2.3", GITHUB_SHA: "0123456789abcdef…" })
 *   // { provider: "github", kind: "tag", tag: "v1.2.3", sha: "0123456789abcdef…", … }
 */
export function ciContext(env: Env = {}, explicit: ExplicitContext = {}, githubEvent?: unknown): CiContext {
  let ctx: CiContext
  const isGitHub = env.GITHUB_ACTIONS === "true" || (!!nonEmpty(env.GITHUB_REF) || !!nonEmpty(env.GITHUB_SHA))
  const isGitLab = env.GITLAB_CI === "true" || !!nonEmpty(env.CI_COMMIT_SHA) || !!nonEmpty(env.CI_COMMIT_REF_NAME)
  if (isGitHub) ctx = fromGitHub(env, githubEvent)
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

/** The pull request number of a GitHub event payload (pull_request.number, else number), if it is one. */
function eventPrNumber(event: unknown): number | undefined {
  if (typeof event !== "object" || event === null) return undefined
  const e = event as { number?: unknown; pull_request?: { number?: unknown } }
  const n = e.pull_request?.number ?? e.number
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined
}

function fromGitHub(env: Env, event: unknown): CiContext {
  const ctx: CiContext = { provider: "github", kind: "unknown" }
  const ref = nonEmpty(env.GITHUB_REF)
  let m: RegExpExecArray | null
  if (env.GITHUB_EVENT_NAME === "pull_request_target") {
    // GITHUB_REF is the base branch here: the pull request is in the event payload, or nowhere
    const pr = eventPrNumber(event)
    if (pr !== undefined) {
      ctx.kind = "pr"
      ctx.pr = pr
    }
  } else if (ref?.startsWith("refs/tags/")) {
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
