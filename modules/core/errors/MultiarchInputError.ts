/**
 * Input errors: every rejection names the offending input and the fix, and is raised before any
 * engine work. Anything else thrown from the pure core is a bug.
 */
export class MultiarchInputError extends Error {
  /** The argument or flag the input came from, e.g. "platforms". */
  readonly field: string
  /** The offending input, verbatim. */
  readonly input: string
  /** What to do instead, one sentence. */
  readonly fix: string

  constructor(field: string, input: string, problem: string, fix: string) {
    super(`invalid ${field} ${JSON.stringify(input)}: ${problem}; ${fix}`)
    this.name = "MultiarchInputError"
    this.field = field
    this.input = input
    this.fix = fix
  }
}

export function isInputError(e: unknown): e is MultiarchInputError {
  return e instanceof MultiarchInputError
}
