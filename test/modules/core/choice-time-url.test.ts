/** Words with a "did you mean", RFC 3339 on the calendar, URLs without credentials (pure). */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseChoice } from "../../../modules/core/choice.js"
import { daysInMonth, isRfc3339, rfc3339Problem } from "../../../modules/core/time.js"
import { checkPublicUrl } from "../../../modules/core/url.js"
import { redactUserinfo } from "../../../modules/core/userinfo.js"
import { parseCompression, parseImageFormat, parseMediaTypes, parsePublishRequest } from "../../../modules/core/publish.js"
import { inputError } from "../../support/errors.js"

describe("parseChoice", () => {
  it("canonical spelling, case-insensitive; an alias is named, never taken silently; the nearest word otherwise", () => {
    const c = ["json", "text"] as const
    expect(parseChoice("format", " JSON ", c, { what: "a format" })).toBe("json")
    expect(inputError(() => parseChoice("format", "txt", c, { what: "a format" })).fix).toBe("did you mean text? (the values are: json, text)")
    expect(inputError(() => parseChoice("format", "yaml", c, { what: "a format", aliases: { yml: "json" } })).fix).toBe("use one of: json, text")
    expect(inputError(() => parseChoice("format", "yml", c, { what: "a format", aliases: { yml: "json" } })).fix).toMatch(/^did you mean json\?/)
  })
})

describe("RFC 3339", () => {
  it("agrees with the calendar for every day of 1970–2400 (Date.UTC as the oracle)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1970, max: 2400 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
        const s = `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}T00:00:00Z`
        const real = new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d
        expect(isRfc3339(s)).toBe(real)
        expect(d <= daysInMonth(y, m)).toBe(real)
      }),
    )
  })
  it("needs a time and a zone; names the field that is off", () => {
    expect(rfc3339Problem("2026-01-31T12:00:00.123-05:30")).toBeUndefined()
    expect(rfc3339Problem("2026-13-01T00:00:00Z")).toBe("there is no month 13; months are 01 to 12")
    expect(rfc3339Problem("2026-01-01T24:00:00Z")).toMatch(/not a time of day/)
    expect(rfc3339Problem("2026-01-01T00:00:00+25:00")).toMatch(/not a time zone offset/)
    expect(rfc3339Problem("2026-01-01")).toMatch(/^a date without a time/)
  })
})

describe("URLs in labels", () => {
  it("userinfo is refused and redacted; only http(s)", () => {
    expect(redactUserinfo("https://u:p@h/x")).toBe("https://***@h/x")
    expect(redactUserinfo("https://h/x@y")).toBe("https://h/x@y")
    expect(() => checkPublicUrl("source-url", "https://github.com/o/r")).not.toThrow()
    expect(inputError(() => checkPublicUrl("source-url", "ssh://git@github.com/o/r")).message).not.toContain("git@")
    expect(inputError(() => checkPublicUrl("source-url", "ftp://h/x")).message).toMatch(/a ftp URL/)
  })
})

describe("publish: formats and the address", () => {
  it("zstd with docker media types is refused before any push; the words get a did-you-mean", () => {
    const e = inputError(() => parseImageFormat("zstd", "docker"))
    expect(e.message).toBe('invalid compression "zstd": Docker (schema 2) media types have no zstd layer type: zstd layers exist only as OCI media types; drop --media-types docker (OCI is the default), or use --compression gzip for old Docker clients')
    expect(inputError(() => parsePublishRequest({ address: "r.example/a", compression: "zstd", mediaTypes: "docker" })).field).toBe("compression")
    expect(parseImageFormat(undefined, undefined)).toEqual({ compression: "gzip", mediaTypes: "oci" })
    expect(inputError(() => parseCompression("gz")).fix).toMatch(/^did you mean gzip\?/)
    expect(inputError(() => parseMediaTypes("v2")).fix).toMatch(/^did you mean docker\?/)
  })
  it("an address with a tag and --git-ref (publish and merge share it) is refused, naming both", () => {
    const e = inputError(() => parsePublishRequest({ address: "ghcr.io/o/app:1.2.3", gitRef: "refs/tags/v1.2.3" }))
    expect(e.message).toBe('invalid address "ghcr.io/o/app:1.2.3": --git-ref computes the tags (refs/tags/v1.2.3), and the address names one too (1.2.3); drop ":1.2.3" from --address (--git-ref gives the tags), or drop --git-ref and list the tags with --tags')
    expect(parsePublishRequest({ address: "ghcr.io/o/app", gitRef: "refs/tags/v1.2.3" }).refs[0]).toBe("ghcr.io/o/app:1.2.3")
    expect(parsePublishRequest({ address: "ghcr.io/o/app:edge", gitSha: "0123456789abcdef" }).refs).toEqual(["ghcr.io/o/app:edge", "ghcr.io/o/app:sha-0123456"])
  })
})
