/**
 * Target tables as data: one row per supported platform, one source of truth for every
 * toolchain (Go env, Rust triples, Debian cross compilers, QEMU, ELF facts).
 *
 * The rows agree with tonistiigi/xx (xx-info, xx-go, xx-cargo; see shared/reference/platforms.md)
 * except where a comment marked "differs from xx" says why.
 */

/** ELF machine numbers (e_machine) used below. */
export const EM = {
  I386: 3,
  MIPS: 8,
  PPC64: 21,
  S390: 22,
  ARM: 40,
  X86_64: 62,
  AARCH64: 183,
  RISCV: 243,
  LOONGARCH: 258,
} as const

/** e_machine values multiarch builds no target for, named in messages about a wrong binary. */
const OTHER_ELF_MACHINES: Record<number, string> = { 20: "PowerPC" }

/** What a correct binary for the row looks like in its ELF header. */
export interface ElfFacts {
  /** e_machine */
  machine: number
  /** Human name of e_machine, used in error messages. */
  machineName: string
  /** EI_CLASS: 32 or 64 bit. */
  bits: 32 | 64
  /** EI_DATA */
  endian: "little" | "big"
  /**
   * ARM only: the float ABI the C ABI must use. Checked when the linker records it in e_flags
   * (gcc/ld do: EF_ARM_ABI_FLOAT_HARD 0x400 / _SOFT 0x200); Go's internal linker records
   * neither, so for pure-Go binaries the GOARM build setting is checked instead.
   */
  armFloat?: "hard" | "soft"
}

/** Go environment for a target. Every knob is set explicitly: toolchain defaults differ between builds. */
export interface GoTargetEnv {
  GOOS: string
  GOARCH: string
  GOARM?: string
  GOAMD64?: string
  GO386?: string
  GOMIPS?: string
  GOMIPS64?: string
}

export interface RustTargets {
  /** Triple for glibc builds. */
  gnu: string
  /** Triple for musl builds (static). */
  musl: string
  /** Whether rustup ships a prebuilt std for the triple ("tier 2"); tier-3 triples need -Zbuild-std. */
  rustupStd: { gnu: boolean; musl: boolean }
}

export interface TargetRow {
  /** Normalised platform, `os/arch[/variant]`. */
  platform: string
  os: "linux"
  arch: string
  variant?: string
  go: GoTargetEnv
  rust: RustTargets
  /** `uname -m` inside a container of this platform. */
  march: string
  /** Debian architecture name (dpkg --print-architecture). */
  debianArch: string
  /** Alpine architecture name (apk --print-arch). Alpine `armhf` is ARMv6, Debian `armhf` is ARMv7. */
  alpineArch: string
  /** GNU triple of Debian's cross compiler packages: gcc-<triple>, libc6-dev-<debianArch>-cross. */
  gccTriple: string
  /** Whether Debian bookworm ships gcc-<gccTriple> (loong64 only arrives in trixie). */
  debianCrossGcc: boolean
  /**
   * Triple of Debian bookworm's `musl-dev:<debianArch>` C compiler wrapper (`<triple>-gcc`: the
   * cross gcc with musl's headers). Undefined where bookworm has no musl-dev for the architecture
   * (riscv64 and loong64 are not release architectures of bookworm; mips64 big-endian is no Debian
   * architecture).
   */
  muslDevTriple?: string
  /** qemu-user arch: qemu-<qemuArch>-static. */
  qemuArch: string
  /**
   * Default glibc runtime base for dynamically linked binaries (cgo, Rust gnu): the oldest Debian
   * whose official image has this platform (glibc >= the bookworm cross libc the builder links
   * against). Undefined: no official Debian image; the user passes --base.
   */
  glibcBase?: string
  /**
   * Node.js's name for the architecture: `process.arch`, npm's `--cpu` and the `cpu` field of
   * platform packages, node-gyp's `--arch` (`npm_config_arch`). Every 32-bit arm variant is `arm`.
   */
  nodeArch: string
  /** ARM architecture version for node-gyp-build's `ARM_VERSION` (arm64 8, arm/v7 7, …); undefined off ARM. */
  armVersion?: string
  /**
   * Node.js release lines (majors) whose official `node` image has this platform, per base:
   * `node:<major>-bookworm` / `-bookworm-slim` (same platforms) and `node:<major>-alpine`. From
   * nodejs/docker-node's versions.json (commit f27d936, 2026-08-19, for 22, 24 and 26; for 20, the
   * last versions.json that listed it, before f97aaf33 "Drop Node.js v20": its images stay, frozen
   * at 20.20.2). The builder, an emulated rebuild and the default runtime need the image.
   */
  nodeImages: { bookworm: readonly number[]; alpine: readonly number[] }
  elf: ElfFacts
}

