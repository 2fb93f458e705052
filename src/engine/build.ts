/**
 * The flow every build-like function shares (`plan`, `build`, `go`, `rust`, `dockerfile`,
 * `binaries`, ci/pipeline.ts): read the source facts and the engine platform, detect the toolchain
 * from the table, plan (pure), then apply — or print the plan. A BuildRequest
 * (modules/toolchains/request.ts) comes in, already checked.
 */
import { dag, type Directory, type Secret } from "@dagger.io/dagger"
import { MultiarchInputError } from "../../modules/core/errors/index.js"
import type { EnginePlatform } from "../../modules/core/native.js"
import { renderPlan, type PlanReport } from "../../modules/core/render.js"
import { detectToolchain } from "../../modules/toolchains/detect.js"
import { missingDockerfile } from "../../modules/toolchains/dockerfile/index.js"
import { factFiles, planWith, toolchain, type LangName, type Plan } from "../../modules/toolchains/index.js"
import { checkOptionsFit, withSecretNames, type BuildRequest } from "../../modules/toolchains/request.js"
import { withPatch } from "../../modules/toolchains/source.js"
import type { AlsoFound } from "../../modules/core/render.js"
import { MultiarchImage } from "../image.js"
import { applyPlan, binaryOf } from "./apply.js"
import { syncEmulated } from "./emulated.js"
import { namedSecrets, secretIds, type SecretInfo } from "./secrets.js"
import { directoryReader, engineOf, sourceFacts } from "./source.js"

export interface Planned {
  lang: LangName
  /** Why this toolchain. */
  reason: string
  /** Other toolchains the source has markers for. */
  alsoFound: AlsoFound[]
  engine: EnginePlatform
  plans: Plan[]
  /** The build's secrets with their Dockerfile ids. */
  secrets: SecretInfo[]
}

/**
 * Source facts and engine platform (concurrently), the toolchain, whether every given option is
 * one of its own, the secrets' ids, the toolchain's scan of the source (Go main packages, Rust
 * workspace members), and the plans. With `binaries`, a toolchain that builds only images is
 * refused before planning. Nothing here builds: the engine is asked for listings, a few small
 * files (and file heads) and the secrets' names.
 */
export async function planBuild(source: Directory, req: BuildRequest<Secret>, want: { binaries?: boolean } = {}): Promise<Planned> {
  const [facts, engine] = await Promise.all([sourceFacts(source, factFiles(req.options)), engineOf()])
  const dockerfile = req.options.dockerfile.dockerfile
  if (req.given.includes("dockerfile") && dockerfile !== undefined && facts.files[dockerfile] === undefined) throw missingDockerfile(dockerfile, facts)
  const { lang, reason, alsoFound } = detectToolchain(facts, req.options, req.lang)
  checkOptionsFit(req, lang, req.lang ? `--lang ${lang}` : reason.split(";")[0])
  toolchain(lang).check(req.options[lang])
  if (want.binaries && !toolchain(lang).binaries)
    throw new MultiarchInputError("lang", lang, `a ${lang} build produces images, not binaries`, "use build … tarball, or a Go/Rust source")
  const secrets = req.secrets.length ? await secretIds(req.secrets, req.secretIds) : []
  const named = secrets.length ? withSecretNames(req, secrets.map((s) => s.id)) : req
  const scan = toolchain(lang).scan
  const scanned = scan ? withPatch(facts, await scan(directoryReader(source), named.options[lang], facts)) : facts
  return { lang, reason, alsoFound, engine, plans: planWith(lang, named.targets, named.options, scanned, engine), secrets }
}

/** `plan`: what `build` would do with the same request, as JSON or text. */
export async function planReport(source: Directory, req: BuildRequest<Secret>, format: "json" | "text"): Promise<string> {
  const { lang, reason, alsoFound, engine, plans } = await planBuild(source, req)
  const report: PlanReport<Plan> = {
    toolchain: lang,
    reason,
    native: engine.platform,
    ...(Object.keys(req.labels).length ? { labels: req.labels } : {}),
    ...(alsoFound.length ? { alsoFound } : {}),
    platforms: plans,
  }
  return renderPlan(report, format, (p) => toolchain(lang).describe(p, engine))
}

/** `build`: every platform's image; emulated variants are evaluated now (retry once on a QEMU crash). */
export async function buildImage(source: Directory, req: BuildRequest<Secret>): Promise<MultiarchImage> {
  const { lang, engine, plans, secrets: infos } = await planBuild(source, req)
  const tc = toolchain(lang)
  const secrets = infos.length ? await namedSecrets(infos) : []
  const variants = await Promise.all(
    plans.map((p) => {
      const c = applyPlan(p, source, { labels: req.labels, secrets })
      return p.mode === "emulated"
        ? syncEmulated(c, { platform: p.platform, toolchain: lang, nativePlatform: engine.platform, stepOf: (argv) => tc.stepOf(p, argv) })
        : c
    }),
  )
  return new MultiarchImage(variants, plans.map((p) => p.platform))
}

/** `binaries`: every platform's binary in one directory, `<os>/<arch>[/<variant>]/<name>`. */
export async function buildBinaries(source: Directory, req: BuildRequest<Secret>): Promise<Directory> {
  const { plans } = await planBuild(source, req, { binaries: true })
  let out = dag.directory()
  for (const p of plans) for (const { name, file } of binaryOf(p, source)) out = out.withFile(`${p.platform}/${name}`, file, { permissions: 0o755 })
  return out
}
