/**
 * core/env.ts: the one place a target row becomes toolchain settings (issue 21: it had no test of
 * its own). Every Go knob explicit, cargo's and the cc crate's spellings of a triple, Debian's
 * package names, the glibc runtime base or the error asking for --base.
 */
import { describe, expect, it } from "vitest"
import { cargoEnvTriple, ccEnvTriple, debianCrossPackage, glibcBaseOf, goEnv, platformSlug, rustTarget } from "../../../modules/core/env.js"
import { TARGETS } from "../../../modules/core/targets.js"
import { inputError } from "../../support/errors.js"

describe("goEnv", () => {
  it("only the knobs the row sets, CGO_ENABLED always", () => {
    expect(goEnv("linux/mips64le")).toEqual({ GOOS: "linux", GOARCH: "mips64le", GOMIPS64: "hardfloat", CGO_ENABLED: "0" })
    expect(goEnv(TARGETS.get("linux/386")!, { cgo: true })).toEqual({ GOOS: "linux", GOARCH: "386", GO386: "sse2", CGO_ENABLED: "1" })
    expect(goEnv("linux/arm64", { cgo: false }).CGO_ENABLED).toBe("0")
  })
})

describe("rustTarget", () => {
  it("the row's triple for each libc", () => {
    expect(rustTarget("linux/arm/v6", "gnu")).toBe("arm-unknown-linux-gnueabi")
    expect(rustTarget(TARGETS.get("linux/arm/v6")!, "musl")).toBe("arm-unknown-linux-musleabi")
  })

  it("another libc: named, with both choices", () => {
    const e = inputError(() => rustTarget("linux/arm64", "uclibc" as never))
    expect(e.field).toBe("libc")
    expect(e.input).toBe("uclibc")
    expect(e.message).toMatch(/libc must be gnu or musl/)
    expect(e.fix).toBe('pass "musl" for static binaries or "gnu" for glibc')
  })
})

describe("spellings", () => {
  it("cargo: upper case, '-' and '.' become '_'; cc: case kept", () => {
    expect(cargoEnvTriple("thumbv7neon-unknown-linux-gnueabihf")).toBe("THUMBV7NEON_UNKNOWN_LINUX_GNUEABIHF")
    expect(cargoEnvTriple("a.b-c")).toBe("A_B_C")
    expect(ccEnvTriple("a.b-c.D")).toBe("a_b_c_D")
  })

  it("Debian package names: every '_' of the triple becomes '-'", () => {
    expect(debianCrossPackage("gcc", "x86_64_linux_gnu")).toBe("gcc-x86-64-linux-gnu")
    expect(debianCrossPackage("g++", "aarch64-linux-gnu")).toBe("g++-aarch64-linux-gnu")
  })

  it("platformSlug: every '/' becomes '-'", () => {
    expect(platformSlug("linux/arm/v7")).toBe("linux-arm-v7")
    expect(platformSlug(TARGETS.get("linux/amd64")!)).toBe("linux-amd64")
  })
})

describe("glibcBaseOf", () => {
  it("the table's base, or an error asking for --base", () => {
    expect(glibcBaseOf("linux/riscv64")).toBe("debian:trixie-slim")
    const e = inputError(() => glibcBaseOf("linux/loong64"))
    expect(e.field).toBe("base")
    expect(e.input).toBe("linux/loong64")
    expect(e.message).toMatch(/there is no official Debian image for linux\/loong64 to run a glibc binary on/)
    expect(e.fix).toBe("pass --base with a glibc image for this platform")
  })
})
