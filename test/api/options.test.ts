/**
 * Every build option is reachable (issue 16, item 5): `plan`, `build` and `binaries` take every
 * option the toolchains have; `go` and `rust` take their toolchain's. Read with the SDK's own
 * introspector, the way `dagger call <fn> --help` lists them.
 */
import { describe, expect, it } from "vitest"
import { apiSurface, scanModule } from "../engine/introspect.js"

const surface = apiSurface(await scanModule())
const fns = surface.objects[surface.mainObject].functions
const args = (fn: string) => fns[fn].args.map((a) => a.name)

const GO = ["goVersion", "goImage", "pkg", "ldflags", "cgo", "tags", "cgoPackages", "binaryName", "versionVar", "commitVar", "entrypoint", "version", "commit"]
const RUST = ["rustVersion", "rustImage", "libc", "bin", "features", "noDefaultFeatures", "profile"]
const COMPILED = ["cacheNamespace", "emulate"]

describe("every Go and Rust option is reachable", () => {
  it.each(["plan", "build", "binaries"])("%s takes every Go, Rust and shared compiled option", (fn) => {
    for (const a of [...GO, ...RUST, ...COMPILED]) expect(args(fn), `${fn} --${a}`).toContain(a)
  })
  it("go takes the Go options, rust the Rust ones", () => {
    for (const a of [...GO, ...COMPILED]) expect(args("go"), `go --${a}`).toContain(a)
    for (const a of [...RUST, ...COMPILED]) expect(args("rust"), `rust --${a}`).toContain(a)
  })
  it("list options are lists (the CLI splits a,b)", () => {
    for (const fn of ["plan", "build", "binaries", "go"])
      for (const a of ["tags", "cgoPackages"]) expect(fns[fn].args.find((x) => x.name === a)!.type.kind, `${fn} ${a}`).toBe("LIST_KIND")
  })
})
