/**
 * Rung 1: the Node plan (pure) on the node-app fixture and on synthetic sources — stages, env per
 * target, the shared build, caches, runtime, emulated rebuilds, images per platform, input errors —
 * and the in-builder checks it generates, run here on small trees (they are plain node/sh).
 * Expected strings are typed in here, not derived from the code under test.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { TARGETS } from "../../../../modules/core/index.js"
import type { PlanStage, PlanStep, SourceFacts } from "../../../../modules/core/plan.js"
import { resolveEntrypoint, type NodePlan } from "../../../../modules/toolchains/node/index.js"
import { nodeToolchain } from "../../../../modules/toolchains/node/index.js"
import { parseBuildRequest } from "../../../../modules/toolchains/request.js"
import { enginePlatform } from "../../../../modules/core/native.js"
import { inputError } from "../../../support/errors.js"
import { factsOf } from "../../../support/facts.js"
import { planNode } from "../../../support/plans.js"

const FIXTURE = resolve(__dirname, "../../../fixtures/node-app")
const fixture = factsOf(FIXTURE)
const NATIVE = "linux/amd64"
const THREE = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
const step = (st: PlanStage, name: string): PlanStep => {
  const s = [...st.setup, ...st.steps].find((x) => x.name === name)
  if (!s) throw new Error(`stage ${st.name} has no step ${name}: ${[...st.setup, ...st.steps].map((x) => x.name).join(", ")}`)
  return s
}

/** A source with package.json + a v3 lock of these packages. */
function source(pkg: Record<string, unknown>, packages: Record<string, Record<string, unknown>> = {}, extra: Record<string, string> = {}): SourceFacts {
  const files = {
    "package.json": JSON.stringify({ name: "app", version: "1.0.0", main: "server.js", ...pkg }),
    "package-lock.json": JSON.stringify({ lockfileVersion: 3, packages: { "": { name: "app" }, ...packages } }),
    ...extra,
  }
  return { entries: Object.keys(files), files }
}

