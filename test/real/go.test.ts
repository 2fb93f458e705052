/**
 * Real-toolchain rung for Go: build the fixtures on this host with exactly the env and argv the
 * plan gives the builder container, run the plan's own in-pipeline ELF check, check the ELF again
 * with the TypeScript parser, then run each binary under qemu-user-static and compare what the
 * binary reports about itself with the target.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { planGo } from "../support/plans.js"
import { checkElf } from "../../modules/core/elf.js"
import { SUPPORTED_PLATFORMS, TARGETS } from "../../modules/core/index.js"
import { factsOf, scannedFactsOf } from "../support/facts.js"
import { describeCompiledPlans } from "../../modules/core/render.js"
import type { GoPlan } from "../../modules/toolchains/go/plan.js"
import { run, runPlanOnHost } from "../support/hostplan.js"
import { hasCommand, rungAvailable } from "../support/rung.js"

const ROOT = resolve(__dirname, "../..")
const OUT = join(ROOT, "test/.out/real-go")
const NATIVE = "linux/amd64"
const CACHE = process.env.MULTIARCH_TEST_CACHE ?? "/var/cache/multiarch-test"
/**
 * The arm64 glibc test/setup/go.sh provided: Debian's libc6:arm64 (written as "/": the host's own
 * /usr/lib/aarch64-linux-gnu), or, when apt could not install it at the host libc's version, an
 * arm64 base system unpacked by debootstrap (its path), which runTarget passes to qemu as -L.
 */
const ARM64_GLIBC_ROOT = (() => {
  try {
    return readFileSync(join(CACHE, "state/arm64-sysroot"), "utf8").trim() || "/"
  } catch {
    return "/"
  }
})()

const hostIsAmd64 = process.arch === "x64"
const cpuHasAvx512 = (() => {
  try {
    return /\bavx512f\b/.test(readFileSync("/proc/cpuinfo", "utf8"))
  } catch {
    return false
  }
})()

/**
 * Whether this kernel runs i386 ELF files itself (IA32 emulation), probed by running libc6-i386's
 * loader. Machines of this kind did until 2026-12-01; that evening's kernel (6.18.44-fc-v1045)
 * answers "Exec format error".
 */
const KERNEL_RUNS_I386 = existsSync("/lib/ld-linux.so.2") && spawnSync("/lib/ld-linux.so.2", ["--help"], { stdio: "ignore" }).status === 0

const ready = rungAvailable("real Go toolchain", {
  "go (golang-go)": hasCommand("go"),
  "qemu-aarch64-static (qemu-user-static)": hasCommand("qemu-aarch64-static"),
  "aarch64-linux-gnu-gcc (gcc-aarch64-linux-gnu)": hasCommand("aarch64-linux-gnu-gcc"),
  "riscv64-linux-gnu-gcc": hasCommand("riscv64-linux-gnu-gcc"),
  "arm-linux-gnueabihf-gcc": hasCommand("arm-linux-gnueabihf-gcc"),
  "amd64 host": hostIsAmd64,
  "arm64 glibc (libc6:arm64, or test/setup/go.sh's arm64 sysroot)": existsSync(join(ARM64_GLIBC_ROOT, "lib/aarch64-linux-gnu/libc.so.6")),
  "i386 glibc /lib/ld-linux.so.2 (libc6-i386)": existsSync("/lib/ld-linux.so.2"),
  ...(KERNEL_RUNS_I386 ? {} : { "qemu-i386-static (this kernel runs no i386 ELF itself)": hasCommand("qemu-i386-static") }),
})

interface Row {
  fixture: string
  platform: string
  built: boolean
  elfOk: boolean
  ran: boolean
  buildSeconds: number
  output: string
}
const table: Row[] = []

// cold builds: caches start empty, as in a fresh engine
// (the last run's output holds a build cache per target: removing it took over 120 s on a loaded machine)
beforeAll(() => rmSync(OUT, { recursive: true, force: true }), 900_000)


