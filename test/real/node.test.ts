/**
 * Real Node rung (issue 17): install the node-app fixture (esbuild and sharp platform packages,
 * an in-repo N-API C addon built by node-gyp) for linux/arm64 and linux/arm/v7 on
 * this amd64 host with exactly the env and argv the plan gives the builder, then RUN each result
 * under qemu with that platform's node and check what every native module answers.
 *
 * What is the plan's, unchanged: the shared build stage (npm ci + npm run build, once), and per
 * target the install stage's steps (npm version check, npm ci --os/--cpu/--libc --ignore-scripts
 * --install-links, the classify check, npm rebuild with the target env and Debian's cross
 * compiler, the ELF and platform-package checks), with the container paths (/app, the npm cache)
 * mapped to host folders. Not run: the stage's setup (apt-get of the cross compiler: test/setup/
 * node.sh installs it). Host-only env, in HOST_ENV with the reason.
 *
 * The target's node: a root with bookworm's libc6/libgcc-s1/libstdc++6 for the target and the
 * official Node.js build in usr/local — what node:20-bookworm-slim holds (test/setup/node.sh).
 * Its major is the build node's, as the plan's builder and runtime images are (an addon built
 * against V8's API loads only in its NODE_MODULE_VERSION; the fixture's addon uses N-API, which
 * keeps the fixture's cross-compile to seconds: better-sqlite3, there until 2026-12-01, compiled
 * SQLite four times per run).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { inspectElf, elfProblems } from "../../modules/core/elf.js"
import { TARGETS } from "../../modules/core/index.js"
import type { NodePlan } from "../../modules/toolchains/node/index.js"
import { factsOf } from "../support/facts.js"
import { run, runStageOnHost, type StepResult } from "../support/hostplan.js"
import { planNode } from "../support/plans.js"
import { hasCommand, rungAvailable } from "../support/rung.js"

const ROOT = resolve(__dirname, "../..")
const FIXTURE = join(ROOT, "test/fixtures/node-app")
const OUT = join(ROOT, "test/.out/real-node")
const CACHE = join(process.env.MULTIARCH_TEST_CACHE ?? "/var/cache/multiarch-test", "node")
const NATIVE = "linux/amd64"
const PLATFORMS = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
/** The targets run under qemu, with the root test/setup/node.sh makes for each; `built` is the addon's compile-time "<machine>/<sizeof(void *)>". */
const RUN: Record<string, { root: string; uname: string; built: RegExp }> = {
  "linux/arm64": { root: join(CACHE, "root-arm64"), uname: "aarch64", built: /^aarch64\/8$/ },
  "linux/arm/v7": { root: join(CACHE, "root-armhf"), uname: "armv7l", built: /^arm-hardfloat\/4$/ },
}
/** The arm64 root with bookworm's g++/make/python3 and the official node (test/setup/node.sh): the emulated stage's node:20-bookworm of linux/arm64. */
const BUILD_ROOT = join(CACHE, "build-root-arm64")
/**
 * Run an argv inside BUILD_ROOT (arm64 code: the kernel hands it to qemu-aarch64 through binfmt), in
 * a private mount namespace with OUT bind-mounted at the same path, in the caller's directory.
 */
const WRAP = 'r=$0; w=$1; shift; /bin/mkdir -p "$r$w" && /bin/mount --bind "$w" "$r$w" && /bin/mount -t proc proc "$r/proc" && ' + `exec /usr/sbin/chroot "$r" /bin/sh -c 'cd "$0" && exec "$@"' "$PWD" "$@"`
const inBuildRoot = (argv: string[]) => ["/usr/bin/unshare", "--mount", "--propagation", "private", "sh", "-c", WRAP, BUILD_ROOT, OUT, ...argv]

/**
 * Host-only env on top of the plan's: the plan's nodedir is the official images' /usr/local; on this
 * host, the official headers of the host's node, which test/setup/node.sh unpacks in the same layout.
 */
const HOST_NODEDIR = join(CACHE, "host-node")
const HOST_ENV = { npm_config_nodedir: HOST_NODEDIR }

