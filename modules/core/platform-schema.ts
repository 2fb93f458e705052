/**
 * zod schemas of the platform model, for library users who validate with zod. Kept out of
 * platform.ts so that the Dagger module (src/), which never uses them, does not pull zod into the
 * TypeScript program the SDK scans and loads on every call (issue 18, module call overhead).
 */
import { z } from "zod"
import { MultiarchInputError } from "./errors/index.js"
import { parsePlatform, platformListEntries } from "./platform.js"

/** zod schema of one platform: validates and normalises. */
export const PlatformSchema = z.string().transform((s, ctx) => {
  try {
    return parsePlatform(s)
  } catch (e) {
    if (!(e instanceof MultiarchInputError)) throw e
    ctx.addIssue({ code: "custom", message: e.message, params: { fix: e.fix, input: e.input } })
    return z.NEVER
  }
})

/** zod schema of a platform list: an array or a comma-separated string, split on commas and trimmed. */
export const PlatformListSchema = z.union([z.string(), z.array(z.string())]).transform((v) => platformListEntries(v)!)
