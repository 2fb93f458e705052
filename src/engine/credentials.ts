/** Engine glue: registry credentials from Dagger secrets (the only way credentials enter the module). */
import type { Secret } from "@dagger.io/dagger"
import { checkCredentialPair } from "../../modules/core/credentials.js"
import type { RegistryCredentials } from "../../modules/registry/index.js"

/** Both or neither (core/credentials.ts); the secret's plaintext is read only here, only when given. */
export async function credentialsOf(username?: string, password?: Secret): Promise<RegistryCredentials | undefined> {
  checkCredentialPair(username, password)
  if (username === undefined || password === undefined) return undefined
  return { username, password: await password.plaintext() }
}
