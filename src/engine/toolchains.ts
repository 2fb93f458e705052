/**
 * Toolchain registry and the plan-all step shared by `plan`, `build` and `binaries`.
 */
import type { Directory } from "@dagger.io/dagger"
import { goToolchain, type GoOptions } from "../../modules/toolchains/go/index.js"
import { checkGoOptions } from "../../modules/toolchains/go/plan.js"
import { checkRustOptions, planRust, type RustOptions } from "../../modules/toolchains/rust/plan.js"
import type { Toolchain } from "../../modules/toolchains/toolchain.js"
import { FACT_FILES } from "../../modules/core/detect.js"
import type { BuildPlan, LangName, SourceFacts } from "../../modules/core/plan.js"

export interface CompiledOptions {
  go: GoOptions
  rust: RustOptions
}

const rustToolchain: Toolchain<RustOptions> = { lang: "rust", marker: "Cargo.toml", plan: planRust }

/** Compiled-language toolchains (cross-compiled through a BuildPlan). */
export const COMPILED = { go: goToolchain, rust: rustToolchain }

/** Read the directory listing and the few files toolchains look at (concurrently). */
export async function sourceFacts(source: Directory, extraFiles: string[] = []): Promise<SourceFacts> {
  const entries = (await source.entries()).map((e) => e.replace(/\/$/, ""))
  const wanted = [...new Set([...FACT_FILES.filter((f) => entries.includes(f)), ...extraFiles])]
  const contents = await Promise.all(wanted.map((f) => source.file(f).contents()))
  const facts: SourceFacts = { entries, files: Object.fromEntries(wanted.map((f, i) => [f, contents[i]])) }
  // a Dockerfile at another path counts as present for detection
  for (const f of extraFiles) if (!entries.includes(f)) entries.push(f)
  return facts
}

/** Plans for every target of a compiled language (pure; throws input errors before any build starts). */
export function planAll(lang: "go" | "rust", targets: string[], opts: CompiledOptions, facts: SourceFacts, native: string): BuildPlan[] {
  return lang === "go"
    ? targets.map((t) => COMPILED.go.plan(t, opts.go, facts, native))
    : targets.map((t) => COMPILED.rust.plan(t, opts.rust, facts, native))
}

/** Validate every toolchain option before any engine call. */
export function checkOptions(opts: CompiledOptions): void {
  checkGoOptions(opts.go)
  checkRustOptions(opts.rust)
}

