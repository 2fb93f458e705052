/**
 * Unit tests of the Rust plan (pure): every table row's triple, linker and cc variables, the
 * musl/gnu switch, builder setup, cache keys, --locked, version resolution and input validation.
 * Expected strings are typed in here, not derived from the code under test.
 */
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { DEFAULT_RUST_VERSION, type RustOptions } from "../../../../modules/toolchains/rust/index.js"
import { elfCheckArgv } from "../../../../modules/core/elf.js"
import { SUPPORTED_PLATFORMS, TARGETS } from "../../../../modules/core/index.js"
import type { BuildPlan, SourceFacts } from "../../../../modules/core/plan.js"
import { factsOf } from "../../../support/facts.js"
import { planRust } from "../../../support/plans.js"
import { inputError } from "../../../support/errors.js"

const NATIVE = "linux/amd64"
const HELLO = `[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n`
const facts = (files: Record<string, string> = {}, extra: string[] = []): SourceFacts => ({
  entries: ["Cargo.toml", "src", ...Object.keys(files).filter((f) => f !== "Cargo.toml"), ...extra],
  files: { "Cargo.toml": HELLO, ...files },
})
const locked = () => facts({ "Cargo.lock": "version = 4\n" })


const step = (p: BuildPlan, name: string) => {
  const s = [...p.builder.setup, ...p.steps].find((x) => x.name === name)
  if (!s) throw new Error(`plan has no step ${name}: ${[...p.builder.setup, ...p.steps].map((x) => x.name).join(", ")}`)
  return s
}

// Independent reference: platform -> [gnu triple, musl triple, linker, musl CC, AR, env spelling].
const REF: Record<string, { gnu: string; musl: string; linker: string; muslCc: string; ar: string; T: string; t: string }> = {
  "linux/amd64": { gnu: "x86_64-unknown-linux-gnu", musl: "x86_64-unknown-linux-musl", linker: "x86_64-linux-gnu-gcc", muslCc: "x86_64-linux-musl-gcc", ar: "x86_64-linux-gnu-ar", T: "X86_64_UNKNOWN_LINUX_MUSL", t: "x86_64_unknown_linux_musl" },
  "linux/arm64": { gnu: "aarch64-unknown-linux-gnu", musl: "aarch64-unknown-linux-musl", linker: "aarch64-linux-gnu-gcc", muslCc: "aarch64-linux-musl-gcc", ar: "aarch64-linux-gnu-ar", T: "AARCH64_UNKNOWN_LINUX_MUSL", t: "aarch64_unknown_linux_musl" },
  "linux/arm/v7": { gnu: "armv7-unknown-linux-gnueabihf", musl: "armv7-unknown-linux-musleabihf", linker: "arm-linux-gnueabihf-gcc", muslCc: "arm-linux-musleabihf-gcc", ar: "arm-linux-gnueabihf-ar", T: "ARMV7_UNKNOWN_LINUX_MUSLEABIHF", t: "armv7_unknown_linux_musleabihf" },
  "linux/arm/v6": { gnu: "arm-unknown-linux-gnueabi", musl: "arm-unknown-linux-musleabi", linker: "arm-linux-gnueabi-gcc", muslCc: "arm-linux-musleabi-gcc", ar: "arm-linux-gnueabi-ar", T: "ARM_UNKNOWN_LINUX_MUSLEABI", t: "arm_unknown_linux_musleabi" },
  "linux/arm/v5": { gnu: "armv5te-unknown-linux-gnueabi", musl: "armv5te-unknown-linux-musleabi", linker: "arm-linux-gnueabi-gcc", muslCc: "arm-linux-musleabi-gcc", ar: "arm-linux-gnueabi-ar", T: "ARMV5TE_UNKNOWN_LINUX_MUSLEABI", t: "armv5te_unknown_linux_musleabi" },
  "linux/386": { gnu: "i686-unknown-linux-gnu", musl: "i686-unknown-linux-musl", linker: "i686-linux-gnu-gcc", muslCc: "i386-linux-musl-gcc", ar: "i686-linux-gnu-ar", T: "I686_UNKNOWN_LINUX_MUSL", t: "i686_unknown_linux_musl" },
  // bookworm has no riscv64 musl-dev: C code falls back to the glibc cross gcc
  "linux/riscv64": { gnu: "riscv64gc-unknown-linux-gnu", musl: "riscv64gc-unknown-linux-musl", linker: "riscv64-linux-gnu-gcc", muslCc: "riscv64-linux-gnu-gcc", ar: "riscv64-linux-gnu-ar", T: "RISCV64GC_UNKNOWN_LINUX_MUSL", t: "riscv64gc_unknown_linux_musl" },
  "linux/ppc64le": { gnu: "powerpc64le-unknown-linux-gnu", musl: "powerpc64le-unknown-linux-musl", linker: "powerpc64le-linux-gnu-gcc", muslCc: "powerpc64le-linux-musl-gcc", ar: "powerpc64le-linux-gnu-ar", T: "POWERPC64LE_UNKNOWN_LINUX_MUSL", t: "powerpc64le_unknown_linux_musl" },
}

