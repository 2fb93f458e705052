/**
 * The target table's facts that targets.test.ts does not check (issue 21, found by mutation
 * testing): each row's own platform/arch/variant, whether rustup ships std (else -Zbuild-std), the
 * Debian cross/musl-dev compilers bookworm has, the default glibc runtime base, the ELF machine
 * names used in messages, and the derived lookups. Values typed in from Rust's platform-support
 * tiers, Debian bookworm's architecture list and the official Debian images' platforms
 * (shared/reference/platforms.md), not copied from the table.
 */
import { describe, expect, it } from "vitest"
import { ELF_MACHINE_NAMES, SUPPORTED_ARCHES, TARGETS, elfMachineName } from "../../../modules/core/targets.js"

// platform: [rustup std gnu, musl], Debian bookworm gcc-<triple>, musl-dev triple, glibc base, ELF machine name
const FACTS: Record<string, [[boolean, boolean], boolean, string | undefined, string | undefined, string]> = {
  "linux/amd64": [[true, true], true, "x86_64-linux-musl", "debian:bookworm-slim", "x86-64"],
  "linux/amd64/v2": [[true, true], true, "x86_64-linux-musl", "debian:bookworm-slim", "x86-64"],
  "linux/amd64/v3": [[true, true], true, "x86_64-linux-musl", "debian:bookworm-slim", "x86-64"],
  "linux/amd64/v4": [[true, true], true, "x86_64-linux-musl", "debian:bookworm-slim", "x86-64"],
  "linux/arm64": [[true, true], true, "aarch64-linux-musl", "debian:bookworm-slim", "AArch64"],
  "linux/arm/v7": [[true, true], true, "arm-linux-musleabihf", "debian:bookworm-slim", "ARM"],
  "linux/arm/v6": [[true, true], true, "arm-linux-musleabi", "debian:bookworm-slim", "ARM"],
  "linux/arm/v5": [[true, true], true, "arm-linux-musleabi", "debian:bookworm-slim", "ARM"],
  "linux/386": [[true, true], true, "i386-linux-musl", "debian:bookworm-slim", "Intel 80386"],
  // riscv64 and loong64 are no release architectures of bookworm: no musl-dev; riscv64 images from trixie
  "linux/riscv64": [[true, true], true, undefined, "debian:trixie-slim", "RISC-V"],
  "linux/ppc64le": [[true, true], true, "powerpc64le-linux-musl", "debian:bookworm-slim", "PowerPC64"],
  // s390x-unknown-linux-musl is tier 3
  "linux/s390x": [[true, false], true, "s390x-linux-musl", "debian:bookworm-slim", "IBM S/390"],
  // gcc-loongarch64-linux-gnu arrives in trixie; no official Debian image
  "linux/loong64": [[true, true], false, undefined, undefined, "LoongArch"],
  // the MIPS targets are tier 3 since Rust 1.72; bookworm dropped mips/mipsel; mips64 (big-endian) is no Debian architecture
  "linux/mips": [[false, false], true, "mips-linux-musl", undefined, "MIPS"],
  "linux/mipsle": [[false, false], true, "mipsel-linux-musl", undefined, "MIPS"],
  "linux/mips64": [[false, false], true, undefined, undefined, "MIPS"],
  "linux/mips64le": [[false, false], true, "mips64el-linux-musl", "debian:bookworm-slim", "MIPS"],
}

describe("target table rows", () => {
  it.each(Object.entries(FACTS))("%s", (platform, [[gnuStd, muslStd], crossGcc, muslDev, glibcBase, machineName]) => {
    const row = TARGETS.get(platform)!
    const [os, arch, variant] = platform.split("/")
    expect(row.platform).toBe(platform)
    expect(row.os).toBe(os)
    expect(row.arch).toBe(arch)
    expect(row.variant).toBe(variant)
    expect("variant" in row).toBe(variant !== undefined)
    expect(row.go.GOOS).toBe("linux")
    expect(row.rust.rustupStd).toEqual({ gnu: gnuStd, musl: muslStd })
    expect(row.debianCrossGcc).toBe(crossGcc)
    expect(row.muslDevTriple).toBe(muslDev)
    expect(row.glibcBase).toBe(glibcBase)
    expect(row.elf.machineName).toBe(machineName)
    expect(Object.isFrozen(row)).toBe(true)
  })

  it("exactly the platforms above, in table order (amd64 levels first)", () => {
    expect([...TARGETS.keys()]).toEqual(Object.keys(FACTS))
  })
})

describe("derived lookups", () => {
  it("SUPPORTED_ARCHES: every arch with its variants in table order ('' = none)", () => {
    expect([...SUPPORTED_ARCHES]).toEqual([
      ["amd64", ["", "v2", "v3", "v4"]],
      ["arm64", [""]],
      ["arm", ["v7", "v6", "v5"]],
      ["386", [""]],
      ["riscv64", [""]],
      ["ppc64le", [""]],
      ["s390x", [""]],
      ["loong64", [""]],
      ["mips", [""]],
      ["mipsle", [""]],
      ["mips64", [""]],
      ["mips64le", [""]],
    ])
  })

  it("ELF machine names: the table's machines plus PowerPC (32-bit), else the number", () => {
    expect(Object.fromEntries(ELF_MACHINE_NAMES)).toEqual({
      3: "Intel 80386",
      8: "MIPS",
      20: "PowerPC",
      21: "PowerPC64",
      22: "IBM S/390",
      40: "ARM",
      62: "x86-64",
      183: "AArch64",
      243: "RISC-V",
      258: "LoongArch",
    })
    expect(elfMachineName(20)).toBe("PowerPC")
    expect(elfMachineName(183)).toBe("AArch64")
    expect(elfMachineName(4711)).toBe("machine 4711")
  })
})
