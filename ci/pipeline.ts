/**
 * The multiarch build as a plain TypeScript program (Dagger library mode), for CI systems without
 * a template here and for local runs:
 *
 *   dagger run npx tsx ci/pipeline.ts          # CI: the image's tags come from GITHUB_* / CI_*
 *   dagger run npx tsx ci/pipeline.ts          # locally: settings from .multiarch.env
 *
 * It runs the module's own code in-process inside `connection()`, by name: the same BuildRequest
 * and PublishRequest the module's `build` and `publish` build (`parseBuildRequest({ … })`,
 * `parsePublishRequest({ … })`), handed to the same functions (`buildImage`, `publishImage`).
 *
 * Settings (all optional except where said), from the environment and, for local runs, from an env
 * file `.multiarch.env` in the working directory (another file: MULTIARCH_ENV_FILE). The real
 * environment wins over the file. The file is deliberately NOT `.env`: `dagger call` reads `.env`
 * as default arguments of the module's functions (a BUILD_PLATFORMS= line there would become the
 * default of `build --platforms`), so this program never reads `.env` and every key it reads is
 * MULTIARCH_-prefixed. Keys in the file that it does not know are errors (typos).
 *
 * A file in the checkout is not trusted with where the image goes: in CI (GITHUB_ACTIONS,
 * GITLAB_CI or CI set), the `.multiarch.env` the checkout brings may set build settings only — its
 * MULTIARCH_IMAGE, MULTIARCH_TAGS, MULTIARCH_USERNAME and MULTIARCH_TARBALL are ignored (and said
 * so), unless the workflow names the file itself with MULTIARCH_ENV_FILE. MULTIARCH_PASSWORD is
 * never read from a file: the password reaches the engine as an env:// secret
 * (env://MULTIARCH_PASSWORD, env://CI_REGISTRY_PASSWORD or env://GITHUB_TOKEN), so it is in no
 * query and in no file of the checkout.
 *
 *   MULTIARCH_SOURCE         project root (default .)
 *   MULTIARCH_PLATFORMS      comma-separated platforms (default linux/amd64,linux/arm64)
 *   MULTIARCH_LANG           go | rust | dockerfile (default: detected)
 *   MULTIARCH_GO_VERSION, MULTIARCH_PKG, MULTIARCH_LDFLAGS, MULTIARCH_CGO (true/false)
 *   MULTIARCH_IMAGE          repository to push, without tag (default in CI: $CI_REGISTRY_IMAGE,
 *                            or ghcr.io/<owner/repo lower-cased> on GitHub)
 *   MULTIARCH_TAGS           comma-separated tags (default in CI: computed from the ref like
 *                            docker/metadata-action: 1.2.3,1.2,1,latest / main / pr-42 / sha-<7>)
 *   MULTIARCH_USERNAME, MULTIARCH_PASSWORD   registry credentials (default on GitLab:
 *                            CI_REGISTRY_USER/CI_REGISTRY_PASSWORD for $CI_REGISTRY; on GitHub:
 *                            GITHUB_ACTOR/GITHUB_TOKEN for ghcr.io when GITHUB_TOKEN is set);
 *                            the password only from the environment
 *   MULTIARCH_TARBALL        write the OCI tarball to this path instead of publishing
 *
 * Every problem is printed at once and the program exits 2 before any engine call.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { connection, dag } from "@dagger.io/dagger"
import { parse as parseDotenv } from "dotenv"
import { z } from "zod"
import { missingCredential } from "../modules/core/credentials.js"
import { isInputError, MultiarchInputErrors } from "../modules/core/errors/index.js"
import { parsePlatforms } from "../modules/core/platform.js"
import { isValidTag, parseReference } from "../modules/core/reference.js"
import { ciContext, type CiContext } from "../modules/core/ci-context.js"
import { parseSemver } from "../modules/core/semver.js"
import { computeTags } from "../modules/core/tags.js"
import { parsePublishRequest } from "../modules/core/publish.js"
import { SOURCE_IGNORE } from "../modules/core/source.js"
import type { LangName } from "../modules/toolchains/index.js"
import { parseBuildRequest } from "../modules/toolchains/request.js"
import { buildImage } from "../src/engine/build.js"
import { publishImage } from "../src/engine/publish.js"

export const DEFAULT_ENV_FILE = ".multiarch.env"
export const DEFAULT_PLATFORMS = "linux/amd64,linux/arm64"

type Env = Record<string, string | undefined>

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v)
const opt = <T extends z.ZodType>(t: T) => z.preprocess(blankToUndefined, t.optional())
const csv = z.string().transform((s) => s.split(",").map((x) => x.trim()).filter((x) => x !== ""))

/** Every key this program reads (also: what `.multiarch.env` may contain). */
export const SettingsSchema = z.object({
  MULTIARCH_SOURCE: opt(z.string()),
  MULTIARCH_PLATFORMS: opt(z.string()),
  MULTIARCH_LANG: opt(z.enum(["go", "rust", "dockerfile"], { error: "must be go, rust or dockerfile" })),
  MULTIARCH_GO_VERSION: opt(z.string().regex(/^\d+\.\d+(\.\d+)?$/, "must be a Go version such as 1.23 or 1.23.4")),
  MULTIARCH_PKG: opt(z.string()),
  MULTIARCH_LDFLAGS: opt(z.string()),
  MULTIARCH_CGO: opt(z.stringbool({ error: "must be true or false" })),
  MULTIARCH_IMAGE: opt(z.string()),
  MULTIARCH_TAGS: opt(csv),
  MULTIARCH_USERNAME: opt(z.string()),
  MULTIARCH_PASSWORD: opt(z.string()),
  MULTIARCH_TARBALL: opt(z.string()),
  MULTIARCH_ENV_FILE: opt(z.string()),
})
export type Settings = z.infer<typeof SettingsSchema>
const KNOWN_KEYS = new Set(Object.keys(SettingsSchema.shape))
/** Keys that decide where the image goes and with which credentials: not taken from a file the checkout brings, in CI. */
export const PUBLISH_KEYS = ["MULTIARCH_IMAGE", "MULTIARCH_TAGS", "MULTIARCH_USERNAME", "MULTIARCH_TARBALL"] as const

