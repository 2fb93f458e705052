/**
 * Go toolchain, pure part: go.mod facts and the per-target BuildPlan. The builder is a Debian-based
 * Go image on the engine's native platform; each target gets the full env from the target table.
 */
import { debianCrossPackage, glibcBaseOf, goEnv, platformSlug } from "../../core/env.js"
import { MultiarchInputError } from "../../core/errors/index.js"
import type { EnginePlatform } from "../../core/native.js"
import type { BuildPlan, SourceFacts } from "../../core/plan.js"
import type { TargetRow } from "../../core/targets.js"
import { binaryPlanParts } from "../compiled.js"

/** A Go plan: the compiled-plan shape, discriminated as "go". */
export type GoPlan = BuildPlan<"go">

export const DEFAULT_GO_VERSION = "1.23"

export interface GoOptions {
  /** Go version for the builder image; default from go.mod's toolchain/go line. */
  goVersion?: string
  /** Main package to build, e.g. ./cmd/app. Default ".". */
  package?: string
  /** Extra -ldflags, appended to the default "-s -w". */
  ldflags?: string
  /** Build with cgo and a target C cross compiler. */
  cgo?: boolean
  /** Value injected with -X <versionVar>=<version>. */
  version?: string
  /** Value injected with -X <commitVar>=<commit>. */
  commit?: string
  /** Go symbol for version injection. Default main.version. */
  versionVar?: string
  /** Go symbol for commit injection. Default main.commit. */
  commitVar?: string
  /** Runtime base image; default scratch (static) or debian:bookworm-slim (cgo). */
  base?: string
  /** Name of the binary; default the package's last path element or the module's. */
  binaryName?: string
  /**
   * Run the Go toolchain itself on the target platform under QEMU instead of cross-compiling
   * (for projects cross-compilation cannot handle). Slow: 4–15×.
   */
  emulate?: boolean
}

export interface GoModFacts {
  module: string
  /** Version from `toolchain goX.Y.Z`, else from `go X.Y[.Z]`. */
  goVersion?: string
}

export function parseGoMod(text: string): GoModFacts {
  const mod = /^\s*module\s+("?)([^\s"]+)\1\s*$/m.exec(text)
  if (!mod)
    throw new MultiarchInputError("source", "go.mod", "go.mod has no module line", "run `go mod init <module path>` in the source")
  const toolchain = /^\s*toolchain\s+go(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(text)
  const go = /^\s*go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(text)
  return { module: mod[2], goVersion: toolchain?.[1] ?? go?.[1] }
}