describe("planRust: every table row", () => {
  for (const platform of SUPPORTED_PLATFORMS) {
    for (const libc of ["gnu", "musl"] as const) {
      const row = TARGETS.get(platform)!
      const buildable = row.rust.rustupStd[libc] && row.debianCrossGcc
      it(`${platform} ${libc}: ${buildable ? "triple, linker, cc env, verification" : "rejected before any engine work"}`, () => {
        if (!buildable) {
          const e = inputError(() => planRust(platform, { libc }, locked(), NATIVE))
          expect(e.field).toBe("libc")
          expect(e.message).toContain(platform)
          return
        }
        const p = planRust(platform, { libc }, locked(), NATIVE)
        const triple = row.rust[libc]
        const T = triple.toUpperCase().replace(/-/g, "_")
        const t = triple.replace(/-/g, "_")
        expect(p.toolchain).toBe("rust")
        expect(p.mode).toBe("cross")
        expect(p.builder.platform).toBe("native")
        expect(p.env[`CARGO_TARGET_${T}_LINKER`]).toBe(`${row.gccTriple}-gcc`)
        expect(p.env[`AR_${t}`]).toBe(`${row.gccTriple}-ar`)
        const muslDev = row.muslDevTriple
        expect(p.env[`CC_${t}`]).toBe(libc === "musl" && muslDev ? `${muslDev}-gcc` : `${row.gccTriple}-gcc`)
        // only this target's variables: no other triple leaks in
        const tripleVars = Object.keys(p.env).filter((k) => /^(CARGO_TARGET_|CC_|CXX_|AR_)/.test(k) && k !== "CARGO_TARGET_DIR")
        // gnu: Debian's g++-<triple> as CXX_<triple> for C++ in build scripts; musl: no C++
        const cxx = libc === "gnu" ? [`CXX_${t}`] : []
        expect(tripleVars.sort()).toEqual([`AR_${t}`, `CARGO_TARGET_${T}_LINKER`, `CARGO_TARGET_${T}_RUSTFLAGS`, `CC_${t}`, ...cxx].sort())
        if (libc === "gnu") expect(p.env[`CXX_${t}`]).toBe(`${row.gccTriple}-g++`)
        expect(step(p, "rustup target add").argv).toEqual(["rustup", "target", "add", "--toolchain", DEFAULT_RUST_VERSION, triple])
        expect(step(p, "cargo build").argv).toEqual(["cargo", "build", "--locked", "--profile", "release", "--target", triple, "--bin=hello"])
        const linkage = libc === "musl" ? "static" : "dynamic"
        expect(p.verify).toEqual({ elf: row.elf, linkage })
        expect(step(p, "verify ELF").argv).toEqual(elfCheckArgv("/out/hello", platform, row.elf, linkage))
        expect(p.steps.map((s) => s.name)).toEqual(["cargo build", "copy binary", "verify ELF"])
      })
    }
  }

  for (const [platform, r] of Object.entries(REF)) {
    it(`${platform}: reference triples and tools`, () => {
      const gnu = planRust(platform, { libc: "gnu" }, facts(), NATIVE)
      const musl = planRust(platform, { libc: "musl" }, facts(), NATIVE)
      expect(step(gnu, "rustup target add").argv.at(-1)).toBe(r.gnu)
      expect(step(musl, "rustup target add").argv.at(-1)).toBe(r.musl)
      expect(musl.env[`CARGO_TARGET_${r.T}_LINKER`]).toBe(r.linker)
      expect(musl.env[`CC_${r.t}`]).toBe(r.muslCc)
      expect(musl.env[`AR_${r.t}`]).toBe(r.ar)
      const gT = r.gnu.toUpperCase().replace(/-/g, "_")
      const gt = r.gnu.replace(/-/g, "_")
      expect(gnu.env[`CARGO_TARGET_${gT}_LINKER`]).toBe(r.linker)
      expect(gnu.env[`CC_${gt}`]).toBe(r.linker)
    })
  }
})

