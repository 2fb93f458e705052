/** The one BuildRequest: options by name, parsed and checked once, before any engine work. */
import { describe, expect, it } from "vitest"
import { MultiarchInputErrors } from "../../../modules/core/errors/index.js"
import { DEFAULT_PLATFORMS, parseBuildRequest, withSecretNames } from "../../../modules/toolchains/request.js"
import { inputError } from "../../support/errors.js"


describe("parseBuildRequest", () => {
  it("platforms become target rows (default linux/amd64,linux/arm64), aliases normalised", () => {
    expect(parseBuildRequest({}).targets.map((r) => r.platform)).toEqual([...DEFAULT_PLATFORMS])
    expect(parseBuildRequest({ platforms: [] }).targets.map((r) => r.platform)).toEqual([...DEFAULT_PLATFORMS])
    const r = parseBuildRequest({ platforms: "armhf, x86_64,linux/riscv64" })
    expect(r.targets.map((t) => t.platform)).toEqual(["linux/arm/v7", "linux/amd64", "linux/riscv64"])
    expect(r.targets[0].go.GOARM).toBe("7")
    expect(inputError(() => parseBuildRequest({ platforms: ["linux/arm", "linux/arm/v7"] }))).toBeInstanceOf(MultiarchInputErrors)
  })

  it("each toolchain picks its own options by name", () => {
    const r = parseBuildRequest({ goVersion: "1.23", pkg: "./cmd/a", cgo: true, libc: "gnu", bin: "srv", features: ["tls"], dockerfile: "ci/Dockerfile", target: "release", buildArgs: ["BASE=alpine:3.20", "V=a=b"], emulate: true, base: "debian:bookworm-slim", version: "1.0.0", commit: "abc" })
    expect(r.options.go).toEqual({ goVersion: "1.23", package: "./cmd/a", ldflags: undefined, cgo: true, version: "1.0.0", commit: "abc", base: "debian:bookworm-slim", emulate: true })
    expect(r.options.rust).toMatchObject({ libc: "gnu", bin: "srv", features: ["tls"], base: "debian:bookworm-slim", emulate: true })
    expect(r.options.dockerfile).toEqual({ dockerfile: "ci/Dockerfile", target: "release", buildArgs: [{ name: "BASE", value: "alpine:3.20" }, { name: "V", value: "a=b" }], secrets: [] })
    expect(withSecretNames(r, ["npm"]).options.dockerfile.secrets).toEqual(["npm"])
  })

  it("labels from version, commit, source URL and date; secrets passed on as they are", () => {
    const secret = { name: "s" }
    const r = parseBuildRequest({ version: "1.2.3", commit: "abc", sourceUrl: "https://github.com/o/r", created: "2026-01-31T12:00:00Z", secrets: [secret] })
    expect(r.labels).toEqual({
      "org.opencontainers.image.created": "2026-01-31T12:00:00Z",
      "org.opencontainers.image.revision": "abc",
      "org.opencontainers.image.source": "https://github.com/o/r",
      "org.opencontainers.image.version": "1.2.3",
    })
    expect(r.secrets[0]).toBe(secret)
    expect(parseBuildRequest({}).labels).toEqual({})
  })

  it("every option is checked before any engine work, naming the input", () => {
    const bad: [Parameters<typeof parseBuildRequest>[0], string][] = [
      [{ platforms: ["linux/arm64/v7"] }, "platform"],
      [{ lang: "java" }, "lang"],
      [{ created: "yesterday" }, "created"],
      [{ goVersion: "go1.22" }, "go-version"],
      [{ libc: "glibc" }, "libc"],
      [{ buildArgs: ["=x"] }, "build-args"],
      [{ dockerfile: "../Dockerfile" }, "dockerfile"],
    ]
    for (const [o, field] of bad) expect(inputError(() => parseBuildRequest(o)).field, JSON.stringify(o)).toBe(field)
  })
})
