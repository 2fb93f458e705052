/**
 * The registry-credential rule (pure): a username and a password (or token) go together — both or
 * neither. Every interface (the module's flags, ci/pipeline.ts's settings) words the problem with
 * its own names; the rule is this one.
 */
import { MultiarchInputError } from "./errors/index.js"

/** Which half of a username/password pair is missing (undefined: both given, or neither). */
export function missingCredential(username: unknown, password: unknown): "username" | "password" | undefined {
  if ((username === undefined) === (password === undefined)) return undefined
  return username === undefined ? "username" : "password"
}

/** Throws MultiarchInputError (field "username" or "password") unless both or neither are given. */
export function checkCredentialPair(username: string | undefined, password: unknown): void {
  const missing = missingCredential(username, password)
  if (missing)
    throw new MultiarchInputError(
      missing,
      username ?? "(secret)",
      "registry auth needs both a username and a password",
      "pass --username and --password env://TOKEN together, or neither (anonymous access, or the engine's own registry login when publishing)",
    )
}