describe("planRust: musl vs gnu", () => {
  it("defaults to musl: static, self-contained, scratch runtime", () => {
    const p = planRust("linux/arm64", {}, facts(), NATIVE)
    expect(p.env.CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_RUSTFLAGS).toBe("-C target-feature=+crt-static -C link-self-contained=yes")
    expect(p.verify?.linkage).toBe("static")
    expect(p.runtime.base).toBe("scratch")
    expect(p.runtime).toMatchObject({ binaryPath: "/usr/local/bin/hello", entrypoint: ["/usr/local/bin/hello"], user: "65532:65532" })
    expect(p.notes.join("\n")).toMatch(/self-contained/)
  })

  it("gnu: dynamic glibc, Debian runtime base", () => {
    const p = planRust("linux/arm64", { libc: "gnu" }, facts(), NATIVE)
    expect(p.env.CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS).toBe("-C target-feature=-crt-static")
    expect(p.verify?.linkage).toBe("dynamic")
    expect(p.runtime.base).toBe("debian:bookworm-slim")
    expect(Object.keys(p.env).some((k) => k.includes("MUSL"))).toBe(false)
  })

  it("--base overrides the runtime base for either libc", () => {
    expect(planRust("linux/arm64", { base: "gcr.io/distroless/static-debian12" }, facts(), NATIVE).runtime.base).toBe("gcr.io/distroless/static-debian12")
    expect(planRust("linux/arm64", { libc: "gnu", base: "gcr.io/distroless/cc-debian12" }, facts(), NATIVE).runtime.base).toBe("gcr.io/distroless/cc-debian12")
  })

  it("amd64 variants add -C target-cpu, the Rust side of GOAMD64", () => {
    expect(planRust("linux/amd64/v3", {}, facts(), NATIVE).env.CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS).toBe(
      "-C target-feature=+crt-static -C link-self-contained=yes -C target-cpu=x86-64-v3",
    )
    expect(planRust("linux/amd64/v2", { libc: "gnu" }, facts(), NATIVE).env.CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS).toBe(
      "-C target-feature=-crt-static -C target-cpu=x86-64-v2",
    )
    expect(planRust("linux/amd64", {}, facts(), NATIVE).env.CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS).not.toContain("target-cpu")
  })

  it("rejects what rustup or bookworm cannot build, naming the fix", () => {
    const s390 = inputError(() => planRust("linux/s390x", { libc: "musl" }, facts(), NATIVE))
    expect(s390.message).toMatch(/s390x-unknown-linux-musl is a tier-3/)
    expect(s390.fix).toBe("build linux/s390x with --libc gnu")
    expect(planRust("linux/s390x", { libc: "gnu" }, facts(), NATIVE).env.CARGO_TARGET_S390X_UNKNOWN_LINUX_GNU_LINKER).toBe("s390x-linux-gnu-gcc")
    const mips = inputError(() => planRust("linux/mips", { libc: "gnu" }, facts(), NATIVE))
    expect(mips.fix).toBe("drop linux/mips from --platforms")
    const loong = inputError(() => planRust("linux/loong64", {}, facts(), NATIVE))
    expect(loong.message).toMatch(/no loongarch64-linux-gnu-gcc/)
    // issue 14: without --libc the platform is the input at fault, not the default libc (was: invalid libc "musl")
    expect([loong.field, loong.input]).toEqual(["platforms", "linux/loong64"])
    const s390default = inputError(() => planRust("linux/s390x", {}, facts(), NATIVE))
    expect([s390default.field, s390default.input, s390default.fix]).toEqual(["platforms", "linux/s390x", "build linux/s390x with --libc gnu"])
    expect(s390default.message).toMatch(/^invalid platforms "linux\/s390x": s390x-unknown-linux-musl is a tier-3 Rust target.*\(--libc defaults to musl\)/)
    expect(inputError(() => planRust("linux/sparc64", {}, facts(), NATIVE)).field).toBe("platform")
  })
})

