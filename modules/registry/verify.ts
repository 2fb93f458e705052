/**
 * verify: fail unless a published image has exactly the expected platforms. Expected platforms go
 * through `parsePlatforms` (normalised and checked against the build targets). It also fails when
 * one platform appears twice in the index: a client picks the first and the second is dead weight,
 * almost always a merge mistake.
 */
import { parsePlatforms } from "../core/platform.js"
import { PlatformMismatchError } from "./errors/index.js"
import type { RegistryOptions } from "./images.js"
import { inspectImage } from "./inspect.js"

export interface VerifyResult {
  ref: string
  digest: string
  platforms: string[]
}

/**
 * Fail unless the published image has exactly `platforms` (normalised; attestations ignored;
 * a platform listed twice in the index also fails). Throws PlatformMismatchError naming the
 * missing, unexpected and duplicated platforms.
 *
 * @example await verifyImage("127.0.0.1:5000/app:1.0", "linux/amd64,linux/arm64")
 *   // { ref: "127.0.0.1:5000/app:1.0@sha256:…", digest: "sha256:…", platforms: ["linux/amd64", "linux/arm64"] }
 */
export async function verifyImage(address: string, platforms: string | readonly string[], opts: RegistryOptions = {}): Promise<VerifyResult> {
  const expected = parsePlatforms(typeof platforms === "string" ? platforms : [...platforms])
  const info = await inspectImage(address, opts)
  const actual = info.platforms.map((p) => p.platform)
  const seen = new Set<string>()
  const duplicated = [...new Set(actual.filter((p) => (seen.has(p) ? true : (seen.add(p), false))))]
  const missing = expected.filter((p) => !actual.includes(p))
  const unexpected = [...new Set(actual.filter((p) => !expected.includes(p)))]
  if (missing.length || unexpected.length || duplicated.length)
    throw new PlatformMismatchError(info.ref, expected, actual, missing, unexpected, duplicated, info.attestations.length)
  return { ref: info.ref, digest: info.digest, platforms: actual }
}
