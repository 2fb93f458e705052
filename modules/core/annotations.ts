/**
 * The annotation grammar (pure): index annotations as `key=value` strings or a map, checked before
 * any registry or engine work.
 */
import { MultiarchInputError, MultiarchInputErrors } from "./errors/index.js"

/** Annotations as a map or as `key=value` strings (buildx's `index:key=value` accepted). */
export type AnnotationInput = Record<string, string> | readonly string[]

/** Keys the OCI image spec defines under `org.opencontainers.image.`. */
export const OCI_ANNOTATION_KEYS: readonly string[] = [
  "created", "authors", "url", "documentation", "source", "version", "revision", "vendor", "licenses",
  "ref.name", "title", "description", "base.digest", "base.name",
].map((k) => `org.opencontainers.image.${k}`)

const ANNOTATION_KEY_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._/-]*[A-Za-z0-9])?$/
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0][j] = j
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
  return d[a.length][b.length]
}

/**
 * Parse and validate index annotations. Accepts a map or `key=value` strings; a buildx-style
 * `index:` level prefix is accepted and dropped (these annotations always go on the index); other
 * levels (`manifest:`, `manifest-descriptor:`, `index-descriptor:`) are rejected. Keys: letters,
 * digits, ".", "_", "-", "/" (reverse-domain notation); `org.opencontainers.image.*` keys must be
 * ones the OCI spec defines (typos get a suggestion); `…created` must be RFC 3339. Later entries win.
 *
 * @example parseAnnotations(["org.opencontainers.image.source=https://github.com/o/r"])
 */
export function parseAnnotations(input: AnnotationInput | undefined, field = "annotations"): Record<string, string> {
  const out: Record<string, string> = {}
  if (input === undefined) return out
  const errors: MultiarchInputError[] = []
  const entries: [string, string, string][] = [] // [key, value, raw]
  if (Array.isArray(input)) {
    for (const raw of input as readonly string[]) {
      if (typeof raw !== "string") {
        errors.push(new MultiarchInputError(field, String(raw), "an annotation must be a string", `write key=value, e.g. "org.opencontainers.image.source=https://github.com/owner/repo"`))
        continue
      }
      const eq = raw.indexOf("=")
      if (eq < 0) {
        errors.push(new MultiarchInputError(field, raw, "an annotation is key=value and this has no \"=\"", `e.g. "${raw.trim() || "org.opencontainers.image.description"}=…"`))
        continue
      }
      entries.push([raw.slice(0, eq).trim(), raw.slice(eq + 1), raw])
    }
  } else if (input && typeof input === "object") {
    for (const [k, v] of Object.entries(input)) entries.push([k.trim(), v, `${k}=${v}`])
  } else {
    throw new MultiarchInputError(field, String(input), "expected annotations as key=value strings or a map", `e.g. ["org.opencontainers.image.description=My app"]`)
  }
  for (let [key, value, raw] of entries) {
    const level = /^([a-z-]+)(?:\[[^\]]*\])?:(.*)$/.exec(key)
    if (level) {
      if (level[1] === "index") key = level[2]
      else {
        errors.push(new MultiarchInputError(field, raw, `"${level[1]}:" annotations are not written here; these annotations go on the index`, `drop the prefix, e.g. "${level[2]}=${value}"`))
        continue
      }
    }
    if (typeof value !== "string") {
      errors.push(new MultiarchInputError(field, raw, "an annotation value must be a string", `quote the value, e.g. "${key}=…"`))
      continue
    }
    if (!ANNOTATION_KEY_RE.test(key)) {
      errors.push(
        new MultiarchInputError(field, raw, `"${key}" is not a valid annotation key (letters, digits, ".", "_", "-", "/"; reverse-domain notation)`, `e.g. "com.example.team=${value}" or "org.opencontainers.image.description=${value}"`),
      )
      continue
    }
    if (key.startsWith("org.opencontainers.image.") && !OCI_ANNOTATION_KEYS.includes(key)) {
      const best = [...OCI_ANNOTATION_KEYS].sort((a, b) => editDistance(key, a) - editDistance(key, b))[0]
      const hint = editDistance(key, best) <= 4 ? `did you mean "${best}"?` : `the spec defines: ${OCI_ANNOTATION_KEYS.map((k) => k.slice("org.opencontainers.image.".length)).join(", ")}`
      errors.push(new MultiarchInputError(field, raw, `"${key}" is not an annotation the OCI image spec defines`, hint))
      continue
    }
    if (key === "org.opencontainers.image.created" && !RFC3339_RE.test(value)) {
      errors.push(new MultiarchInputError(field, raw, "org.opencontainers.image.created must be an RFC 3339 date-time", `e.g. "${key}=2025-01-31T12:00:00Z"`))
      continue
    }
    out[key] = value
  }
  if (errors.length) throw new MultiarchInputErrors(errors)
  return out
}