const plans = planNode(PLATFORMS, {}, factsOf(FIXTURE), NATIVE)
const planOf = (p: string) => plans.find((x) => x.platform === p)!
const hostMajor = Number(process.versions.node.split(".")[0])
const binfmt = (h: string) => {
  try {
    return /^enabled/m.test(readFileSync(`/proc/sys/fs/binfmt_misc/${h}`, "utf8"))
  } catch {
    return false
  }
}
const requirements: Record<string, boolean> = {
  "amd64 host": process.arch === "x64",
  [`host node ${plans[0].node.major} (the plan's; it is ${process.versions.node})`]: hostMajor === plans[0].node.major,
  [`headers of the host's node in ${HOST_NODEDIR} (test/setup/node.sh)`]: (() => {
    try {
      return readFileSync(join(HOST_NODEDIR, ".multiarch-node-headers"), "utf8").trim() === `node-linux-${process.arch}@${process.versions.node} include/node` && existsSync(join(HOST_NODEDIR, "include/node/node_api.h"))
    } catch {
      return false
    }
  })(),
  "make, python3, g++ (node-gyp)": hasCommand("make") && hasCommand("python3") && hasCommand("g++"),
}
for (const [platform, r] of Object.entries(RUN)) {
  const row = TARGETS.get(platform)!
  requirements[`${row.gccTriple}-g++ (test/setup/node.sh)`] = hasCommand(`${row.gccTriple}-g++`)
  requirements[`qemu-${row.qemuArch}-static and its binfmt handler (test/setup/node.sh)`] = hasCommand(`qemu-${row.qemuArch}-static`) && binfmt(`qemu-${row.qemuArch === "aarch64" ? "aarch64" : "arm"}`)
  requirements[`${platform} node root ${r.root} (test/setup/node.sh)`] = existsSync(join(r.root, ".multiarch-node-root")) && existsSync(join(r.root, "usr/local/bin/node"))
}
requirements[`arm64 build root ${BUILD_ROOT} (test/setup/node.sh)`] = existsSync(join(BUILD_ROOT, ".multiarch-node-root"))
requirements["root (chroot, mounts)"] = process.getuid?.() === 0
const ready = rungAvailable("real Node toolchain", requirements)

interface Row {
  platform: string
  installed: boolean
  elfFiles: number
  ran: boolean
  seconds: Record<string, number>
  report: string
}
const table: Row[] = []
const SHARED = join(OUT, "shared")
const CACHES = join(OUT, "caches")

const copyApp = (to: string) => {
  rmSync(to, { recursive: true, force: true })
  cpSync(SHARED, to, { recursive: true, filter: (s) => !s.startsWith(join(SHARED, "node_modules")) })
}

/** Every file under `dir` that starts with \x7fELF, relative to dir. */
function elfFiles(dir: string, base = dir): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...elfFiles(p, base))
    else if (e.isFile() && statSync(p).size > 52) {
      const b = readFileSync(p)
      if (b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) out.push(p.slice(base.length + 1))
    }
  }
  return out
}

const expectOk = (steps: StepResult[], names: string[]) => {
  for (const s of steps) expect(s.status, `${s.step}: ${s.argv.slice(0, 4).join(" ")}\n${s.stdout.slice(-2000)}\n${s.stderr.slice(-3000)}`).toBe(0)
  expect(steps.map((s) => s.step)).toEqual(names)
}

