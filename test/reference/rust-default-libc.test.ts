/**
 * Issue 14: a Rust build of a platform the default libc (musl) cannot build must not say
 * `invalid libc "musl"` when the user never passed --libc; it must name the platform and why
 * (tier-3 target without a prebuilt std, or no Debian cross gcc) and what to do.
 * (Not a reference-implementation suite: the case comes from the issue; the facts from
 * modules/core/targets.ts.)
 */
import { describe, expect, it } from "vitest"
import { MultiarchInputError } from "../../modules/core/errors/index.js"
import { enginePlatform } from "../../modules/core/native.js"
import { SUPPORTED_PLATFORMS, TARGETS } from "../../modules/core/targets.js"
import { DEFAULT_LIBC } from "../../modules/toolchains/rust/options.js"
import { planRust, unsupportedReason } from "../../modules/toolchains/rust/plan.js"
import { cite, type Source } from "./sources.js"

const SOURCE: Source = { ref: "issue-14", file: "issue 14", test: "Rust plan on mips64/loong64/s390x/mips without --libc" }
const ENGINE = enginePlatform("linux/amd64")
const FACTS = { entries: ["Cargo.toml", "src/"], files: { "Cargo.toml": '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n' } }

/** Platforms the default libc cannot build (as the target table says today). */
const NOT_DEFAULT = SUPPORTED_PLATFORMS.filter((p) => unsupportedReason(TARGETS.get(p)!, DEFAULT_LIBC))

function errorOf(fn: () => unknown): MultiarchInputError {
  try {
    fn()
  } catch (e) {
    if (e instanceof MultiarchInputError) return e
    throw e
  }
  throw new Error("expected a MultiarchInputError")
}

describe(`Rust without --libc on a platform the default (${DEFAULT_LIBC}) cannot build (${cite(SOURCE)})`, () => {
  it("the issue's platforms are among them", () => {
    for (const p of ["linux/mips64", "linux/loong64", "linux/s390x", "linux/mips"]) expect(NOT_DEFAULT).toContain(p)
  })

  for (const platform of NOT_DEFAULT) {
    const row = TARGETS.get(platform)!
    const other = DEFAULT_LIBC === "musl" ? "gnu" : "musl"
    const otherWorks = !unsupportedReason(row, other)
    it(
      `FIXED ${platform}: the error names the platform and the reason, not "invalid libc ${JSON.stringify(DEFAULT_LIBC)}"${otherWorks ? `, and says --libc ${other}` : ""}: modules/toolchains/rust/plan.ts planRust`,
      () => {
        const e = errorOf(() => planRust(row, {}, FACTS, ENGINE))
        expect(e.field).not.toBe("libc")
        expect(e.input).toBe(platform)
        expect(e.message).not.toMatch(/invalid libc/)
        expect(e.message).toMatch(/tier-3|gcc/)
        if (otherWorks) expect(e.fix).toContain(`--libc ${other}`)
      },
    )
    it(`${platform} with an explicit --libc ${DEFAULT_LIBC}: the libc is the input at fault${otherWorks ? "" : " (or the platform)"}`, () => {
      const e = errorOf(() => planRust(row, { libc: DEFAULT_LIBC }, FACTS, ENGINE))
      expect(e.message).toContain(platform)
      if (otherWorks) expect(e.field).toBe("libc")
    })
  }
})
