import { MultiarchInputError } from "./MultiarchInputError.js"

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