describe("the fixture for linux/amd64, linux/arm64, linux/arm/v7 on an amd64 engine", () => {
  const plans = planNode(THREE, {}, fixture, NATIVE)
  const of = (p: string) => plans.find((x) => x.platform === p)!

  it("node 20 from .nvmrc for builder and runtime; no emulation anywhere", () => {
    for (const p of plans) {
      expect(p).toMatchObject({ toolchain: "node", kind: "directory", mode: "cross", node: { tag: "20", major: 20, source: ".nvmrc", libc: "glibc" } })
      expect(p.stages.map((s) => [s.platform, s.image])).toEqual([["native", "node:20-bookworm"]])
      expect(p.packages.emulated).toEqual([])
    }
    expect(plans.map((p) => p.native)).toEqual([true, false, false])
  })

  it("one shared build (npm ci + npm run build, native), the same in every plan, its node_modules left out", () => {
    const shared = plans[0].shared!
    for (const p of plans) expect(p.shared).toEqual(shared)
    expect(shared).toMatchObject({ image: "node:20-bookworm", platform: "native", workdir: "/app", exclude: ["node_modules"] })
    expect(shared.steps.map((s) => s.argv)).toEqual([
      ["npm", "ci", "--install-links", "--no-audit", "--no-fund"],
      ["npm", "run", "build"],
    ])
  })

  it("per target: npm ci with the target's --cpu/--os/--libc and no scripts, the classify check, npm rebuild of the addons, the checks", () => {
    const want: Record<string, string> = { "linux/amd64": "x64", "linux/arm64": "arm64", "linux/arm/v7": "arm" }
    for (const p of plans) {
      const st = p.stages[0]
      expect(st.steps.map((s) => s.name)).toEqual(["check npm", "npm ci", "classify packages", "npm rebuild (cross-compile)", "verify ELF", "verify platform packages"])
      expect(step(st, "npm ci").argv).toEqual(["npm", "ci", "--omit=dev", "--os=linux", `--cpu=${want[p.platform]}`, "--libc=glibc", "--ignore-scripts", "--install-links", "--no-audit", "--no-fund"])
      expect(step(st, "npm rebuild (cross-compile)").argv).toEqual(["npm", "rebuild", "fixture-addon", "--foreground-scripts", "--no-audit", "--no-fund"])
      expect(JSON.parse(step(st, "classify packages").argv[3])).toEqual({ platform: p.platform, compile: ["fixture-addon"], emulate: [], skip: [{ name: "esbuild", via: [`@esbuild/linux-${want[p.platform]}`] }], denied: [] })
      expect(step(st, "verify platform packages").argv.slice(3)).toEqual([p.platform, "linux", want[p.platform], "glibc"])
      expect(st.caches).toEqual([{ path: "/root/.npm", key: "multiarch-npm-cache" }])
    }
  })

  it("the target env: npm_config_* for the installers, ARM_VERSION on ARM, the image's headers, Debian's cross compiler off the engine's architecture", () => {
    const base = { npm_config_cache: "/root/.npm", npm_config_platform: "linux", npm_config_libc: "glibc", LIBC: "glibc", npm_config_target_platform: "linux", npm_config_target_libc: "glibc", npm_config_nodedir: "/usr/local" }
    expect(of("linux/amd64").stages[0].env).toEqual({ ...base, npm_config_arch: "x64", npm_config_target_arch: "x64" })
    expect(of("linux/arm64").stages[0].env).toEqual({ ...base, npm_config_arch: "arm64", npm_config_target_arch: "arm64", ARM_VERSION: "8", CC: "aarch64-linux-gnu-gcc", CXX: "aarch64-linux-gnu-g++", AR: "aarch64-linux-gnu-ar", LINK: "aarch64-linux-gnu-g++" })
    expect(of("linux/arm/v7").stages[0].env).toEqual({ ...base, npm_config_arch: "arm", npm_config_target_arch: "arm", ARM_VERSION: "7", CC: "arm-linux-gnueabihf-gcc", CXX: "arm-linux-gnueabihf-g++", AR: "arm-linux-gnueabihf-ar", LINK: "arm-linux-gnueabihf-g++" })
    expect(of("linux/amd64").stages[0].setup).toEqual([])
    expect(step(of("linux/arm/v7").stages[0], "install C/C++ cross compiler").argv[2]).toMatch(/apt-get install .* g\+\+-arm-linux-gnueabihf$/)
  })

  it("the ELF check is the project's, with the target's machine", () => {
    const elf = step(of("linux/arm/v7").stages[0], "verify ELF").argv
    expect(elf.slice(0, 2)).toEqual(["sh", "-c"])
    expect(elf[4]).toContain("-v want_machine=40 -v want_bits=32 -v want_endian=little -v want_float=hard")
    expect(elf[5]).toBe("linux/arm/v7")
  })

  it("runtime: the platform's node:20-bookworm-slim, /app, NODE_ENV=production, user node, entrypoint from scripts.start", () => {
    for (const p of plans) expect(p.runtime).toEqual({ base: "node:20-bookworm-slim", path: "/app", env: { NODE_ENV: "production" }, user: "node", entrypoint: ["node", "/app/dist/app.js"] })
  })

  it("plan text names what is cross-installed, cross-compiled and emulated per platform", () => {
    const text = nodeToolchain.describe(plans, enginePlatform(NATIVE))
    expect(text).toContain("linux/arm64: node 20 (.nvmrc), glibc, cross")
    expect(text).toContain("cross-installed platform packages: @esbuild/linux-arm64@0.28.2, @img/sharp-libvips-linux-arm64@1.3.4, @img/sharp-linux-arm64@0.35.5")
    expect(text).toContain("cross-compiled (aarch64-linux-gnu-g++): fixture-addon (local dependency (addon/): node-gyp build for the target when it has a binding.gyp)")
    expect(text).toContain("emulated: none")
    expect(text).toMatch(/^shared: runs once for linux\/amd64, linux\/arm64, linux\/arm\/v7/)
  })

  it("stepOf names a failed step by stage and step", () => {
    const p = of("linux/arm64")
    expect(nodeToolchain.stepOf(p, step(p.stages[0], "npm ci").argv)).toBe("install linux/arm64: npm ci")
    expect(nodeToolchain.stepOf(p, ["npm", "run", "build"])).toBe("build (once, for every platform): npm run build")
    expect(nodeToolchain.stepOf(p, ["true"])).toBeUndefined()
  })
})

