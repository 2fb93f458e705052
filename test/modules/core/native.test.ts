/** The one meaning of "native" (core/native.ts), for every toolchain. */
import { describe, expect, it } from "vitest"
import { MultiarchInputError } from "../../../modules/core/errors/index.js"
import { abiKey, enginePlatform, runsNatively } from "../../../modules/core/native.js"
import { normalizePlatformParts, targetOf } from "../../../modules/core/platform.js"
import { planGo } from "../../../modules/toolchains/go/plan.js"
import { planDockerfile } from "../../../modules/toolchains/dockerfile/index.js"
import { planRust } from "../../../modules/toolchains/rust/index.js"

const parts = normalizePlatformParts

describe("runsNatively", () => {
  it("runsNatively: same arch, 386 on amd64; 32-bit arm on arm64 counts as emulated", () => {
    expect(runsNatively(parts("linux/amd64"), parts("linux/amd64"))).toBe(true)
    expect(runsNatively(parts("linux/amd64/v3"), parts("linux/amd64"))).toBe(true)
    expect(runsNatively(parts("linux/386"), parts("linux/amd64"))).toBe(true)
    expect(runsNatively(parts("linux/arm64"), parts("linux/amd64"))).toBe(false)
    expect(runsNatively(parts("linux/arm/v7"), parts("linux/arm64"))).toBe(false)
    expect(runsNatively(parts("linux/amd64"), parts("linux/arm64"))).toBe(false)
  })

  it("takes target rows and the parsed engine platform; older arm variants run on newer ones, not the other way", () => {
    expect(runsNatively(targetOf("linux/arm/v6"), enginePlatform("linux/arm/v7"))).toBe(true)
    expect(runsNatively(targetOf("linux/arm/v7"), enginePlatform("linux/arm/v6"))).toBe(false)
    expect(runsNatively(targetOf("linux/amd64"), enginePlatform("linux/386"))).toBe(false)
    expect(runsNatively(targetOf("linux/arm64"), enginePlatform("windows/arm64"))).toBe(false)
  })

  it("Go, Rust and Dockerfile plans all report it as `native`", () => {
    const go = { entries: ["go.mod"], files: { "go.mod": "module example.com/x\n" } }
    const rust = { entries: ["Cargo.toml"], files: { "Cargo.toml": '[package]\nname = "x"\n' } }
    const engine = enginePlatform("linux/amd64")
    for (const [platform, native] of [["linux/amd64", true], ["linux/amd64/v3", true], ["linux/386", true], ["linux/arm64", false], ["linux/arm/v7", false]] as const) {
      const row = targetOf(platform)
      expect(planGo(row, {}, go, engine).native, `go ${platform}`).toBe(native)
      expect(planRust(row, { libc: "gnu" }, rust, engine).native, `rust ${platform}`).toBe(native)
      expect(planDockerfile("FROM alpine\nRUN true\n", { platforms: [row], nativePlatform: engine })[0].native, `dockerfile ${platform}`).toBe(native)
    }
  })
})

describe("abiKey and enginePlatform", () => {
  it("abiKey keeps the arm variant only", () => {
    expect(abiKey(parts("linux/amd64/v3"))).toBe("linux/amd64")
    expect(abiKey(parts("linux/arm/v6"))).toBe("linux/arm/v6")
    expect(abiKey(parts("linux/arm64"))).toBe("linux/arm64")
  })

  it("enginePlatform normalises and finds the table row when there is one", () => {
    expect(enginePlatform("linux/aarch64")).toMatchObject({ platform: "linux/arm64", os: "linux", arch: "arm64", row: { debianArch: "arm64" } })
    const exotic = enginePlatform("linux/sparc64")
    expect(exotic.platform).toBe("linux/sparc64")
    expect(exotic.row).toBeUndefined()
    expect(() => enginePlatform("linux//x")).toThrow(MultiarchInputError)
  })
})
