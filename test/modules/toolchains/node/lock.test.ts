/**
 * Rung 1: the lock-file classifier of the Node toolchain (pure). What npm selects per target and
 * what each package with install work gets, from package-lock.json's own fields (hasInstallScript,
 * dependencies, optionalDependencies, os/cpu/libc, link, dev). Expected values typed in here.
 */
import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { admitsValue, deniedByPolicy, parseLock, targetPackages, type NpmPlatform } from "../../../../modules/toolchains/node/index.js"
import { inputError } from "../../../support/errors.js"

const FIXTURE = resolve(__dirname, "../../../fixtures/node-app")
const fixtureLock = parseLock(readFileSync(join(FIXTURE, "package-lock.json"), "utf8"))
const linux = (cpu: string, libc: "glibc" | "musl" = "glibc"): NpmPlatform => ({ os: "linux", cpu, libc })

/** A lock v3 from `packages` entries (the root entry added). */
const lock = (packages: Record<string, Record<string, unknown>>) => parseLock(JSON.stringify({ lockfileVersion: 3, packages: { "": { name: "app" }, ...packages } }))

describe("npm's os/cpu/libc rule", () => {
  it("plain entries must match, !x excludes x, only-negations admit the rest, 'any' and empty admit all", () => {
    expect(admitsValue(undefined, "arm64")).toBe(true)
    expect(admitsValue([], "arm64")).toBe(true)
    expect(admitsValue(["any"], "arm64")).toBe(true)
    expect(admitsValue(["arm64"], "arm64")).toBe(true)
    expect(admitsValue(["x64"], "arm64")).toBe(false)
    expect(admitsValue(["x64", "arm64"], "arm64")).toBe(true)
    expect(admitsValue(["!arm64"], "arm64")).toBe(false)
    expect(admitsValue(["!ia32"], "arm64")).toBe(true)
    expect(admitsValue(["!ia32", "x64"], "arm64")).toBe(false)
  })

  it("property: a list of plain entries admits exactly its members", () => {
    fc.assert(fc.property(fc.array(fc.constantFrom("x64", "arm64", "arm", "ia32", "s390x"), { minLength: 1 }), fc.constantFrom("x64", "arm64", "arm", "ia32", "s390x"), (l, v) => admitsValue(l, v) === l.includes(v)))
  })
})

describe("the fixture's lock (esbuild, sharp, a local addon)", () => {
  it("selects each target's platform packages and nothing of another platform", () => {
    expect(targetPackages(fixtureLock, linux("arm64"), {}).installed).toEqual(["@esbuild/linux-arm64@0.28.2", "@img/sharp-libvips-linux-arm64@1.3.4", "@img/sharp-linux-arm64@0.35.5"])
    expect(targetPackages(fixtureLock, linux("arm"), {}).installed).toEqual(["@esbuild/linux-arm@0.28.2", "@img/sharp-libvips-linux-arm@1.3.4", "@img/sharp-linux-arm@0.35.5"])
    expect(targetPackages(fixtureLock, linux("x64", "musl"), {}).installed).toEqual(["@esbuild/linux-x64@0.28.2", "@img/sharp-libvips-linuxmusl-x64@1.3.4", "@img/sharp-linuxmusl-x64@0.35.5"])
  })

  it("esbuild's postinstall is skipped (its binary is a platform package), the local addon is compiled", () => {
    const t = targetPackages(fixtureLock, linux("arm64"), {})
    expect(t.decisions.map((d) => [d.name, d.kind])).toEqual([
      ["esbuild", "skip"],
      ["fixture-addon", "compile"],
    ])
    expect(t.decisions.find((d) => d.name === "esbuild")!.via).toEqual(["@esbuild/linux-arm64"])
    expect(t.decisions.find((d) => d.name === "fixture-addon")).toMatchObject({ local: true, reason: expect.stringMatching(/local dependency \(addon\/\)/) })
    expect(t.uncovered).toEqual([])
  })

  it("--emulate turns every compile into an emulated rebuild; the skip stays", () => {
    const t = targetPackages(fixtureLock, linux("arm64"), {}, true)
    expect(t.decisions.map((d) => [d.name, d.kind])).toEqual([
      ["esbuild", "skip"],
      ["fixture-addon", "emulate"],
    ])
  })

  it("a target with no platform package of sharp is uncovered (arm + musl: sharp has none), naming its Linux packages", () => {
    const t = targetPackages(fixtureLock, linux("arm", "musl"), {})
    expect(t.uncovered.map((u) => u.name)).toEqual(["sharp"])
    expect(t.uncovered[0].linux).toEqual(expect.arrayContaining(["@img/sharp-linux-arm", "@img/sharp-linuxmusl-arm64"]))
    // mips: neither esbuild (it has linux-mips64el, not mips) nor sharp
    expect(targetPackages(fixtureLock, linux("mips"), {}).uncovered.map((u) => u.name)).toEqual(["esbuild", "sharp"])
  })
})