describe("emulated rebuilds, only of the packages that need one", () => {
  const facts = source({}, {
    "node_modules/addon": { version: "1.0.0", hasInstallScript: true, dependencies: { "node-gyp-build": "^4" } },
    "node_modules/node-gyp-build": { version: "4.8.4" },
    "node_modules/browser-fetcher": { version: "22.0.0", hasInstallScript: true },
  })

  it("the rebuild runs in the target platform's node image over the installed tree; the checks move there", () => {
    const [amd, arm] = planNode(["linux/amd64", "linux/arm64"], { nodeVersion: "22" }, facts, NATIVE)
    expect(arm.mode).toBe("emulated")
    expect(arm.stages.map((s) => [s.name, s.platform, s.image])).toEqual([
      ["install linux/arm64", "native", "node:22-bookworm"],
      ["rebuild on linux/arm64", "linux/arm64", "node:22-bookworm"],
    ])
    expect(arm.stages[0].steps.map((s) => s.name)).toEqual(["check npm", "npm ci", "classify packages", "npm rebuild (cross-compile)"])
    expect(arm.stages[1].steps.map((s) => s.argv.slice(0, 3))).toEqual([["npm", "rebuild", "browser-fetcher"], ["sh", "-c", expect.any(String)], ["node", "-e", expect.any(String)]])
    expect(arm.stages[1].env).toEqual({ npm_config_cache: "/root/.npm", npm_config_nodedir: "/usr/local" })
    expect(arm.packages.emulated).toEqual([expect.objectContaining({ name: "browser-fetcher", kind: "emulate", reason: "install script that is not a known native build: it must run on the target" })])
    expect(arm.packages.compiled.map((d) => d.name)).toEqual(["addon"])
    expect(arm.notes.join("\n")).toContain("browser-fetcher: npm rebuild under QEMU in node:22-bookworm of linux/arm64")
    // the engine's own platform runs the "emulated" stage natively: no QEMU
    expect(amd.stages[1].platform).toBe("linux/amd64")
    expect(amd.mode).toBe("cross")
  })

  it("--emulate: every package with install work is rebuilt on the target", () => {
    const [arm] = planNode(["linux/arm64"], { emulate: true }, facts, NATIVE)
    expect(arm.packages.compiled).toEqual([])
    expect(arm.packages.emulated.map((d) => d.name)).toEqual(["addon", "browser-fetcher"])
    expect(arm.stages[0].steps.map((s) => s.name)).not.toContain("npm rebuild (cross-compile)")
    expect(arm.stages[0].env).toEqual({ npm_config_cache: "/root/.npm" })
  })

  it("musl: the install selects musl packages; native addons are built in the target's node:<v>-alpine (Debian has no musl C++ cross compiler)", () => {
    const [arm] = planNode(["linux/arm64"], { libc: "musl" }, planNodeFixture(), NATIVE)
    expect(step(arm.stages[0], "npm ci").argv).toContain("--libc=musl")
    expect(arm.packages.installed).toEqual(["@esbuild/linux-arm64@0.28.2", "@img/sharp-libvips-linuxmusl-arm64@1.3.4", "@img/sharp-linuxmusl-arm64@0.35.5"])
    expect(arm.stages[1]).toMatchObject({ platform: "linux/arm64", image: "node:20-alpine" })
    expect(arm.stages[1].setup.map((s) => s.argv)).toEqual([["apk", "add", "--no-cache", "python3", "make", "g++"]])
    expect(arm.packages.emulated.map((d) => d.name)).toEqual(["fixture-addon"])
    expect(arm.runtime.base).toBe("node:20-alpine")
  })
})

