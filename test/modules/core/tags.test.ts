import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ciContext, type ExplicitContext } from "../../../modules/core/ci-context.js"
import { compareSemver, parseSemver } from "../../../modules/core/semver.js"
import { computeTags, isValidTag, sanitizeTag, type TagOptions } from "../../../modules/core/tags.js"

const SHA = "0123456789abcdef0123456789abcdef01234567"
const S = "sha-0123456"
const gh = (ref: string, extra: Record<string, string> = {}) => ({ GITHUB_ACTIONS: "true", GITHUB_REF: ref, GITHUB_SHA: SHA, GITHUB_EVENT_NAME: "push", ...extra })
const gl = (vars: Record<string, string>) => ({ GITLAB_CI: "true", CI_COMMIT_SHA: SHA, ...vars })
const long = "feature/" + "x".repeat(140)

interface Row {
  name: string
  env: Record<string, string>
  explicit?: ExplicitContext
  opts?: TagOptions
  tags: string[]
}

const rows: Row[] = [
  // ---- GitHub: tags
  { name: "gh tag v1.2.3", env: gh("refs/tags/v1.2.3"), tags: ["1.2.3", "1.2", "1", S, "latest"] },
  { name: "gh tag without v", env: gh("refs/tags/1.2.3"), tags: ["1.2.3", "1.2", "1", S, "latest"] },
  { name: "gh tag with build metadata", env: gh("refs/tags/v1.2.3+build.5"), tags: ["1.2.3", "1.2", "1", S, "latest"] },
  { name: "gh pre-release rc", env: gh("refs/tags/v1.2.3-rc.1"), tags: ["1.2.3-rc.1", S] },
  { name: "gh pre-release beta with build", env: gh("refs/tags/v2.0.0-beta.2+exp.sha.5114f85"), tags: ["2.0.0-beta.2", S] },
  { name: "gh 0.x: no bare major", env: gh("refs/tags/v0.4.1"), tags: ["0.4.1", "0.4", S, "latest"] },
  { name: "gh 0.x with majorZero", env: gh("refs/tags/v0.4.1"), opts: { majorZero: true }, tags: ["0.4.1", "0.4", "0", S, "latest"] },
  { name: "gh hotfix on an older line", env: gh("refs/tags/v1.1.5"), opts: { existingVersions: ["v1.2.0", "v1.1.4", "v0.9.0"] }, tags: ["1.1.5", "1.1", S] },
  { name: "gh older patch in the same line moves nothing", env: gh("refs/tags/v1.2.1"), opts: { existingVersions: ["1.2.2"] }, tags: ["1.2.1", S] },
  { name: "gh new minor line below a newer major", env: gh("refs/tags/v1.3.0"), opts: { existingVersions: ["v2.0.0", "v1.2.9"] }, tags: ["1.3.0", "1.3", "1", S] },
  { name: "gh highest stable, pre-releases and junk ignored", env: gh("refs/tags/v1.2.4"), opts: { existingVersions: ["v1.2.3", "v2.0.0-rc.1", "nightly", "latest"] }, tags: ["1.2.4", "1.2", "1", S, "latest"] },
  { name: "gh re-run of the highest tag", env: gh("refs/tags/v1.3.0"), opts: { existingVersions: ["v1.3.0", "v1.2.0"] }, tags: ["1.3.0", "1.3", "1", S, "latest"] },
  { name: "gh latest=false", env: gh("refs/tags/v1.2.3"), opts: { latest: false }, tags: ["1.2.3", "1.2", "1", S] },
  { name: "gh non-semver tag", env: gh("refs/tags/release-2024.05"), tags: ["release-2024.05", S] },
  { name: "gh two-part version is not semver", env: gh("refs/tags/v1.2"), tags: ["v1.2", S] },
  { name: "gh tag with slash", env: gh("refs/tags/app/v1.0.0"), tags: ["app-v1.0.0", S] },
  { name: "gh GITHUB_REF_NAME/TYPE fallback", env: { GITHUB_ACTIONS: "true", GITHUB_REF_NAME: "v3.1.0", GITHUB_REF_TYPE: "tag", GITHUB_SHA: SHA }, tags: ["3.1.0", "3.1", "3", S, "latest"] },
  // ---- GitHub: branches
  { name: "gh branch main", env: gh("refs/heads/main"), tags: ["main", S] },
  { name: "gh branch with slash, case kept", env: gh("refs/heads/feature/Add-Thing"), tags: ["feature-Add-Thing", S] },
  { name: "gh dependabot branch", env: gh("refs/heads/dependabot/npm_and_yarn/@types/node-20.1"), tags: ["dependabot-npm_and_yarn-types-node-20.1", S] },
  { name: "gh branch with leading dash and dot", env: gh("refs/heads/-weird/.name"), tags: ["weird-.name", S] },
  { name: "gh very long branch cut to 128", env: gh(`refs/heads/${long}`), tags: [("feature-" + "x".repeat(140)).slice(0, 128), S] },
  { name: "gh default branch → edge when asked", env: gh("refs/heads/main"), explicit: { defaultBranch: "main" }, opts: { edge: true }, tags: ["edge", S] },
  { name: "gh edge on a named branch only", env: gh("refs/heads/develop"), opts: { edge: "main" }, tags: ["develop", S] },
  { name: "gh scheduled run", env: gh("refs/heads/main", { GITHUB_EVENT_NAME: "schedule" }), tags: ["nightly", "main", S] },
  { name: "gh no sha tag", env: gh("refs/heads/main"), opts: { sha: false }, tags: ["main"] },
  { name: "gh longer sha", env: gh("refs/heads/main"), opts: { shaLength: 12 }, tags: ["main", "sha-0123456789ab"] },
  // ---- GitHub: pull requests
  { name: "gh pull request", env: gh("refs/pull/42/merge", { GITHUB_EVENT_NAME: "pull_request", GITHUB_HEAD_REF: "feature/x", GITHUB_BASE_REF: "main" }), tags: ["pr-42", S] },
  { name: "gh pull request via REF_NAME", env: { GITHUB_ACTIONS: "true", GITHUB_REF_NAME: "7/merge", GITHUB_REF_TYPE: "branch", GITHUB_SHA: SHA }, tags: ["pr-7", S] },
  // ---- GitLab
  { name: "gl tag v1.2.3", env: gl({ CI_COMMIT_TAG: "v1.2.3", CI_COMMIT_REF_NAME: "v1.2.3" }), tags: ["1.2.3", "1.2", "1", S, "latest"] },
  { name: "gl pre-release alpha", env: gl({ CI_COMMIT_TAG: "1.2.3-alpha.1", CI_COMMIT_REF_NAME: "1.2.3-alpha.1" }), tags: ["1.2.3-alpha.1", S] },
  { name: "gl hotfix not latest", env: gl({ CI_COMMIT_TAG: "v2.3.1" }), opts: { existingVersions: ["v2.4.0"] }, tags: ["2.3.1", "2.3", S] },
  { name: "gl non-semver tag", env: gl({ CI_COMMIT_TAG: "stable" }), tags: ["stable", S] },
  { name: "gl branch", env: gl({ CI_COMMIT_BRANCH: "Feature/UI_Rework", CI_COMMIT_REF_NAME: "Feature/UI_Rework", CI_DEFAULT_BRANCH: "main" }), tags: ["Feature-UI_Rework", S] },
  { name: "gl default branch → edge", env: gl({ CI_COMMIT_BRANCH: "main", CI_DEFAULT_BRANCH: "main" }), opts: { edge: true }, tags: ["edge", S] },
  { name: "gl default branch without edge", env: gl({ CI_COMMIT_BRANCH: "main", CI_DEFAULT_BRANCH: "main" }), tags: ["main", S] },
  { name: "gl branch from CI_COMMIT_REF_NAME only", env: gl({ CI_COMMIT_REF_NAME: "release/1.x" }), tags: ["release-1.x", S] },
  { name: "gl merge request", env: gl({ CI_MERGE_REQUEST_IID: "17", CI_COMMIT_REF_NAME: "feature/x", CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: "feature/x", CI_MERGE_REQUEST_TARGET_BRANCH_NAME: "main" }), tags: ["pr-17", S] },
  { name: "gl merge request, mr- prefix", env: gl({ CI_MERGE_REQUEST_IID: "17" }), opts: { prPrefix: "mr-" }, tags: ["mr-17", S] },
  { name: "gl scheduled pipeline", env: gl({ CI_COMMIT_BRANCH: "main", CI_PIPELINE_SOURCE: "schedule" }), tags: ["nightly", "main", S] },
  { name: "gl scheduled without nightly", env: gl({ CI_COMMIT_BRANCH: "main", CI_PIPELINE_SOURCE: "schedule" }), opts: { nightly: false }, tags: ["main", S] },
  // ---- explicit values
  { name: "explicit tag, no CI", env: {}, explicit: { tag: "v3.0.0", sha: SHA }, tags: ["3.0.0", "3.0", "3", S, "latest"] },
  { name: "explicit tag wins over the CI branch", env: gh("refs/heads/main"), explicit: { tag: "v1.0.0" }, tags: ["1.0.0", "1.0", "1", S, "latest"] },
  { name: "explicit branch", env: {}, explicit: { branch: "refs/heads/fix/bug#12" }, tags: ["fix-bug-12"] },
  { name: "explicit PR with #", env: {}, explicit: { pr: "#12", sha: SHA }, tags: ["pr-12", S] },
  { name: "nothing known", env: {}, tags: [] },
]