/**
 * Run a binary for `platform`: amd64 natively on this x86-64 host (qemu-x86_64 lacks AVX-512 for
 * amd64/v4), 386 natively where the kernel can, everything else through qemu-<arch>-static. Under
 * qemu-i386 (7.2) a Go 386 binary dies in its signal-based preemption ("morestack on g0",
 * "unexpected signal during runtime execution": 10 of 10 runs of a hello world), and runs with
 * GODEBUG=asyncpreemptoff=1 (20 of 20), which changes nothing the tests check.
 */
async function runTarget(platform: string, bin: string, sysroot?: string): Promise<{ status: number | null; out: string }> {
  const row = TARGETS.get(platform)!
  const native = row.arch === "amd64" || (row.arch === "386" && KERNEL_RUNS_I386)
  const argv = native ? [bin] : [`qemu-${row.qemuArch}-static`, ...(sysroot ? ["-L", sysroot] : []), bin]
  const env = row.arch === "386" && !native ? { ...(process.env as Record<string, string>), GODEBUG: "asyncpreemptoff=1" } : undefined
  const r = await run(argv, { timeoutMs: 60_000, env })
  return { status: r.status, out: r.stdout + r.stderr }
}

/**
 * Where the target's glibc comes from when running a dynamic binary: the host's multiarch libc
 * (libc6:arm64; 386 uses libc6-i386's, natively or under qemu-i386) when installed, else the cross sysroot
 * /usr/<triple>. qemu-aarch64 with -L /usr/aarch64-linux-gnu hangs in pthread_create
 * (shared/reference/test-machine.md §1), so test/setup/go.sh provides an arm64 glibc: libc6:arm64,
 * or its arm64 sysroot (ARM64_GLIBC_ROOT) where apt could not install that.
 */
function sysrootFor(platform: string): string | undefined {
  const row = TARGETS.get(platform)!
  if (row.arch === "amd64" || row.arch === "386") return undefined
  if (row.arch === "arm64" && ARM64_GLIBC_ROOT !== "/") return ARM64_GLIBC_ROOT
  return existsSync(`/usr/lib/${row.gccTriple}/libc.so.6`) ? undefined : `/usr/${row.gccTriple}`
}

function expectedVariant(platform: string): string {
  const env = TARGETS.get(platform)!.go
  return ["GOARM", "GOAMD64", "GO386", "GOMIPS", "GOMIPS64"]
    .filter((k) => (env as unknown as Record<string, string | undefined>)[k] !== undefined)
    .map((k) => ` ${k}=${(env as unknown as Record<string, string>)[k]}`)
    .join("")
}

