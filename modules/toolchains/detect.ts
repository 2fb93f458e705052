/**
 * Toolchain detection from a source listing (pure), from the markers in the toolchain table: the
 * first toolchain in table order whose marker file is at the source root, unless one is asked for.
 */
import { MultiarchInputError } from "../core/errors/index.js"
import type { SourceFacts } from "../core/plan.js"
import type { AlsoFound } from "../core/render.js"
import { TOOLCHAIN_NAMES, toolchain, type LangName, type ToolchainOptions } from "./index.js"

export interface Detection {
  lang: LangName
  /** Why this toolchain, and what else was found and not used. */
  reason: string
  /** The other toolchains whose marker is in the source: how to pick each, and what it would do that this one does not. */
  alsoFound: AlsoFound[]
}

/** Why table order picks the first of several markers. */
const WHY_FIRST = "Go and Rust are cross-compiled, and Node's node_modules installed for each target, on the engine's native platform, so they win over a Dockerfile, whose RUN steps for other platforms are emulated"

export function detectToolchain(facts: SourceFacts, options: ToolchainOptions, requested?: LangName): Detection {
  const has = (f: string) => facts.entries.includes(f)
  const marker = (l: LangName) => toolchain(l).marker(options[l])
  if (requested) {
    if (!has(marker(requested)))
      throw new MultiarchInputError(
        "lang",
        requested,
        `the source has no ${marker(requested)} at its root`,
        `pass --source pointing at the project root, or drop --lang to detect (found: ${facts.entries.slice(0, 12).join(", ") || "nothing"})`,
      )
    return { lang: requested, reason: `--lang ${requested}`, alsoFound: others(requested) }
  }
  const found = TOOLCHAIN_NAMES.filter((l) => has(marker(l)))
  if (found.length === 0)
    throw new MultiarchInputError(
      "source",
      facts.entries.slice(0, 12).join(", ") || "(empty directory)",
      `no ${TOOLCHAIN_NAMES.map((l) => marker(l)).join(", ").replace(/, ([^,]*)$/, " or $1")} at the root of the source`,
      "pass --source pointing at the project root, or --dockerfile for a Dockerfile elsewhere",
    )
  const [lang, ...rest] = found
  const also = others(lang)
  return {
    lang,
    reason: `found ${marker(lang)}` + (rest.length ? `; also found ${rest.map((l) => `${marker(l)} (use --lang ${l})`).join(", ")}; ${WHY_FIRST}` : ""),
    alsoFound: also,
  }

  function others(chosen: LangName): AlsoFound[] {
    return TOOLCHAIN_NAMES.filter((l) => l !== chosen && has(marker(l))).map((l) => {
      const note = toolchain(l).notChosenNote?.(options[l], facts, chosen)
      return { toolchain: l, marker: marker(l), use: `--lang ${l}`, ...(note ? { note } : {}) }
    })
  }
}
