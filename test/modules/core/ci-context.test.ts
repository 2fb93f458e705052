import { describe, expect, it } from "vitest"
import { ciContext } from "../../../modules/core/ci-context.js"
import { MultiarchInputError } from "../../../modules/core/errors/index.js"

const SHA = "0123456789abcdef0123456789abcdef01234567"
const gh = (ref: string, extra: Record<string, string> = {}) => ({ GITHUB_ACTIONS: "true", GITHUB_REF: ref, GITHUB_SHA: SHA, GITHUB_EVENT_NAME: "push", ...extra })
const gl = (vars: Record<string, string>) => ({ GITLAB_CI: "true", CI_COMMIT_SHA: SHA, ...vars })

describe("ciContext", () => {
  it("GitHub: PR details, repository URL, GHCR image lower-cased", () => {
    const ctx = ciContext(gh("refs/pull/42/merge", { GITHUB_EVENT_NAME: "pull_request", GITHUB_HEAD_REF: "feature/x", GITHUB_BASE_REF: "main", GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "MyOrg/My-App" }))
    expect(ctx).toMatchObject({
      provider: "github",
      kind: "pr",
      pr: 42,
      headRef: "feature/x",
      baseRef: "main",
      sha: SHA,
      repository: "MyOrg/My-App",
      repositoryUrl: "https://github.com/MyOrg/My-App",
      registryImage: "ghcr.io/myorg/my-app",
    })
  })

  it("GitHub pull_request_target: the PR from the event payload, never the base branch (issue 14)", () => {
    const env = gh("refs/heads/main", { GITHUB_EVENT_NAME: "pull_request_target", GITHUB_HEAD_REF: "feature/x", GITHUB_BASE_REF: "main" })
    expect(ciContext(env, {}, { number: 15, pull_request: { number: 15 } })).toMatchObject({ kind: "pr", pr: 15, headRef: "feature/x", baseRef: "main", sha: SHA })
    expect(ciContext(env, {}, { number: 15 })).toMatchObject({ kind: "pr", pr: 15 })
    // no payload (or no number in it): nothing to tag from, and above all not :main
    for (const event of [undefined, {}, { number: "15" }, { number: 0 }, null]) {
      const ctx = ciContext(env, {}, event)
      expect(ctx.kind).toBe("unknown")
      expect(ctx.branch).toBeUndefined()
    }
    // other events ignore the payload: GITHUB_REF decides
    expect(ciContext(gh("refs/heads/main"), {}, { number: 15 })).toMatchObject({ kind: "branch", branch: "main" })
  })

  it("GitLab: default branch, project URL and registry image", () => {
    const ctx = ciContext(gl({ CI_COMMIT_BRANCH: "main", CI_DEFAULT_BRANCH: "main", CI_PROJECT_URL: "https://gitlab.com/g/p/", CI_PROJECT_PATH: "g/p", CI_REGISTRY_IMAGE: "registry.gitlab.com/g/p" }))
    expect(ctx).toMatchObject({ provider: "gitlab", kind: "branch", branch: "main", defaultBranch: "main", repositoryUrl: "https://gitlab.com/g/p", repository: "g/p", registryImage: "registry.gitlab.com/g/p" })
  })

  it("GitLab precedence: tag, then merge request, then branch", () => {
    expect(ciContext(gl({ CI_COMMIT_TAG: "v1.0.0", CI_COMMIT_BRANCH: "main" })).kind).toBe("tag")
    expect(ciContext(gl({ CI_MERGE_REQUEST_IID: "3", CI_COMMIT_BRANCH: "main" })).kind).toBe("pr")
  })

  it("SOURCE_DATE_EPOCH becomes the build date", () => {
    expect(ciContext({ SOURCE_DATE_EPOCH: "1700000000" }).sourceDate).toBe("2023-11-14T22:13:20.000Z")
  })

  it("a bad explicit PR number is an input error", () => {
    expect(() => ciContext({}, { pr: "abc" })).toThrow(MultiarchInputError)
  })
})

