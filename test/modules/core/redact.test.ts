/** Userinfo is never echoed; secrets with control characters are refused without being shown. */
import { describe, expect, it } from "vitest"
import { checkSecretText, hasUserinfo, redactUserinfo } from "../../../modules/core/redact.js"
import { parseReference } from "../../../modules/core/reference.js"
import { inputError } from "../../support/errors.js"

describe("redactUserinfo", () => {
  it.each([
    ["https://bob:s3cret@ghcr.io/v2/", "https://***@ghcr.io/v2/"],
    ["see http://u@h:5000/x and https://a:b@c/d", "see http://***@h:5000/x and https://***@c/d"],
    ["bob:s3cret@ghcr.io/o/app:1", "***@ghcr.io/o/app:1"],
    ["docker://bob:s3cret@ghcr.io/o/app", "docker://***@ghcr.io/o/app"],
    ["ghcr.io/o/app@sha256:" + "a".repeat(64), "ghcr.io/o/app@sha256:" + "a".repeat(64)],
    ["alpine@sha256:" + "b".repeat(64), "alpine@sha256:" + "b".repeat(64)],
    ["ghcr.io/o/app:1", "ghcr.io/o/app:1"],
  ])("%s → %s", (input, out) => {
    expect(redactUserinfo(input)).toBe(out)
    expect(hasUserinfo(input)).toBe(input !== out)
  })
})

describe("image references with credentials are refused, and never echoed", () => {
  it.each(["bob:s3cret-pw@ghcr.io/o/app:1", "https://bob:s3cret-pw@ghcr.io/o/app", "docker://bob:s3cret-pw@ghcr.io/o/app"])("%s", (input) => {
    const e = inputError(() => parseReference(input))
    expect(e.message).toContain("cannot carry credentials")
    expect(e.message).toContain("***@ghcr.io/o/app")
    expect(e.message).not.toContain("s3cret-pw")
    expect(e.input).not.toContain("s3cret-pw")
  })
})

describe("checkSecretText", () => {
  it("accepts ordinary tokens (any printable text, including ':' and spaces)", () => {
    for (const t of ["ghp_abc123", "correct horse battery", "pa:ss", "äöü€"]) expect(() => checkSecretText("password", t)).not.toThrow()
  })
  it("refuses line breaks, tabs and other control characters, naming the field, not the value", () => {
    const trailing = inputError(() => checkSecretText("password", "tok3n-value\n"))
    expect(trailing.message).toMatch(/invalid password "\(secret, not shown\)": the secret contains a line break at its end/)
    expect(trailing.message).toMatch(/printf '%s'/)
    expect(trailing.message).not.toContain("tok3n-value")
    expect(inputError(() => checkSecretText("password", "a\nb")).message).toMatch(/a line break,/)
    expect(inputError(() => checkSecretText("token", "a\u0000b")).message).toMatch(/U\+0000/)
    expect(inputError(() => checkSecretText("token", "a\tb")).message).toMatch(/a tab/)
  })
})
