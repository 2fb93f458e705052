/**
 * Real-toolchain rung for Rust: build the fixtures on this host with exactly the env and argv the
 * plan gives the builder container, run the plan's own in-pipeline ELF check, check the ELF again
 * with the TypeScript parser, then run each binary under qemu-user-static and compare what the
 * binary reports about itself (std::env::consts::ARCH, libc, crt linkage, …) with the target.
 *
 * The one step replaced is the plan's builder setup (`rustup target add`, apt): this host cannot
 * reach rustup, so test/setup/rust.sh installs the equivalent of each target's rust-std component
 * for Debian's rustc 1.96 under /usr/lib/rustlib/<triple> (std rlibs; for musl also the
 * self-contained crt objects, libc.a and libunwind.a). Everything else is the plan's: the cargo
 * argv, CARGO_TARGET_<T>_LINKER, CARGO_TARGET_<T>_RUSTFLAGS, CC_<t>, AR_<t>, CARGO_TARGET_DIR,
 * the copy and ELF-check steps. Host-only additions are listed in HOST_ENV with the reason.
 */
import { execFileSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { planRust } from "../support/plans.js"
import { checkElf } from "../../modules/core/elf.js"
import { SUPPORTED_PLATFORMS, TARGETS } from "../../modules/core/index.js"
import type { BuildPlan } from "../../modules/core/plan.js"
import { factsOf, scannedFactsOf } from "../support/facts.js"
import { run, runPlanOnHost, type StepResult } from "../support/hostplan.js"
import { hasCommand, rungAvailable } from "../support/rung.js"

const ROOT = resolve(__dirname, "../..")
const OUT = join(ROOT, "test/.out/real-rust")
const NATIVE = "linux/amd64"
const CACHE = process.env.MULTIARCH_TEST_CACHE ?? "/var/cache/multiarch-test"
const RUSTLIB = "/usr/lib/rustlib"
type Libc = "gnu" | "musl"

/**
 * Host-only environment, on top of the plan's env:
 *  - PATH: Debian's cargo/rustc (/usr/bin) before rustup's ~/.cargo/bin, whose toolchains have no
 *    foreign std here (the builder's PATH has rustup's proxies instead); /usr/local/bin first for
 *    the <arch>-linux-musl-gcc wrappers test/setup/rust.sh writes there where apt could not install
 *    Debian's musl-dev:<arch>;
 *  - CARGO_HOME: crates.io is unreachable here; this CARGO_HOME's config.toml replaces it with
 *    Debian's vendored crates (/usr/share/cargo/registry, e.g. cc 1.0.73 from librust-cc-dev).
 *    In the builder it is the image's /usr/local/cargo with the registry cache mounted.
 */
const HOST_ENV = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/root", CARGO_HOME: join(CACHE, "rust/cargo-home") }

/** What std::env::consts::ARCH must print per architecture (typed in, not taken from the table). */
const RUST_ARCH: Record<string, string> = {
  amd64: "x86_64",
  arm64: "aarch64",
  arm: "arm",
  "386": "x86",
  riscv64: "riscv64",
  ppc64le: "powerpc64",
  s390x: "s390x",
}
/** The C compiler's view (predefined macros in the rust-cc fixture's facts.c). */
const C_ARCH = RUST_ARCH
/** musl targets whose plan compiles C against glibc headers (bookworm has no musl-dev for them). */
const MUSL_C_WITH_GLIBC_HEADERS = new Set(["linux/riscv64"])

/**
 * Which platforms this run builds (MULTIARCH_RUST_SWEEP, the same variable test/setup/rust.sh reads
 * to choose which std to prepare): "acceptance" (the default) the four acceptance platforms and
 * their variants (linux/amd64*, linux/arm64*, linux/arm/v7, linux/riscv64) × gnu/musl — a std
 * build for 7 triples on a fresh machine instead of 16; "full" every plannable platform × libc,
 * the sweep .ci/run runs.
 */
const SWEEP = process.env.MULTIARCH_RUST_SWEEP ?? "acceptance"
if (SWEEP !== "acceptance" && SWEEP !== "full") throw new Error(`MULTIARCH_RUST_SWEEP=${SWEEP}: use acceptance (the default) or full (every plannable platform, as .ci/run does)`)
const ACCEPTANCE = ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/riscv64"]
const inSweep = (platform: string) => SWEEP === "full" || ACCEPTANCE.some((a) => platform === a || (a !== "linux/arm/v7" && platform.startsWith(`${a}/`)))

/** Every (platform, libc) the plan accepts, in this sweep; the rest are listed with the plan's reason. */
const MATRIX: { platform: string; libc: Libc }[] = []
const NOT_PLANNABLE: { platform: string; libc: Libc; why: string }[] = []
const OUTSIDE_SWEEP: string[] = []
for (const platform of SUPPORTED_PLATFORMS)
  for (const libc of ["gnu", "musl"] as const) {
    try {
      planRust(platform, { libc }, factsOf(join(ROOT, "test/fixtures/rust-hello")), NATIVE)
      if (inSweep(platform)) MATRIX.push({ platform, libc })
      else OUTSIDE_SWEEP.push(`${platform} ${libc}`)
    } catch (e) {
      NOT_PLANNABLE.push({ platform, libc, why: (e as Error).message })
    }
  }
if (OUTSIDE_SWEEP.length)
  console.warn(
    `\n!!! real Rust rung, acceptance sweep: ${MATRIX.length} (platform, libc) pairs built; ${OUTSIDE_SWEEP.length} left out (${OUTSIDE_SWEEP.join(", ")}). ` +
      `The full sweep: MULTIARCH_RUST_SWEEP=full npm test (.ci/run runs it)\n`,
  )

const sh = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: "utf8" })
  } catch {
    return ""
  }
}
const cargoVersion = sh("/usr/bin/cargo", ["--version"])
/** Same id test/setup/rust.sh writes next to a std it built: "<commit-hash> <release> ". */
const rustcId = sh("/usr/bin/rustc", ["-vV"])
  .split("\n")
  .filter((l) => /^(commit-hash|release):/.test(l))
  .map((l) => l.split(": ")[1] + " ")
  .join("")