describe("planRust: builder setup", () => {
  it("native gnu target: nothing to install but the rustup target", () => {
    const p = planRust("linux/amd64", { libc: "gnu" }, facts(), NATIVE)
    expect(p.native).toBe(true)
    expect(p.builder.image).toBe(`rust:${DEFAULT_RUST_VERSION}-bookworm`)
    expect(p.builder.setup.map((s) => s.argv)).toEqual([
      ["rustup", "toolchain", "install", DEFAULT_RUST_VERSION, "--profile", "minimal", "--no-self-update"],
      ["rustup", "target", "add", "--toolchain", DEFAULT_RUST_VERSION, "x86_64-unknown-linux-gnu"],
    ])
  })

  it("native musl target: the native musl-dev (x86_64-linux-musl-gcc)", () => {
    const p = planRust("linux/amd64", {}, facts(), NATIVE)
    expect(step(p, "install C cross toolchain").argv[2]).toMatch(/apt-get install .* musl-dev$/)
    expect(step(p, "install C cross toolchain").argv[2]).not.toMatch(/add-architecture/)
  })

  it("cross musl target: foreign musl-dev via multiarch, Debian cross gcc and libc", () => {
    const p = planRust("linux/arm64", {}, facts(), NATIVE)
    expect(p.native).toBe(false)
    const apt = step(p, "install C cross toolchain").argv
    expect(apt.slice(0, 2)).toEqual(["sh", "-c"])
    expect(apt[2]).toMatch(/^dpkg --add-architecture arm64 && apt-get update -qq && /)
    expect(apt[2]).toMatch(/--no-install-recommends gcc-aarch64-linux-gnu libc6-dev-arm64-cross musl-dev:arm64$/)
    // apt before rustup: the package layer does not depend on the Rust version
    expect(p.builder.setup.map((s) => s.name)).toEqual(["install C cross toolchain", "rustup toolchain", "rustup target add"])
  })

  it("cross gnu target: cross gcc, g++ and libc, no foreign architecture", () => {
    const apt = step(planRust("linux/arm/v7", { libc: "gnu" }, facts(), NATIVE), "install C cross toolchain").argv[2]
    expect(apt).toMatch(/--no-install-recommends gcc-arm-linux-gnueabihf g\+\+-arm-linux-gnueabihf libc6-dev-armhf-cross$/)
    expect(apt).not.toMatch(/add-architecture|musl/)
  })

  it("riscv64 musl: no musl-dev in bookworm, said in a note", () => {
    const p = planRust("linux/riscv64", {}, facts(), NATIVE)
    expect(step(p, "install C cross toolchain").argv[2]).toMatch(/gcc-riscv64-linux-gnu libc6-dev-riscv64-cross$/)
    expect(p.notes.join("\n")).toMatch(/no musl-dev for riscv64/)
  })

  it("an arm64 engine cross-compiles amd64 with gcc-x86-64-linux-gnu (Debian spells _ as -)", () => {
    const p = planRust("linux/amd64", {}, facts(), "linux/arm64")
    expect(p.native).toBe(false)
    expect(step(p, "install C cross toolchain").argv[2]).toMatch(/dpkg --add-architecture amd64 .* gcc-x86-64-linux-gnu libc6-dev-amd64-cross musl-dev:amd64$/)
    expect(p.env.CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER).toBe("x86_64-linux-gnu-gcc")
    // and arm64 is then native: musl-dev without an architecture qualifier
    expect(step(planRust("linux/arm64", {}, facts(), "linux/arm64"), "install C cross toolchain").argv[2]).toMatch(/install .* musl-dev$/)
  })
})