function planNodeFixture(): SourceFacts {
  return fixture
}

describe("images per platform and version (the target table's nodeImages)", () => {
  it("node 24 has no arm/v7 image: the error names the lines that have one", () => {
    const e = inputError(() => planNode(["linux/arm/v7"], { nodeVersion: "24" }, fixture, NATIVE))
    expect(e.message).toMatch(/runtime image: the official node:24-bookworm image has no linux\/arm\/v7 variant \(node:<major>-bookworm has linux\/arm\/v7 for 20, 22\)/)
    expect(e.message).toMatch(/--node-version 22/)
  })

  it("--base replaces the runtime image (and its check); an Alpine base means musl; the user is uid 1000", () => {
    const [p] = planNode(["linux/riscv64"], { base: "ghcr.io/acme/node-riscv:20", libc: "glibc" }, fixture, NATIVE)
    expect(p.runtime).toMatchObject({ base: "ghcr.io/acme/node-riscv:20", user: "1000:1000" })
    const opts = nodeToolchain.options({ base: "node:20-alpine3.20" })
    expect(opts.libc).toBe("musl")
    expect(nodeToolchain.options({ libc: "gnu", base: "node:20-alpine" }).libc).toBe("glibc")
  })

  it("--libc: not given is glibc's plan (plan/build show no default, Rust's is musl); gnu/musl in any case; a near word gets a did-you-mean; options of another toolchain are refused", () => {
    expect(nodeToolchain.options({}).libc).toBeUndefined()
    expect(planNode(["linux/arm64"], {}, fixture, NATIVE)[0].node.libc).toBe("glibc")
    expect(nodeToolchain.options({ libc: "GNU" }).libc).toBe("glibc")
    expect(nodeToolchain.options({ libc: "Musl" }).libc).toBe("musl")
    // --entrypoint is one string shared with Go (its binary name); Node splits it on commas into the argv
    expect(nodeToolchain.options({ entrypoint: "node,server.js,--port=80" }).entrypoint).toEqual(["node", "server.js", "--port=80"])
    expect(parseBuildRequest({ lang: "node", entrypoint: "node,x.js" }).options.node.entrypoint).toEqual(["node", "x.js"])
    expect(inputError(() => nodeToolchain.check(nodeToolchain.options({ entrypoint: " " }))).message).toMatch(/^invalid entrypoint " ": the entrypoint is empty;/)
    expect(inputError(() => nodeToolchain.check(nodeToolchain.options({ entrypoint: "node,,x.js" }))).message).toMatch(/^invalid entrypoint "node,,x.js": the entrypoint has an empty word;/)
    expect(parseBuildRequest({ lang: "node", libc: "musl" }).options.node.libc).toBe("musl")
    expect(parseBuildRequest({ lang: "node" }).options.node.libc).toBeUndefined()
    expect(inputError(() => nodeToolchain.options({ libc: "alpine" })).fix).toMatch(/^did you mean musl\?/)
    const e = inputError(() => parseBuildRequest({ lang: "node", cgo: true, nodeVersion: "22", entrypoint: "node,x.js" }))
    expect(e.message).toBe('invalid cgo "true": --cgo is an option of go and this build uses node (--lang node); drop --cgo')
    expect(inputError(() => parseBuildRequest({ lang: "go", nodeVersion: "22" })).message).toBe('invalid node-version "22": --node-version is an option of node and this build uses go (--lang go); drop --node-version')
  })

  it("a platform whose packages have no binary for it is refused before any engine work", () => {
    expect(inputError(() => planNode(["linux/arm/v7"], { libc: "musl" }, fixture, NATIVE)).message).toMatch(/sharp has no platform package for linux\/arm\/musl in package-lock\.json .*require\(\) would fail at run time/)
    expect(inputError(() => planNode(["linux/mips"], { base: "x/node:20" }, fixture, NATIVE)).message).toMatch(/esbuild has no platform package for linux\/mips\/glibc/)
  })
})

