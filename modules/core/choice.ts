/**
 * One of a fixed set of words (pure): the options that take a word — --lang, --libc, --format,
 * --compression, --media-types — are plain strings in the module's API (so `--help` shows their
 * default in the form users type, and a wrong word reaches the module instead of failing in the
 * CLI's enum check), and are checked here with a "did you mean" before any engine work.
 */
import { MultiarchInputError } from "./errors/index.js"
import { closest } from "./suggest.js"

export interface ChoiceOptions<T extends string> {
  /** Other spellings people use, with what they mean: { glibc: "gnu" }. Never accepted silently. */
  aliases?: Readonly<Record<string, T>>
  /** What the choice is, for the message: "a C library multiarch builds Rust with". */
  what: string
}

/**
 * `value` when it is one of `choices` (case-insensitively, returned in the canonical spelling);
 * otherwise a MultiarchInputError naming the field, the known values and the nearest one.
 */
export function parseChoice<T extends string>(field: string, value: string, choices: readonly T[], o: ChoiceOptions<T>): T {
  const v = value.trim().toLowerCase()
  const exact = choices.find((c) => c.toLowerCase() === v)
  if (exact !== undefined) return exact
  const list = choices.join(", ")
  const alias = o.aliases?.[v]
  if (alias !== undefined)
    throw new MultiarchInputError(field, value, `not ${o.what}`, `did you mean ${alias}? (--${field} ${alias}; the values are: ${list})`)
  const near = closest(v, choices, v.length >= 4 ? Math.max(2, Math.floor(v.length / 3)) : 1)
  throw new MultiarchInputError(field, value, `not ${o.what}`, near !== undefined ? `did you mean ${near}? (the values are: ${list})` : `use one of: ${list}`)
}
