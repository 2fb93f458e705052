/**
 * One test per table row: our target table must agree with the reference tables taken from
 * tonistiigi/xx, the Go toolchain and containerd (shared/reference/platforms.md). The expected
 * values below are typed in independently of modules/core/targets.ts; where we differ from xx on
 * purpose, the expectation says so.
 */
import { describe, expect, it } from "vitest"
import { goEnv, rustTarget, SUPPORTED_PLATFORMS, TARGETS, EM, cargoEnvTriple, ccEnvTriple } from "../../../modules/core/index.js"

interface Ref {
  march: string
  debian: string
  alpine: string
  go: Record<string, string>
  gnu: string
  musl: string
  gcc: string
  qemu: string
  elf: [number, 32 | 64, "little" | "big"]
  float?: "hard" | "soft"
}

const REF: Record<string, Ref> = {
  "linux/amd64": { march: "x86_64", debian: "amd64", alpine: "x86_64", go: { GOARCH: "amd64", GOAMD64: "v1" }, gnu: "x86_64-unknown-linux-gnu", musl: "x86_64-unknown-linux-musl", gcc: "x86_64-linux-gnu", qemu: "x86_64", elf: [62, 64, "little"] },
  "linux/amd64/v2": { march: "x86_64", debian: "amd64", alpine: "x86_64", go: { GOARCH: "amd64", GOAMD64: "v2" }, gnu: "x86_64-unknown-linux-gnu", musl: "x86_64-unknown-linux-musl", gcc: "x86_64-linux-gnu", qemu: "x86_64", elf: [62, 64, "little"] },
  "linux/amd64/v3": { march: "x86_64", debian: "amd64", alpine: "x86_64", go: { GOARCH: "amd64", GOAMD64: "v3" }, gnu: "x86_64-unknown-linux-gnu", musl: "x86_64-unknown-linux-musl", gcc: "x86_64-linux-gnu", qemu: "x86_64", elf: [62, 64, "little"] },
  "linux/amd64/v4": { march: "x86_64", debian: "amd64", alpine: "x86_64", go: { GOARCH: "amd64", GOAMD64: "v4" }, gnu: "x86_64-unknown-linux-gnu", musl: "x86_64-unknown-linux-musl", gcc: "x86_64-linux-gnu", qemu: "x86_64", elf: [62, 64, "little"] },
  "linux/arm64": { march: "aarch64", debian: "arm64", alpine: "aarch64", go: { GOARCH: "arm64" }, gnu: "aarch64-unknown-linux-gnu", musl: "aarch64-unknown-linux-musl", gcc: "aarch64-linux-gnu", qemu: "aarch64", elf: [183, 64, "little"] },
  "linux/arm/v7": { march: "armv7l", debian: "armhf", alpine: "armv7", go: { GOARCH: "arm", GOARM: "7" }, gnu: "armv7-unknown-linux-gnueabihf", musl: "armv7-unknown-linux-musleabihf", gcc: "arm-linux-gnueabihf", qemu: "arm", elf: [40, 32, "little"], float: "hard" },
  "linux/arm/v6": { march: "armv6l", debian: "armel", alpine: "armhf", go: { GOARCH: "arm", GOARM: "6" }, gnu: "arm-unknown-linux-gnueabi", musl: "arm-unknown-linux-musleabi", gcc: "arm-linux-gnueabi", qemu: "arm", elf: [40, 32, "little"], float: "soft" },
  // differs from xx on purpose: armv5te triples (xx's arm-unknown-* target ARMv6)
  "linux/arm/v5": { march: "armv5l", debian: "armel", alpine: "armel", go: { GOARCH: "arm", GOARM: "5" }, gnu: "armv5te-unknown-linux-gnueabi", musl: "armv5te-unknown-linux-musleabi", gcc: "arm-linux-gnueabi", qemu: "arm", elf: [40, 32, "little"], float: "soft" },
  // differs from xx on purpose: GO386 set explicitly
  "linux/386": { march: "i386", debian: "i386", alpine: "x86", go: { GOARCH: "386", GO386: "sse2" }, gnu: "i686-unknown-linux-gnu", musl: "i686-unknown-linux-musl", gcc: "i686-linux-gnu", qemu: "i386", elf: [3, 32, "little"] },
  "linux/riscv64": { march: "riscv64", debian: "riscv64", alpine: "riscv64", go: { GOARCH: "riscv64" }, gnu: "riscv64gc-unknown-linux-gnu", musl: "riscv64gc-unknown-linux-musl", gcc: "riscv64-linux-gnu", qemu: "riscv64", elf: [243, 64, "little"] },
  "linux/ppc64le": { march: "ppc64le", debian: "ppc64el", alpine: "ppc64le", go: { GOARCH: "ppc64le" }, gnu: "powerpc64le-unknown-linux-gnu", musl: "powerpc64le-unknown-linux-musl", gcc: "powerpc64le-linux-gnu", qemu: "ppc64le", elf: [21, 64, "little"] },
  "linux/s390x": { march: "s390x", debian: "s390x", alpine: "s390x", go: { GOARCH: "s390x" }, gnu: "s390x-unknown-linux-gnu", musl: "s390x-unknown-linux-musl", gcc: "s390x-linux-gnu", qemu: "s390x", elf: [22, 64, "big"] },
  "linux/loong64": { march: "loongarch64", debian: "loong64", alpine: "loongarch64", go: { GOARCH: "loong64" }, gnu: "loongarch64-unknown-linux-gnu", musl: "loongarch64-unknown-linux-musl", gcc: "loongarch64-linux-gnu", qemu: "loongarch64", elf: [258, 64, "little"] },
  "linux/mips": { march: "mips", debian: "mips", alpine: "mips", go: { GOARCH: "mips", GOMIPS: "hardfloat" }, gnu: "mips-unknown-linux-gnu", musl: "mips-unknown-linux-musl", gcc: "mips-linux-gnu", qemu: "mips", elf: [8, 32, "big"] },
  "linux/mipsle": { march: "mipsle", debian: "mipsel", alpine: "mipsle", go: { GOARCH: "mipsle", GOMIPS: "hardfloat" }, gnu: "mipsel-unknown-linux-gnu", musl: "mipsel-unknown-linux-musl", gcc: "mipsel-linux-gnu", qemu: "mipsel", elf: [8, 32, "little"] },
  "linux/mips64": { march: "mips64", debian: "mips64", alpine: "mips64", go: { GOARCH: "mips64", GOMIPS64: "hardfloat" }, gnu: "mips64-unknown-linux-gnuabi64", musl: "mips64-unknown-linux-muslabi64", gcc: "mips64-linux-gnuabi64", qemu: "mips64", elf: [8, 64, "big"] },
  "linux/mips64le": { march: "mips64le", debian: "mips64el", alpine: "mips64le", go: { GOARCH: "mips64le", GOMIPS64: "hardfloat" }, gnu: "mips64el-unknown-linux-gnuabi64", musl: "mips64el-unknown-linux-muslabi64", gcc: "mips64el-linux-gnuabi64", qemu: "mips64el", elf: [8, 64, "little"] },
}