describe("planRust: caches", () => {
  it("registry, git and target-dir volumes are namespaced per target and libc (all plans, all distinct)", () => {
    const keys: string[] = []
    for (const platform of SUPPORTED_PLATFORMS)
      for (const libc of ["gnu", "musl"] as const) {
        let p: BuildPlan
        try {
          p = planRust(platform, { libc }, facts(), NATIVE)
        } catch {
          continue
        }
        expect(p.caches.map((c) => c.path)).toEqual(["/usr/local/cargo/registry", "/usr/local/cargo/git", "/cargo-target"])
        for (const c of p.caches) expect(c.key).toContain(`${platform.replace(/\//g, "-")}-${libc}`)
        keys.push(...p.caches.map((c) => c.key))
      }
    expect(keys.length).toBeGreaterThan(60)
    expect(new Set(keys).size).toBe(keys.length)
  })

  it("the target dir is keyed by the project's namespace and Rust version too; CARGO_TARGET_DIR points at it", () => {
    const a = planRust("linux/arm64", {}, facts(), NATIVE)
    const b = planRust("linux/arm64", { rustVersion: "1.90.0" }, facts(), NATIVE)
    const c = planRust("linux/arm64", {}, facts({ "Cargo.toml": `[package]\nname = "other"\n` }), NATIVE)
    expect(a.caches[2].key).toMatch(new RegExp(`^multiarch-rust-target-p[0-9a-f]{16}-${DEFAULT_RUST_VERSION.replace(/\./g, "\\.")}-linux-arm64-musl$`))
    expect(new Set([a.caches[2].key, b.caches[2].key, c.caches[2].key]).size).toBe(3)
    expect(a.env.CARGO_TARGET_DIR).toBe("/cargo-target")
    expect(a.env.CARGO_HOME).toBe("/usr/local/cargo")
    // the binary is copied out of the cache volume before verification
    expect(step(a, "copy binary").argv).toEqual(["install", "-D", "-m", "0755", "/cargo-target/aarch64-unknown-linux-musl/release/hello", "/out/hello"])
  })

  it("every volume (registry and git too) is namespaced by project: two crates never share, --cache-namespace shares on purpose", () => {
    const a = planRust("linux/arm64", {}, facts(), NATIVE)
    const c = planRust("linux/arm64", {}, facts({ "Cargo.toml": `[package]\nname = "other"\n` }), NATIVE)
    for (let i = 0; i < 3; i++) expect(a.caches[i].key).not.toBe(c.caches[i].key)
    const na = planRust("linux/arm64", { cacheNamespace: "acme/app" }, facts(), NATIVE)
    const nc = planRust("linux/arm64", { cacheNamespace: "acme/app" }, facts({ "Cargo.toml": `[package]\nname = "other"\n` }), NATIVE)
    expect(na.caches.map((x) => x.key)).toEqual([
      "multiarch-rust-registry-acme/app-linux-arm64-musl",
      "multiarch-rust-git-acme/app-linux-arm64-musl",
      `multiarch-rust-target-acme/app-${DEFAULT_RUST_VERSION}-linux-arm64-musl`,
    ])
    expect(nc.caches.map((x) => x.key)).toEqual(na.caches.map((x) => x.key))
    expect(na.notes.join("\n")).toMatch(/cache volumes namespaced by --cache-namespace/)
  })

  it("nothing from Cargo.toml reaches a cache key as written (a hostile package name)", () => {
    const hostile = `[package]\nname = "x-multiarch-go-mod-victim"\ndefault-run = "x"\n`
    const p = planRust("linux/arm64", {}, facts({ "Cargo.toml": hostile }), NATIVE)
    for (const c of p.caches) expect(c.key).not.toContain("victim")
    for (const c of p.caches) expect(c.key).toMatch(/^multiarch-rust-(registry|git|target)-p[0-9a-f]{16}-/)
  })

  it("--cache-namespace is checked before any engine work", () => {
    for (const bad of ["", "-x", "a b", "a:b", "x".repeat(200), "ns\n"]) expect(inputError(() => planRust("linux/arm64", { cacheNamespace: bad }, facts(), NATIVE)).field).toBe("cache-namespace")
  })
})

