/** The pure core's errors, one class per file. */
export { MultiarchInputError, isInputError } from "./MultiarchInputError.js"
export { MultiarchInputErrors } from "./MultiarchInputErrors.js"
export { ElfError } from "./ElfError.js"
export { EmulationFailure } from "./EmulationFailure.js"
