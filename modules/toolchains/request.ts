/**
 * The one BuildRequest: every build option, by name, parsed and checked once before any engine
 * work — platforms into target rows, each toolchain's options (toolchain table), the OCI labels
 * `build` sets. `plan`, `build`, `go`, `rust`, `dockerfile`, `binaries` and ci/pipeline.ts all
 * build it with `parseBuildRequest({ … })` and hand it to the same engine glue, so `plan` shows
 * exactly what `build` does with the same options.
 *
 * An option counts as given when it differs from its default (BUILD_DEFAULTS, the values the
 * module's signatures show in `--help`): an option of another toolchain than the one that builds
 * (`--cgo` on a Rust crate) is an error naming the toolchain and what to drop — at once when
 * --lang says the toolchain, after reading the source's listing when it is detected.
 */
import { parseChoice } from "../core/choice.js"
import { MultiarchInputError, MultiarchInputErrors } from "../core/errors/index.js"
import { checkCreated, imageLabels, parseLabels } from "../core/labels.js"
import { parsePlatforms, targetOf } from "../core/platform.js"
import type { TargetRow } from "../core/targets.js"
import { checkPublicUrl } from "../core/url.js"
import { checkSecretIds } from "./dockerfile/options.js"
import { TOOLCHAIN_NAMES, toolchain, toolchainOptions, type LangName, type ToolchainOptions } from "./index.js"
import type { BuildOptions } from "./options.js"
import { DEFAULT_PROFILE } from "./rust/options.js"

/** The target platforms when none are given. */
export const DEFAULT_PLATFORMS: readonly string[] = ["linux/amd64", "linux/arm64"]

/**
 * Every build option's default: what `--help` shows, and what counts as "not given". `libc` has
 * none here: its default depends on the toolchain (Rust musl, Node gnu), so `plan`, `build` and
 * `binaries` leave it unset and the `rust` and `node` functions show their own.
 */
export const BUILD_DEFAULTS: Readonly<Partial<Record<keyof BuildOptions, unknown>>> = {
  platforms: DEFAULT_PLATFORMS,
  profile: DEFAULT_PROFILE,
  dockerfile: "Dockerfile",
  cgo: false,
  emulate: false,
  allowSecretBuildArgs: false,
}

/** Options every toolchain reads. */
export const SHARED_OPTIONS: readonly (keyof BuildOptions)[] = ["platforms", "lang", "version", "commit", "sourceUrl", "created", "labels"]

/** Other words people use for a toolchain. */
const LANG_ALIASES: Record<string, LangName> = { golang: "go", cargo: "rust", docker: "dockerfile", buildkit: "dockerfile", containerfile: "dockerfile" }

export interface BuildRequest<Secret = unknown> {
  /** Target rows, normalised and deduplicated, in the order given. */
  targets: readonly Readonly<TargetRow>[]
  /** The toolchain asked for; undefined: detect from the source. */
  lang?: LangName
  /** Each toolchain's options (checked). */
  options: ToolchainOptions
  /** OCI labels set on every image variant. */
  labels: Record<string, string>
  /** Secrets for the build (Dockerfile: `RUN --mount=type=secret`), passed on as they are. */
  secrets: readonly Secret[]
  /** The Dockerfile id of each secret, when given (--secret-ids). */
  secretIds?: readonly string[]
  /** The options given with a value other than their default, by name. */
  given: readonly (keyof BuildOptions)[]
  /** Their values, to name them in errors (secrets by count only). */
  shown: Readonly<Partial<Record<keyof BuildOptions, string>>>
}

/** `goVersion` → `go-version`: the CLI spelling of an option. */
export function flagName(option: string): string {
  return option.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** Whether an option was given: set, not empty, and not its default. */
function isGiven(key: keyof BuildOptions, v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === "") return false
  if (Array.isArray(v) && v.length === 0) return false
  const def = BUILD_DEFAULTS[key]
  if (def === undefined) return true
  if (key === "platforms") return !sameValue(parsePlatforms(typeof v === "string" ? v : [...(v as string[])]), def)
  return !sameValue(v, def)
}

function show(key: keyof BuildOptions, v: unknown): string {
  if (key === "secrets") return `${(v as unknown[]).length} secret${(v as unknown[]).length === 1 ? "" : "s"}`
  if (key === "buildArgs") return (v as string[]).map((a) => a.split("=")[0]).join(",")
  return Array.isArray(v) ? v.join(",") : String(v)
}

/** `--lang`: one of the toolchains of the table, with a "did you mean". */
export function parseLang(value: string): LangName {
  return parseChoice("lang", value, TOOLCHAIN_NAMES, { what: "a toolchain multiarch builds with", aliases: LANG_ALIASES })
}

/**
 * Parse and check build options by name. Throws MultiarchInputError (MultiarchInputErrors for
 * several problems) naming the input and the fix.
 */