/** The rust-std component (and for musl the self-contained objects) test/setup/rust.sh installs. */
function componentMissing(triple: string): string | undefined {
  const lib = join(RUSTLIB, triple, "lib")
  const stds = existsSync(lib) ? readdirSync(lib).filter((f) => /^libstd-.*\.rlib$/.test(f)) : []
  if (stds.length === 0) return `std for ${triple}`
  // rustc refuses two (E0464 "multiple candidates for rlib dependency std"): e.g. Debian's
  // libstd-rust-web-dev:<arch> installed beside a std the setup built
  if (stds.length > 1) return `one std for ${triple}, not ${stds.length} (${stds.join(", ")})`
  const mark = join(lib, ".multiarch-test-component")
  if (existsSync(mark) && readFileSync(mark, "utf8").trim() !== rustcId.trim()) return `std for ${triple} built by another rustc`
  if (triple.includes("musl") && !existsSync(join(lib, "self-contained", "libunwind.a"))) return `self-contained objects for ${triple}`
  return undefined
}

const requirements: Record<string, boolean> = {
  "Debian cargo at /usr/bin/cargo (cargo-web)": cargoVersion.startsWith("cargo 1."),
  "qemu-aarch64-static (qemu-user-static)": hasCommand("qemu-aarch64-static"),
  [`host CARGO_HOME ${HOST_ENV.CARGO_HOME}`]: existsSync(join(HOST_ENV.CARGO_HOME, "config.toml")),
  "amd64 host": process.arch === "x64",
}
for (const { platform, libc } of MATRIX) {
  const row = TARGETS.get(platform)!
  const missing = componentMissing(row.rust[libc])
  if (missing) requirements[`${missing} (test/setup/rust.sh)`] = false
  requirements[`${row.gccTriple}-gcc`] = hasCommand(`${row.gccTriple}-gcc`)
  requirements[`qemu-${row.qemuArch}-static`] = hasCommand(`qemu-${row.qemuArch}-static`)
}
const ready = rungAvailable("real Rust toolchain", requirements)

interface Row {
  fixture: string
  platform: string
  libc: Libc
  triple: string
  built: boolean
  elfOk: boolean
  ran: boolean
  buildSeconds: number
  output: string
}
const table: Row[] = []

// cold builds: the target-dir/registry cache volumes start empty, as in a fresh engine
// (the last run's output holds a build cache per target: removing it took over 120 s on a loaded machine)
beforeAll(() => rmSync(OUT, { recursive: true, force: true }), 900_000)

const slugOf = (platform: string, libc: Libc) => `${platform.replace(/\//g, "-")}-${libc}`

async function build(fixture: string, plan: BuildPlan, slug: string): Promise<{ steps: StepResult[]; dirs: { src: string; out: string; caches: string } }> {
  const dirs = { src: join(ROOT, "test/fixtures", fixture), out: join(OUT, fixture, slug), caches: join(OUT, "caches") }
  return { steps: await runPlanOnHost(plan, dirs, HOST_ENV), dirs }
}

