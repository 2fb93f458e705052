/**
 * The zod schemas of the platform model (modules/core/platform-schema.ts): the same rules as
 * parsePlatform / parsePlatforms, for library users who validate with zod.
 */
import { describe, expect, it } from "vitest"
import { PlatformListSchema, PlatformSchema } from "../../../modules/core/platform-schema.js"
import * as core from "../../../modules/core/index.js"

describe("platform zod schemas", () => {
  it("PlatformSchema normalises, or reports the problem with its fix and input", () => {
    expect(PlatformSchema.parse("aarch64")).toBe("linux/arm64")
    const r = PlatformSchema.safeParse("linux/arm64/v7")
    expect(r.success).toBe(false)
    const issue = r.error!.issues[0] as { message: string; params?: Record<string, string> }
    expect(issue.message).toBe('invalid platform "linux/arm64/v7": arm64 has no v7 variant; did you mean linux/arm/v7 or linux/arm64?')
    expect(issue.params).toEqual({ fix: "did you mean linux/arm/v7 or linux/arm64?", input: "linux/arm64/v7" })
  })

  it("PlatformSchema refuses a value that is not a string", () => {
    expect(PlatformSchema.safeParse(42).success).toBe(false)
  })

  it("PlatformListSchema: strings and arrays, split on commas, trimmed", () => {
    expect(PlatformListSchema.parse(" a , b")).toEqual(["a", "b"])
    expect(PlatformListSchema.parse(["a,b", " c "])).toEqual(["a", "b", "c"])
    expect(PlatformListSchema.safeParse(42).success).toBe(false)
    expect(PlatformListSchema.safeParse(["a", 1]).success).toBe(false)
  })

  it("the package index still exports both", () => {
    expect(core.PlatformSchema).toBe(PlatformSchema)
    expect(core.PlatformListSchema).toBe(PlatformListSchema)
  })
})
