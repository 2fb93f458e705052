/**
 * Pure checks for publishing: the references to push (address, extra tags, tags computed from a
 * git ref), label and annotation keys. Run before any engine work so a typo never costs a build.
 */
import { MultiarchInputError } from "./errors/index.js"
import { formatReference, isValidTag, parseReference, referenceName } from "./reference.js"
import { ciContext, type ExplicitContext } from "./ci-context.js"
import { computeTags } from "./tags.js"

export interface GitContext {
  /** A git ref: refs/tags/v1.2.3, refs/heads/main, refs/pull/42/merge, refs/merge-requests/7/head. */
  gitRef?: string
  /** The commit SHA (gives the sha-<7> tag). */
  gitSha?: string
  /** The repository's default branch. */
  defaultBranch?: string
}

/** Turn a git ref into the explicit CI context of the tag grammar. */
export function explicitFromGitRef(g: GitContext): ExplicitContext {
  const e: ExplicitContext = {}
  if (g.gitSha !== undefined) {
    if (!/^[0-9a-f]{7,64}$/i.test(g.gitSha))
      throw new MultiarchInputError("git-sha", g.gitSha, "not a commit SHA", "pass the full hex SHA, e.g. $GITHUB_SHA or $CI_COMMIT_SHA")
    e.sha = g.gitSha
  }
  if (g.defaultBranch) e.defaultBranch = g.defaultBranch
  const ref = g.gitRef?.trim()
  if (!ref) return e
  let m: RegExpExecArray | null
  if ((m = /^refs\/tags\/(.+)$/.exec(ref))) e.tag = m[1]
  else if ((m = /^refs\/heads\/(.+)$/.exec(ref))) e.branch = m[1]
  else if ((m = /^refs\/(?:pull|merge-requests)\/(\d+)\/(?:merge|head)$/.exec(ref))) e.pr = Number(m[1])
  else
    throw new MultiarchInputError(
      "git-ref",
      ref,
      "not a full git ref",
      "pass refs/tags/<tag>, refs/heads/<branch>, refs/pull/<n>/merge or refs/merge-requests/<n>/head (GitHub: $GITHUB_REF)",
    )
  return e
}

export interface PublishTargets {
  /** Every reference to push, most specific first. */
  refs: string[]
  /** The repository (registry/path), for registry auth. */
  repository: string
  /** The registry host. */
  registry: string
}

/**
 * Validate a publish address, extra tags and an optional git context; return every reference to
 * push. The address's own tag (if any) comes first, then explicit tags, then computed ones; with
 * none at all the tag is `latest`.
 */
export function publishTargets(address: string, tags: string[] = [], git: GitContext = {}): PublishTargets {
  const ref = parseReference(address, { field: "address", defaultTag: null })
  if (ref.digest)
    throw new MultiarchInputError("address", address, "a digest cannot be pushed to", `push to a tag, e.g. ${referenceName(ref)}:latest`)
  const all: string[] = []
  const add = (t: string, field: string) => {
    const tt = t.trim()
    if (!isValidTag(tt))
      throw new MultiarchInputError(field, t, "not a valid tag", "tags use [A-Za-z0-9_.-], at most 128 characters, not starting with . or -")
    if (!all.includes(tt)) all.push(tt)
  }
  if (ref.tag) add(ref.tag, "address")
  for (const t of tags) add(t, "tags")
  if (git.gitRef !== undefined || git.gitSha !== undefined) {
    const ctx = ciContext({}, explicitFromGitRef(git))
    for (const t of computeTags(ctx)) add(t, "git-ref")
  }
  if (all.length === 0) all.push("latest")
  const name = referenceName(ref)
  return { refs: all.map((t) => formatReference({ ...ref, tag: t })), repository: name, registry: ref.registry }
}

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/

export function checkLabelKey(name: string): void {
  if (!KEY_RE.test(name))
    throw new MultiarchInputError("name", name, "not a valid label key", "use a reverse-DNS key such as org.opencontainers.image.description")
}

export function checkAnnotationKey(name: string): void {
  if (!KEY_RE.test(name))
    throw new MultiarchInputError("name", name, "not a valid annotation key", "use a reverse-DNS key such as org.opencontainers.image.description")
}
