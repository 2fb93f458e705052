/** One key grammar for index annotations, per-variant annotations and labels. */
import { describe, expect, it } from "vitest"
import { checkAnnotationKey, checkLabelKey, keyProblem, parseAnnotations } from "../../../modules/core/annotations.js"
import { MultiarchInputError } from "../../../modules/core/errors/index.js"

describe("keyProblem: the one rule", () => {
  it("grammar: letters, digits, . _ - /, starting and ending with a letter or digit", () => {
    for (const k of ["com.example.team", "org.opencontainers.image.source", "a", "a/b_c-d.e"]) expect(keyProblem(k), k).toBeUndefined()
    for (const k of ["", "-a", "a-", "a.b.", "a b", "ä", "a=b"]) expect(keyProblem(k), k).toEqual({ kind: "grammar" })
  })

  it("org.opencontainers.image.* keys must be ones the spec defines, with a suggestion for typos", () => {
    expect(keyProblem("org.opencontainers.image.sorce")).toEqual({ kind: "unknown-oci-key", suggestion: "org.opencontainers.image.source" })
    expect(keyProblem("org.opencontainers.image.something-else-entirely")).toEqual({ kind: "unknown-oci-key" })
  })

  it("labels, variant annotations and index annotations apply it alike", () => {
    for (const check of [checkLabelKey, checkAnnotationKey]) {
      expect(() => check("org.opencontainers.image.description")).not.toThrow()
      expect(() => check("a.b-")).toThrow(MultiarchInputError)
      expect(() => check("org.opencontainers.image.descripton")).toThrow(/did you mean "org\.opencontainers\.image\.description"/)
    }
    expect(() => parseAnnotations(["a.b-=1"])).toThrow(/not a valid annotation key/)
    expect(() => parseAnnotations(["org.opencontainers.image.descripton=1"])).toThrow(/did you mean "org\.opencontainers\.image\.description"/)
  })
})