describe("planRust: cargo argv", () => {
  it("--locked iff Cargo.lock is in the source", () => {
    expect(step(planRust("linux/arm64", {}, locked(), NATIVE), "cargo build").argv).toContain("--locked")
    const unlocked = planRust("linux/arm64", {}, facts(), NATIVE)
    expect(step(unlocked, "cargo build").argv).not.toContain("--locked")
    expect(unlocked.notes.join("\n")).toMatch(/no Cargo.lock/)
  })

  it("--bin, --features, --no-default-features, --profile", () => {
    const p = planRust("linux/arm/v7", { bin: "srv", features: "tls, metrics", noDefaultFeatures: true, profile: "dist" }, facts(), NATIVE)
    expect(step(p, "cargo build").argv).toEqual([
      "cargo", "build", "--profile", "dist", "--target", "armv7-unknown-linux-musleabihf", "--bin=srv", "--no-default-features", "--features", "tls,metrics",
    ])
    expect(p.output).toEqual({ path: "/out/srv", name: "srv" })
    expect(step(p, "copy binary").argv[4]).toBe("/cargo-target/armv7-unknown-linux-musleabihf/dist/srv")
    expect(step(planRust("linux/arm64", { features: ["a", "b,c"] }, facts(), NATIVE), "cargo build").argv.slice(-2)).toEqual(["--features", "a,b,c"])
  })

  it("the dev profile writes to target/<triple>/debug", () => {
    expect(step(planRust("linux/arm64", { profile: "dev" }, facts(), NATIVE), "copy binary").argv[4]).toBe("/cargo-target/aarch64-unknown-linux-musl/debug/hello")
  })

  it("binary name: [[bin]], default-run, several bins, virtual workspace", () => {
    const one = facts({ "Cargo.toml": `[package]\nname = "pkg"\n\n[[bin]]\nname = "tool"\npath = "src/main.rs"\n` })
    expect(planRust("linux/arm64", {}, one, NATIVE).output.name).toBe("tool")
    const two = `[package]\nname = "pkg"\n[[bin]]\nname = "a"\n[[bin]]\nname = "b"\n`
    const e = inputError(() => planRust("linux/arm64", {}, facts({ "Cargo.toml": two }), NATIVE))
    expect(e.field).toBe("bin")
    expect(e.fix).toMatch(/--bin a/)
    expect(planRust("linux/arm64", {}, facts({ "Cargo.toml": two.replace('name = "pkg"', 'name = "pkg"\ndefault-run = "b"') }), NATIVE).output.name).toBe("b")
    expect(planRust("linux/arm64", { bin: "a" }, facts({ "Cargo.toml": two }), NATIVE).output.name).toBe("a")
    const ws = facts({ "Cargo.toml": `[workspace]\nmembers = [\n  "crates/*",\n]\nresolver = "2"\n` })
    expect(inputError(() => planRust("linux/arm64", {}, ws, NATIVE)).message).toMatch(/virtual workspace/)
    const w = planRust("linux/arm64", { bin: "server" }, ws, NATIVE)
    expect(w.output.name).toBe("server")
    expect(step(w, "cargo build").argv).toContain("--bin=server")
  })

  it("names from Cargo.toml are checked like --bin and passed as one word --bin=<name>", () => {
    // a name that would be read as a flag if passed as its own word
    const flag = facts({ "Cargo.toml": `[package]\nname = "pkg"\ndefault-run = "--config=build.rustflags=['-Cx']"\n` })
    const e = inputError(() => planRust("linux/arm64", {}, flag, NATIVE))
    expect(e.field).toBe("bin")
    expect(e.message).toMatch(/default-run names the binary .* not a plain Cargo target name/)
    expect(e.fix).toMatch(/--bin/)
    const bin = facts({ "Cargo.toml": `[package]\nname = "pkg"\n[[bin]]\nname = "a b"\n` })
    expect(inputError(() => planRust("linux/arm64", {}, bin, NATIVE)).message).toMatch(/\[\[bin\]\] names the binary "a b"/)
    const pkg = facts({ "Cargo.toml": `[package]\nname = "-x"\n` })
    expect(inputError(() => planRust("linux/arm64", {}, pkg, NATIVE)).field).toBe("bin")
    // every cargo argv word that carries a name is --bin=<name>
    const p = planRust("linux/arm64", {}, facts(), NATIVE)
    expect(step(p, "cargo build").argv.filter((a) => a.startsWith("--bin"))).toEqual(["--bin=hello"])
  })
})

