/**
 * The annotation and label key grammar (pure), one set of rules for index annotations, per-variant
 * annotations and labels: keys use letters, digits, ".", "_", "-", "/" (reverse-domain notation),
 * start and end with a letter or digit, and `org.opencontainers.image.*` keys must be ones the OCI
 * image spec defines (typos get a suggestion). Index annotations also come as `key=value` strings.
 * Checked before any registry or engine work.
 */
import { MultiarchInputError, MultiarchInputErrors } from "./errors/index.js"
import { closest } from "./suggest.js"

/** Annotations as a map or as `key=value` strings (buildx's `index:key=value` accepted). */
export type AnnotationInput = Record<string, string> | readonly string[]

/** Keys the OCI image spec defines under `org.opencontainers.image.`. */
export const OCI_ANNOTATION_KEYS: readonly string[] = [
  "created", "authors", "url", "documentation", "source", "version", "revision", "vendor", "licenses",
  "ref.name", "title", "description", "base.digest", "base.name",
].map((k) => `org.opencontainers.image.${k}`)

const ANNOTATION_KEY_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._/-]*[A-Za-z0-9])?$/
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/

const OCI_PREFIX = "org.opencontainers.image."

/** What is wrong with a key, or undefined when it is a valid annotation/label key. */
export type KeyProblem = { kind: "grammar" } | { kind: "unknown-oci-key"; suggestion?: string }

/** The one key rule for annotations and labels. */
export function keyProblem(key: string): KeyProblem | undefined {
  if (!ANNOTATION_KEY_RE.test(key)) return { kind: "grammar" }
  if (key.startsWith(OCI_PREFIX) && !OCI_ANNOTATION_KEYS.includes(key)) {
    const suggestion = closest(key, OCI_ANNOTATION_KEYS, 4)
    return suggestion ? { kind: "unknown-oci-key", suggestion } : { kind: "unknown-oci-key" }
  }
  return undefined
}

function specHint(p: Extract<KeyProblem, { kind: "unknown-oci-key" }>): string {
  return p.suggestion ? `did you mean "${p.suggestion}"?` : `the spec defines: ${OCI_ANNOTATION_KEYS.map((k) => k.slice(OCI_PREFIX.length)).join(", ")}`
}

/** Throws MultiarchInputError (field "name") unless `name` is a valid label key. */
export function checkLabelKey(name: string): void {
  const p = keyProblem(name)
  if (p?.kind === "grammar")
    throw new MultiarchInputError("name", name, "not a valid label key", "use a reverse-DNS key such as org.opencontainers.image.description")
  if (p) throw new MultiarchInputError("name", name, `"${name}" is not a key the OCI image spec defines`, specHint(p))
}

/** Throws MultiarchInputError (field "name") unless `name` is a valid annotation key. */
export function checkAnnotationKey(name: string): void {
  const p = keyProblem(name)
  if (p?.kind === "grammar")
    throw new MultiarchInputError("name", name, "not a valid annotation key", "use a reverse-DNS key such as org.opencontainers.image.description")
  if (p) throw new MultiarchInputError("name", name, `"${name}" is not an annotation the OCI image spec defines`, specHint(p))
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
    const problem = keyProblem(key)
    if (problem?.kind === "grammar") {
      errors.push(
        new MultiarchInputError(field, raw, `"${key}" is not a valid annotation key (letters, digits, ".", "_", "-", "/"; reverse-domain notation)`, `e.g. "com.example.team=${value}" or "org.opencontainers.image.description=${value}"`),
      )
      continue
    }
    if (problem) {
      errors.push(new MultiarchInputError(field, raw, `"${key}" is not an annotation the OCI image spec defines`, specHint(problem)))
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
