/** Go toolchain: cross-compiles each target on the engine's native platform (go.mod). */
import { compiledToolchain } from "../compiled.js"
import type { Toolchain } from "../toolchain.js"
import { checkGoOptions, planGo, type GoOptions, type GoPlan } from "./plan.js"

export const goToolchain = {
  name: "go",
  marker: () => "go.mod",
  factFiles: () => ["go.mod"],
  flags: ["goVersion", "pkg", "ldflags", "cgo", "base", "emulate"],
  options: (b) => ({
    goVersion: b.goVersion,
    package: b.pkg,
    ldflags: b.ldflags,
    cgo: b.cgo,
    version: b.version,
    commit: b.commit,
    base: b.base,
    emulate: b.emulate,
  }),
  check: checkGoOptions,
  ...compiledToolchain(planGo),
} satisfies Toolchain<"go", GoOptions, GoPlan>

export { planGo, checkGoOptions, checkGoPackage, parseGoMod, goLdflags, goBinaryName, cgoPackages, DEFAULT_GO_VERSION, type GoOptions, type GoPlan, type GoModFacts } from "./plan.js"
