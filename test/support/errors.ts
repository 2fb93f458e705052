/** The MultiarchInputError `fn` throws (fails the test when it throws nothing or something else). */
import { expect } from "vitest"
import { MultiarchInputError } from "../../modules/core/errors/index.js"

export function inputError(fn: () => unknown): MultiarchInputError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(MultiarchInputError)
    return e as MultiarchInputError
  }
  throw new Error("expected a MultiarchInputError, nothing was thrown")
}
