/**
 * The standard OCI labels (pure): one mapping from what is known about a build to
 * `org.opencontainers.image.*` keys, used for labels set by `build` and for the CI context's labels
 * and index annotations.
 */
import type { CiContext } from "./ci-context.js"
import { computeTags, type TagOptions } from "./tags.js"

/** What the standard labels say, by meaning. */
export interface LabelValues {
  created?: string
  description?: string
  licenses?: string
  revision?: string
  source?: string
  title?: string
  url?: string
  version?: string
}

/**
 * The `org.opencontainers.image.*` labels for `values`: the one place the keys are spelled. Empty
 * and undefined values are left out.
 */
export function imageLabels(values: LabelValues): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== "") out[`org.opencontainers.image.${k}`] = v
  return out
}

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
  return imageLabels({
    created,
    description: opts.description,
    licenses: opts.licenses,
    revision: ctx.sha,
    source: ctx.repositoryUrl,
    title,
    url: ctx.repositoryUrl,
    version,
  })
}