describe("decisions from a synthetic lock", () => {
  const l = lock({
    "node_modules/gyp-addon": { version: "1.0.0", hasInstallScript: true, dependencies: { "node-addon-api": "^8" } },
    "node_modules/node-addon-api": { version: "8.0.0" },
    // shaped like better-sqlite3 12 (install: prebuild-install || node-gyp rebuild --release)
    "node_modules/prebuilt-or-gyp": { version: "12.0.0", hasInstallScript: true, dependencies: { bindings: "^1.5.0", "prebuild-install": "^7.1.1" } },
    "node_modules/bindings": { version: "1.5.0" },
    "node_modules/prebuild-install": { version: "7.1.3" },
    "node_modules/downloader": { version: "2.0.0", hasInstallScript: true, dependencies: { "https-proxy-agent": "^7" } },
    "node_modules/denied-addon": { version: "3.1.0", hasInstallScript: true, dependencies: { nan: "^2" } },
    "node_modules/devtool": { version: "1.0.0", dev: true, hasInstallScript: true },
    "node_modules/watcher": { version: "1.0.0", optionalDependencies: { fsevents: "^2" } },
    "node_modules/fsevents": { version: "2.3.3", optional: true, os: ["darwin"], hasInstallScript: true },
    "node_modules/bin-wrapper": { version: "1.0.0", hasInstallScript: true, optionalDependencies: { "@bw/linux-x64": "1.0.0", "@bw/linux-arm64": "1.0.0" } },
    "node_modules/@bw/linux-x64": { version: "1.0.0", optional: true, os: ["linux"], cpu: ["x64"] },
    "node_modules/@bw/linux-arm64": { version: "1.0.0", optional: true, os: ["linux"], cpu: ["arm64"] },
    "node_modules/@bw/linux-x64/node_modules/helper": { version: "1.0.0", hasInstallScript: true },
  })

  it("native markers → compile; any other install script → emulate; dev packages and other platforms' packages (and what lives below them) are not installed", () => {
    const t = targetPackages(l, linux("arm64"), { "denied-addon@^3.0.0": false })
    expect(Object.fromEntries(t.decisions.map((d) => [d.name, d.kind]))).toEqual({
      "gyp-addon": "compile",
      "prebuilt-or-gyp": "compile",
      downloader: "emulate",
      "denied-addon": "denied",
      "bin-wrapper": "skip",
    })
    expect(t.decisions.find((d) => d.name === "prebuilt-or-gyp")!.reason).toMatch(/depends on prebuild-install/)
    expect(t.decisions.find((d) => d.name === "downloader")!.reason).toBe("install script that is not a known native build: it must run on the target")
    expect(t.installed).toEqual(["@bw/linux-arm64@1.0.0"])
    // fsevents is darwin-only: a package whose platform packages cover no Linux is not "uncovered"
    expect(t.uncovered).toEqual([])
    // riscv64: bin-wrapper has Linux packages, none for riscv64
    expect(targetPackages(l, linux("riscv64"), {}).uncovered).toEqual([{ name: "bin-wrapper", linux: ["@bw/linux-x64", "@bw/linux-arm64"] }])
  })

  it("allowScripts: false by name, by name@range (checked against the version), never for true or a range that misses", () => {
    expect(deniedByPolicy({ x: false }, "x", "1.0.0")).toBe(true)
    expect(deniedByPolicy({ x: true }, "x", "1.0.0")).toBe(false)
    expect(deniedByPolicy({ "x@^1.2.0": false }, "x", "1.4.0")).toBe(true)
    expect(deniedByPolicy({ "x@^1.2.0": false }, "x", "2.0.0")).toBe(false)
    expect(deniedByPolicy({ "x@1.0.0 || 1.1.0": false }, "x", "1.1.0")).toBe(true)
    expect(deniedByPolicy({ "xy": false }, "x", "1.0.0")).toBe(false)
  })

  it("lockfileVersion 1 (npm 6) and broken JSON are input errors with the fix", () => {
    expect(inputError(() => parseLock(JSON.stringify({ lockfileVersion: 1, dependencies: {} }))).message).toMatch(/npm 6 and older write lockfileVersion 1.*npm install with npm 7 or newer/)
    expect(inputError(() => parseLock("{")).message).toMatch(/not valid JSON/)
  })
})