export function parseBuildRequest<Secret = unknown>(o: BuildOptions<Secret>): BuildRequest<Secret> {
  const platforms = o.platforms === undefined || o.platforms.length === 0 ? DEFAULT_PLATFORMS : o.platforms
  const targets = parsePlatforms(typeof platforms === "string" ? platforms : [...platforms]).map(targetOf)
  const lang = o.lang !== undefined && o.lang !== "" ? parseLang(o.lang) : undefined
  if (o.created !== undefined && o.created !== "") checkCreated(o.created)
  if (o.sourceUrl !== undefined && o.sourceUrl !== "") checkPublicUrl("source-url", o.sourceUrl)
  const labels = {
    ...parseLabels(o.labels),
    ...imageLabels({ source: o.sourceUrl, revision: o.commit, version: o.version, created: o.created }),
  }
  const given: (keyof BuildOptions)[] = []
  const shown: Partial<Record<keyof BuildOptions, string>> = {}
  for (const [k, v] of Object.entries(o) as [keyof BuildOptions, unknown][])
    if (isGiven(k, v)) {
      given.push(k)
      shown[k] = show(k, v)
    }
  // another toolchain's option is named as such first (not checked as if it applied: `--lang rust
  // --cgo-packages x` is "an option of go", not "add --cgo")
  if (lang !== undefined) checkOptionsFit({ given, shown }, lang, `--lang ${lang}`)
  const options = toolchainOptions(o)
  checkToolchainOptions(o, options, lang)
  checkSecretIds(o.secretIds, o.secrets?.length ?? 0)
  return {
    targets,
    ...(lang !== undefined ? { lang } : {}),
    options,
    labels,
    secrets: o.secrets ?? [],
    ...(o.secretIds?.length ? { secretIds: [...o.secretIds] } : {}),
    given,
    shown,
  }
}

/**
 * Each toolchain checks its options: with --lang only that one (another's options were refused
 * above); without it every toolchain, before the source is read — except a value of an option that
 * several toolchains read with their own syntax (`--entrypoint`: Go's binary name, Node's argv
 * node,server.js) refused by one while another takes it: that one is left to the toolchain
 * detection picks (planBuild checks its options again, after detection).
 */
function checkToolchainOptions(o: BuildOptions, options: ToolchainOptions, lang: LangName | undefined): void {
  for (const n of lang !== undefined ? [lang] : TOOLCHAIN_NAMES) {
    try {
      toolchain(n).check(options[n])
    } catch (e) {
      if (lang === undefined && e instanceof MultiarchInputError && !(e instanceof MultiarchInputErrors) && takenByAnother(o, e.field, n)) continue
      throw e
    }
  }
}

/** Whether a toolchain other than `by` reads the option behind `field` and takes its value. */
function takenByAnother(o: BuildOptions, field: string, by: LangName): boolean {
  const key = (Object.keys(o) as (keyof BuildOptions)[]).find((k) => flagName(k) === field)
  if (key === undefined) return false
  return TOOLCHAIN_NAMES.some((m) => {
    if (m === by || !toolchain(m).flags.includes(key)) return false
    try {
      toolchain(m).check(toolchain(m).options({ [key]: o[key] }))
      return true
    } catch {
      return false
    }
  })
}

/**
 * Throws MultiarchInputError(s) for every given option the toolchain `lang` does not read, naming
 * the toolchain (and why it builds: `--lang rust`, `found Cargo.toml`) and what to drop.
 */
export function checkOptionsFit(req: Pick<BuildRequest, "given" | "shown">, lang: LangName, why: string): void {
  const own = new Set<string>([...SHARED_OPTIONS, ...toolchain(lang).flags])
  const errors = req.given
    .filter((k) => !own.has(k))
    .map((k) => {
      const owners = TOOLCHAIN_NAMES.filter((n) => toolchain(n).flags.includes(k))
      const switchTo = why.startsWith("--lang") || owners.length === 0 ? "" : ` (or --lang ${owners[0]} if the source is a ${owners[0]} project)`
      return new MultiarchInputError(
        flagName(k),
        req.shown[k] ?? "",
        `--${flagName(k)} is ${owners.length ? `an option of ${owners.join(" and ")}` : "not an option"} and this build uses ${lang} (${why})`,
        `drop --${flagName(k)}${switchTo}`,
      )
    })
  if (errors.length) throw new MultiarchInputErrors(errors)
}

/** The request with the ids of its secrets in the Dockerfile options (what a plan shows). */
export function withSecretNames<Secret>(req: BuildRequest<Secret>, names: readonly string[]): BuildRequest<Secret> {
  return { ...req, options: { ...req.options, dockerfile: { ...req.options.dockerfile, secrets: [...names] } } }
}