export interface PipelineConfig {
  /** Absolute path of the project root. */
  source: string
  platforms: string[]
  lang?: LangName
  go: { goVersion?: string; pkg?: string; ldflags?: string; cgo?: boolean }
  /** OCI labels set by `build` (and -X main.version/main.commit for Go). */
  labels: { sourceUrl?: string; commit?: string; version?: string }
  output:
    | { kind: "publish"; image: string; tags: string[]; username?: string; passwordEnv?: string }
    | { kind: "tarball"; path: string }
  ci: CiContext
}

export type ParseResult = { ok: true; config: PipelineConfig; notes: string[] } | { ok: false; problems: string[] }

/** Whether this run is a CI run (where a file in the checkout is not trusted with publish settings). */
export function isCi(env: Env): boolean {
  return ciContext(env).provider !== "unknown" || (env.CI !== undefined && env.CI !== "" && env.CI !== "false")
}

/** Parse an env file's text (dotenv syntax). Pure. */
export function parseEnvFile(text: string): Record<string, string> {
  return parseDotenv(text)
}

/**
 * Read the env file: MULTIARCH_ENV_FILE (must exist) or `.multiarch.env` in `cwd` (optional).
 * Never `.env`.
 */
export function readEnvFile(env: Env, cwd = process.cwd()): { file?: string; explicit: boolean; values: Record<string, string>; problems: string[] } {
  const explicit = blankToUndefined(env.MULTIARCH_ENV_FILE) as string | undefined
  const file = path.resolve(cwd, explicit ?? DEFAULT_ENV_FILE)
  if (!fs.existsSync(file)) return { values: {}, explicit: !!explicit, problems: explicit ? [`MULTIARCH_ENV_FILE: ${file} does not exist`] : [] }
  return { file, explicit: !!explicit, values: parseEnvFile(fs.readFileSync(file, "utf8")), problems: [] }
}