/**
 * Run a target binary: amd64 natively, everything else through qemu-<arch>-static. Dynamic (gnu)
 * binaries get the Debian cross sysroot (/usr/<gcc triple>: ld.so, libc.so.6, libgcc_s) as the
 * qemu prefix; the fixtures start no threads (see test-machine.md §1 on -L and pthread_create).
 */
async function runTarget(platform: string, bin: string, dynamic: boolean): Promise<{ status: number | null; out: string }> {
  const row = TARGETS.get(platform)!
  const argv = row.arch === "amd64" ? [bin] : [`qemu-${row.qemuArch}-static`, ...(dynamic ? ["-L", `/usr/${row.gccTriple}`] : []), bin]
  const r = await run(argv, { env: { PATH: "/usr/bin:/bin" }, timeoutMs: 60_000 })
  return { status: r.status, out: (r.stdout + r.stderr).trim() }
}

function expectBuilt(steps: StepResult[], plan: BuildPlan, row: Row): void {
  expect(steps.map((s) => s.step)).toEqual(plan.steps.map((s) => s.name).slice(0, steps.length))
  const [cargo, copy, verify] = steps
  row.buildSeconds = cargo.ms / 1000
  expect(cargo.status, `${cargo.argv.join(" ")}\n${cargo.stderr}`).toBe(0)
  row.built = true
  expect(copy?.status, copy?.stderr).toBe(0)
  // the plan's own in-pipeline verification step, run right after the build
  expect(verify?.step).toBe("verify ELF")
  expect(verify.status, verify.stdout + verify.stderr).toBe(0)
  const linkage = plan.verify!.linkage
  expect(verify.stdout).toMatch(new RegExp(`ok for ${plan.platform.replace(/\//g, "\\/")}: .*, ${linkage}$`, "m"))
}

describe.skipIf(!ready)("real Rust toolchain: rust-hello (std only), every plannable target of the sweep × libc", () => {
  const facts = factsOf(join(ROOT, "test/fixtures/rust-hello"))

  it.each(MATRIX.map((m) => [`${m.platform} ${m.libc}`, m] as const))("%s", { timeout: 600_000 }, async (_name, { platform, libc }) => {
    const target = TARGETS.get(platform)!
    const plan = planRust(platform, { libc }, facts, NATIVE)
    const triple = target.rust[libc]
    const r: Row = { fixture: "rust-hello", platform, libc, triple, built: false, elfOk: false, ran: false, buildSeconds: 0, output: "" }
    table.push(r)
    const { steps, dirs } = await build("rust-hello", plan, slugOf(platform, libc))
    expectBuilt(steps, plan, r)
    const bin = join(dirs.out, plan.output.name)
    checkElf(readFileSync(bin), platform, target.elf, plan.verify!.linkage)
    r.elfOk = true

    const { status, out } = await runTarget(platform, bin, libc === "gnu")
    r.output = out
    expect(status, out).toBe(0)
    const isa = target.arch === "amd64" ? (target.variant ? `x86-64-${target.variant}` : "x86-64") : "-"
    expect(out).toBe(
      `hello arch=${RUST_ARCH[target.arch]} os=linux family=unix env=${libc} crt=${libc === "musl" ? "static" : "dynamic"} ` +
        `pointer_width=${target.elf.bits} endian=${target.elf.endian} isa=${isa}`,
    )
    r.ran = true
  })
})

