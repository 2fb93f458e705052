/**
 * The standard OCI labels (pure): one mapping from what is known about a build to
 * `org.opencontainers.image.*` keys, used for labels set by `build` and for the CI context's labels
 * and index annotations.
 */
import { keyProblem, OCI_ANNOTATION_KEYS } from "./annotations.js"
import type { CiContext } from "./ci-context.js"
import { MultiarchInputError, MultiarchInputErrors } from "./errors/index.js"
import { computeTags, type TagOptions } from "./tags.js"
import { rfc3339Problem } from "./time.js"
import { checkPublicUrl } from "./url.js"

/** What the standard labels say, by meaning. */
export interface LabelValues {
  authors?: string
  created?: string
  description?: string
  documentation?: string
  licenses?: string
  revision?: string
  source?: string
  title?: string
  url?: string
  vendor?: string
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

const OCI_PREFIX = "org.opencontainers.image."

/** The standard keys `--labels` takes without their `org.opencontainers.image.` prefix (title=…). */
export const SHORT_LABEL_KEYS: readonly string[] = OCI_ANNOTATION_KEYS.map((k) => k.slice(OCI_PREFIX.length))

/** Labels that have their own flag: set them there, not twice. */
const OWN_FLAGS: Record<string, string> = { source: "--source-url", revision: "--commit", version: "--version", created: "--created" }

/**
 * `--labels` (key=value) as a map: a standard OCI key may be given without its prefix (title=My app,
 * licenses=Apache-2.0, vendor=ACME, documentation=https://…); other keys in reverse-DNS form. A label
 * that has its own flag (source, revision, version, created) must be set there; URLs (url,
 * documentation) must carry no credentials; created must be RFC 3339. Every problem at once.
 */
export function parseLabels(list: readonly string[] | undefined, field = "labels"): Record<string, string> {
  const out: Record<string, string> = {}
  const errors: MultiarchInputError[] = []
  for (const raw of list ?? []) {
    const i = raw.indexOf("=")
    if (i <= 0) {
      errors.push(new MultiarchInputError(field, raw, "expected key=value", "pass e.g. --labels title=My app,licenses=Apache-2.0"))
      continue
    }
    const short = raw.slice(0, i).trim()
    const value = raw.slice(i + 1)
    const key = SHORT_LABEL_KEYS.includes(short) ? OCI_PREFIX + short : short
    const bare = key.startsWith(OCI_PREFIX) ? key.slice(OCI_PREFIX.length) : undefined
    const problem = keyProblem(key)
    if (problem?.kind === "grammar") {
      errors.push(new MultiarchInputError(field, raw, "not a valid label key", `use a standard key (${SHORT_LABEL_KEYS.join(", ")}) or a reverse-DNS one such as com.example.team`))
      continue
    }
    if (problem) {
      errors.push(new MultiarchInputError(field, raw, `"${key}" is not a label the OCI image spec defines`, problem.suggestion ? `did you mean "${problem.suggestion}"?` : `the spec defines: ${SHORT_LABEL_KEYS.join(", ")}`))
      continue
    }
    if (bare && OWN_FLAGS[bare]) {
      errors.push(new MultiarchInputError(field, short, `the ${bare} label has its own flag`, `set it with ${OWN_FLAGS[bare]} instead`))
      continue
    }
    if (key in out) {
      errors.push(new MultiarchInputError(field, short, "the label is given twice", "keep one"))
      continue
    }
    try {
      if (bare === "url" || bare === "documentation") checkPublicUrl(field, value)
    } catch (e) {
      if (!(e instanceof MultiarchInputError)) throw e
      errors.push(e)
      continue
    }
    out[key] = value
  }
  if (errors.length) throw new MultiarchInputErrors(errors)
  return out
}

/** Throws MultiarchInputError unless `created` is an RFC 3339 date-time that exists on the calendar. */
export function checkCreated(created: string, field = "created"): void {
  const problem = rfc3339Problem(created)
  if (problem) {
    const [what, fix] = problem.split("; ")
    throw new MultiarchInputError(field, created, what, fix ?? "pass e.g. 2026-01-31T12:00:00Z")
  }
}