describe("computeTags: table", () => {
  it.each(rows.map((r) => [r.name, r] as const))("%s", (_name, row) => {
    const tags = computeTags(ciContext(row.env, row.explicit), row.opts)
    expect(tags).toEqual(row.tags)
    for (const t of tags) expect(isValidTag(t), t).toBe(true)
  })
})

describe("semver and sanitising", () => {
  it("orders pre-releases as the SemVer spec does", () => {
    const order = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0", "2.0.0"]
    const parsed = order.map((v) => parseSemver(v)!)
    const shuffled = [...parsed].reverse().sort(compareSemver)
    expect(shuffled.map((v) => v.version)).toEqual(order)
    expect(compareSemver(parseSemver("1.0.0+a")!, parseSemver("1.0.0+b")!)).toBe(0)
  })

  it("rejects what is not semver", () => {
    for (const v of ["1.2", "01.2.3", "1.2.3-", "V1.2.3", "1.2.3.4", "1.2.3-01", "latest"]) expect(parseSemver(v), v).toBeUndefined()
  })

  it("sanitizeTag always gives a valid tag or nothing (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const t = sanitizeTag(s)
        return t === "" || isValidTag(t)
      }),
      { numRuns: 2000 },
    )
  })

  it("computed tags are always valid, whatever the branch name (property)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), (branch) => computeTags(ciContext({}, { branch, sha: SHA })).every(isValidTag)),
      { numRuns: 1000 },
    )
  })
})
