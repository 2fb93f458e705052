/**
 * Engine glue: Dockerfile secrets by id. BuildKit mounts a secret for `RUN --mount=type=secret,id=X`
 * only when the build got a secret *named* X: Dagger's `Directory.dockerBuild(secrets:)` mounts each
 * secret at /run/secrets/<its name> and fails with "secret has no name and cannot be referenced from
 * Dockerfile secret id" for an unnamed one (dagger/dagger v0.21.8 core/container.go). A secret
 * passed on the CLI (`--secrets env://NPM_TOKEN`) is made with `secret(uri:)`, which gives it no
 * name (core/schema/secret.go: only setSecret(name, plaintext) sets one), and Dagger 0.21 has no way
 * to name an existing secret. So each secret gets its id (--secret-ids, else its own name, else
 * the variable of env://NAME or the file name of file://…/name), and one whose name is not that id
 * is re-made with `setSecret(id, plaintext)`: the plaintext then travels once, from the module to
 * the engine, as setSecret's argument, which the engine marks sensitive (never part of an ID, a
 * cache key or telemetry). Nothing else puts a secret into a query.
 */
import { dag, type Secret } from "@dagger.io/dagger"
import { MultiarchInputError } from "../../modules/core/errors/index.js"
import { redactUserinfo } from "../../modules/core/userinfo.js"
import { secretIdOf } from "../../modules/toolchains/dockerfile/index.js"

export interface SecretInfo {
  secret: Secret
  /** The secret's own name ("" for a secret made from a URI). */
  name: string
  /** The Dockerfile id it is mounted under. */
  id: string
}

/** Each secret's Dockerfile id (names and URIs only: no plaintext is read). */
export async function secretIds(secrets: readonly Secret[], given?: readonly string[]): Promise<SecretInfo[]> {
  const facts = await Promise.all(secrets.map(async (s) => ({ name: await s.name(), uri: await s.uri() })))
  return facts.map((f, i) => {
    const id = given?.[i] ?? secretIdOf(f.name, f.uri)
    if (id === undefined)
      throw new MultiarchInputError(
        "secrets",
        redactUserinfo(f.uri || f.name || `#${i + 1}`),
        "a Dockerfile reads a secret by id, and this one has neither a name nor an env:// or file:// URI to take one from",
        "give every secret its id with --secret-ids, in the order of --secrets (e.g. --secret-ids npm_token)",
      )
    return { secret: secrets[i], name: f.name, id }
  })
}

/** The secrets as dockerBuild must get them: each named by its id (see above). */
export async function namedSecrets(infos: readonly SecretInfo[]): Promise<Secret[]> {
  return Promise.all(infos.map(async (s) => (s.name === s.id ? s.secret : dag.setSecret(s.id, await s.secret.plaintext()))))
}