/**
 * The env file's values this run may use: a file the workflow did not name (the checkout's own
 * `.multiarch.env`) sets no publish key in CI; no file sets the password. Returns the values kept,
 * a note per key dropped, and a problem for a password in the file.
 */
export function trustedFileValues(env: Env, values: Record<string, string>, o: { explicit: boolean; fileName: string }): { values: Record<string, string>; notes: string[]; problems: string[] } {
  const kept: Record<string, string> = {}
  const notes: string[] = []
  const problems: string[] = []
  const ci = isCi(env)
  for (const [k, v] of Object.entries(values)) {
    if (k === "MULTIARCH_PASSWORD") {
      problems.push(`${o.fileName}: MULTIARCH_PASSWORD is never read from a file; set it in the environment (it reaches the engine as env://MULTIARCH_PASSWORD)`)
      continue
    }
    if (ci && !o.explicit && (PUBLISH_KEYS as readonly string[]).includes(k)) {
      notes.push(`${o.fileName}: ${k} ignored: in CI, where the image goes comes from the environment, or from a file the workflow names with MULTIARCH_ENV_FILE`)
      continue
    }
    kept[k] = v
  }
  return { values: kept, notes, problems }
}

/**
 * The GitHub event payload (the JSON file GITHUB_EVENT_PATH names), or undefined outside GitHub
 * Actions or when it cannot be read. A pull_request_target run's pull request number is only there
 * (issue 14: GITHUB_REF is the base branch).
 */
export function readGitHubEvent(env: Env): unknown {
  const file = env.GITHUB_EVENT_PATH?.trim()
  if (!file) return undefined
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as unknown
  } catch {
    return undefined
  }
}

/**
 * Turn the environment and the env file's values into a pipeline configuration, or the list of
 * EVERY problem found. Pure: no engine, no file access (except resolving `source` against `cwd`).
 * Precedence: `env` (the real environment) over `fileValues` over defaults. `o.githubEvent` is the
 * GitHub event payload (readGitHubEvent); `o.explicitFile`: the workflow named the file.
 */
