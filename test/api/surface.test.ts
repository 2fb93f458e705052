/**
 * The module's API surface, as the Dagger TypeScript runtime's own introspector (`scan`) sees it
 * from every .ts file under src/, and as the real entrypoint registers it with the engine.
 *
 * The generic checks are generated from the scan, so functions and arguments added later are
 * covered automatically: every function needs a description and every argument a description
 * (that is what `dagger functions` and `dagger call <fn> --help` show).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import {
  apiSurface,
  formatTypeRef,
  listModuleFiles,
  scanModule,
  SDK_DIST,
  ensureClientGenShim,
  moduleNameOf,
  type ArgSurface,
  type FunctionSurface,
} from "../engine/introspect.js"
import { startRecordingEngine, type RecordingEngine, type RegisteredModule } from "../engine/recording-engine.js"
import { registerModule } from "../engine/harness.js"
import { SOURCE_IGNORE } from "../../modules/core/source.js"
import { BUILD_DEFAULTS, DEFAULT_PLATFORMS } from "../../modules/toolchains/request.js"
import { DEFAULT_LIBC, DEFAULT_PROFILE } from "../../modules/toolchains/rust/options.js"
import { pathToFileURL } from "node:url"
import * as path from "node:path"

const surface = apiSurface(await scanModule())
const main = surface.objects[surface.mainObject]

const allFunctions: Array<[string, FunctionSurface]> = Object.values(surface.objects).flatMap((o) =>
  Object.values(o.functions).map((f) => [`${o.name}.${f.name}`, f] as [string, FunctionSurface]),
)
const allArgs: Array<[string, ArgSurface]> = [
  ...allFunctions.flatMap(([where, f]) => f.args.map((a) => [`${where}(${a.name})`, a] as [string, ArgSurface])),
  // only the main object's constructor is reachable from the CLI (`dagger call --flag … fn`)
  ...(main?.constructorArgs ?? []).map((a) => [`${main.name}.constructor(${a.name})`, a] as [string, ArgSurface]),
]

describe("API surface (SDK introspector over src/**/*.ts)", () => {
  it("scans every .ts file under src/ and finds the main object", () => {
    expect(listModuleFiles().some((f) => f.endsWith("/src/index.ts"))).toBe(true)
    expect(surface.mainObject).toBe("Multiarch")
    expect(main, `objects found: ${Object.keys(surface.objects).join(", ")}`).toBeDefined()
  })

  it("the build-like functions: an optional source with the ignore list, the caller's workspace, every default visible in the signature (what --help shows)", () => {
    for (const fn of ["plan", "build", "go", "rust", "dockerfile", "binaries"]) {
      const f = main.functions[fn]
      const arg = (n: string) => f.args.find((a) => a.name === n)
      const source = arg("source")!
      expect(source.type, fn).toEqual({ kind: "OBJECT_KIND", name: "Directory" })
      expect(source.optional, fn).toBe(true)
      // no defaultPath: Dagger resolves it against the module's own repository, not the caller's
      expect(source.defaultPath, fn).toBeUndefined()
      expect(source.ignore, fn).toEqual(SOURCE_IGNORE)
      expect(arg("workspace"), fn).toMatchObject({ type: { kind: "OBJECT_KIND", name: "Workspace" }, optional: true })
      // a comma-separated string like buildx's --platform: the SDK registers defaults of primitives only
      expect(arg("platforms"), fn).toMatchObject({ type: { kind: "STRING_KIND" }, defaultValue: DEFAULT_PLATFORMS.join(",") })
    }
    const def = (fn: string, a: string) => main.functions[fn].args.find((x) => x.name === a)?.defaultValue
    expect(def("plan", "format")).toBe("json")
    // libc's default depends on the toolchain (Rust musl; Node gnu, or musl for an Alpine --base): none on plan/build/binaries/node
    for (const f of ["plan", "build", "binaries", "node"]) expect(def(f, "libc"), f).toBeUndefined()
    expect(def("rust", "libc")).toBe(DEFAULT_LIBC)
    expect(def("build", "profile")).toBe(DEFAULT_PROFILE)
    expect(def("build", "dockerfile")).toBe("Dockerfile")
    expect(def("build", "cgo")).toBe(false)
    expect(def("build", "emulate")).toBe(false)
    expect(def("build", "allowSecretBuildArgs")).toBe(false)
    const img = surface.objects.MultiarchImage.functions
    expect(img.publish.args.find((a) => a.name === "compression")!.defaultValue).toBe("gzip")
    expect(img.publish.args.find((a) => a.name === "mediaTypes")!.defaultValue).toBe("oci")
    expect(img.tarball.args.map((a) => [a.name, a.defaultValue])).toEqual([["compression", "gzip"], ["mediaTypes", "oci"]])
    // the library's defaults are the signatures' defaults
    for (const [k, v] of Object.entries(BUILD_DEFAULTS)) expect(def("build", k), k).toEqual(k === "platforms" ? (v as string[]).join(",") : v)
    // and every argument with a default is registered with it (none is a list, whose default the SDK would drop)
    for (const [where, f] of allFunctions) for (const a of f.args) if (a.defaultValue !== undefined) expect(a.type.kind, `${where}(${a.name})`).not.toBe("LIST_KIND")
  })

  it("words are strings listed lower-case in their description (the engine upper-cases enum names in --help and the CLI rejects a wrong one before the module can say 'did you mean')", () => {
    expect(Object.keys(surface.enums)).toEqual([])
    const arg = (o: string, f: string, a: string) => surface.objects[o].functions[f].args.find((x) => x.name === a)!
    expect(arg("Multiarch", "build", "lang").type).toEqual({ kind: "STRING_KIND" })
    expect(arg("Multiarch", "build", "lang").description).toMatch(/go, rust, node or dockerfile/)
    expect(arg("Multiarch", "build", "libc").description).toMatch(/musl .* or gnu/)
    expect(arg("Multiarch", "plan", "format").description).toMatch(/json or text/)
    expect(arg("MultiarchImage", "publish", "compression").description).toMatch(/gzip .*zstd .*uncompressed or estargz/)
    expect(arg("MultiarchImage", "publish", "mediaTypes").description).toMatch(/oci, or docker/)
  })

  it("exposes the user-facing functions with the documented shapes", () => {
    const names = (o: string) => Object.keys(surface.objects[o]?.functions ?? {}).sort()
    expect(names("Multiarch")).toEqual(expect.arrayContaining(["annotate", "binaries", "build", "go", "inspect", "merge", "plan", "verify"]))
    expect(names("MultiarchImage")).toEqual(expect.arrayContaining(["platforms", "publish", "sync", "tarball", "variant", "withAnnotation", "withLabel"]))
    const argType = (o: string, f: string, a: string) => surface.objects[o].functions[f].args.find((x) => x.name === a)
    expect(formatTypeRef(surface.objects.Multiarch.functions.build.returnType)).toMatch(/MultiarchImage/)
    expect(formatTypeRef(surface.objects.Multiarch.functions.binaries.returnType)).toMatch(/Directory/)
    expect(argType("MultiarchImage", "publish", "password")!.type).toEqual({ kind: "OBJECT_KIND", name: "Secret" })
    expect(argType("MultiarchImage", "publish", "address")!.optional).toBe(false)
    expect(argType("MultiarchImage", "variant", "platform")!.type).toEqual({ kind: "STRING_KIND" })
    // `sync` with no argument: the CLI selects it when `build` ends the command (build-only mode)
    expect(surface.objects.MultiarchImage.functions.sync.args).toEqual([])
    expect(formatTypeRef(surface.objects.MultiarchImage.functions.sync.returnType)).toMatch(/MultiarchImage/)
    expect(formatTypeRef(surface.objects.MultiarchImage.functions.tarball.returnType)).toMatch(/File/)
  })

  it("plan takes every argument build takes (plus its format); go, rust, node, dockerfile and binaries take a subset", () => {
    const args = (f: string) => main.functions[f].args.map((a) => a.name)
    const build = args("build")
    expect(args("plan").filter((a) => a !== "format")).toEqual(build)
    for (const f of ["go", "rust", "node", "dockerfile", "binaries"]) for (const a of args(f)) expect(build, `${f}(${a})`).toContain(a)
    expect(args("node")).toEqual(["source", "platforms", "nodeVersion", "libc", "entrypoint", "emulate", "version", "commit", "base", "sourceUrl", "created", "labels", "workspace"])
    // one --entrypoint string for Go (the binary) and Node (its argv, comma-separated), on build and node alike
    for (const f of ["build", "node", "go"]) expect(main.functions[f].args.find((x) => x.name === "entrypoint")!.type, f).toEqual({ kind: "STRING_KIND" })
    for (const n of ["source", "platforms", "lang", "goVersion", "pkg", "ldflags", "cgo", "nodeVersion", "entrypoint", "version", "commit", "sourceUrl", "created", "labels", "buildArgs", "allowSecretBuildArgs", "secrets", "secretIds", "workspace"]) expect(build).toContain(n)
    // every label option on every image-building function (README: "all")
    for (const f of ["go", "rust", "node", "dockerfile"]) for (const n of ["sourceUrl", "created", "labels", "version", "commit"]) expect(args(f), `${f}(${n})`).toContain(n)
    expect(surface.objects.MultiarchImage.functions.publish.args.map((a) => a.name).slice(0, 4)).toEqual(["address", "tags", "username", "password"])
  })

  it("every function that talks to a registry takes --username/--password, --registry-config (a Secret) and --plain-http", () => {
    const fns: Array<[string, string]> = [["Multiarch", "inspect"], ["Multiarch", "verify"], ["Multiarch", "merge"], ["Multiarch", "annotate"], ["MultiarchImage", "publish"]]
    for (const [o, f] of fns) {
      const arg = (n: string) => surface.objects[o].functions[f].args.find((a) => a.name === n)
      expect(arg("password")?.type, `${o}.${f}(password)`).toEqual({ kind: "OBJECT_KIND", name: "Secret" })
      expect(arg("registryConfig")?.type, `${o}.${f}(registryConfig)`).toEqual({ kind: "OBJECT_KIND", name: "Secret" })
      expect(arg("registryConfig")!.optional).toBe(true)
      expect(arg("plainHttp")?.type, `${o}.${f}(plainHttp)`).toMatchObject({ kind: "BOOLEAN_KIND" })
      expect(arg("plainHttp")!.optional).toBe(true)
    }
  })

  it("has at least one function (the generic checks below are not vacuous)", () => {
    expect(allFunctions.length).toBeGreaterThan(0)
    expect(allArgs.length).toBeGreaterThan(0)
  })

  describe.each(allFunctions)("%s", (where, fn) => {
    it("has a description", () => {
      expect(fn.description.trim(), `${where} has no JSDoc description`).not.toBe("")
    })
    it("documents every argument", () => {
      const undocumented = fn.args.filter((a) => a.description.trim() === "").map((a) => a.name)
      expect(undocumented, `${where}: undocumented arguments (add @param lines)`).toEqual([])
    })
    it("has resolvable argument and return types", () => {
      for (const t of [fn.returnType, ...fn.args.map((a) => a.type)]) expect(formatTypeRef(t)).not.toMatch(/unknown/i)
    })
  })

  it("documents every argument of the main object's constructor (top-level flags)", () => {
    const undocumented = allArgs.filter(([w, a]) => w.includes(".constructor(") && a.description.trim() === "").map(([w]) => w)
    expect(undocumented).toEqual([])
  })

  it("documents every exposed field", () => {
    const undocumented = Object.values(surface.objects).flatMap((o) =>
      Object.values(o.fields)
        .filter((f) => f.description.trim() === "")
        .map((f) => `${o.name}.${f.name}`),
    )
    expect(undocumented).toEqual([])
  })

  it("documents every enum member", () => {
    const undocumented = Object.values(surface.enums).flatMap((e) =>
      Object.entries(e.members)
        .filter(([, m]) => m.description.trim() === "")
        .map(([n]) => `${e.name}.${n}`),
    )
    expect(undocumented).toEqual([])
  })

  it("every default value is visible to the introspector (shown by --help)", async () => {
    // The introspector warns and drops defaults it cannot resolve (e.g. `= [..] as Platform[]`).
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {})
    try {
      const { scan } = (await import(pathToFileURL(path.join(SDK_DIST, "module/introspector/index.js")).href)) as {
        scan(files: string[], name: string, load: boolean): Promise<unknown>
      }
      await scan([...listModuleFiles(), ensureClientGenShim()], moduleNameOf(), false)
      const unresolved = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes("cannot be resolved"))
      expect(unresolved).toEqual([])
    } finally {
      warn.mockRestore()
    }
  })
})

