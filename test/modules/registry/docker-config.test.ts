/** docker config.json → credentials per registry (the user's own login), helpers refused clearly. */
import { describe, expect, it } from "vitest"
import { MultiarchInputError } from "../../../modules/core/errors/index.js"
import { configHost, dockerConfigCredentials, dockerConfigHint, parseDockerConfig } from "../../../modules/registry/index.js"

const b64 = (s: string) => Buffer.from(s).toString("base64")
const creds = (cfg: object, registry: string) => dockerConfigCredentials(parseDockerConfig(JSON.stringify(cfg)), registry)
function inputErr(fn: () => unknown): MultiarchInputError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(MultiarchInputError)
    return e as MultiarchInputError
  }
  throw new Error("no error")
}

describe("configHost: keys as the docker CLI normalises them", () => {
  it.each([
    ["https://index.docker.io/v1/", "docker.io"],
    ["index.docker.io", "docker.io"],
    ["registry-1.docker.io", "docker.io"],
    ["docker.io", "docker.io"],
    ["https://ghcr.io", "ghcr.io"],
    ["ghcr.io/owner", "ghcr.io"],
    ["GHCR.IO", "ghcr.io"],
    ["http://127.0.0.1:5000/v2/", "127.0.0.1:5000"],
    ["registry.example.com:5000", "registry.example.com:5000"],
  ])("%s → %s", (k, h) => expect(configHost(k)).toBe(h))
})

describe("dockerConfigCredentials", () => {
  it("reads auth (base64 user:password; the password may contain ':'), for every spelling of Docker Hub", () => {
    const cfg = { auths: { "https://index.docker.io/v1/": { auth: b64("me:pa:ss") } } }
    for (const r of ["docker.io", "index.docker.io", "registry-1.docker.io"]) expect(creds(cfg, r)).toEqual({ username: "me", password: "pa:ss" })
    expect(creds(cfg, "ghcr.io")).toBeUndefined()
  })

  it("reads username/password fields, and ghcr.io keyed with a scheme", () => {
    expect(creds({ auths: { "https://ghcr.io": { username: "octo", password: "ghp_x" } } }, "ghcr.io")).toEqual({ username: "octo", password: "ghp_x" })
  })

  it("reads identitytoken (OAuth2 refresh token) with the user name from auth", () => {
    const cfg = { auths: { "myacr.azurecr.io": { auth: b64("00000000-0000-0000-0000-000000000000:"), identitytoken: "eyJrefresh" } } }
    expect(creds(cfg, "myacr.azurecr.io")).toEqual({ username: "00000000-0000-0000-0000-000000000000", password: "", identityToken: "eyJrefresh" })
  })

  it("credHelpers and credsStore: a clear error naming the helper and the fix, never the secret", () => {
    const e1 = inputErr(() => creds({ credHelpers: { "gcr.io": "gcloud" }, auths: { "gcr.io": { auth: b64("a:b") } } }, "gcr.io"))
    expect(e1.message).toContain("docker-credential-gcloud")
    expect(e1.message).toContain("cannot run inside the module")
    expect(e1.message).toMatch(/--password cmd:\/\/"echo gcr\.io \| docker-credential-gcloud get \| jq -j \.Secret"/)
    const e2 = inputErr(() => creds({ auths: { "https://index.docker.io/v1/": {} }, credsStore: "desktop" }, "docker.io"))
    expect(e2.message).toContain("docker-credential-desktop")
    expect(e2.field).toBe("registry-config")
    // an inline entry wins over a credsStore (CI configs), and other registries are unaffected by credHelpers
    expect(creds({ auths: { "ghcr.io": { auth: b64("u:p") } }, credsStore: "osxkeychain" }, "ghcr.io")).toEqual({ username: "u", password: "p" })
    expect(creds({ credHelpers: { "gcr.io": "gcloud" } }, "ghcr.io")).toBeUndefined()
  })

  it("malformed entries and secrets with control characters: errors that never echo the secret", () => {
    expect(inputErr(() => creds({ auths: { "ghcr.io": { auth: b64("no-colon-here") } } }, "ghcr.io")).message).toMatch(/not base64 of "user:password"/)
    const nl = inputErr(() => creds({ auths: { "ghcr.io": { auth: b64("u:tok3n-secret\n") } } }, "ghcr.io"))
    expect(nl.message).toMatch(/line break at its end/)
    expect(nl.message).not.toContain("tok3n-secret")
    expect(inputErr(() => parseDockerConfig("{ not json: hunter2 }")).message).not.toContain("hunter2")
    expect(inputErr(() => creds({ auths: { "ghcr.io": { registrytoken: "abc" } } }, "ghcr.io")).message).toMatch(/registrytoken .* not supported/)
  })

  it("says which registries the config has when it has none for this one", () => {
    const cfg = parseDockerConfig(JSON.stringify({ auths: { "https://index.docker.io/v1/": { auth: b64("a:b") }, "quay.io": { auth: b64("c:d") } } }))
    expect(dockerConfigHint(cfg, "ghcr.io")).toBe("--registry-config has no entry for ghcr.io; it has: docker.io, quay.io")
  })
})
