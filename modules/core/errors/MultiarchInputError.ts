/**
 * Input errors: every rejection names the offending input and the fix, and is raised before any
 * engine work. Anything else thrown from the pure core is a bug.
 */
import { leadingUserinfo, redactUserinfo } from "../userinfo.js"

/** `text` with the userinfo of URLs and of `input`'s leading `user:pass@` hidden. */
function hide(text: string, userinfo: string | undefined): string {
  const t = redactUserinfo(text)
  return userinfo ? t.split(`${userinfo}@`).join("***@") : t
}

export class MultiarchInputError extends Error {
  /** The argument or flag the input came from, e.g. "platforms". */
  readonly field: string
  /** The offending input, verbatim except userinfo (`user:pass@` in URLs and references, shown as `***@`). */
  readonly input: string
  /** What to do instead, one sentence. */
  readonly fix: string

  constructor(field: string, input: string, problem: string, fix: string) {
    const userinfo = typeof input === "string" ? leadingUserinfo(input) : undefined
    const shown = hide(String(input), userinfo)
    super(`invalid ${field} ${JSON.stringify(shown)}: ${hide(problem, userinfo)}; ${hide(fix, userinfo)}`)
    this.name = "MultiarchInputError"
    this.field = field
    this.input = shown
    this.fix = hide(fix, userinfo)
  }
}

export function isInputError(e: unknown): e is MultiarchInputError {
  return e instanceof MultiarchInputError
}
