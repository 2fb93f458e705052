/**
 * The package export (`import … from "multiarch"`) as a TypeScript/JavaScript user gets it: the
 * compiled dist/ through package.json "exports", loaded by plain Node (no tsx), on a held-out set
 * of platform strings (valid and invalid) that the other tests do not use.
 */
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"

const ROOT = resolve(__dirname, "../..")

function viaPackage(code: string, entry = "multiarch"): unknown {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", `import * as m from "${entry}";\n${code}`], {
    cwd: ROOT,
    encoding: "utf8",
  })
  return JSON.parse(out)
}

beforeAll(() => {
  if (!existsSync(resolve(ROOT, "dist/modules/core/index.js")) || !existsSync(resolve(ROOT, "dist/modules/registry/index.js"))) execFileSync("npm", ["run", "--silent", "build:lib"], { cwd: ROOT, stdio: "inherit" })
}, 120_000)

describe("package export", () => {
  it("exposes the pure API with the documented names", () => {
    const names = viaPackage(`console.log(JSON.stringify(Object.keys(m).sort()))`) as string[]
    for (const n of ["parsePlatform", "parsePlatforms", "goEnv", "rustTarget"]) expect(names).toContain(n)
  })

  it("the pure core holds no network code; the registry client has its own entry, multiarch/registry", () => {
    const core = viaPackage(`console.log(JSON.stringify(Object.keys(m).sort()))`) as string[]
    for (const n of ["RegistryClient", "inspectImage", "mergeImages", "verifyImage"]) expect(core).not.toContain(n)
    for (const n of ["parseReference", "computeTags", "parseAnnotations"]) expect(core).toContain(n)
    const registry = viaPackage(`console.log(JSON.stringify(Object.keys(m).sort()))`, "multiarch/registry") as string[]
    for (const n of ["RegistryClient", "inspectImage", "verifyImage", "mergeImages", "annotateImage", "tagImage", "RegistryAuthError", "MediaType"]) expect(registry).toContain(n)
    const client = viaPackage(`console.log(JSON.stringify(new m.RegistryClient("127.0.0.1:5000").baseUrl))`, "multiarch/registry")
    expect(client).toBe("http://127.0.0.1:5000")
  })

  const heldOut: [string, string | RegExp][] = [
    ["linux/aarch64", "linux/arm64"],
    ["ARMHF", "linux/arm/v7"],
    ["armel", "linux/arm/v6"],
    ["linux/arm/6", "linux/arm/v6"],
    ["x86-64", "linux/amd64"],
    ["linux/amd64/2", "linux/amd64/v2"],
    ["linux/386", "linux/386"],
    ["i686", "linux/386"],
    ["linux/ppc64el", "linux/ppc64le"],
    ["mips64el", "linux/mips64le"],
    ["loongarch64", "linux/loong64"],
    ["linux/arm64/v8.0", "linux/arm64"],
    ["linux/arm64/v6", /arm64 has no v6 variant; did you mean linux\/arm\/v6 or linux\/arm64\?/],
    ["windows/arm64", /linux images.*use "linux\/arm64"/],
    ["freebsd/amd64", /linux images/],
    ["linux/powerpc", /unknown architecture "powerpc".*use one of/],
    ["linux/riscv32", /riscv32 is not a supported target/],
    ["darwin", /names an OS but no architecture/],
    ["linux/arm/v7/extra", /at most three elements/],
    ["linux/amd64/v9", /amd64 has no v9 variant/],
  ]
  it("held-out platform strings: xx-consistent result or a descriptive error", () => {
    const results = viaPackage(`
      const inputs = ${JSON.stringify(heldOut.map(([s]) => s))};
      console.log(JSON.stringify(inputs.map((s) => { try { return { ok: m.parsePlatform(s) } } catch (e) { return { err: e.message, name: e.name, fix: e.fix } } })))
    `) as { ok?: string; err?: string; name?: string; fix?: string }[]
    heldOut.forEach(([input, want], i) => {
      const r = results[i]
      if (typeof want === "string") expect(r, input).toEqual({ ok: want })
      else {
        expect(r.name, input).toBe("MultiarchInputError")
        expect(r.err, input).toMatch(want)
        expect(r.err, input).toContain(JSON.stringify(input))
        expect(r.fix, input).toBeTruthy()
      }
    })
  })

  it("parsePlatforms, goEnv and rustTarget through the export", () => {
    const r = viaPackage(`console.log(JSON.stringify({
      list: m.parsePlatforms("arm64, linux/arm/v7 ,amd64/v3"),
      arr: m.parsePlatforms(["linux/riscv64", "s390x"]),
      dup: (() => { try { m.parsePlatforms("armhf,linux/arm/v7") } catch (e) { return e.message } })(),
      v6: m.goEnv("linux/arm/v6"),
      amd64v3: m.goEnv("linux/amd64/v3"),
      mips: m.goEnv("linux/mips64le"),
      rv: m.rustTarget("linux/riscv64", "gnu"),
      v7musl: m.rustTarget("linux/arm/v7", "musl"),
      i686: m.rustTarget("linux/386", "gnu"),
    }))`) as Record<string, unknown>
    expect(r.list).toEqual(["linux/arm64", "linux/arm/v7", "linux/amd64/v3"])
    expect(r.arr).toEqual(["linux/riscv64", "linux/s390x"])
    expect(r.dup).toMatch(/same platform \(linux\/arm\/v7\)/)
    expect(r.v6).toEqual({ GOOS: "linux", GOARCH: "arm", GOARM: "6", CGO_ENABLED: "0" })
    expect(r.amd64v3).toEqual({ GOOS: "linux", GOARCH: "amd64", GOAMD64: "v3", CGO_ENABLED: "0" })
    expect(r.mips).toEqual({ GOOS: "linux", GOARCH: "mips64le", GOMIPS64: "hardfloat", CGO_ENABLED: "0" })
    expect(r.rv).toBe("riscv64gc-unknown-linux-gnu")
    expect(r.v7musl).toBe("armv7-unknown-linux-musleabihf")
    expect(r.i686).toBe("i686-unknown-linux-gnu")
  })
})
