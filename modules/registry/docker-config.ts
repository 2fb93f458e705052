/**
 * The user's own registry login: a docker `config.json` (what `docker login`, `podman login
 * --authfile`, GitLab's DOCKER_AUTH_CONFIG write) read as credentials per registry. Pure: the
 * caller reads the file (a Dagger Secret in the module).
 *
 * Lookup follows the docker CLI (cli/config/configfile, registry.ConvertToHostname):
 * - keys are normalised to a host: `https://index.docker.io/v1/`, `index.docker.io`, `docker.io`,
 *   `registry-1.docker.io` are all Docker Hub; `https://ghcr.io` and `ghcr.io/owner` are ghcr.io;
 *   a port is part of the host (`127.0.0.1:5000`);
 * - `credHelpers[host]` wins, then `auths[host]` (`auth` = base64 `user:password`, or
 *   `username`/`password`, plus `identitytoken` for OAuth2 refresh tokens), then `credsStore`;
 * - a credential helper (docker-credential-*) is a program on the user's machine: it cannot run
 *   inside the module, so an entry that needs one is a clear error naming the helper and the fix
 *   — raised only when that registry is actually talked to. (An `auths` entry with inline
 *   credentials is used even when a `credsStore` is set: that is what CI configs hold.)
 *
 * Nothing here echoes a credential: errors name the key and the field, never the value.
 */
import { MultiarchInputError } from "../core/errors/index.js"
import { checkSecretText } from "../core/redact.js"
import { DOCKER_HUB } from "../core/reference.js"
import type { RegistryCredentials } from "./types.js"

interface AuthEntry {
  auth?: unknown
  username?: unknown
  password?: unknown
  identitytoken?: unknown
  registrytoken?: unknown
}

export interface DockerConfig {
  /** Entries by normalised host (the key as written kept for messages). */
  auths: Map<string, { key: string; entry: AuthEntry }>
  credHelpers: Map<string, { key: string; helper: string }>
  credsStore?: string
}

const HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"])

/**
 * The host a config key or a registry names, lower case, as the docker CLI normalises it:
 * scheme and path dropped; Docker Hub's aliases are "docker.io".
 *
 * @example configHost("https://index.docker.io/v1/") // "docker.io"
 * @example configHost("https://ghcr.io/owner")       // "ghcr.io"
 */
export function configHost(key: string): string {
  let h = key.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, "")
  const slash = h.indexOf("/")
  if (slash >= 0) h = h.slice(0, slash)
  return HUB_ALIASES.has(h) ? DOCKER_HUB : h
}

const FIELD = "registry-config"

function bad(input: string, problem: string, fix: string): never {
  throw new MultiarchInputError(FIELD, input, problem, fix)
}

/** Parse a docker config.json (its text). Throws MultiarchInputError, never echoing the content. */
export function parseDockerConfig(text: string): DockerConfig {
  let j: unknown
  try {
    j = JSON.parse(text)
  } catch {
    bad("(config, not shown)", "not a docker config: not JSON", "pass the file `docker login` writes, e.g. --registry-config file://$HOME/.docker/config.json")
  }
  if (!j || typeof j !== "object" || Array.isArray(j)) bad("(config, not shown)", "not a docker config: not a JSON object", "pass the file `docker login` writes, e.g. --registry-config file://$HOME/.docker/config.json")
  const o = j as { auths?: unknown; credHelpers?: unknown; credsStore?: unknown }
  const cfg: DockerConfig = { auths: new Map(), credHelpers: new Map() }
  if (o.auths !== undefined) {
    if (!o.auths || typeof o.auths !== "object" || Array.isArray(o.auths)) bad("auths", "\"auths\" must be an object of registry → entry", "fix the file, or log in again with docker login")
    for (const [key, entry] of Object.entries(o.auths as Record<string, unknown>)) {
      if (!entry || typeof entry !== "object") bad(`auths[${JSON.stringify(key)}]`, "an auths entry must be an object", "fix the file, or log in again with docker login")
      cfg.auths.set(configHost(key), { key, entry: entry as AuthEntry })
    }
  }
  if (o.credHelpers !== undefined) {
    if (!o.credHelpers || typeof o.credHelpers !== "object") bad("credHelpers", "\"credHelpers\" must be an object of registry → helper", "fix the file")
    for (const [key, helper] of Object.entries(o.credHelpers as Record<string, unknown>))
      if (typeof helper === "string" && helper) cfg.credHelpers.set(configHost(key), { key, helper })
  }
  if (typeof o.credsStore === "string" && o.credsStore) cfg.credsStore = o.credsStore
  return cfg
}