describe("planRust: Rust version", () => {
  it("default, --rust-version, rust-toolchain.toml, legacy rust-toolchain", () => {
    expect(planRust("linux/arm64", {}, facts(), NATIVE).builder.image).toBe(`rust:${DEFAULT_RUST_VERSION}-bookworm`)
    const file = facts({ "rust-toolchain.toml": `[toolchain]\nchannel = "1.85.1"\ncomponents = ["clippy"]\n` })
    const p = planRust("linux/arm64", {}, file, NATIVE)
    expect(p.builder.image).toBe("rust:1.85.1-bookworm")
    expect(p.env.RUSTUP_TOOLCHAIN).toBe("1.85.1")
    expect(step(p, "rustup target add").argv).toEqual(["rustup", "target", "add", "--toolchain", "1.85.1", "aarch64-unknown-linux-musl"])
    expect(p.notes[0]).toMatch(/from rust-toolchain.toml/)
    expect(planRust("linux/arm64", { rustVersion: "1.90" }, file, NATIVE).builder.image).toBe("rust:1.90-bookworm")
    expect(planRust("linux/arm64", {}, facts({ "rust-toolchain": "1.80.0\n" }), NATIVE).builder.image).toBe("rust:1.80.0-bookworm")
  })

  it("a release older than any rust:*-bookworm image (before 1.67) is installed by rustup in the default image", () => {
    const old = planRust("linux/arm64", {}, facts({ "rust-toolchain.toml": `[toolchain]\nchannel = "1.65.0"\n` }), NATIVE)
    expect(old.builder.image).toBe(`rust:${DEFAULT_RUST_VERSION}-bookworm`)
    expect(old.env.RUSTUP_TOOLCHAIN).toBe("1.65.0")
    expect(old.notes.join("\n")).toMatch(/rust:1\.65\.0-bookworm was never published \(bookworm images start with Rust 1\.67\)/)
    expect(planRust("linux/arm64", { rustVersion: "1.67.0" }, facts(), NATIVE).builder.image).toBe("rust:1.67.0-bookworm")
  })

  it("--rust-image replaces the builder (pinned by digest); rustup still installs the release", () => {
    const img = `rust:1.96-bookworm@sha256:${"ab".repeat(32)}`
    const p = planRust("linux/arm64", { rustImage: img }, facts(), NATIVE)
    expect(p.builder.image).toBe(img)
    expect(p.env.RUSTUP_TOOLCHAIN).toBe(DEFAULT_RUST_VERSION)
    expect(p.caches[2].key).toMatch(/^multiarch-rust-target-p[0-9a-f]{16}-img[0-9a-f]{12}-/)
    expect(inputError(() => planRust("linux/arm64", { rustImage: "rust:1.96@sha256:abc" }, facts(), NATIVE)).field).toBe("rust-image")
  })

  it("a channel (1.90) is installed next to the image's 1.90.x: said in a note", () => {
    expect(planRust("linux/arm64", { rustVersion: "1.90" }, facts(), NATIVE).notes.join("\n")).toMatch(/names a channel/)
    expect(planRust("linux/arm64", { rustVersion: "1.90.0" }, facts(), NATIVE).notes.join("\n")).not.toMatch(/names a channel/)
  })

  it("stable means the default release; nightly/beta are installed by rustup in the default image; other channels are refused", () => {
    const st = planRust("linux/arm64", {}, facts({ "rust-toolchain.toml": `[toolchain]\nchannel = "stable"\n` }), NATIVE)
    expect(st.builder.image).toBe(`rust:${DEFAULT_RUST_VERSION}-bookworm`)
    const n = planRust("linux/arm64", {}, facts({ "rust-toolchain.toml": `[toolchain]\nchannel = "nightly-2025-01-01"\n` }), NATIVE)
    expect(n.builder.image).toBe(`rust:${DEFAULT_RUST_VERSION}-bookworm`)
    expect(n.env.RUSTUP_TOOLCHAIN).toBe("nightly-2025-01-01")
    expect(step(n, "rustup toolchain").argv).toEqual(["rustup", "toolchain", "install", "nightly-2025-01-01", "--profile", "minimal", "--no-self-update"])
    expect(step(n, "rustup target add").argv).toEqual(["rustup", "target", "add", "--toolchain", "nightly-2025-01-01", "aarch64-unknown-linux-musl"])
    expect(n.notes.join("\n")).toMatch(/nightly-2025-01-01: builder rust:.*-bookworm, rustup installs nightly-2025-01-01/)
    expect(planRust("linux/arm64", {}, facts({ "rust-toolchain": "beta\n" }), NATIVE).env.RUSTUP_TOOLCHAIN).toBe("beta")
    const e = inputError(() => planRust("linux/arm64", {}, facts({ "rust-toolchain.toml": `[toolchain]\nchannel = "my-custom-toolchain"\n` }), NATIVE))
    expect(e.field).toBe("rust-version")
    expect(e.fix).toMatch(/--rust-version/)
    // --rust-version wins over the file, so the user has a way out
    expect(planRust("linux/arm64", { rustVersion: "1.96.0" }, facts({ "rust-toolchain.toml": `[toolchain]\nchannel = "nightly"\n` }), NATIVE).builder.image).toBe("rust:1.96.0-bookworm")
  })

  it("an MSRV above the chosen release is an input error", () => {
    const msrv = facts({ "Cargo.toml": `[package]\nname = "x"\nrust-version = "1.99"\n` })
    const e = inputError(() => planRust("linux/arm64", {}, msrv, NATIVE))
    expect(e.message).toMatch(/needs rust-version 1.99/)
    expect(e.fix).toBe("pass --rust-version 1.99 or newer")
    expect(planRust("linux/arm64", { rustVersion: "1.99.0" }, msrv, NATIVE).builder.image).toBe("rust:1.99.0-bookworm")
    expect(planRust("linux/arm64", {}, facts({ "Cargo.toml": `[package]\nname = "x"\nrust-version = "1.70"\n` }), NATIVE).builder.image).toBe(`rust:${DEFAULT_RUST_VERSION}-bookworm`)
  })
})