describe.skipIf(!ready)("real Rust toolchain: rust-cc (C through the cc crate: CC_<triple>, AR_<triple>)", () => {
  const facts = factsOf(join(ROOT, "test/fixtures/rust-cc"))
  const cases = MATRIX.filter((m) => !/amd64\/v/.test(m.platform))

  it.each(cases.map((m) => [`${m.platform} ${m.libc}`, m] as const))("%s", { timeout: 600_000 }, async (_name, { platform, libc }) => {
    const target = TARGETS.get(platform)!
    const plan = planRust(platform, { libc }, facts, NATIVE)
    expect(plan.builder.image).toBe("rust:1.96.0-bookworm") // from the fixture's rust-toolchain.toml
    const triple = target.rust[libc]
    const cc = plan.env[`CC_${triple.replace(/-/g, "_")}`]
    const r: Row = { fixture: "rust-cc", platform, libc, triple, built: false, elfOk: false, ran: false, buildSeconds: 0, output: "" }
    table.push(r)
    if (!hasCommand(cc)) {
      // the plan's musl C compiler comes from Debian's musl-dev:<arch>, which this host installs
      // only for MULTIARCH_RUST_MUSL_DEV_ARCHES (few foreign architectures); the acceptance
      // targets must have it
      const mandatory = ACCEPTANCE.includes(platform)
      if (mandatory) rungAvailable(`rust-cc ${platform} ${libc}`, { [`${cc} (musl-dev:${target.debianArch})`]: false })
      r.output = `${cc} not installed on this host`
      return
    }
    const { steps, dirs } = await build("rust-cc", plan, slugOf(platform, libc))
    expectBuilt(steps, plan, r)
    const bin = join(dirs.out, plan.output.name)
    checkElf(readFileSync(bin), platform, target.elf, plan.verify!.linkage)
    r.elfOk = true
    const { status, out } = await runTarget(platform, bin, libc === "gnu")
    r.output = out
    expect(status, out).toBe(0)
    const cLibc = libc === "gnu" || MUSL_C_WITH_GLIBC_HEADERS.has(platform) ? "glibc" : "musl"
    const longBits = target.elf.bits
    expect(out).toBe(
      `cc arch=${RUST_ARCH[target.arch]} env=${libc} c_arch=${C_ARCH[target.arch]} c_libc=${cLibc} sum=42 long=${longBits} ptr=${target.elf.bits}`,
    )
    r.ran = true
  })
})

describe.skipIf(!ready)("real Rust toolchain: rust-cxx (C++ through the cc crate: CXX_<triple>, g++-<triple>, libstdc++)", () => {
  const facts = factsOf(join(ROOT, "test/fixtures/rust-cxx"))
  const cases = MATRIX.filter((m) => m.libc === "gnu" && !/amd64\/v/.test(m.platform))

  it("musl (the default) is refused before any build: Debian has no C++ standard library for musl", () => {
    expect(() => planRust("linux/arm64", {}, facts, NATIVE)).toThrow(/compiles C\+\+ \(build\.rs compiles C\+\+\).*pass --libc gnu/)
  })

  it.each(cases.map((m) => [m.platform, m] as const))("%s gnu", { timeout: 600_000 }, async (_name, { platform }) => {
    const target = TARGETS.get(platform)!
    const plan = planRust(platform, { libc: "gnu" }, facts, NATIVE)
    const triple = target.rust.gnu
    const cxx = plan.env[`CXX_${triple.replace(/-/g, "_")}`]
    expect(cxx).toBe(`${target.gccTriple}-g++`)
    const r: Row = { fixture: "rust-cxx", platform, libc: "gnu", triple, built: false, elfOk: false, ran: false, buildSeconds: 0, output: "" }
    table.push(r)
    if (!hasCommand(cxx)) {
      // test/setup installs g++-<triple> for the acceptance targets
      const mandatory = ACCEPTANCE.includes(platform)
      if (mandatory) rungAvailable(`rust-cxx ${platform}`, { [`${cxx} (g++-${target.gccTriple.replace(/_/g, "-")})`]: false })
      r.output = `${cxx} not installed on this host`
      return
    }
    const { steps, dirs } = await build("rust-cxx", plan, slugOf(platform, "gnu"))
    expectBuilt(steps, plan, r)
    const bin = join(dirs.out, plan.output.name)
    checkElf(readFileSync(bin), platform, target.elf, "dynamic")
    r.elfOk = true
    // the C++ runtime is a dynamic dependency (libstdc++.so.6 is in the Debian runtime base and in /usr/<triple>/lib here)
    expect(sh("/usr/bin/readelf", ["-d", bin])).toMatch(/NEEDED.*libstdc\+\+\.so\.6/)
    const { status, out } = await runTarget(platform, bin, true)
    r.output = out
    expect(status, out).toBe(0)
    expect(out).toBe(`cxx arch=${RUST_ARCH[target.arch]} cxx_arch=${C_ARCH[target.arch]} answer=42`)
    r.ran = true
  })
})

