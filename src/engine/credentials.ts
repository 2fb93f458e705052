/** Registry credentials from Dagger secrets (the only way credentials enter the module). */
import type { Secret } from "@dagger.io/dagger"
import { MultiarchInputError } from "../../modules/core/errors/index.js"
import type { RegistryCredentials } from "../../modules/registry/index.js"

export async function credentialsOf(username?: string, password?: Secret): Promise<RegistryCredentials | undefined> {
  if (username === undefined && password === undefined) return undefined
  if (username === undefined || password === undefined)
    throw new MultiarchInputError(
      username === undefined ? "password" : "username",
      username ?? "(secret)",
      "registry auth needs both a username and a password",
      "pass --username and --password env://TOKEN together, or neither for anonymous access",
    )
  return { username, password: await password.plaintext() }
}
