/**
 * Platform normalisation against containerd/platforms (what Docker, BuildKit and Dagger apply to
 * --platform values). Cases and expected values: containerd-platforms.cases.ts. A case agrees when
 * our normalised form equals containerd's and parsePlatform accepts exactly the supported ones;
 * the gaps phase 1 found are fixed (FIXED), decided differences are named exceptions (README's
 * "where we differ" table) and assert our behaviour.
 */
import { describe, expect, it } from "vitest"
import { MultiarchInputError } from "../../modules/core/errors/index.js"
import { formatPlatform, normalizePlatformParts, parsePlatform } from "../../modules/core/platform.js"
import { TARGETS } from "../../modules/core/targets.js"
import { PLATFORM_CASES, type PlatformCase } from "./containerd-platforms.cases.js"
import { cite, exceptionLabel } from "./sources.js"

const normalised = (s: string): string => formatPlatform(normalizePlatformParts(s))

function expectInputError(fn: () => unknown, text?: string): void {
  let thrown: unknown
  try {
    fn()
  } catch (e) {
    thrown = e
  }
  expect(thrown, "expected a MultiarchInputError").toBeInstanceOf(MultiarchInputError)
  if (text) expect((thrown as Error).message).toContain(text)
}

/** Our behaviour for an expected value: a normalised platform, "error", or "error:<message text>". */
function expectBehaviour(input: string, want: string): void {
  if (want.startsWith("error")) {
    const text = want.slice("error:".length) || undefined
    expectInputError(() => normalised(input), text)
    expectInputError(() => parsePlatform(input), text)
    return
  }
  expect(normalised(input)).toBe(want)
  // parsePlatform accepts exactly the normalised forms that are targets here
  if (TARGETS.has(want)) expect(parsePlatform(input)).toBe(want)
  else expectInputError(() => parsePlatform(input))
}

const title = (c: PlatformCase) => `${JSON.stringify(c.input)} → ${c.containerd} (${cite(c.source)})`

describe("containerd/platforms: Format(Normalize(Parse(x)))", () => {
  for (const c of PLATFORM_CASES) {
    const v = c.verdict
    if (!v) {
      it(title(c), () => expectBehaviour(c.input, c.containerd))
    } else if (v.kind === "fixed") {
      it(`FIXED ${title(c)}: ${v.fn}`, () => expectBehaviour(c.input, c.containerd))
    } else {
      it(`${exceptionLabel(v)} ${title(c)}, ours ${c.ours}: ${v.why}`, () => {
        expect(c.ours, "a kept difference names our behaviour").toBeDefined()
        expect(c.ours).not.toBe(c.containerd)
        expectBehaviour(c.input, c.ours!)
      })
    }
  }

  it("every case cites a containerd file and kept/n.a. cases say what we do", () => {
    for (const c of PLATFORM_CASES) {
      expect(c.source.ref).toBe("containerd")
      if (c.verdict && (c.verdict.kind === "keep" || c.verdict.kind === "na")) expect(c.ours).toBeDefined()
    }
    expect(new Set(PLATFORM_CASES.map((c) => c.input)).size).toBe(PLATFORM_CASES.length)
  })
})
