/**
 * The one BuildRequest: every build option, by name, parsed and checked once before any engine
 * work — platforms into target rows, each toolchain's options (toolchain table), the OCI labels
 * `build` sets. `plan`, `build`, `go`, `rust`, `dockerfile`, `binaries` and ci/pipeline.ts all
 * build it with `parseBuildRequest({ … })` and hand it to the same engine glue, so `plan` shows
 * exactly what `build` does with the same options.
 */
import { MultiarchInputError } from "../core/errors/index.js"
import { imageLabels } from "../core/labels.js"
import { parsePlatforms, targetOf } from "../core/platform.js"
import type { TargetRow } from "../core/targets.js"
import { isLangName, TOOLCHAIN_NAMES, toolchain, toolchainOptions, type LangName, type ToolchainOptions } from "./index.js"
import type { BuildOptions } from "./options.js"

/** The target platforms when none are given. */
export const DEFAULT_PLATFORMS: readonly string[] = ["linux/amd64", "linux/arm64"]

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
}

/**
 * Parse and check build options by name. Throws MultiarchInputError (MultiarchInputErrors for
 * several bad platforms) naming the input and the fix.
 */
export function parseBuildRequest<Secret = unknown>(o: BuildOptions<Secret>): BuildRequest<Secret> {
  const platforms = o.platforms === undefined || o.platforms.length === 0 ? DEFAULT_PLATFORMS : o.platforms
  const targets = parsePlatforms(typeof platforms === "string" ? platforms : [...platforms]).map(targetOf)
  if (o.lang !== undefined && !isLangName(o.lang))
    throw new MultiarchInputError("lang", o.lang, "not a toolchain multiarch builds with", `use one of: ${TOOLCHAIN_NAMES.join(", ")}`)
  if (o.created !== undefined && Number.isNaN(Date.parse(o.created)))
    throw new MultiarchInputError("created", o.created, "not an RFC 3339 date", "pass e.g. 2026-01-31T12:00:00Z")
  const labels = imageLabels({ source: o.sourceUrl, revision: o.commit, version: o.version, created: o.created })
  const options = toolchainOptions(o)
  for (const n of TOOLCHAIN_NAMES) toolchain(n).check(options[n])
  return {
    targets,
    ...(o.lang !== undefined ? { lang: o.lang as LangName } : {}),
    options,
    labels,
    secrets: o.secrets ?? [],
  }
}

/** The request with the names of its secrets in the Dockerfile options (what a plan shows). */
export function withSecretNames<Secret>(req: BuildRequest<Secret>, names: readonly string[]): BuildRequest<Secret> {
  return { ...req, options: { ...req.options, dockerfile: { ...req.options.dockerfile, secrets: [...names] } } }
}