describe("API surface as registered by the real entrypoint", () => {
  let engine: RecordingEngine
  let registered: RegisteredModule | undefined
  let regError: string | undefined

  beforeAll(async () => {
    engine = await startRecordingEngine()
    const r = await registerModule(engine)
    registered = r.registered
    regError = r.ok ? undefined : `${r.error}\n${r.stderr}`
  })
  afterAll(async () => {
    await engine?.close()
  })

  it("registers without error and without unknown engine fields", () => {
    expect(regError).toBeUndefined()
    expect(registered).toBeDefined()
    expect(engine.unknownFields).toEqual([])
  })

  it("registers build with an optional source carrying the ignore list, a Workspace argument, and the defaults as values", () => {
    const build = registered!.objects.Multiarch?.functions.build
    expect(build).toBeDefined()
    const arg = (n: string) => build!.args.find((a) => a.name === n)
    expect(arg("source")).toMatchObject({ type: "Directory?", ignore: SOURCE_IGNORE })
    expect(arg("source")!.defaultPath).toBeUndefined()
    expect(arg("workspace")).toMatchObject({ type: "Workspace?" })
    expect(arg("platforms")).toMatchObject({ type: "string", defaultValue: DEFAULT_PLATFORMS.join(",") })
    // every default the scan resolved reaches the registration (shown by `dagger call build --help`)
    const scanned = main.functions.build.args.filter((a) => a.defaultValue !== undefined)
    // platforms, cgo, profile, dockerfile, allowSecretBuildArgs, emulate (libc's default is the toolchain's)
    expect(scanned.length).toBeGreaterThanOrEqual(6)
    for (const a of scanned) expect(arg(a.name)!.defaultValue, a.name).toEqual(a.defaultValue)
    expect(arg("libc")).toMatchObject({ type: "string?" })
    expect(arg("libc")!.defaultValue).toBeUndefined()
    expect(arg("lang")).toMatchObject({ type: "string?" })
    expect(arg("lang")!.defaultValue).toBeUndefined()
  })

  it("registers exactly the scanned functions, with their descriptions and arguments", () => {
    for (const [where, fn] of allFunctions) {
      const [objName] = where.split(".")
      const reg = registered!.objects[objName]?.functions[fn.name]
      expect(reg, `${where} not registered`).toBeDefined()
      expect(reg!.description ?? "", where).toBe(fn.description)
      expect(reg!.args.map((a) => a.name), where).toEqual(fn.args.map((a) => a.name))
      for (const a of fn.args) expect(reg!.args.find((r) => r.name === a.name)!.description ?? "", `${where}(${a.name})`).toBe(a.description)
    }
    const registeredCount = Object.values(registered!.objects).reduce((n, o) => n + Object.keys(o.functions).length, 0)
    expect(registeredCount).toBe(allFunctions.length)
  })
})