describe.skipIf(!ready)("real Rust toolchain: rust-workspace (a virtual workspace, --bin from a member crate)", () => {
  it.each(["linux/amd64", "linux/arm64", "linux/riscv64"])("%s musl --bin wsctl", { timeout: 600_000 }, async (platform) => {
    const facts = await scannedFactsOf(join(ROOT, "test/fixtures/rust-workspace"), "rust")
    // without --bin: the binary crates are listed, nothing is built
    expect(() => planRust(platform, {}, facts, NATIVE)).toThrow(/virtual workspace with 2 binaries: wsctl \(crates\/cli\), ws-server \(crates\/server\)/)
    const plan = planRust(platform, { bin: "wsctl" }, facts, NATIVE)
    const target = TARGETS.get(platform)!
    const r: Row = { fixture: "rust-workspace", platform, libc: "musl", triple: target.rust.musl, built: false, elfOk: false, ran: false, buildSeconds: 0, output: "" }
    table.push(r)
    const { steps, dirs } = await build("rust-workspace", plan, slugOf(platform, "musl"))
    expectBuilt(steps, plan, r)
    const bin = join(dirs.out, "wsctl")
    checkElf(readFileSync(bin), platform, target.elf, "static")
    r.elfOk = true
    const { status, out } = await runTarget(platform, bin, false)
    r.output = out
    expect(status, out).toBe(0)
    expect(out).toBe(`wsctl arch=${RUST_ARCH[target.arch]}`)
    r.ran = true
  })
})

describe.skipIf(!ready)("real Rust toolchain: the plan's ELF check rejects wrong binaries", () => {
  const facts = factsOf(join(ROOT, "test/fixtures/rust-hello"))
  const builtBin = (platform: string, libc: Libc) => join(OUT, "rust-hello", slugOf(platform, libc), "rust-hello")

  it("an arm64 binary where the riscv64 plan expects its own", { timeout: 600_000 }, async () => {
    const src = builtBin("linux/arm64", "musl")
    if (!existsSync(src)) await build("rust-hello", planRust("linux/arm64", {}, facts, NATIVE), slugOf("linux/arm64", "musl"))
    const plan = planRust("linux/riscv64", {}, facts, NATIVE)
    const out = join(OUT, "wrong", "riscv64")
    mkdirSync(out, { recursive: true })
    copyFileSync(src, join(out, "rust-hello"))
    const [verify] = await runPlanOnHost(plan, { src: join(ROOT, "test/fixtures/rust-hello"), out, caches: join(OUT, "caches") }, HOST_ENV, [plan.steps[2]])
    expect(verify.status).not.toBe(0)
    expect(verify.stdout + verify.stderr).toMatch(/binary built for linux\/riscv64 is wrong: e_machine is AArch64 \(183\), expected RISC-V \(243\)/)
  })

  it("a dynamic gnu binary where the musl plan expects a static one", { timeout: 600_000 }, async () => {
    const src = builtBin("linux/arm/v7", "gnu")
    if (!existsSync(src)) await build("rust-hello", planRust("linux/arm/v7", { libc: "gnu" }, facts, NATIVE), slugOf("linux/arm/v7", "gnu"))
    const plan = planRust("linux/arm/v7", { libc: "musl" }, facts, NATIVE)
    const out = join(OUT, "wrong", "armv7")
    mkdirSync(out, { recursive: true })
    copyFileSync(src, join(out, "rust-hello"))
    const [verify] = await runPlanOnHost(plan, { src: join(ROOT, "test/fixtures/rust-hello"), out, caches: join(OUT, "caches") }, HOST_ENV, [plan.steps[2]])
    expect(verify.status).not.toBe(0)
    expect(verify.stdout + verify.stderr).toMatch(/binary built for linux\/arm\/v7 is wrong: binary is dynamically linked, expected static/)
  })
})

afterAll(() => {
  if (!table.length) return
  mkdirSync(OUT, { recursive: true })
  writeFileSync(join(OUT, "results.json"), JSON.stringify({ table, notPlannable: NOT_PLANNABLE }, null, 2))
  const yes = (b: boolean) => (b ? "yes" : "no")
  const md = ["| fixture | target | libc | triple | built | ELF ok | ran under qemu | cold build s | output |", "|---|---|---|---|---|---|---|---|---|"]
  for (const r of table)
    md.push(`| ${r.fixture} | ${r.platform} | ${r.libc} | ${r.triple} | ${yes(r.built)} | ${yes(r.elfOk)} | ${yes(r.ran)} | ${r.buildSeconds.toFixed(1)} | ${r.output.replace(/\|/g, "\\|")} |`)
  md.push("", "Not plannable (rejected by planRust before any engine work):", "")
  for (const n of NOT_PLANNABLE) md.push(`- ${n.platform} ${n.libc}: ${n.why}`)
  writeFileSync(join(OUT, "results.md"), md.join("\n") + "\n")
  console.log(md.join("\n"))
})