describe("planRust: input validation (before any engine work)", () => {
  const bad: [string, RustOptions, string][] = [
    ["rust-version", { rustVersion: "v1.96" }, "1.96"],
    ["rust-version", { rustVersion: "nightly" }, "1.96"],
    ["rust-version", { rustVersion: "2.0" }, "1.96"],
    ["libc", { libc: "glibc" as never }, "--libc gnu"],
    ["bin", { bin: "my app" }, "--bin"],
    ["bin", { bin: "../x" }, "--bin"],
    ["profile", { profile: "test" }, "release"],
    ["profile", { profile: "a/b" }, "release"],
    ["features", { features: "ok,bad feature!" }, "dep/feature"],
    ["base", { base: "" }, "scratch"],
  ]
  for (const [field, opts, fix] of bad)
    it(`${field}: ${JSON.stringify(Object.values(opts)[0])}`, () => {
      const e = inputError(() => planRust("linux/arm64", opts, facts(), NATIVE))
      expect(e.field).toBe(field)
      expect(e.fix).toContain(fix)
    })

  it("no Cargo.toml, or one without package and workspace", () => {
    expect(inputError(() => planRust("linux/arm64", {}, { entries: ["go.mod"], files: {} }, NATIVE)).message).toMatch(/no Cargo.toml/)
    expect(inputError(() => planRust("linux/arm64", {}, facts({ "Cargo.toml": "[dependencies]\nserde = \"1\"\n" }), NATIVE)).message).toMatch(
      /neither a \[package\] name nor a \[workspace\]/,
    )
  })
})

describe("the fixtures", () => {
  const root = resolve(__dirname, "../../../..")
  it("rust-hello: default release, --locked, package name as binary", () => {
    const p = planRust("linux/arm64", {}, factsOf(join(root, "test/fixtures/rust-hello")), NATIVE)
    expect(p.builder.image).toBe(`rust:${DEFAULT_RUST_VERSION}-bookworm`)
    expect(step(p, "cargo build").argv).toEqual(["cargo", "build", "--locked", "--profile", "release", "--target", "aarch64-unknown-linux-musl", "--bin=rust-hello"])
  })

  it("rust-cc: release pinned by rust-toolchain.toml", () => {
    const p = planRust("linux/riscv64", { libc: "gnu" }, factsOf(join(root, "test/fixtures/rust-cc")), NATIVE)
    expect(p.builder.image).toBe("rust:1.96.0-bookworm")
    expect(p.output.name).toBe("rust-cc")
  })

  it("build --platforms linux/amd64,linux/arm64,linux/riscv64: native builders, rustup target add, per-target linkers", () => {
    const f = factsOf(join(root, "test/fixtures/rust-hello"))
    const plans = ["linux/amd64", "linux/arm64", "linux/riscv64"].map((pl) => planRust(pl, {}, f, NATIVE))
    expect(plans.map((p) => p.builder.platform)).toEqual(["native", "native", "native"])
    expect(plans.map((p) => step(p, "rustup target add").argv.at(-1))).toEqual([
      "x86_64-unknown-linux-musl",
      "aarch64-unknown-linux-musl",
      "riscv64gc-unknown-linux-musl",
    ])
    expect(plans.map((p) => Object.entries(p.env).filter(([k]) => k.endsWith("_LINKER")))).toEqual([
      [["CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER", "x86_64-linux-gnu-gcc"]],
      [["CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER", "aarch64-linux-gnu-gcc"]],
      [["CARGO_TARGET_RISCV64GC_UNKNOWN_LINUX_MUSL_LINKER", "riscv64-linux-gnu-gcc"]],
    ])
  })
})

describe("planRust --emulate and runtime bases", () => {
  it("emulated: builder on the target platform, no cross packages, same triple", () => {
    const p = planRust("linux/arm64", { emulate: true, libc: "gnu" }, facts(), NATIVE)
    expect(p.mode).toBe("emulated")
    expect(p.builder.platform).toBe("linux/arm64")
    expect(p.builder.setup.map((s) => s.argv.join(" ")).join("\n")).not.toMatch(/cross/)
    expect(p.steps[0].argv).toContain("aarch64-unknown-linux-gnu")
  })
  it("gnu runtime base follows the platform's Debian image", () => {
    expect(planRust("linux/arm64", { libc: "gnu" }, facts(), NATIVE).runtime.base).toBe("debian:bookworm-slim")
    expect(planRust("linux/riscv64", { libc: "gnu" }, facts(), NATIVE).runtime.base).toBe("debian:trixie-slim")
    expect(planRust("linux/riscv64", {}, facts(), NATIVE).runtime.base).toBe("scratch")
  })
})
