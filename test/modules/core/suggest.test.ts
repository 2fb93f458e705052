import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { closest, editDistance } from "../../../modules/core/suggest.js"

describe("editDistance / closest (the one did-you-mean helper)", () => {
  it("counts insertions, deletions and substitutions", () => {
    expect(editDistance("", "")).toBe(0)
    expect(editDistance("FORM", "FROM")).toBe(2)
    expect(editDistance("kitten", "sitting")).toBe(3)
    expect(editDistance("org.opencontainers.image.descripton", "org.opencontainers.image.description")).toBe(1)
  })

  it("is a metric: symmetric, zero only for equal strings, triangle inequality (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b, c) => {
        const ab = editDistance(a, b)
        return ab === editDistance(b, a) && (ab === 0) === (a === b) && editDistance(a, c) <= ab + editDistance(b, c) && ab <= Math.max(a.length, b.length)
      }),
      { numRuns: 500 },
    )
  })

  it("closest: nearest within the limit, first on a tie, undefined beyond it", () => {
    expect(closest("RUNN", ["FROM", "RUN", "ENV"], 2)).toBe("RUN")
    expect(closest("AB", ["AC", "AD"], 1)).toBe("AC")
    expect(closest("COMPLETELY", ["RUN", "ENV"], 2)).toBeUndefined()
    expect(closest("x", [], 5)).toBeUndefined()
  })
})
