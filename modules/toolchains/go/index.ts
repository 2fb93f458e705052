/** Go toolchain: cross-compiles each target on the engine's native platform (go.mod). */
import { compiledToolchain, listOf } from "../compiled.js"
import type { Toolchain } from "../toolchain.js"
import { checkGoOptions, type GoOptions } from "./options.js"
import { planGo, type GoPlan } from "./plan.js"
import { scanGo } from "./source.js"

export const goToolchain = {
  name: "go",
  marker: () => "go.mod",
  factFiles: () => ["go.mod", ".go-version"],
  flags: ["goVersion", "goImage", "pkg", "ldflags", "cgo", "tags", "cgoPackages", "versionVar", "commitVar", "binaryName", "entrypoint", "base", "emulate", "cacheNamespace"],
  options: (b) => ({
    goVersion: b.goVersion,
    goImage: b.goImage,
    package: b.pkg,
    ldflags: b.ldflags,
    cgo: b.cgo,
    tags: b.tags === undefined ? undefined : listOf(b.tags),
    cgoPackages: b.cgoPackages === undefined ? undefined : listOf(b.cgoPackages),
    version: b.version,
    commit: b.commit,
    versionVar: b.versionVar,
    commitVar: b.commitVar,
    binaryName: b.binaryName,
    entrypoint: b.entrypoint,
    base: b.base,
    emulate: b.emulate,
    cacheNamespace: b.cacheNamespace,
  }),
  check: checkGoOptions,
  scan: (read, o, facts) => scanGo(read, o, facts),
  ...compiledToolchain(planGo),
} satisfies Toolchain<"go", GoOptions, GoPlan>

export { planGo, checkGoPackage, parseGoMod, parseGoVersionFile, goLdflags, goLinkage, goBinaryName, packageBinaryName, goPackages, cgoPackages, BOOKWORM_ARCHES, type GoPlan, type GoModFacts } from "./plan.js"
export { checkGoOptions, type GoOptions } from "./options.js"
export { resolveGoImage, hasBookwormImage, OLDEST_BOOKWORM_GO, FIRST_BOOKWORM_PATCH, DEFAULT_GO_VERSION, type GoImage } from "./version.js"
export { parseGoHead, parseBuildExpr, fileIncluded, fileNameMatches, scanGo, discoverMains, GO_HEAD_LINES, type GoFileHead, type BuildContext } from "./source.js"