export function parseConfig(env: Env, fileValues: Record<string, string> = {}, cwd = process.cwd(), fileName = DEFAULT_ENV_FILE, o: { explicitFile?: boolean; githubEvent?: unknown } = {}): ParseResult {
  const problems: string[] = []
  const trusted = trustedFileValues(env, fileValues, { explicit: o.explicitFile ?? false, fileName })
  problems.push(...trusted.problems)
  fileValues = trusted.values
  for (const k of Object.keys(fileValues)) {
    if (KNOWN_KEYS.has(k) && k !== "MULTIARCH_ENV_FILE") continue
    problems.push(
      k.startsWith("MULTIARCH_")
        ? `${fileName}: unknown key ${k} (known: ${[...KNOWN_KEYS].filter((x) => x !== "MULTIARCH_ENV_FILE").join(", ")})`
        : `${fileName}: ${k} is not a MULTIARCH_ key; this file only holds MULTIARCH_* settings (did you mean MULTIARCH_${k}?)`,
    )
  }
  const merged: Env = {}
  for (const k of KNOWN_KEYS) merged[k] = env[k] !== undefined ? env[k] : fileValues[k]
  // each key on its own, so one bad value neither hides the others' problems nor their values
  const values: Record<string, unknown> = {}
  for (const [k, schema] of Object.entries(SettingsSchema.shape) as [string, z.ZodType][]) {
    const r = schema.safeParse(merged[k])
    if (r.success) values[k] = r.data
    else for (const i of r.error.issues) problems.push(`${k}: ${i.message}`)
  }
  const s = values as Partial<Settings>

  let platforms: string[] = []
  try {
    platforms = parsePlatforms(s.MULTIARCH_PLATFORMS ?? DEFAULT_PLATFORMS)
  } catch (e) {
    if (!isInputError(e)) throw e
    const all = e instanceof MultiarchInputErrors ? e.errors : [e]
    for (const x of all) problems.push(`MULTIARCH_PLATFORMS: ${x.message}`)
  }

  const ci = ciContext(env, {}, o.githubEvent)
  const sourceRel = s.MULTIARCH_SOURCE ?? "."
  const source = path.resolve(cwd, sourceRel)

  let output: PipelineConfig["output"] | undefined
  if (s.MULTIARCH_TARBALL) {
    output = { kind: "tarball", path: path.resolve(cwd, s.MULTIARCH_TARBALL) }
  } else {
    const image = s.MULTIARCH_IMAGE ?? ci.registryImage
    const tags = s.MULTIARCH_TAGS?.length ? s.MULTIARCH_TAGS : ci.kind !== "unknown" ? computeTags(ci) : []
    if (!image) problems.push("MULTIARCH_IMAGE: not set and no CI registry to default to; set the repository to push, e.g. ghcr.io/owner/app (or MULTIARCH_TARBALL=image.tar to only build)")
    if (tags.length === 0)
      problems.push("MULTIARCH_TAGS: not set and no git tag, branch or pull/merge request in the CI environment to compute tags from; set e.g. MULTIARCH_TAGS=dev")
    if (image) {
      try {
        const ref = parseReference(image, { field: "image", defaultTag: null })
        if (ref.tag || ref.digest)
          problems.push(`MULTIARCH_IMAGE: "${image}" has a ${ref.digest ? "digest" : "tag"}; give the repository only (tags come from MULTIARCH_TAGS or the CI ref)`)
      } catch (e) {
        if (!isInputError(e)) throw e
        problems.push(`MULTIARCH_IMAGE: ${e.message}`)
      }
    }
    for (const t of tags)
      if (!isValidTag(t)) problems.push(`MULTIARCH_TAGS: "${t}" is not a valid tag (letters, digits, _ . -; at most 128; not starting with . or -)`)
    // the password is named, not copied: the engine reads it as env://<its variable>
    let username = s.MULTIARCH_USERNAME
    let passwordEnv = s.MULTIARCH_PASSWORD !== undefined ? "MULTIARCH_PASSWORD" : undefined
    if (username === undefined && passwordEnv === undefined && image) {
      const gitlabRegistry = env.CI_REGISTRY?.trim()
      if (ci.provider === "gitlab" && gitlabRegistry && image.startsWith(`${gitlabRegistry}/`) && env.CI_REGISTRY_USER && env.CI_REGISTRY_PASSWORD) {
        username = env.CI_REGISTRY_USER
        passwordEnv = "CI_REGISTRY_PASSWORD"
      } else if (ci.provider === "github" && image.startsWith("ghcr.io/") && env.GITHUB_ACTOR && env.GITHUB_TOKEN) {
        username = env.GITHUB_ACTOR
        passwordEnv = "GITHUB_TOKEN"
      }
    }
    const missing = missingCredential(username, passwordEnv)
    if (missing) problems.push(`MULTIARCH_${missing.toUpperCase()}: registry auth needs both MULTIARCH_USERNAME and MULTIARCH_PASSWORD (or neither)`)
    if (image) output = { kind: "publish", image, tags, username, passwordEnv }
  }

  if (problems.length || !output) return { ok: false, problems }
  const notes = trusted.notes
  const semver = ci.kind === "tag" && ci.tag ? parseSemver(ci.tag) : undefined
  return {
    ok: true,
    config: {
      source,
      platforms,
      lang: s.MULTIARCH_LANG as LangName | undefined,
      go: { goVersion: s.MULTIARCH_GO_VERSION, pkg: s.MULTIARCH_PKG, ldflags: s.MULTIARCH_LDFLAGS, cgo: s.MULTIARCH_CGO },
      labels: { sourceUrl: ci.repositoryUrl, commit: ci.sha, version: semver?.version ?? (ci.kind === "tag" ? ci.tag : undefined) },
      output,
      ci,
    },
    notes,
  }
}