describe.skipIf(!ready)("real Node toolchain: node-app for linux/arm64 and linux/arm/v7, run under qemu", () => {
  beforeAll(async () => {
    // cold: an empty npm cache volume and fresh trees, as in a fresh engine
    rmSync(OUT, { recursive: true, force: true })
    mkdirSync(SHARED, { recursive: true })
    cpSync(FIXTURE, SHARED, { recursive: true, filter: (s) => !/[/\\]node_modules([/\\]|$)/.test(s) && !/[/\\](build|dist)([/\\]|$)/.test(s.slice(FIXTURE.length)) })
    const shared = planOf("linux/arm64").shared!
    const steps = await runStageOnHost(shared, { src: SHARED, caches: CACHES }, HOST_ENV)
    expectOk(steps, shared.steps.map((s) => s.name))
    expect(existsSync(join(SHARED, "dist/app.js"))).toBe(true)
  }, 30 * 60_000)

  it("the plan: no emulation, the prebuilt packages installed as platform packages, the addons cross-compiled", () => {
    for (const p of plans) {
      expect(p.mode, p.platform).toBe("cross")
      expect(p.stages.map((s) => s.platform), p.platform).toEqual(["native"])
      expect(p.packages.emulated, p.platform).toEqual([])
      expect(p.packages.compiled.map((d) => d.name).sort()).toEqual(["fixture-addon"])
      expect(p.packages.skipped.map((d) => d.name)).toEqual(["esbuild"])
    }
    expect(planOf("linux/arm64").packages.installed).toEqual(["@esbuild/linux-arm64@0.28.2", "@img/sharp-libvips-linux-arm64@1.3.4", "@img/sharp-linux-arm64@0.35.5"])
    expect(planOf("linux/arm/v7").packages.installed).toEqual(["@esbuild/linux-arm@0.28.2", "@img/sharp-libvips-linux-arm@1.3.4", "@img/sharp-linux-arm@0.35.5"])
  })

  it.each(Object.keys(RUN))("%s: the plan's install stage on this host, then the app under qemu with that platform's node", { timeout: 40 * 60_000 }, async (platform) => {
    const plan: NodePlan = planOf(platform)
    const row = TARGETS.get(platform)!
    const r: Row = { platform, installed: false, elfFiles: 0, ran: false, seconds: {}, report: "" }
    table.push(r)
    const app = join(OUT, platform.replace(/\//g, "-"))
    copyApp(app)
    const stage = plan.stages[0]
    const steps = await runStageOnHost(stage, { src: app, caches: CACHES }, HOST_ENV)
    for (const s of steps) r.seconds[s.step] = s.ms / 1000
    expectOk(steps, stage.steps.map((s) => s.name))
    r.installed = true
    const by = Object.fromEntries(steps.map((s) => [s.step, s]))
    // the builder's own re-check agrees with the plan
    expect(by["classify packages"].stdout).toMatch(/fixture-addon: cross-compile \(install: node-gyp rebuild \(binding\.gyp\)\)/)
    expect(by["classify packages"].stdout).toMatch(/esbuild: script skipped/)
    expect(by["verify ELF"].stdout).toMatch(new RegExp(`multiarch: \\d+ ELF files under node_modules, all for ${platform.replace(/\//g, "\\/")}`))
    expect(by["verify platform packages"].stdout).toContain(`3 platform packages, all for linux/${row.nodeArch}/glibc`)

    // the same tree through the TypeScript ELF parser: every ELF file is the target's
    const elves = elfFiles(join(app, "node_modules"))
    r.elfFiles = elves.length
    const nodeFiles = elves.filter((f) => f.endsWith(".node"))
    expect(nodeFiles).toEqual(expect.arrayContaining([
      "fixture-addon/build/Release/fixture_addon.node",
      expect.stringMatching(/^@img\/sharp-linux-arm(64)?\/lib\/sharp-linux-arm(64)?-[\d.]+\.node$/),
    ]))
    for (const f of elves) expect(elfProblems(inspectElf(readFileSync(join(app, "node_modules", f))), row.elf), f).toEqual([])
    expect(by["verify ELF"].stdout).toContain(`${elves.length} ELF files`)

    // run it: the target's node under qemu-user; QEMU_LD_PREFIX for esbuild's child process
    const { root, uname, built } = RUN[platform]
    const t0 = performance.now()
    const res = await run([`qemu-${row.qemuArch}-static`, "-L", root, join(root, "usr/local/bin/node"), "dist/app.js", "--selftest"], {
      cwd: app,
      env: { PATH: "/usr/bin:/bin", QEMU_LD_PREFIX: root, HOME: "/root" },
      timeoutMs: 10 * 60_000,
    })
    r.seconds["selftest under qemu"] = (performance.now() - t0) / 1000
    r.report = res.stdout.trim()
    expect(res.status, res.stdout + res.stderr).toBe(0)
    const rep = JSON.parse(res.stdout)
    console.log(`${platform}: process.arch=${rep.arch} uname=${rep.uname} node ${rep.node}; fixture-addon built=${rep.addon.built} add(2,3)=${rep.addon.add}; esbuild ${rep.esbuild.version} transform → ${rep.esbuild.code}; sharp (libvips ${rep.sharp.vips}) resize → ${rep.sharp.size} pixel ${rep.sharp.pixel}`)
    expect(rep).toMatchObject({ arch: row.nodeArch, platform: "linux", uname, ok: true })
    expect(rep.addon).toMatchObject({ add: 5, machine: uname })
    expect(rep.addon.built).toMatch(built)
    expect(rep.esbuild.code).toBe("let answer=42;console.log(answer);")
    expect(rep.sharp).toMatchObject({ size: "4x2", pixel: [200, 30, 10] })
    r.ran = true
  })

  it("an emulated rebuild: only the package that needs it is rebuilt on linux/arm64, under QEMU, over the natively installed tree", { timeout: 40 * 60_000 }, async () => {
    // a small app whose only install work is the local addon; --emulate plans its rebuild on the target
    const app = join(OUT, "emulated-arm64")
    rmSync(app, { recursive: true, force: true })
    mkdirSync(app, { recursive: true })
    cpSync(join(FIXTURE, "addon"), join(app, "addon"), { recursive: true, filter: (s) => !/[/\\]build([/\\]|$)/.test(s.slice(FIXTURE.length)) })
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "emu-app", version: "1.0.0", main: "index.js", dependencies: { "fixture-addon": "file:addon" } }, null, 2))
    writeFileSync(
      join(app, "package-lock.json"),
      JSON.stringify({ name: "emu-app", version: "1.0.0", lockfileVersion: 3, requires: true, packages: { "": { name: "emu-app", version: "1.0.0", dependencies: { "fixture-addon": "file:addon" } }, addon: { name: "fixture-addon", version: "1.0.0", license: "Apache-2.0" }, "node_modules/fixture-addon": { resolved: "addon", link: true } } }, null, 2),
    )
    const [plan] = planNode(["linux/arm64"], { emulate: true, nodeVersion: "20" }, factsOf(app), NATIVE)
    expect(plan.mode).toBe("emulated")
    expect(plan.stages.map((s) => [s.name, s.platform])).toEqual([["install linux/arm64", "native"], ["rebuild on linux/arm64", "linux/arm64"]])
    expect(plan.packages.emulated.map((d) => d.name)).toEqual(["fixture-addon"])
    const native = await runStageOnHost(plan.stages[0], { src: app, caches: CACHES }, HOST_ENV)
    expectOk(native, plan.stages[0].steps.map((s) => s.name))
    expect(native.find((s) => s.step === "classify packages")!.stdout).toContain("linux/arm64 fixture-addon: emulated rebuild (install: node-gyp rebuild (binding.gyp))")
    expect(existsSync(join(app, "node_modules/fixture-addon/build"))).toBe(false)
    // the emulated stage: its exact env and steps, in the arm64 root (node:20-bookworm's layout: headers in /usr/local)
    const t0 = performance.now()
    const emu = await runStageOnHost(plan.stages[1], { src: app, caches: CACHES }, { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/root" }, inBuildRoot)
    const seconds = (performance.now() - t0) / 1000
    expectOk(emu, plan.stages[1].steps.map((s) => s.name))
    expect(emu[0].argv.slice(0, 2)).toEqual(["/usr/bin/unshare", "--mount"])
    expect(emu[0].argv.slice(-6)).toEqual(["npm", "rebuild", "fixture-addon", "--foreground-scripts", "--no-audit", "--no-fund"])
    expect(emu.find((s) => s.step === "verify ELF")!.stdout).toMatch(/multiarch: [1-9]\d* ELF files under node_modules, all for linux\/arm64/)
    const so = readFileSync(join(app, "node_modules/fixture-addon/build/Release/fixture_addon.node"))
    expect(elfProblems(inspectElf(so), TARGETS.get("linux/arm64")!.elf)).toEqual([])
    const root = RUN["linux/arm64"].root
    const res = await run([`qemu-aarch64-static`, "-L", root, join(root, "usr/local/bin/node"), "-e", 'const a = require("fixture-addon"); console.log(JSON.stringify({ arch: process.arch, built: a.built, add: a.add(2, 3) }))'], { cwd: app, env: { PATH: "/usr/bin:/bin" }, timeoutMs: 5 * 60_000 })
    expect(res.status, res.stderr).toBe(0)
    expect(JSON.parse(res.stdout)).toEqual({ arch: "arm64", built: "aarch64/8", add: 5 })
    console.log(`linux/arm64 emulated rebuild of fixture-addon: ${seconds.toFixed(1)} s under QEMU; the addon answers ${res.stdout.trim()}`)
  })

  it("the naive cross-install (npm ci --cpu=arm64 with install scripts) exits 0 with x86-64 binaries: the plan's checks reject it", { timeout: 40 * 60_000 }, async () => {
    const plan = planOf("linux/arm64")
    const app = join(OUT, "naive-arm64")
    copyApp(app)
    const naive = await run(["npm", "ci", "--omit=dev", "--os=linux", "--cpu=arm64", "--libc=glibc", "--install-links", "--no-audit", "--no-fund"], {
      cwd: app,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", npm_config_cache: join(CACHES, "multiarch-npm-cache"), ...HOST_ENV },
      timeoutMs: 30 * 60_000,
    })
    expect(naive.status, naive.stderr.slice(-2000)).toBe(0)
    const only = async (name: string) => (await runStageOnHost({ ...plan.stages[0], steps: plan.stages[0].steps.filter((s) => s.name === name) }, { src: app, caches: CACHES }, HOST_ENV))[0]
    const elf = await only("verify ELF")
    const pkgs = await only("verify platform packages")
    expect(elf.status).not.toBe(0)
    expect(elf.stderr).toMatch(/binary built for linux\/arm64 is wrong: e_machine is x86-64 \(62\), expected AArch64 \(183\) \(node_modules\/(fixture-addon|esbuild)\//)
    expect(elf.stderr).toMatch(/multiarch: \d+ of \d+ ELF files under node_modules are not for linux\/arm64/)
    // npm selected the right platform packages; the wrong files came from the scripts
    expect(pkgs.status, pkgs.stderr).toBe(0)
  })

  it("the plan's platform-package check rejects a tree of another platform (the shared build's, x64)", async () => {
    const plan = planOf("linux/arm64")
    const check = plan.stages[0].steps.find((s) => s.name === "verify platform packages")!
    const [r] = await runStageOnHost({ ...plan.stages[0], steps: [check] }, { src: SHARED, caches: CACHES }, HOST_ENV)
    expect(r.status).not.toBe(0)
    expect(r.stderr).toMatch(/node_modules built for linux\/arm64 holds packages of another platform: .*@esbuild\/linux-x64: os \["linux"\], cpu \["x64"\]/)
  })
})

afterAll(() => {
  if (!table.length) return
  mkdirSync(OUT, { recursive: true })
  writeFileSync(join(OUT, "results.json"), JSON.stringify(table, null, 2))
  const md = ["| target | installed | ELF files | ran under qemu | seconds per step | self-test |", "|---|---|---|---|---|---|"]
  for (const r of table)
    md.push(`| ${r.platform} | ${r.installed ? "yes" : "no"} | ${r.elfFiles} | ${r.ran ? "yes" : "no"} | ${Object.entries(r.seconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")} | ${r.report.replace(/\|/g, "\\|")} |`)
  writeFileSync(join(OUT, "results.md"), md.join("\n") + "\n")
  console.log(md.join("\n"))
})