const VERSION_RE = /^\d+\.\d+(\.\d+)?$/
const PACKAGE_RE = /^(\.|\.\/[A-Za-z0-9_./-]*[A-Za-z0-9_-]|[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+)$/

/** Validate options before any engine work. */
export function checkGoOptions(o: GoOptions): void {
  if (o.goVersion !== undefined && !VERSION_RE.test(o.goVersion))
    throw new MultiarchInputError("go-version", o.goVersion, "expected a Go release like 1.23 or 1.23.4", "drop the 'go' prefix and any suffix, e.g. --go-version 1.23")
  if (o.package !== undefined && !PACKAGE_RE.test(o.package))
    throw new MultiarchInputError("pkg", o.package, "not a Go package path", "pass a main package relative to the source, e.g. ./cmd/app")
  if (o.package !== undefined && o.package.split("/").includes(".."))
    throw new MultiarchInputError("pkg", o.package, "the package leaves the source directory", "pass a main package inside the source, e.g. ./cmd/app")
  for (const [k, v] of [["version-var", o.versionVar], ["commit-var", o.commitVar]] as const)
    if (v !== undefined && !/^[A-Za-z0-9_./-]+\.[A-Za-z_][A-Za-z0-9_]*$/.test(v))
      throw new MultiarchInputError(k, v, "not a Go symbol path", "use <package path>.<var>, e.g. main.version")
  if (o.binaryName !== undefined && !/^[A-Za-z0-9_.-]+$/.test(o.binaryName))
    throw new MultiarchInputError("binary-name", o.binaryName, "not a plain file name", "use letters, digits, '.', '_' or '-'")
}


/**
 * The main package must be a path `go build` finds from the module root: relative (./cmd/app), in
 * this module (example.com/app/cmd/app), or of another module (its first element has a dot).
 * `cmd/app` is none of them: Go reads it as a standard-library path and fails with "package
 * cmd/app is not in std" — after the builder image was pulled.
 */
export function checkGoPackage(pkg: string | undefined, mod: GoModFacts): void {
  if (pkg === undefined || pkg === "." || pkg.startsWith("./")) return
  if (pkg === mod.module || pkg.startsWith(mod.module + "/")) return
  if (pkg.split("/")[0].includes(".")) return
  throw new MultiarchInputError(
    "pkg",
    pkg,
    `not a package path Go finds from the module root (go reads ${pkg} as a standard-library path, and this module is ${mod.module})`,
    `did you mean ./${pkg}? (a path relative to the module root starts with ./)`,
  )
}

/** The -ldflags value: "-s -w", user additions, then -X injections. */
export function goLdflags(o: GoOptions): string {
  const parts = ["-s", "-w"]
  if (o.ldflags?.trim()) parts.push(o.ldflags.trim())
  if (o.version !== undefined) parts.push(`-X ${o.versionVar ?? "main.version"}=${o.version}`)
  if (o.commit !== undefined) parts.push(`-X ${o.commitVar ?? "main.commit"}=${o.commit}`)
  return parts.join(" ")
}

export function goBinaryName(o: GoOptions, mod: GoModFacts): string {
  if (o.binaryName) return o.binaryName
  const pkg = (o.package ?? ".").replace(/\/+$/, "")
  const last = pkg === "." ? mod.module.split("/").pop()! : pkg.split("/").pop()!
  return last.replace(/^v\d+$/, mod.module.split("/").slice(-2, -1)[0] ?? "app") || "app"
}

/** Debian packages a cgo builder needs for a target (cross gcc and the target's libc headers). */
export function cgoPackages(row: Readonly<TargetRow>): string[] {
  if (!row.debianCrossGcc)
    throw new MultiarchInputError("cgo", row.platform, `Debian bookworm ships no C cross compiler for ${row.arch}`, "build this platform without --cgo, or drop it from --platforms")
  return [debianCrossPackage("gcc", row.gccTriple), debianCrossPackage("g++", row.gccTriple), `libc6-dev-${row.debianArch}-cross`]
}

/** The plan of one target: a native (or, with --emulate, a target-platform) golang builder, the full env from the table. */
export function planGo(row: Readonly<TargetRow>, o: GoOptions, facts: SourceFacts, engine: EnginePlatform): GoPlan {
  checkGoOptions(o)
  const goModText = facts.files["go.mod"]
  if (goModText === undefined)
    throw new MultiarchInputError("source", facts.entries.join(", "), "no go.mod at the root of the source", "pass --source pointing at the Go module root")
  const mod = parseGoMod(goModText)
  checkGoPackage(o.package, mod)
  const version = o.goVersion ?? mod.goVersion ?? DEFAULT_GO_VERSION
  const name = goBinaryName(o, mod)
  const slug = platformSlug(row)
  const env: Record<string, string> = {
    ...goEnv(row, { cgo: o.cgo }),
    GOCACHE: "/root/.cache/go-build",
    GOMODCACHE: "/go/pkg/mod",
  }
  const setup: BuildPlan["builder"]["setup"] = []
  if (o.cgo && o.emulate) {
    // the emulated builder is a target-platform golang image: its own gcc is the target's
    env.CC = "gcc"
    env.CXX = "g++"
  } else if (o.cgo) {
    const triple = row.gccTriple
    env.CC = `${triple}-gcc`
    env.CXX = `${triple}-g++`
    env.AR = `${triple}-ar`
    // the golang:*-bookworm image already has gcc and libc headers for its own architecture
    if (row.debianArch !== engine.row?.debianArch) {
      setup.push({
        name: "install C cross compiler",
        argv: ["sh", "-c", `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${cgoPackages(row).join(" ")}`],
      })
    }
  }
  const linkage = o.cgo ? "dynamic" : "static"
  const parts = binaryPlanParts(row, engine, { emulate: o.emulate, binary: name, linkage, base: o.base ?? (o.cgo ? glibcBaseOf(row) : "scratch") })
  return {
    platform: parts.platform,
    toolchain: "go",
    mode: parts.mode,
    native: parts.native,
    builder: { image: `golang:${version}-bookworm`, platform: parts.builderPlatform, setup },
    workdir: parts.workdir,
    env,
    caches: [
      { path: "/go/pkg/mod", key: `multiarch-go-mod-${slug}` },
      { path: "/root/.cache/go-build", key: `multiarch-go-build-${version}-${slug}` },
    ],
    steps: [{ name: "go build", argv: ["go", "build", "-trimpath", "-ldflags", goLdflags(o), "-o", parts.output.path, o.package ?? "."] }, parts.verifyStep],
    output: parts.output,
    verify: parts.verify,
    runtime: parts.runtime,
    notes: [
      `Go ${version} (${o.goVersion ? "--go-version" : mod.goVersion ? "from go.mod" : "default"}), ` +
        (o.emulate ? `builder emulated as ${row.platform} (--emulate): expect 4–15× slower builds` : `builder on the engine's native platform ${engine.platform}`),
      o.cgo ? `cgo with ${row.gccTriple}-gcc` : "CGO_ENABLED=0: static binary",
    ],
  }
}
