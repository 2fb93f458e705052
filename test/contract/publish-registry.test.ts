/**
 * `build … publish` with follow-ups the module's own registry client does (annotations, verify),
 * through the real module entrypoint against the recording engine, with a fake registry on
 * 127.0.0.1 (Basic auth) where the module's client goes:
 *
 * - what the module's client will need is checked BEFORE the engine pushes: without usable
 *   credentials nothing is pushed and the error says why;
 * - `--registry-config` (a docker config.json Secret) gives the credentials: to the module's
 *   client, and to the engine's push through withRegistryAuth + setSecret (whose plaintext the
 *   engine marks sensitive; it never appears in any other query);
 * - a config whose login needs a credential helper fails before the push when the module's client
 *   needs it, and is left to the engine (the host's own login) when it does not.
 */
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { callChain, callFunction, type CallResult } from "../engine/harness.js"
import { REPO_ROOT } from "../engine/introspect.js"
import { startRecordingEngine, type RecordingEngine } from "../engine/recording-engine.js"
import { registryError, startFakeServer, type FakeServer } from "../support/fake-registry.js"

const GO_HELLO = path.join(REPO_ROOT, "test/fixtures/go-hello")
const USER = "ci"
const PASSWORD = "pw-from-docker-config-7f3a"
const BASIC = "Basic " + Buffer.from(`${USER}:${PASSWORD}`).toString("base64")

let engine: RecordingEngine
let registry: FakeServer
let noCreds: CallResult
let withConfig: CallResult
let helperNeeded: CallResult
let helperNotNeeded: CallResult
let wrongPassword: CallResult
let host = ""

const config = (auths: object, extra: object = {}) => JSON.stringify({ auths, ...extra })

beforeAll(async () => {
  registry = await startFakeServer((req, res) => {
    if (req.headers.authorization !== BASIC) return registryError(res, 401, "UNAUTHORIZED", "authentication required", { "WWW-Authenticate": 'Basic realm="fake"' })
    if (req.method === "POST" && /\/blobs\/uploads\/$/.test(req.url)) {
      res.writeHead(202, { Location: `${req.url}session-1` })
      return res.end()
    }
    if (req.method === "DELETE") {
      res.writeHead(204)
      return res.end()
    }
    registryError(res, 404, "MANIFEST_UNKNOWN", "manifest unknown")
  })
  host = registry.host
  engine = await startRecordingEngine({ defaultPlatform: "linux/amd64" })
  const source = engine.fixtureDirectory(GO_HELLO)
  // one build, then each publish on the same image (as `dagger call build … publish …` chains them)
  const built = await callChain(engine, [{ fn: "build", args: { source, platforms: ["linux/amd64"] } }])
  expect(built.error).toBeUndefined()
  const publish = (args: Record<string, unknown>) => callFunction(engine, "MultiarchImage", "publish", built.returnValue, args)
  const goodConfig = engine.secret("DOCKER_CONFIG_OK", config({ [`http://${host}`]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString("base64") } }))
  const helperConfig = engine.secret("DOCKER_CONFIG_HELPER", config({ [host]: {} }, { credsStore: "desktop" }))
  const wrong = engine.secret("WRONG", "not-the-password")
  const ann = ["org.opencontainers.image.description=contract"]
  ;[noCreds, withConfig, helperNeeded, helperNotNeeded, wrongPassword] = await Promise.all([
    publish({ address: `${host}/acme/nocreds:1`, annotations: ann }),
    publish({ address: `${host}/acme/config:1`, annotations: ann, registryConfig: goodConfig }),
    publish({ address: `${host}/acme/helper:1`, annotations: ann, registryConfig: helperConfig }),
    publish({ address: `${host}/acme/plain:1`, registryConfig: helperConfig }),
    publish({ address: `${host}/acme/wrong:1`, verify: true, username: USER, password: wrong }),
  ])
}, 300_000)

afterAll(async () => {
  await engine?.close()
  await registry?.close()
})

const pushed = (repo: string) => engine.publishes.filter((p) => p.address.startsWith(`${host}/acme/${repo}:`))
const queryText = (r: CallResult) => r.queries.map((q) => q.text).join("\n")

describe("publish: the module's own client is checked before the engine pushes", () => {
  it("--annotations without credentials on a registry that wants them: nothing pushed, the error says why", () => {
    expect(noCreds.ok).toBe(false)
    expect(noCreds.error).toMatch(/publish checks before pushing that the module's own registry client can write the index annotations .*; nothing was pushed/)
    expect(noCreds.error).toContain(`authentication required by registry ${host}`)
    expect(pushed("nocreds")).toEqual([])
  })

  it("--verify with a rejected password: nothing pushed", () => {
    expect(wrongPassword.ok).toBe(false)
    expect(wrongPassword.error).toMatch(/can verify the index .*nothing was pushed/)
    expect(wrongPassword.error).toMatch(/credentials for user "ci" were rejected/)
    expect(wrongPassword.error).not.toContain("not-the-password")
    expect(pushed("wrong")).toEqual([])
  })

  it("--registry-config: the check passes with the config's login, the engine pushes with it, then the follow-ups run", () => {
    // the fake registry has no manifest, so the annotation step fails — after the push, saying so
    expect(withConfig.error).toMatch(new RegExp(`^the engine pushed ${host.replace(/\./g, "\\.")}/acme/config:1@sha256:[0-9a-f]{64}; then `))
    expect(pushed("config")).toHaveLength(1)
    const checks = registry.requests.filter((r) => r.url.startsWith("/v2/acme/config/"))
    expect(checks.map((r) => `${r.method} ${r.headers.authorization === BASIC ? "auth" : "anon"}`).slice(0, 3)).toEqual(["POST anon", "POST auth", "DELETE auth"])
    const q = queryText(withConfig)
    expect(q).toMatch(new RegExp(`setSecret \\(name: "multiarch-registry-config:${host.replace(/\./g, "\\.")}",plaintext: "\\*\\*\\*"\\)`))
    expect(q).toMatch(new RegExp(`withRegistryAuth \\(address: "${host.replace(/\./g, "\\.")}/acme/config",username: "ci",secret: "Secret:`))
    expect(q).not.toContain(PASSWORD)
    expect(withConfig.error).not.toContain(PASSWORD)
  })

  it("a config whose login needs a credential helper: a clear error before the push when the module needs it", () => {
    expect(helperNeeded.ok).toBe(false)
    expect(helperNeeded.error).toContain("docker-credential-desktop")
    expect(helperNeeded.error).toContain("cannot run inside the module")
    expect(pushed("helper")).toEqual([])
  })

  it("… and left to the engine (the host's own docker login) when the module does not need it", () => {
    expect(helperNotNeeded.error).toBeUndefined()
    expect(helperNotNeeded.ok).toBe(true)
    expect(pushed("plain")).toHaveLength(1)
    const q = queryText(helperNotNeeded)
    expect(q).not.toMatch(/withRegistryAuth|setSecret/)
  })
})
