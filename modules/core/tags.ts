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
import type { CiContext } from "./ci-context.js"
import { isValidTag } from "./reference.js"
import { compareSemver, parseSemver, type SemVer } from "./semver.js"

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
        // Stryker disable next-line ArrayDeclaration: a non-empty default holds no semver, the filter drops it
        const known = (opts.existingVersions ?? []).map(parseSemver).filter((x): x is SemVer => !!x && x.prerelease.length === 0)
        const higher = (pred: (x: SemVer) => boolean) => known.some((x) => pred(x) && compareSemver(x, v) > 0)
        if (!higher((x) => x.major === v.major && x.minor === v.minor)) add(`${v.major}.${v.minor}`)
        if ((v.major > 0 || opts.majorZero) && !higher((x) => x.major === v.major)) add(String(v.major))
        latest = !higher(() => true)
      }
    } else add(ctx.tag)
  } else if (ctx.kind === "branch" && ctx.branch) {
    // edge: true → the default branch (if known); edge: "name" → that branch; false/absent → none
    // (undefined and false never equal the non-empty branch name)
    const edgeBranch = opts.edge === true ? ctx.defaultBranch : opts.edge
    add(edgeBranch === ctx.branch ? "edge" : ctx.branch)
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
