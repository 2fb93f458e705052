/**
 * Dockerfile toolchain options: the Dockerfile's path, the stage to build, build args, secret ids;
 * their checks. Build args are written into the image's history (`docker history` shows every
 * value), so one whose name or value looks like a credential is refused unless the caller says it
 * is not one (--allow-secret-build-args); the way to hand a build a credential is a secret
 * (`--secrets env://NPM_TOKEN` + `RUN --mount=type=secret,id=NPM_TOKEN`).
 */
import { MultiarchInputError, MultiarchInputErrors } from "../../core/errors/index.js"
import type { BuildOptions } from "../options.js"
import type { BuildArgInput } from "./types.js"

export interface DockerfileOptions {
  /** Path of the Dockerfile in the source; default "Dockerfile". */
  dockerfile?: string
  /** Stage to build; default the last. */
  target?: string
  buildArgs: BuildArgInput[]
  /** Build args that look like credentials are allowed (the caller says they are not). */
  allowSecretBuildArgs?: boolean
  /** Ids of the secrets passed to BuildKit (a plan shows ids, never values). */
  secrets: string[]
}

/** `NAME=value` build args → name/value pairs, checked before any engine work. */
export function parseBuildArgs(list: readonly string[] | undefined): BuildArgInput[] {
  return (list ?? []).map((a) => {
    const i = a.indexOf("=")
    if (i <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(a.slice(0, i)))
      throw new MultiarchInputError("build-args", i > 0 ? a.slice(0, i) : a, "expected NAME=value", "pass e.g. --build-args VERSION=1.2.3,COMMIT=abc")
    return { name: a.slice(0, i), value: a.slice(i + 1) }
  })
}

/** The dockerfile toolchain's options from the build options (build args parsed). */
export function dockerfileOptions(b: BuildOptions): DockerfileOptions {
  return {
    ...(b.dockerfile !== undefined ? { dockerfile: b.dockerfile } : {}),
    ...(b.target !== undefined ? { target: b.target } : {}),
    buildArgs: parseBuildArgs(b.buildArgs),
    ...(b.allowSecretBuildArgs ? { allowSecretBuildArgs: true } : {}),
    secrets: [],
  }
}

/** Words of a build-arg name that mark a credential (NPM_TOKEN, DB_PASSWORD, AWS_SECRET_ACCESS_KEY, API_KEY…). */
const SECRET_WORDS = ["TOKEN", "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "KEY", "APIKEY", "CREDENTIAL", "CREDENTIALS", "AUTH", "PAT", "PRIVATE"]
/** Well-known token formats, by prefix (GitHub, GitLab, npm, Slack, AWS access keys, PEM keys). */
const SECRET_VALUES = [/^gh[pousr]_[A-Za-z0-9]{20,}/, /^github_pat_/, /^glpat-/, /^npm_[A-Za-z0-9]{20,}/, /^xox[abposr]-/, /^A(KIA|SIA)[0-9A-Z]{16}$/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/]

/** Why a build arg looks like a credential (undefined: it does not). Never shows the value. */
export function secretLooking(a: BuildArgInput): string | undefined {
  const words = a.name.toUpperCase().split(/_+/).filter(Boolean)
  const word = words.find((w) => SECRET_WORDS.includes(w)) ?? SECRET_WORDS.find((w) => w.length >= 5 && a.name.toUpperCase().endsWith(w))
  if (word) return `its name has ${word}`
  if (SECRET_VALUES.some((re) => re.test(a.value))) return "its value has the form of an access token or key"
  return undefined
}

/** The Dockerfile path must stay inside the source; build args that look like credentials need --allow-secret-build-args. */
export function checkDockerfileOptions(o: DockerfileOptions): void {
  const d = o.dockerfile
  if (d !== undefined && (d.trim() === "" || d.startsWith("/") || d.split("/").includes("..")))
    throw new MultiarchInputError("dockerfile", d, "the Dockerfile path must stay inside the source", "pass a path relative to --source, e.g. build/Dockerfile")
  if (o.allowSecretBuildArgs) return
  const errors = o.buildArgs.flatMap((a) => {
    const why = secretLooking(a)
    return why
      ? [
          new MultiarchInputError(
            "build-args",
            a.name,
            `this looks like a credential (${why}), and build args are written into the image's history, where anyone who pulls the image reads them`,
            `pass it as a secret: --secrets env://${a.name} and read it with RUN --mount=type=secret,id=${a.name} in the Dockerfile; or, if it is not secret, pass --allow-secret-build-args`,
          ),
        ]
      : []
  })
  if (errors.length) throw new MultiarchInputErrors(errors)
}

/** A Dockerfile secret id: what `RUN --mount=type=secret,id=…` names. */
export const SECRET_ID_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

/**
 * The id a secret gets in the Dockerfile when none is given: its own name when it has one (a
 * secret made with a name), else the variable of an env:// URI or the file name of a file:// URI;
 * undefined for other providers (cmd://, op://, vault://…), which need --secret-ids.
 */
export function secretIdOf(name: string, uri: string): string | undefined {
  if (name && SECRET_ID_RE.test(name)) return name
  const env = /^env:(?:\/\/)?([A-Za-z_][A-Za-z0-9_]*)(?:\?.*)?$/.exec(uri)
  if (env) return env[1]
  const file = /^file:(?:\/\/)?(?:.*\/)?([^/?]+)(?:\?.*)?$/.exec(uri)
  if (file && SECRET_ID_RE.test(file[1])) return file[1]
  return undefined
}

/** --secret-ids: one valid, distinct id per secret. */
export function checkSecretIds(ids: readonly string[] | undefined, secrets: number): void {
  if (ids === undefined || ids.length === 0) return
  if (ids.length !== secrets)
    throw new MultiarchInputError(
      "secret-ids",
      ids.join(","),
      `${ids.length} id${ids.length === 1 ? "" : "s"} for ${secrets} secret${secrets === 1 ? "" : "s"}`,
      "give one id per --secrets entry, in the same order (or drop --secret-ids: env://NAME secrets get the id NAME)",
    )
  for (const id of ids)
    if (!SECRET_ID_RE.test(id))
      throw new MultiarchInputError("secret-ids", id, "not a Dockerfile secret id", "use letters, digits, '_', '.', '-', as in RUN --mount=type=secret,id=npm_token")
  const dup = ids.find((id, i) => ids.indexOf(id) !== i)
  if (dup !== undefined) throw new MultiarchInputError("secret-ids", dup, "the id is given twice", "give each secret its own id")
}
