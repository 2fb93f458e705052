/**
 * The reference implementations the suites in this folder compare against, pinned to the commit
 * each case was read from (with `fetch` + `git show <commit>:<path>`; nothing of their code is in
 * this repository, only test inputs and expected values, each citing file and test/line).
 */
export const REFS = {
  containerd: { repo: "containerd/platforms", commit: "09756f59cb1d6b3fb368f371043d36e634789537" },
  metadataAction: { repo: "docker/metadata-action", commit: "dc802804100637a589fabce1cb79ff13a1411302" },
  buildkit: { repo: "moby/buildkit", commit: "73ed6825c4b7569379ef89df0aedcdbe64473d31" },
} as const

export type RefName = keyof typeof REFS

/** Where a case comes from: a file of a reference repository (at REFS[ref].commit), or this project's issue. */
export interface Source {
  ref: RefName | "issue-14"
  file: string
  /** Test function / table / fixture, and the line in `file`. */
  test?: string
  line?: number
}

/**
 * The differences we keep on purpose, by name: each is a row of README's "Where we differ from
 * containerd, metadata-action and BuildKit, and why" (exceptions.test.ts checks both ways), and
 * every case that differs from its reference names one.
 *  - keep: a difference on purpose;
 *  - na:   the reference feature does not apply to multiarch (we reject it with a clear error).
 */
export const EXCEPTIONS = {
  "os-less-arch-variant": { ref: "containerd", kind: "keep" },
  "os-only-needs-arch": { ref: "containerd", kind: "keep" },
  "uname-aliases": { ref: "containerd", kind: "keep" },
  "amd64-bare-level": { ref: "containerd", kind: "keep" },
  "os-options": { ref: "containerd", kind: "na" },
  "non-semver-tag-pushed": { ref: "metadataAction", kind: "keep" },
  "non-semver-tag-not-latest": { ref: "metadataAction", kind: "keep" },
  "semver-tag-no-raw-name": { ref: "metadataAction", kind: "keep" },
  "cli-no-nightly": { ref: "metadataAction", kind: "keep" },
  "words-keep-text-before-modifier": { ref: "buildkit", kind: "keep" },
  "flags-keep-non-ascii": { ref: "buildkit", kind: "keep" },
  "nesting-limit": { ref: "buildkit", kind: "keep" },
} as const satisfies Record<string, { ref: RefName; kind: "keep" | "na" }>

export type ExceptionName = keyof typeof EXCEPTIONS

/**
 * What a case that did not agree with the reference in phase 1 is:
 * - fixed: our bug, fixed in issue 14 (in `fn`); the test asserts the reference behaviour with a
 *          plain `it` and keeps the name of the fix (a new gap would run as `it.fails` until fixed);
 * - keep:  a difference on purpose, a named exception (EXCEPTIONS); the test asserts our behaviour
 *          and that it differs from the reference;
 * - na:    the reference feature does not apply here (a named exception too); the test asserts what
 *          we do instead.
 */
export type Verdict =
  | { kind: "fixed"; fn: string; why: string }
  | { kind: "keep" | "na"; exception: ExceptionName; why: string }

/** Every named exception a set of verdicts uses (for exceptions.test.ts). */
export function exceptionsOf(verdicts: Iterable<Verdict | undefined>): Set<ExceptionName> {
  const out = new Set<ExceptionName>()
  for (const v of verdicts) if (v && v.kind !== "fixed") out.add(v.exception)
  return out
}

/** The test title prefix of a kept difference or an n.a. case: KEPT/N/A and the exception's name. */
export function exceptionLabel(v: { kind: "keep" | "na"; exception: ExceptionName }): string {
  return `${v.kind === "keep" ? "KEPT" : "N/A"} [${v.exception}]`
}

export function cite(s: Source): string {
  if (s.ref === "issue-14") return `issue 14${s.test ? `: ${s.test}` : ""}`
  return `${REFS[s.ref].repo}@${REFS[s.ref].commit.slice(0, 7)} ${s.file}${s.line ? `:${s.line}` : ""}${s.test ? ` ${s.test}` : ""}`
}