describe("the source", () => {
  it("needs package.json and package-lock.json; pnpm/yarn packageManager and scratch are refused with the fix", () => {
    expect(inputError(() => planNode(["linux/amd64"], {}, { entries: ["package-lock.json"], files: { "package-lock.json": "{}" } }, NATIVE)).message).toMatch(/no package\.json/)
    const noLock = source({})
    delete noLock.files["package-lock.json"]
    expect(inputError(() => planNode(["linux/amd64"], {}, noLock, NATIVE)).message).toMatch(/no package-lock\.json .*run npm install \(npm 7 or newer\) and commit package-lock\.json/)
    expect(inputError(() => planNode(["linux/amd64"], {}, source({ packageManager: "pnpm@10.34.9" }), NATIVE)).message).toMatch(/npm only.*commit a package-lock\.json/)
    expect(inputError(() => planNode(["linux/amd64"], { base: "scratch" }, source({}), NATIVE)).message).toMatch(/needs a node runtime/)
  })

  it("packageManager npm@x pins npm in every stage; no build script: no shared stage, the root's own scripts are named", () => {
    const [p] = planNode(["linux/arm64"], {}, source({ packageManager: "npm@11.19.1", scripts: { postinstall: "node setup.js" } }), NATIVE)
    expect(p.shared).toBeUndefined()
    expect(p.stages[0].setup.map((s) => s.argv)).toEqual([["npm", "install", "--global", "--no-audit", "--no-fund", "npm@11.19.1"]])
    expect(p.notes.join("\n")).toMatch(/the app's own postinstall script never run/)
    expect(p.node.npm).toBe("11.19.1")
  })
})

describe("resolveEntrypoint", () => {
  const r = (pkg: Record<string, unknown>, entries: string[] = []) => resolveEntrypoint(undefined, pkg, entries, "/app").argv
  it("--entrypoint > start (node file) > bin > main > index.js", () => {
    expect(resolveEntrypoint(["node", "x.js"], { main: "y.js" }, [], "/app")).toEqual({ argv: ["node", "x.js"], source: "--entrypoint" })
    expect(r({ scripts: { start: "node --enable-source-maps ./server.js --port=8080" }, main: "m.js" })).toEqual(["node", "--enable-source-maps", "/app/server.js", "--port=8080"])
    expect(r({ scripts: { start: "next start" } })).toEqual(["npm", "start"])
    expect(r({ scripts: { start: "node a.js && node b.js" } })).toEqual(["npm", "start"])
    expect(r({ name: "tool", bin: { tool: "bin/cli.js", other: "bin/o.js" } })).toEqual(["node", "/app/bin/cli.js"])
    expect(r({ bin: "cli.js" })).toEqual(["node", "/app/cli.js"])
    expect(r({ main: "lib/index.js" })).toEqual(["node", "/app/lib/index.js"])
    expect(r({}, ["index.js"])).toEqual(["node", "/app/index.js"])
    expect(inputError(() => r({})).message).toMatch(/no start script, bin or main.*--entrypoint/)
  })
})

describe("the in-builder checks, run on small trees", () => {
  const plan: NodePlan = planNode(["linux/arm64"], {}, fixture, NATIVE)[0]
  const tree = (pkgs: Record<string, Record<string, unknown>>, files: Record<string, string> = {}) => {
    const d = mkdtempSync(join(tmpdir(), "multiarch-node-"))
    for (const [dir, pj] of Object.entries(pkgs)) {
      mkdirSync(join(d, "node_modules", dir), { recursive: true })
      writeFileSync(join(d, "node_modules", dir, "package.json"), JSON.stringify(pj))
    }
    for (const [f, from] of Object.entries(files)) copyFileSync(from, join(d, f))
    return d
  }
  const runStep = (s: PlanStep, cwd: string) => spawnSync(s.argv[0], s.argv.slice(1), { cwd, encoding: "utf8" })

  it("classify: agrees with the plan on the fixture's packages; a package planned for cross-compiling whose script is no native build fails", () => {
    const ok = tree({
      esbuild: { name: "esbuild", scripts: { postinstall: "node install.js" } },
      "@esbuild/linux-arm64": { name: "@esbuild/linux-arm64", os: ["linux"], cpu: ["arm64"] },
      "fixture-addon": { name: "fixture-addon" },
    })
    writeFileSync(join(ok, "node_modules/fixture-addon/binding.gyp"), "{}")
    const classify = step(plan.stages[0], "classify packages")
    const good = runStep(classify, ok)
    expect(good.status, good.stderr).toBe(0)
    expect(good.stdout).toContain("multiarch: linux/arm64 fixture-addon: cross-compile (install: node-gyp rebuild (binding.gyp))")
    expect(good.stdout).toContain("multiarch: linux/arm64 esbuild: script skipped")

    // planned from the lock as a node-gyp build, found in the tree as a download script without binding.gyp
    writeFileSync(join(ok, "node_modules/fixture-addon/package.json"), JSON.stringify({ name: "fixture-addon", scripts: { install: "node download-binary.js" } }))
    rmSync(join(ok, "node_modules/fixture-addon/binding.gyp"))
    mkdirSync(join(ok, "node_modules/sneaky"))
    writeFileSync(join(ok, "node_modules/sneaky/package.json"), JSON.stringify({ name: "sneaky", scripts: { postinstall: "node x.js" } }))
    const bad = runStep(classify, ok)
    expect(bad.status).toBe(1)
    expect(bad.stderr).toContain("multiarch: linux/arm64: fixture-addon was planned to be cross-compiled, but its install work is not a native build (install: node download-binary.js): it must run on linux/arm64; build with --emulate")
    expect(bad.stderr).toContain("multiarch: linux/arm64: sneaky has install work the plan did not see in package-lock.json")
  })

  it("verify platform packages: passes for the target's, names a package of another platform", () => {
    const check = step(plan.stages[0], "verify platform packages")
    const ok = tree({ "@esbuild/linux-arm64": { name: "@esbuild/linux-arm64", os: ["linux"], cpu: ["arm64"] }, "@img/sharp-linux-arm64": { name: "@img/sharp-linux-arm64", os: ["linux"], cpu: ["arm64"], libc: ["glibc"] } })
    expect(runStep(check, ok).stdout).toContain("multiarch: linux/arm64: 2 platform packages, all for linux/arm64/glibc")
    const bad = tree({ x: { name: "x" }, "x/node_modules/@esbuild/linux-x64": { name: "@esbuild/linux-x64", os: ["linux"], cpu: ["x64"] }, "@img/sharp-linuxmusl-arm64": { name: "@img/sharp-linuxmusl-arm64", os: ["linux"], cpu: ["arm64"], libc: ["musl"] } })
    const r = runStep(check, bad)
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^multiarch: node_modules built for linux\/arm64 holds packages of another platform: /)
    expect(r.stderr).toContain("node_modules/x/node_modules/@esbuild/linux-x64 (@esbuild/linux-x64: os [\"linux\"], cpu [\"x64\"], libc [])")
    expect(r.stderr).toContain('node_modules/@img/sharp-linuxmusl-arm64 (@img/sharp-linuxmusl-arm64: os ["linux"], cpu ["arm64"], libc ["musl"])')
  })

  it("verify ELF: every ELF file under node_modules, with the target's rules (this host's x86-64 binaries pass for amd64, fail for arm64)", () => {
    const d = tree({ a: { name: "a" } })
    const bin = execFileSync("sh", ["-c", "command -v ls"], { encoding: "utf8" }).trim()
    mkdirSync(join(d, "node_modules/a/build/Release"), { recursive: true })
    copyFileSync(bin, join(d, "node_modules/a/build/Release/a.node"))
    copyFileSync(bin, join(d, "node_modules/a/helper"))
    writeFileSync(join(d, "node_modules/a/index.js"), "module.exports = 1\n".repeat(10))
    const [amd64] = planNode(["linux/amd64"], {}, fixture, NATIVE)
    const ok = runStep(step(amd64.stages[0], "verify ELF"), d)
    expect(ok.status, ok.stderr).toBe(0)
    expect(ok.stdout.trim()).toBe("multiarch: 2 ELF files under node_modules, all for linux/amd64")
    const bad = runStep(step(plan.stages[0], "verify ELF"), d)
    expect(bad.status).toBe(1)
    expect(bad.stderr).toContain("multiarch: binary built for linux/arm64 is wrong: e_machine is x86-64 (62), expected AArch64 (183) (node_modules/a/build/Release/a.node)")
    expect(bad.stderr).toContain("multiarch: 2 of 2 ELF files under node_modules are not for linux/arm64")
    expect(readFileSync(join(d, "node_modules/a/index.js"), "utf8")).toContain("module.exports")
  })

  it("check npm: passes for this host's npm (≥ 10.6)", () => {
    const r = runStep(step(plan.stages[0], "check npm"), tmpdir())
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^multiarch: npm \d+\.\d+\.\d+ selects platform packages with --os\/--cpu\/--libc/)
  })
})

