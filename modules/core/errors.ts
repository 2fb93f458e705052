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

/** Several input errors reported at once (e.g. every bad entry of a platform list). */
export class MultiarchInputErrors extends MultiarchInputError {
  readonly errors: MultiarchInputError[]
  constructor(errors: MultiarchInputError[]) {
    const first = errors[0]
    super(first.field, first.input, "", first.fix)
    this.errors = errors
    this.message =
      errors.length === 1
        ? first.message
        : `${errors.length} problems:\n` + errors.map((e) => `  - ${e.message}`).join("\n")
  }
}

export function isInputError(e: unknown): e is MultiarchInputError {
  return e instanceof MultiarchInputError
}
