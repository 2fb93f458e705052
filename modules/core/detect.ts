/**
 * Toolchain detection from a source listing (pure). Go and Rust win over a Dockerfile because they
 * are cross-compiled natively; a Dockerfile is used when it is the only build description or when
 * the user asks for it.
 */
import { MultiarchInputError } from "./errors/index.js"
import type { LangName, SourceFacts } from "./plan.js"

export const DETECTION_ORDER: ReadonlyArray<[LangName, string]> = [
  ["go", "go.mod"],
  ["rust", "Cargo.toml"],
  ["dockerfile", "Dockerfile"],
]

/** Files the toolchains read from the source root (fetched once by the shell). */
export const FACT_FILES = ["go.mod", "Cargo.toml", "Cargo.lock", "rust-toolchain.toml", "rust-toolchain", "Dockerfile"]

export interface Detection {
  lang: LangName
  /** Why this toolchain, and what else was found and not used. */
  reason: string
}

export function detectToolchain(facts: SourceFacts, requested?: LangName, dockerfilePath = "Dockerfile"): Detection {
  const has = (f: string) => facts.entries.includes(f)
  const marker = (l: LangName) => (l === "dockerfile" ? dockerfilePath : DETECTION_ORDER.find(([x]) => x === l)![1])
  if (requested) {
    if (!has(marker(requested)))
      throw new MultiarchInputError(
        "lang",
        requested,
        `the source has no ${marker(requested)} at its root`,
        `pass --source pointing at the project root, or drop --lang to detect (found: ${facts.entries.slice(0, 12).join(", ") || "nothing"})`,
      )
    return { lang: requested, reason: `--lang ${requested}` }
  }
  const found = DETECTION_ORDER.filter(([l]) => has(marker(l)))
  if (found.length === 0)
    throw new MultiarchInputError(
      "source",
      facts.entries.slice(0, 12).join(", ") || "(empty directory)",
      "no go.mod, Cargo.toml or Dockerfile at the root of the source",
      "pass --source pointing at the project root, or --dockerfile for a Dockerfile elsewhere",
    )
  const [lang, file] = found[0]
  const others = found.slice(1).map(([l, f]) => `${f} (use --lang ${l})`)
  return { lang, reason: `found ${file}` + (others.length ? `; also found ${others.join(", ")}` : "") }
}