describe("the target table's Node columns", () => {
  it("nodeArch is process.arch; armVersion on ARM only", () => {
    const want: Record<string, [string, string | undefined]> = {
      "linux/amd64": ["x64", undefined],
      "linux/arm64": ["arm64", "8"],
      "linux/arm/v7": ["arm", "7"],
      "linux/arm/v6": ["arm", "6"],
      "linux/arm/v5": ["arm", "5"],
      "linux/386": ["ia32", undefined],
      "linux/riscv64": ["riscv64", undefined],
      "linux/ppc64le": ["ppc64", undefined],
      "linux/s390x": ["s390x", undefined],
      "linux/loong64": ["loong64", undefined],
      "linux/mips": ["mips", undefined],
      "linux/mipsle": ["mipsel", undefined],
      "linux/mips64": ["mips64", undefined],
      "linux/mips64le": ["mips64el", undefined],
    }
    for (const [p, [arch, v]] of Object.entries(want)) expect([TARGETS.get(p)!.nodeArch, TARGETS.get(p)!.armVersion], p).toEqual([arch, v])
  })

  it("official node images (docker-node versions.json): arm/v7 only up to 22, arm/v6 Alpine only, no 386/riscv64", () => {
    expect(TARGETS.get("linux/arm64")!.nodeImages).toEqual({ bookworm: [20, 22, 24, 26], alpine: [20, 22, 24, 26] })
    expect(TARGETS.get("linux/arm/v7")!.nodeImages).toEqual({ bookworm: [20, 22], alpine: [20, 22] })
    expect(TARGETS.get("linux/arm/v6")!.nodeImages).toEqual({ bookworm: [], alpine: [20, 22] })
    expect(TARGETS.get("linux/s390x")!.nodeImages).toEqual({ bookworm: [20], alpine: [20, 22, 24] })
    expect(TARGETS.get("linux/386")!.nodeImages).toEqual({ bookworm: [], alpine: [] })
    expect(TARGETS.get("linux/riscv64")!.nodeImages).toEqual({ bookworm: [], alpine: [] })
  })
})
