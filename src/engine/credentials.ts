/**
 * Engine glue: registry credentials from Dagger secrets (the only way credentials enter the
 * module) — a username with a password Secret, and/or a docker config.json Secret (the user's own
 * login, `--registry-config file://$HOME/.docker/config.json`) — and the plain-http opt-in, as the
 * options of the module's own registry client.
 */
import type { Secret } from "@dagger.io/dagger"
import { checkCredentialPair } from "../../modules/core/credentials.js"
import { checkSecretText } from "../../modules/core/redact.js"
import { parseReference } from "../../modules/core/reference.js"
import {
  dockerConfigCredentials,
  dockerConfigHint,
  parseDockerConfig,
  type DockerConfig,
  type RegistryCredentials,
  type RegistryOptions,
} from "../../modules/registry/index.js"

/** Both or neither (core/credentials.ts); the secret's plaintext is read only here, only when given. */
export async function credentialsOf(username?: string, password?: Secret): Promise<RegistryCredentials | undefined> {
  checkCredentialPair(username, password)
  if (username === undefined || password === undefined) return undefined
  const plaintext = await password.plaintext()
  checkSecretText("password", plaintext)
  return { username, password: plaintext }
}

/** The docker config in a Secret, parsed (undefined: none given). */
export async function dockerConfigOf(registryConfig?: Secret): Promise<DockerConfig | undefined> {
  return registryConfig ? parseDockerConfig(await registryConfig.plaintext()) : undefined
}

/** What a registry function receives about the registry: credentials (either way) and plain http. */
export interface RegistryFlags {
  username?: string
  password?: Secret
  registryConfig?: Secret
  plainHttp?: boolean
}

/**
 * Options for the module's own registry client. `--username/--password` are for the registry of
 * the address (`primary`) and win there; `--registry-config` gives credentials for every registry
 * the call talks to (merge: sources and target), looked up only when that registry is contacted
 * (so an entry that needs a credential helper fails only if it is needed). `--plain-http` is the
 * opt-in for every registry the call names.
 */
export async function registryOptions(f: RegistryFlags, primary: string): Promise<RegistryOptions> {
  const explicit = await credentialsOf(f.username, f.password)
  const cfg = await dockerConfigOf(f.registryConfig)
  const o: RegistryOptions = {}
  if (explicit) o.credentials = explicit
  if (cfg) {
    o.credentialsFor = (r) => (explicit && r === primary ? explicit : dockerConfigCredentials(cfg, r))
    o.credentialsHintFor = (r) => dockerConfigHint(cfg, r)
  }
  if (f.plainHttp) o.plainHttp = true
  return o
}

/** The registry of an address (the operation parses it again, with the same message on a mistake). */
export function registryOf(address: string): string {
  return parseReference(address).registry
}
