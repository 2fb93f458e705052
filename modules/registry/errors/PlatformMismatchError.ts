/** `verifyImage` failure: the published platforms differ from the expected ones. */
export class PlatformMismatchError extends Error {
  readonly ref: string
  readonly expected: string[]
  readonly actual: string[]
  readonly missing: string[]
  readonly unexpected: string[]
  readonly duplicated: string[]
  constructor(ref: string, expected: string[], actual: string[], missing: string[], unexpected: string[], duplicated: string[], attestations: number) {
    const diffs: string[] = []
    if (missing.length) diffs.push(`missing ${missing.join(", ")}`)
    if (unexpected.length) diffs.push(`unexpected ${unexpected.join(", ")}`)
    if (duplicated.length) diffs.push(`listed more than once ${duplicated.join(", ")}`)
    const att = attestations ? ` (${attestations} attestation manifest${attestations > 1 ? "s" : ""} ignored)` : ""
    super(
      `${ref} does not have exactly the expected platforms: ${diffs.join("; ")}. ` +
        `Expected: ${expected.join(", ")}. Published: ${actual.length ? actual.join(", ") : "none"}${att}.`,
    )
    this.name = "PlatformMismatchError"
    this.ref = ref
    this.expected = expected
    this.actual = actual
    this.missing = missing
    this.unexpected = unexpected
    this.duplicated = duplicated
  }
}
