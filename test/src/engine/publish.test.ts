/**
 * The engine's push to a plain-http registry: what the module cannot change (Container.publish has
 * no plain-http option; the engine decides from its own config) is explained with the exact
 * engine config (verified in Dagger's engine/server/registryhosts.go and engine/config/config.go).
 */
import { describe, expect, it } from "vitest"
import { explainPushError } from "../../../src/engine/publish.js"

const GO_ERR = 'failed to do request: Head "https://registry.internal:5000/v2/app/blobs/sha256:abc": http: server gave HTTP response to HTTPS client'

describe("explainPushError", () => {
  it("turns Go's 'server gave HTTP response to HTTPS client' into the engine.json/engine.toml fix", () => {
    const e = explainPushError(new Error(GO_ERR), "registry.internal:5000", true) as Error
    expect(e.message).toContain("the Dagger engine could not push to registry.internal:5000: the registry speaks plain http")
    expect(e.message).toContain("(--plain-http only reaches the module's own registry client, not the engine)")
    expect(e.message).toContain('{"registries": {"registry.internal:5000": {"http": true}}} to ~/.config/dagger/engine.json')
    expect(e.message).toContain('[registry."registry.internal:5000"] http = true in engine.toml')
    expect(e.message).toContain(`Engine error: ${GO_ERR}`)
    // without --plain-http the same fix, without the note
    expect((explainPushError(new Error(GO_ERR), "registry.internal:5000", false) as Error).message).not.toContain("--plain-http only")
  })

  it("leaves every other error as it is", () => {
    const other = new Error("unauthorized: authentication required")
    expect(explainPushError(other, "ghcr.io", false)).toBe(other)
  })
})
