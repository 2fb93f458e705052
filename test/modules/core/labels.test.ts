import { describe, expect, it } from "vitest"
import { parseAnnotations } from "../../../modules/core/annotations.js"
import { ciContext } from "../../../modules/core/ci-context.js"
import { ociLabels } from "../../../modules/core/labels.js"

const SHA = "0123456789abcdef0123456789abcdef01234567"
const gh = (ref: string, extra: Record<string, string> = {}) => ({ GITHUB_ACTIONS: "true", GITHUB_REF: ref, GITHUB_SHA: SHA, GITHUB_EVENT_NAME: "push", ...extra })
const gl = (vars: Record<string, string>) => ({ GITLAB_CI: "true", CI_COMMIT_SHA: SHA, ...vars })

describe("ociLabels", () => {
  const env = gh("refs/tags/v1.2.3", { GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "MyOrg/My-App" })

  it("writes the standard OCI labels, version = first tag", () => {
    expect(ociLabels(ciContext(env), { now: new Date("2025-01-02T03:04:05Z") })).toEqual({
      "org.opencontainers.image.created": "2025-01-02T03:04:05.000Z",
      "org.opencontainers.image.revision": SHA,
      "org.opencontainers.image.source": "https://github.com/MyOrg/My-App",
      "org.opencontainers.image.title": "My-App",
      "org.opencontainers.image.url": "https://github.com/MyOrg/My-App",
      "org.opencontainers.image.version": "1.2.3",
    })
  })

  it("uses SOURCE_DATE_EPOCH, explicit description/licenses, branch version", () => {
    const l = ociLabels(ciContext(gl({ CI_COMMIT_BRANCH: "feature/x", SOURCE_DATE_EPOCH: "0" })), { description: "An app", licenses: "Apache-2.0" })
    expect(l["org.opencontainers.image.created"]).toBe("1970-01-01T00:00:00.000Z")
    expect(l["org.opencontainers.image.version"]).toBe("feature-x")
    expect(l["org.opencontainers.image.description"]).toBe("An app")
    expect(l["org.opencontainers.image.licenses"]).toBe("Apache-2.0")
    expect(l).not.toHaveProperty("org.opencontainers.image.source")
  })

  it("the labels are valid index annotations", () => {
    const l = ociLabels(ciContext(env))
    expect(parseAnnotations(l)).toEqual(l)
  })
})