function helperError(registry: string, where: string, helper: string): never {
  const bin = `docker-credential-${helper}`
  throw new MultiarchInputError(
    FIELD,
    where,
    `the login for ${registry} is kept by the credential helper ${bin}, a program on your machine that cannot run inside the module`,
    `pass --username and --password instead, e.g. --password cmd://"echo ${registry} | ${bin} get | jq -j .Secret" (cmd:// runs on your machine; take the user name from .Username), or a config whose auths entry for ${registry} holds the credentials (GitLab: DOCKER_AUTH_CONFIG)`,
  )
}

function decodeAuth(registry: string, key: string, auth: string): { username: string; password: string } {
  const b64 = auth.trim()
  if (!/^[A-Za-z0-9+/=_-]*$/.test(b64)) bad(`auths[${JSON.stringify(key)}].auth`, "not base64", "log in again with docker login (auth is base64 of user:password)")
  const text = Buffer.from(b64, "base64").toString("utf8")
  const colon = text.indexOf(":")
  if (colon < 0) bad(`auths[${JSON.stringify(key)}].auth`, `the auth of ${registry} is not base64 of "user:password"`, "log in again with docker login")
  return { username: text.slice(0, colon), password: text.slice(colon + 1) }
}

/**
 * The credentials a docker config holds for `registry` ("ghcr.io", "docker.io",
 * "127.0.0.1:5000"), undefined when it has none (anonymous). Throws MultiarchInputError when the
 * entry needs a credential helper or is malformed.
 */
export function dockerConfigCredentials(cfg: DockerConfig, registry: string): RegistryCredentials | undefined {
  const host = configHost(registry)
  const helper = cfg.credHelpers.get(host)
  if (helper) helperError(registry, `credHelpers[${JSON.stringify(helper.key)}]`, helper.helper)
  const found = cfg.auths.get(host)
  if (found) {
    const { key, entry } = found
    if (typeof entry.registrytoken === "string" && entry.registrytoken)
      bad(`auths[${JSON.stringify(key)}].registrytoken`, "a registrytoken (a raw Bearer token) is not supported", "pass --username and --password (or a token as the password)")
    let username = typeof entry.username === "string" ? entry.username : ""
    let password = typeof entry.password === "string" ? entry.password : ""
    if (typeof entry.auth === "string" && entry.auth) ({ username, password } = decodeAuth(registry, key, entry.auth))
    const identityToken = typeof entry.identitytoken === "string" && entry.identitytoken ? entry.identitytoken : undefined
    if (password) checkSecretText(`${FIELD} (password for ${registry})`, password)
    if (identityToken) {
      checkSecretText(`${FIELD} (identitytoken for ${registry})`, identityToken)
      return { username, password, identityToken }
    }
    if (username || password) {
      if (!username || !password) bad(`auths[${JSON.stringify(key)}]`, `the entry for ${registry} has a ${username ? "user name but no password" : "password but no user name"}`, "log in again with docker login")
      return { username, password }
    }
    // an empty placeholder: what docker writes when a credsStore keeps the secret
  }
  if (cfg.credsStore) helperError(registry, "credsStore", cfg.credsStore)
  return undefined
}

/** For "no credentials were given": which registries the config does have. */
export function dockerConfigHint(cfg: DockerConfig, registry: string): string {
  const have = [...new Set([...cfg.auths.keys(), ...cfg.credHelpers.keys()])].sort()
  return `--registry-config has no entry for ${configHost(registry)}${have.length ? `; it has: ${have.join(", ")}` : "; it has none"}`
}