describe.skipIf(!ready)("real Go toolchain: every supported target, plain (CGO_ENABLED=0)", () => {
  const fixture = join(ROOT, "test/fixtures/go-hello")
  const facts = factsOf(fixture)
  const goVersion = execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8" }).trim().replace(/^go/, "")

  it.each([...SUPPORTED_PLATFORMS])("%s", { timeout: 300_000 }, async (platform) => {
    const plan = planGo(platform, { version: "1.2.3" }, facts, NATIVE)
    // the plan's builder image follows go.mod (go 1.19) — the same Go as Debian's here
    expect(plan.builder.image).toBe("golang:1.19-bookworm")
    expect(goVersion.startsWith("1.19")).toBe(true)
    const slug = platform.replace(/\//g, "-")
    const dirs = { src: fixture, out: join(OUT, "plain", slug), caches: join(OUT, "caches") }
    const steps = await runPlanOnHost(plan, dirs)
    const build = steps[0]
    const row: Row = { fixture: "go-hello", platform, built: build.status === 0, elfOk: false, ran: false, buildSeconds: build.ms / 1000, output: "" }
    table.push(row)
    expect(build.status, build.stderr).toBe(0)
    // the plan's own in-pipeline verification step ran right after the build
    const verify = steps[1]
    expect(verify.step).toBe("verify ELF")
    expect(verify.status, verify.stdout + verify.stderr).toBe(0)
    expect(verify.stdout).toMatch(new RegExp(`ok for ${platform.replace(/\//g, "\\/")}: .*static`))
    const bin = join(dirs.out, plan.output.name)
    checkElf(readFileSync(bin), platform, TARGETS.get(platform)!.elf, "static")
    row.elfOk = true

    const { status, out } = await runTarget(platform, bin)
    row.output = out.trim()
    if (platform === "linux/amd64/v4" && !cpuHasAvx512) {
      // the binary carries the v4 mark: Go refuses to start on a CPU without AVX-512
      expect(out).toMatch(/v4 microarchitecture support/)
      return
    }
    expect(status, out).toBe(0)
    const arch = TARGETS.get(platform)!.go.GOARCH
    expect(out.trim()).toBe(`hello GOOS=linux GOARCH=${arch}${expectedVariant(platform)} CGO_ENABLED=0 version=1.2.3`)
    row.ran = true
  })
})

// cgo: every target Debian bookworm has a cross gcc for, built with the plan's CC/CXX/AR.
const CGO_TARGETS = SUPPORTED_PLATFORMS.filter((p) => TARGETS.get(p)!.debianCrossGcc && !/amd64\/v/.test(p))

describe.skipIf(!ready)("real Go toolchain: cgo with Debian cross compilers", () => {
  const fixture = join(ROOT, "test/fixtures/go-cgo")
  const facts = factsOf(fixture)

  it.each(CGO_TARGETS)("%s", { timeout: 300_000 }, async (platform) => {
    const row = TARGETS.get(platform)!
    const cc = `${row.gccTriple}-gcc`
    const mandatory = ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/riscv64"].includes(platform)
    if (!hasCommand(cc)) {
      // the acceptance targets must be there; others are reported in the table as not built
      if (mandatory) rungAvailable("cgo " + platform, { [cc]: false })
      table.push({ fixture: "go-cgo", platform, built: false, elfOk: false, ran: false, buildSeconds: 0, output: `${cc} not installed` })
      return
    }
    // mips has no official Debian image: a user passes --base; the build itself is the same
    const plan = planGo(platform, { cgo: true, base: row.glibcBase ? undefined : "example.com/glibc-base:1" }, facts, NATIVE)
    expect(plan.env).toMatchObject({ CGO_ENABLED: "1", CC: cc, CXX: `${row.gccTriple}-g++`, AR: `${row.gccTriple}-ar` })
    const slug = platform.replace(/\//g, "-")
    const dirs = { src: fixture, out: join(OUT, "cgo", slug), caches: join(OUT, "caches") }
    const steps = await runPlanOnHost(plan, dirs)
    const r: Row = { fixture: "go-cgo", platform, built: steps[0].status === 0, elfOk: false, ran: false, buildSeconds: steps[0].ms / 1000, output: "" }
    table.push(r)
    expect(steps[0].status, steps[0].stderr).toBe(0)
    expect(steps[1].status, steps[1].stdout + steps[1].stderr).toBe(0)
    expect(steps[1].stdout).toMatch(/dynamic$/m)
    const bin = join(dirs.out, plan.output.name)
    checkElf(readFileSync(bin), platform, row.elf, "dynamic")
    r.elfOk = true
    const { status, out } = await runTarget(platform, bin, sysrootFor(platform))
    r.output = out.trim()
    expect(status, out).toBe(0)
    expect(out.trim()).toMatch(new RegExp(`^cgo GOOS=linux GOARCH=${row.go.GOARCH} answer=42 glibc=2\\.\\d+$`))
    r.ran = true
  })
})

// Layouts of real repositories (issue 16): what build --platforms … does without extra flags,
// run with the plan's exact env + argv on this host (Debian's Go 1.19, the builder image's Go here).
const LAYOUT_TARGETS = ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/riscv64"]

async function runAll(fixture: string, plan: GoPlan, slug: string) {
  const dirs = { src: join(ROOT, "test/fixtures", fixture), out: join(OUT, fixture, slug), caches: join(OUT, "caches") }
  const steps = await runPlanOnHost(plan, dirs)
  for (const st of steps) expect(st.status, `${st.step}: ${st.argv.join(" ")}\n${st.stdout}${st.stderr}`).toBe(0)
  expect(steps.map((x) => x.step)).toEqual(plan.steps.map((x) => x.name))
  return dirs
}

describe.skipIf(!ready)("real Go toolchain: layouts of real repositories", () => {
  it.each(LAYOUT_TARGETS)("go-cmd (library root, cmd/a, cmd/b): both commands built, verified and run — %s", { timeout: 300_000 }, async (platform) => {
    const facts = await scannedFactsOf(join(ROOT, "test/fixtures/go-cmd"), "go")
    const plan = planGo(platform, {}, facts, NATIVE)
    expect(plan.builder.image).toBe("golang:1.19-bookworm")
    const dirs = await runAll("go-cmd", plan, platform.replace(/\//g, "-"))
    const arch = TARGETS.get(platform)!.go.GOARCH
    for (const name of ["a", "b"]) {
      const bin = join(dirs.out, name)
      checkElf(readFileSync(bin), platform, TARGETS.get(platform)!.elf, "static")
      const { status, out } = await runTarget(platform, bin)
      expect(status, out).toBe(0)
      expect(out.trim()).toBe(`${name} GOOS=linux GOARCH=${arch}`)
    }
    table.push({ fixture: "go-cmd", platform, built: true, elfOk: true, ran: true, buildSeconds: 0, output: "a, b" })
  })

  it("go-117 (go 1.17) and go-version-file (.go-version 1.19.13) build with the Go their plan names", { timeout: 300_000 }, async () => {
    for (const [fixture, image, expected] of [
      ["go-117", "golang:1.19-bookworm", /^oldgo GOARCH=arm64 go=go1\.19/],
      ["go-version-file", "golang:1.19.13-bookworm", /^pinned GOARCH=arm64$/],
    ] as const) {
      const plan = planGo("linux/arm64", {}, await scannedFactsOf(join(ROOT, "test/fixtures", fixture), "go"), NATIVE)
      expect(plan.builder.image).toBe(image)
      const dirs = await runAll(fixture, plan, "linux-arm64")
      const { status, out } = await runTarget("linux/arm64", join(dirs.out, plan.output.name))
      expect(status, out).toBe(0)
      expect(out.trim()).toMatch(expected)
    }
  })

  it("go-tags: --tags selects the file go build compiles", { timeout: 300_000 }, async () => {
    const facts = await scannedFactsOf(join(ROOT, "test/fixtures/go-tags"), "go")
    for (const [tags, flavor] of [[undefined, "gpgme"], [["containers_image_openpgp"], "openpgp"]] as const) {
      const plan = planGo("linux/arm64", { tags: tags ? [...tags] : undefined }, facts, NATIVE)
      const dirs = await runAll("go-tags", plan, `linux-arm64-${flavor}`)
      const { status, out } = await runTarget("linux/arm64", join(dirs.out, "flavors"))
      expect(status, out).toBe(0)
      expect(out.trim()).toBe(`flavor=${flavor} GOARCH=arm64`)
    }
  })

  it("go-cgo-only (runc-like): refused without --cgo; built and run with it", { timeout: 300_000 }, async () => {
    const facts = await scannedFactsOf(join(ROOT, "test/fixtures/go-cgo-only"), "go")
    expect(() => planGo("linux/arm64", {}, facts, NATIVE)).toThrow(/only with cgo.*pass --cgo/)
    const plan = planGo("linux/arm64", { cgo: true }, facts, NATIVE)
    const dirs = await runAll("go-cgo-only", plan, "linux-arm64")
    const { status, out } = await runTarget("linux/arm64", join(dirs.out, "nsexec"), sysrootFor("linux/arm64"))
    expect(status, out).toBe(0)
    expect(out.trim()).toBe("nsexec GOARCH=arm64 early=42")
  })

  it.each(["linux/arm64", "linux/arm/v7", "linux/riscv64"])("static cgo (--ldflags '-extldflags -static'): the plan expects static and its check passes — %s", { timeout: 300_000 }, async (platform) => {
    const row = TARGETS.get(platform)!
    const plan = planGo(platform, { cgo: true, ldflags: "-extldflags -static" }, factsOf(join(ROOT, "test/fixtures/go-cgo")), NATIVE)
    expect(plan.verify?.linkage).toBe("static")
    expect(plan.runtime.base).toBe("scratch")
    const dirs = await runAll("go-cgo", plan, `${platform.replace(/\//g, "-")}-static`)
    const bin = join(dirs.out, plan.output.name)
    checkElf(readFileSync(bin), platform, row.elf, "static")
    // no sysroot: a static binary needs none
    const { status, out } = await runTarget(platform, bin)
    expect(status, out).toBe(0)
    expect(out.trim()).toMatch(new RegExp(`^cgo GOOS=linux GOARCH=${row.go.GOARCH} answer=42 glibc=2\\.\\d+$`))
  })
})

describe.skipIf(!ready)("real Go toolchain: plan --format text pasted into a shell", () => {
  it("the printed commands (cd, export, go build) run on this host and build a binary that runs", { timeout: 300_000 }, async () => {
    const fixture = join(ROOT, "test/fixtures/go-hello")
    const plan = planGo("linux/arm64", { version: "1.2.3 beta", ldflags: "-X 'main.unused=a b'" }, factsOf(fixture), NATIVE)
    const text = describeCompiledPlans([plan], NATIVE)
    const printed = text
      .split("\n")
      .filter((l) => l.startsWith("  $ "))
      .map((l) => l.slice(4))
    expect(printed).toEqual([
      "cd /src",
      "export GOOS=linux GOARCH=arm64 CGO_ENABLED=0 GOCACHE=/root/.cache/go-build GOMODCACHE=/go/pkg/mod",
      "go build -trimpath -ldflags '-s -w -X '\\''main.unused=a b'\\'' -X '\\''main.version=1.2.3 beta'\\''' -o /out/hello .",
    ])
    // the builder's paths, mapped to this host the way runPlanOnHost maps them (only paths change)
    const out = join(OUT, "pasted")
    rmSync(out, { recursive: true, force: true })
    mkdirSync(out, { recursive: true })
    const script = printed
      .join("\n")
      .replace(/\/root\/\.cache\/go-build/g, join(OUT, "pasted-gocache"))
      .replace(/\/go\/pkg\/mod/g, join(OUT, "pasted-gomodcache"))
      .replace(/\/out\//g, out + "/")
      .replace(/^cd \/src$/m, `cd ${fixture}`)
    const r = await run(["sh", "-e", "-c", script], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" }, timeoutMs: 300_000 })
    expect(r.status, r.stderr).toBe(0)
    const bin = join(out, "hello")
    checkElf(readFileSync(bin), "linux/arm64", TARGETS.get("linux/arm64")!.elf, "static")
    const { status, out: said } = await runTarget("linux/arm64", bin)
    expect(status, said).toBe(0)
    expect(said.trim()).toBe("hello GOOS=linux GOARCH=arm64 CGO_ENABLED=0 version=1.2.3 beta")
  })
})

afterAll(() => {
  if (!table.length) return
  mkdirSync(OUT, { recursive: true })
  writeFileSync(join(OUT, "results.json"), JSON.stringify(table, null, 2))
  const md = ["| fixture | target | built | ELF ok | ran under qemu | cold build s |", "|---|---|---|---|---|---|"]
  for (const r of table) md.push(`| ${r.fixture} | ${r.platform} | ${r.built ? "yes" : "no"} | ${r.elfOk ? "yes" : "no"} | ${r.ran ? "yes" : r.platform === "linux/amd64/v4" ? "refused (no AVX-512)" : "no"} | ${r.buildSeconds.toFixed(1)} |`)
  writeFileSync(join(OUT, "results.md"), md.join("\n") + "\n")
  console.log(md.join("\n"))
})
