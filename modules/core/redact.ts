/**
 * Redaction of what must never be echoed (pure): the userinfo of URLs and image references
 * (`https://user:pass@host/…`, `user:pass@host/repo`), and a check that a secret (password,
 * token) has no control characters (a line break inside a token would otherwise end up in a
 * header, or be echoed in an error).
 */
import { MultiarchInputError } from "./errors/index.js"

export { redactUserinfo, leadingUserinfo } from "./userinfo.js"
import { redactUserinfo } from "./userinfo.js"

/** Does `input` carry userinfo (`user[:pass]@host/…`, or a URL with `user@`)? */
export function hasUserinfo(input: string): boolean {
  return redactUserinfo(input) !== input
}

/**
 * Check a password or token: no control characters (no line break, tab, NUL…). Throws
 * MultiarchInputError for `field` without echoing the value.
 */
export function checkSecretText(field: string, value: string): void {
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u001f\u007f]/.exec(value)
  if (!bad) return
  const what = bad[0] === "\n" || bad[0] === "\r" ? "a line break" : bad[0] === "\t" ? "a tab" : `a control character (U+${bad[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()})`
  const where = bad.index === value.length - 1 ? " at its end" : ""
  throw new MultiarchInputError(
    field,
    "(secret, not shown)",
    `the secret contains ${what}${where}, which no registry accepts in a password or token`,
    bad[0] === "\n" && where
      ? "store it without the trailing newline (printf '%s' \"$TOKEN\" > file, or cmd://\"… | tr -d '\\n'\")"
      : "pass the token exactly as the registry issued it",
  )
}
