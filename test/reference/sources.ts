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
 * What a case that did not agree with the reference is:
 * - fix:   our bug, not fixed yet; the test asserts the reference behaviour with `it.fails` (when
 *          the fix lands, `it.fails` turns red and the verdict becomes "fixed");
 * - fixed: our bug, fixed in issue 14 (in `fn`); the test asserts the reference behaviour with a
 *          plain `it` and keeps the name of the fix;
 * - keep:  a difference on purpose (README table); the test asserts our behaviour;
 * - na:    the reference feature does not apply here; the test asserts what we do instead.
 */
export type Verdict =
  | { kind: "fix"; fn: string; why: string }
  | { kind: "fixed"; fn: string; why: string }
  | { kind: "keep"; why: string }
  | { kind: "na"; why: string }

export function cite(s: Source): string {
  if (s.ref === "issue-14") return `issue 14${s.test ? `: ${s.test}` : ""}`
  return `${REFS[s.ref].repo}@${REFS[s.ref].commit.slice(0, 7)} ${s.file}${s.line ? `:${s.line}` : ""}${s.test ? ` ${s.test}` : ""}`
}