describe("target table agrees with the reference tables", () => {
  it("covers exactly the supported platforms of the foundation issue", () => {
    expect([...SUPPORTED_PLATFORMS].sort()).toEqual(Object.keys(REF).sort())
  })

  it.each(Object.entries(REF))("%s", (platform, ref) => {
    const row = TARGETS.get(platform)!
    expect(row).toBeDefined()
    expect(row.march).toBe(ref.march)
    expect(row.debianArch).toBe(ref.debian)
    expect(row.alpineArch).toBe(ref.alpine)
    expect(row.gccTriple).toBe(ref.gcc)
    expect(row.qemuArch).toBe(ref.qemu)
    expect([row.elf.machine, row.elf.bits, row.elf.endian]).toEqual(ref.elf)
    expect(row.elf.armFloat).toBe(ref.float)
    // the full Go env: every knob explicit, GOARM never with a "v", CGO_ENABLED always set
    expect(goEnv(platform)).toEqual({ GOOS: "linux", ...ref.go, CGO_ENABLED: "0" })
    expect(goEnv(platform, { cgo: true }).CGO_ENABLED).toBe("1")
    expect(goEnv(platform).GOARM ?? "").not.toMatch(/^v/)
    expect(rustTarget(platform, "gnu")).toBe(ref.gnu)
    expect(rustTarget(platform, "musl")).toBe(ref.musl)
  })

  it("ELF machine constants are the ELF spec's", () => {
    expect(EM).toMatchObject({ I386: 3, MIPS: 8, PPC64: 21, S390: 22, ARM: 40, X86_64: 62, AARCH64: 183, RISCV: 243, LOONGARCH: 258 })
  })

  it("aliases resolve to their rows", () => {
    expect(goEnv("armhf")).toEqual({ GOOS: "linux", GOARCH: "arm", GOARM: "7", CGO_ENABLED: "0" })
    expect(goEnv("linux/arm")).toEqual(goEnv("linux/arm/v7"))
    expect(rustTarget("aarch64", "musl")).toBe("aarch64-unknown-linux-musl")
  })

  it("spells cargo env names like cargo and the cc crate expect", () => {
    expect(cargoEnvTriple("armv7-unknown-linux-gnueabihf")).toBe("ARMV7_UNKNOWN_LINUX_GNUEABIHF")
    expect(ccEnvTriple("riscv64gc-unknown-linux-musl")).toBe("riscv64gc_unknown_linux_musl")
  })

  it("rejects a bad libc with the fix", () => {
    expect(() => rustTarget("linux/arm64", "uclibc" as never)).toThrow(/libc.*gnu or musl/)
  })
})