/** Node.js lines with images, for the rows below. */
const NODE_ALL = [20, 22, 24, 26] as const
const NONE: readonly number[] = []

const linux = "linux" as const

const rows: TargetRow[] = [
  // amd64 micro-architecture levels. xx sets GOAMD64 only for v2..v4; we also set v1 explicitly.
  ...(["", "v2", "v3", "v4"] as const).map(
    (v): TargetRow => ({
      platform: v ? `linux/amd64/${v}` : "linux/amd64",
      os: linux,
      arch: "amd64",
      ...(v ? { variant: v } : {}),
      go: { GOOS: "linux", GOARCH: "amd64", GOAMD64: v || "v1" },
      rust: {
        gnu: "x86_64-unknown-linux-gnu",
        musl: "x86_64-unknown-linux-musl",
        rustupStd: { gnu: true, musl: true },
      },
      march: "x86_64",
      debianArch: "amd64",
      alpineArch: "x86_64",
      gccTriple: "x86_64-linux-gnu",
      debianCrossGcc: true,
      muslDevTriple: "x86_64-linux-musl",
      qemuArch: "x86_64",
      glibcBase: "debian:bookworm-slim",
      nodeArch: "x64",
      nodeImages: { bookworm: NODE_ALL, alpine: NODE_ALL },
      elf: { machine: EM.X86_64, machineName: "x86-64", bits: 64, endian: "little" },
    }),
  ),
  {
    platform: "linux/arm64",
    os: linux,
    arch: "arm64",
    go: { GOOS: "linux", GOARCH: "arm64" },
    rust: {
      gnu: "aarch64-unknown-linux-gnu",
      musl: "aarch64-unknown-linux-musl",
      rustupStd: { gnu: true, musl: true },
    },
    march: "aarch64",
    debianArch: "arm64",
    alpineArch: "aarch64",
    gccTriple: "aarch64-linux-gnu",
    debianCrossGcc: true,
    muslDevTriple: "aarch64-linux-musl",
    qemuArch: "aarch64",
    glibcBase: "debian:bookworm-slim",
    nodeArch: "arm64",
    armVersion: "8",
    nodeImages: { bookworm: NODE_ALL, alpine: NODE_ALL },
    elf: { machine: EM.AARCH64, machineName: "AArch64", bits: 64, endian: "little" },
  },
  {
    platform: "linux/arm/v7",
    os: linux,
    arch: "arm",
    variant: "v7",
    go: { GOOS: "linux", GOARCH: "arm", GOARM: "7" },
    rust: {
      gnu: "armv7-unknown-linux-gnueabihf",
      musl: "armv7-unknown-linux-musleabihf",
      rustupStd: { gnu: true, musl: true },
    },
    march: "armv7l",
    debianArch: "armhf",
    alpineArch: "armv7",
    gccTriple: "arm-linux-gnueabihf",
    debianCrossGcc: true,
    muslDevTriple: "arm-linux-musleabihf",
    qemuArch: "arm",
    glibcBase: "debian:bookworm-slim",
    nodeArch: "arm",
    armVersion: "7",
    nodeImages: { bookworm: [20, 22], alpine: [20, 22] },
    elf: { machine: EM.ARM, machineName: "ARM", bits: 32, endian: "little", armFloat: "hard" },
  },
  {
    // ARMv6 follows xx and Debian armel: soft-float ABI, so the binary also runs on armel
    // userlands. Rust's arm-unknown-linux-gnueabihf (ARMv6 + VFP, Raspberry Pi 1) is the
    // hard-float alternative; it is not what linux/arm/v6 images conventionally carry.
    platform: "linux/arm/v6",
    os: linux,
    arch: "arm",
    variant: "v6",
    go: { GOOS: "linux", GOARCH: "arm", GOARM: "6" },
    rust: {
      gnu: "arm-unknown-linux-gnueabi",
      musl: "arm-unknown-linux-musleabi",
      rustupStd: { gnu: true, musl: true },
    },
    march: "armv6l",
    debianArch: "armel",
    alpineArch: "armhf",
    gccTriple: "arm-linux-gnueabi",
    debianCrossGcc: true,
    muslDevTriple: "arm-linux-musleabi",
    qemuArch: "arm",
    glibcBase: "debian:bookworm-slim",
    nodeArch: "arm",
    armVersion: "6",
    nodeImages: { bookworm: NONE, alpine: [20, 22] },
    elf: { machine: EM.ARM, machineName: "ARM", bits: 32, endian: "little", armFloat: "soft" },
  },
  {
    // differs from xx: xx maps v5 to arm-unknown-linux-gnueabi, whose code generation targets
    // ARMv6 and can fault on a real ARMv5 core (the "arm/v6 image runs v7 code" class of bug).
    // armv5te-unknown-linux-{gnueabi,musleabi} are the ARMv5TE triples, with std from rustup.
    platform: "linux/arm/v5",
    os: linux,
    arch: "arm",
    variant: "v5",
    go: { GOOS: "linux", GOARCH: "arm", GOARM: "5" },
    rust: {
      gnu: "armv5te-unknown-linux-gnueabi",
      musl: "armv5te-unknown-linux-musleabi",
      rustupStd: { gnu: true, musl: true },
    },
    march: "armv5l",
    debianArch: "armel",
    alpineArch: "armel",
    gccTriple: "arm-linux-gnueabi",
    debianCrossGcc: true,
    muslDevTriple: "arm-linux-musleabi",
    qemuArch: "arm",
    glibcBase: "debian:bookworm-slim",
    nodeArch: "arm",
    armVersion: "5",
    nodeImages: { bookworm: NONE, alpine: NONE },
    elf: { machine: EM.ARM, machineName: "ARM", bits: 32, endian: "little", armFloat: "soft" },
  },
  {
    // differs from xx: xx leaves GO386 unset (toolchain default). Defaults differ between Go
    // builds (Debian's go1.19 reports softfloat), so we set sse2, which is also the baseline of
    // Rust's i686 triples.
    platform: "linux/386",
    os: linux,
    arch: "386",
    go: { GOOS: "linux", GOARCH: "386", GO386: "sse2" },
    rust: {
      gnu: "i686-unknown-linux-gnu",
      musl: "i686-unknown-linux-musl",
      rustupStd: { gnu: true, musl: true },
    },
    march: "i386",
    debianArch: "i386",
    alpineArch: "x86",
    gccTriple: "i686-linux-gnu",
    debianCrossGcc: true,
    muslDevTriple: "i386-linux-musl",
    qemuArch: "i386",
    glibcBase: "debian:bookworm-slim",
    nodeArch: "ia32",
    nodeImages: { bookworm: NONE, alpine: NONE },
    elf: { machine: EM.I386, machineName: "Intel 80386", bits: 32, endian: "little" },
  },
  {
    platform: "linux/riscv64",
    os: linux,
    arch: "riscv64",
    go: { GOOS: "linux", GOARCH: "riscv64" },
    rust: {
      gnu: "riscv64gc-unknown-linux-gnu",
      musl: "riscv64gc-unknown-linux-musl",
      rustupStd: { gnu: true, musl: true },
    },
    march: "riscv64",
    debianArch: "riscv64",
    alpineArch: "riscv64",
    gccTriple: "riscv64-linux-gnu",
    debianCrossGcc: true,
    qemuArch: "riscv64",
    glibcBase: "debian:trixie-slim",
    nodeArch: "riscv64",
    nodeImages: { bookworm: NONE, alpine: NONE },
    elf: { machine: EM.RISCV, machineName: "RISC-V", bits: 64, endian: "little" },
  },
  {
    platform: "linux/ppc64le",
    os: linux,
    arch: "ppc64le",
    go: { GOOS: "linux", GOARCH: "ppc64le" },
    rust: {
      gnu: "powerpc64le-unknown-linux-gnu",
      musl: "powerpc64le-unknown-linux-musl",
      rustupStd: { gnu: true, musl: true },
    },
    march: "ppc64le",
    debianArch: "ppc64el",
    alpineArch: "ppc64le",
    gccTriple: "powerpc64le-linux-gnu",
    debianCrossGcc: true,
    muslDevTriple: "powerpc64le-linux-musl",
    qemuArch: "ppc64le",
    glibcBase: "debian:bookworm-slim",
    nodeArch: "ppc64",
    nodeImages: { bookworm: NODE_ALL, alpine: [20] },
    elf: { machine: EM.PPC64, machineName: "PowerPC64", bits: 64, endian: "little" },
  },
  {
    platform: "linux/s390x",
    os: linux,
    arch: "s390x",
    go: { GOOS: "linux", GOARCH: "s390x" },
    rust: {
      gnu: "s390x-unknown-linux-gnu",
      musl: "s390x-unknown-linux-musl",
      rustupStd: { gnu: true, musl: false },
    },
    march: "s390x",
    debianArch: "s390x",
    alpineArch: "s390x",
    gccTriple: "s390x-linux-gnu",
    debianCrossGcc: true,
    muslDevTriple: "s390x-linux-musl",
    qemuArch: "s390x",
    glibcBase: "debian:bookworm-slim",
    nodeArch: "s390x",
    nodeImages: { bookworm: [20], alpine: [20, 22, 24] },
    elf: { machine: EM.S390, machineName: "IBM S/390", bits: 64, endian: "big" },
  },
  {
    platform: "linux/loong64",
    os: linux,
    arch: "loong64",
    go: { GOOS: "linux", GOARCH: "loong64" },
    rust: {
      gnu: "loongarch64-unknown-linux-gnu",
      musl: "loongarch64-unknown-linux-musl",
      rustupStd: { gnu: true, musl: true },
    },
    march: "loongarch64",
    debianArch: "loong64",
    alpineArch: "loongarch64",
    gccTriple: "loongarch64-linux-gnu",
    debianCrossGcc: false,
    qemuArch: "loongarch64",
    nodeArch: "loong64",
    nodeImages: { bookworm: NONE, alpine: NONE },
    elf: { machine: EM.LOONGARCH, machineName: "LoongArch", bits: 64, endian: "little" },
  },
  // MIPS: xx takes GOMIPS/GOMIPS64 from a third path element; we support the default
  // (hard-float) only and set it explicitly. Rust's MIPS triples are tier 3 (no rustup std).
  {
    platform: "linux/mips",
    os: linux,
    arch: "mips",
    go: { GOOS: "linux", GOARCH: "mips", GOMIPS: "hardfloat" },
    rust: {
      gnu: "mips-unknown-linux-gnu",
      musl: "mips-unknown-linux-musl",
      rustupStd: { gnu: false, musl: false },
    },
    march: "mips",
    debianArch: "mips",
    alpineArch: "mips",
    gccTriple: "mips-linux-gnu",
    debianCrossGcc: true,
    muslDevTriple: "mips-linux-musl",
    qemuArch: "mips",
    nodeArch: "mips",
    nodeImages: { bookworm: NONE, alpine: NONE },
    elf: { machine: EM.MIPS, machineName: "MIPS", bits: 32, endian: "big" },
  },
  {
    platform: "linux/mipsle",
    os: linux,
    arch: "mipsle",
    go: { GOOS: "linux", GOARCH: "mipsle", GOMIPS: "hardfloat" },
    rust: {
      gnu: "mipsel-unknown-linux-gnu",
      musl: "mipsel-unknown-linux-musl",
      rustupStd: { gnu: false, musl: false },
    },
    march: "mipsle",
    debianArch: "mipsel",
    alpineArch: "mipsle",
    gccTriple: "mipsel-linux-gnu",
    debianCrossGcc: true,
    muslDevTriple: "mipsel-linux-musl",
    qemuArch: "mipsel",
    nodeArch: "mipsel",
    nodeImages: { bookworm: NONE, alpine: NONE },
    elf: { machine: EM.MIPS, machineName: "MIPS", bits: 32, endian: "little" },
  },
  {
    platform: "linux/mips64",
    os: linux,
    arch: "mips64",
    go: { GOOS: "linux", GOARCH: "mips64", GOMIPS64: "hardfloat" },
    rust: {
      gnu: "mips64-unknown-linux-gnuabi64",
      musl: "mips64-unknown-linux-muslabi64",
      rustupStd: { gnu: false, musl: false },
    },
    march: "mips64",
    debianArch: "mips64",
    alpineArch: "mips64",
    gccTriple: "mips64-linux-gnuabi64",
    debianCrossGcc: true,
    qemuArch: "mips64",
    nodeArch: "mips64",
    nodeImages: { bookworm: NONE, alpine: NONE },
    elf: { machine: EM.MIPS, machineName: "MIPS", bits: 64, endian: "big" },
  },
  {
    platform: "linux/mips64le",
    os: linux,
    arch: "mips64le",
    go: { GOOS: "linux", GOARCH: "mips64le", GOMIPS64: "hardfloat" },
    rust: {
      gnu: "mips64el-unknown-linux-gnuabi64",
      musl: "mips64el-unknown-linux-muslabi64",
      rustupStd: { gnu: false, musl: false },
    },
    march: "mips64le",
    debianArch: "mips64el",
    alpineArch: "mips64le",
    gccTriple: "mips64el-linux-gnuabi64",
    debianCrossGcc: true,
    muslDevTriple: "mips64el-linux-musl",
    qemuArch: "mips64el",
    glibcBase: "debian:bookworm-slim",
    nodeArch: "mips64el",
    nodeImages: { bookworm: NONE, alpine: NONE },
    elf: { machine: EM.MIPS, machineName: "MIPS", bits: 64, endian: "little" },
  },
]

/** Every supported target, keyed by normalised platform. */
export const TARGETS: ReadonlyMap<string, Readonly<TargetRow>> = new Map(
  rows.map((r) => [r.platform, Object.freeze(r)]),
)

/** The supported platforms in table order. */
export const SUPPORTED_PLATFORMS: readonly string[] = rows.map((r) => r.platform)

/** Architectures (second path element) we support, with their allowed variants ("" = none). */
export const SUPPORTED_ARCHES: ReadonlyMap<string, readonly string[]> = (() => {
  const m = new Map<string, string[]>()
  for (const r of rows) {
    const l = m.get(r.arch) ?? []
    l.push(r.variant ?? "")
    m.set(r.arch, l)
  }
  return m
})()

/** e_machine → human name: the table's ELF facts plus machines it has no row for. */
export const ELF_MACHINE_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  ...rows.map((r): [number, string] => [r.elf.machine, r.elf.machineName]),
  ...Object.entries(OTHER_ELF_MACHINES).map(([m, n]): [number, string] => [Number(m), n]),
])

/** Name of an ELF e_machine value, for messages ("machine 4711" when unknown). */
export function elfMachineName(machine: number): string {
  return ELF_MACHINE_NAMES.get(machine) ?? `machine ${machine}`
}