/** One line per setting, password redacted (what the program prints before building). */
export function describeConfig(c: PipelineConfig): string {
  const o = c.output
  const ci = c.ci
  const ref = ci.kind === "tag" ? `tag ${ci.tag}` : ci.kind === "branch" ? `branch ${ci.branch}` : ci.kind === "pr" ? `pull/merge request ${ci.pr}` : "no git ref"
  const to = o.kind === "tarball" ? `tarball ${o.path}` : `publish ${o.image} tags ${o.tags.join(",")}${o.username ? ` as ${o.username} (password set)` : " (no credentials)"}`
  return [
    `multiarch pipeline: ${c.source} for ${c.platforms.join(",")}${c.lang ? ` (${c.lang})` : ""}`,
    `  ci: ${c.ci.provider}, ${ref}`,
    `  → ${to}`,
  ].join("\n")
}

/** What is never uploaded with the source: the module's ignore list, and the env file this run read when it lies inside the source. */
export function sourceExcludes(source: string, envFile?: string): string[] {
  const rel = envFile ? path.relative(source, envFile) : undefined
  const inside = rel !== undefined && rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel)
  return [...SOURCE_IGNORE, ...(inside && !SOURCE_IGNORE.includes(rel) ? [rel.split(path.sep).join("/")] : [])]
}

/** Build and publish (or export) with the module's own code, in-process, by name. Needs a Dagger session. */
export async function runPipeline(c: PipelineConfig, log: (s: string) => void = (s) => console.log(s), envFile?: string): Promise<string> {
  let result = ""
  await connection(
    async () => {
      const src = dag.host().directory(c.source, { exclude: sourceExcludes(c.source, envFile) })
      const image = await buildImage(
        src,
        parseBuildRequest({
          platforms: c.platforms,
          lang: c.lang,
          goVersion: c.go.goVersion,
          pkg: c.go.pkg,
          ldflags: c.go.ldflags,
          cgo: c.go.cgo,
          version: c.labels.version,
          commit: c.labels.commit,
          sourceUrl: c.labels.sourceUrl,
        }),
      )
      const o = c.output
      if (o.kind === "tarball") {
        result = await image.tarball().export(o.path)
      } else {
        const password = o.passwordEnv !== undefined ? dag.secret(`env://${o.passwordEnv}`) : undefined
        const req = parsePublishRequest({ address: `${o.image}:${o.tags[0]}`, tags: o.tags.slice(1), username: o.username, password })
        result = await publishImage({ variants: image.variants, platforms: image.platformNames }, req, password)
      }
    },
    { LogOutput: process.stderr },
  )
  log(result)
  return result
}

/** The program: read settings, print every problem and return 2, or run. Returns the exit code. */
export async function main(env: Env = process.env, cwd = process.cwd()): Promise<number> {
  const file = readEnvFile(env, cwd)
  const parsed = parseConfig(env, file.values, cwd, file.file ? path.relative(cwd, file.file) || file.file : DEFAULT_ENV_FILE, { explicitFile: file.explicit, githubEvent: readGitHubEvent(env) })
  const problems = [...file.problems, ...(parsed.ok ? [] : parsed.problems)]
  if (!parsed.ok || problems.length) {
    console.error(`multiarch pipeline: ${problems.length} problem${problems.length === 1 ? "" : "s"} in the settings (nothing was built):`)
    for (const p of problems) console.error(`  - ${p}`)
    return 2
  }
  for (const n of parsed.notes) console.error(`note: ${n}`)
  console.error(describeConfig(parsed.config))
  try {
    await runPipeline(parsed.config, undefined, file.file)
    return 0
  } catch (e) {
    console.error(`multiarch pipeline failed: ${e instanceof Error ? e.message : String(e)}`)
    return 1
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then((code) => process.exit(code))
}
