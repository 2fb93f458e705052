/**
 * Go toolchain, pure part: go.mod facts and the per-target BuildPlan. The builder is a Debian-based
 * Go image on the engine's native platform (version.ts picks a published tag); each target gets
 * the full env from the target table; the main packages come from a cheap scan (source.ts).
 */
import { debianCrossPackage, glibcBaseOf, goEnv, platformSlug } from "../../core/env.js"
import { elfCheckArgv } from "../../core/elf.js"
import { MultiarchInputError } from "../../core/errors/index.js"
import type { EnginePlatform } from "../../core/native.js"
import type { BuildPlan, PlanStep, SourceFacts } from "../../core/plan.js"
import type { TargetRow } from "../../core/targets.js"
import { binaryPlanParts, cacheNamespace, imageKey, listOf, OUT_DIR } from "../compiled.js"
import { checkGoOptions, type GoOptions } from "./options.js"
import { describeSeen, discoverMains, packageFacts, packageList, ROOT_LISTING, type BuildContext } from "./source.js"
import { goMinorOf, resolveGoImage } from "./version.js"

export { checkGoOptions, type GoOptions } from "./options.js"
export { DEFAULT_GO_VERSION } from "./version.js"

/** A Go plan: the compiled-plan shape, discriminated as "go". */
export type GoPlan = BuildPlan<"go">

export interface GoModFacts {
  module: string
  /** The `go` line (a minimum): 1.22, 1.22.4, 1.22rc1. */
  go?: string
  /** The `toolchain` line without its "go" prefix (a preference); `default` is left out. */
  toolchain?: string
  /** The toolchain line's version, else the go line's (what the module asks for). */
  goVersion?: string
}

export function parseGoMod(text: string): GoModFacts {
  const mod = /^\s*module\s+("?)([^\s"]+)\1\s*(?:\/\/.*)?$/m.exec(text)
  if (!mod)
    throw new MultiarchInputError("source", "go.mod", "go.mod has no module line", "run `go mod init <module path>` in the source")
  const toolchain = /^\s*toolchain\s+go(\d+\.\d+(?:\.\d+|(?:rc|beta)\d+)?)\s*(?:\/\/.*)?$/m.exec(text)?.[1]
  const go = /^\s*go\s+(\d+\.\d+(?:\.\d+|(?:rc|beta)\d+)?)\s*(?:\/\/.*)?$/m.exec(text)?.[1]
  const goVersion = toolchain ?? go
  return { module: mod[2], ...(go ? { go } : {}), ...(toolchain ? { toolchain } : {}), ...(goVersion ? { goVersion } : {}) }
}

/** `.go-version` contents: the first non-comment line, a leading "go" dropped. */
export function parseGoVersionFile(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== "" && !l.startsWith("#"))
  return line?.replace(/^go/, "")
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

/**
 * One -ldflags field as go reads it (cmd/go splits -ldflags into fields with its quoted-field
 * rules: a field may be in '…' or "…", no escapes): bare when plain, else quoted.
 */
function ldflagsField(field: string, option: string): string {
  if (!/[\s'"]/.test(field)) return field
  if (!field.includes("'")) return `'${field}'`
  if (!field.includes('"')) return `"${field}"`
  throw new MultiarchInputError(option, field, "go cannot read a -X value holding both ' and \"", "drop one kind of quote from the value")
}

/** The -ldflags value: "-s -w", user additions, then -X injections (values with spaces quoted for go). */
export function goLdflags(o: GoOptions): string {
  const parts = ["-s", "-w"]
  if (o.ldflags?.trim()) parts.push(o.ldflags.trim())
  if (o.version !== undefined) parts.push(`-X ${ldflagsField(`${o.versionVar ?? "main.version"}=${o.version}`, "version")}`)
  if (o.commit !== undefined) parts.push(`-X ${ldflagsField(`${o.commitVar ?? "main.commit"}=${o.commit}`, "commit")}`)
  return parts.join(" ")
}

/**
 * How a cgo binary is linked, from the flags that decide it: `-extldflags` holding `-static` (or
 * `-static-pie`), as in `-ldflags '-extldflags -static'` or `-linkmode external -extldflags "-static"`,
 * makes it static; otherwise cgo links glibc dynamically. Without cgo Go links statically.
 */
export function goLinkage(o: Pick<GoOptions, "cgo" | "ldflags">): "static" | "dynamic" {
  if (!o.cgo) return "static"
  // Stryker disable next-line StringLiteral: equivalent — any fallback without "-extldflags" finds nothing, like ""
  const m = /(?:^|\s)--?extldflags(?:=|\s+)(?:"([^"]*)"|'([^']*)'|(\S+))/.exec(o.ldflags ?? "")
  // Stryker disable next-line StringLiteral: equivalent — any fallback without "-static" reads as dynamic, like ""
  const ext = m ? (m[1] ?? m[2] ?? m[3]) : ""
  return /(^|\s)-static(-pie)?(\s|$)/.test(ext) ? "static" : "dynamic"
}

/** The binary name of a package path: its last element (a /vN major-version element skips to the one before); `.` → the module's. */
export function packageBinaryName(pkg: string, mod: Pick<GoModFacts, "module">): string {
  const clean = pkg.replace(/\/+$/, "")
  const path = clean === "." || clean === "" ? mod.module : clean
  const parts = path.split("/").filter((p) => p !== "" && p !== ".")
  // Stryker disable next-line StringLiteral: equivalent — an empty last element falls back to "app" on the next line
  const last = parts.at(-1) ?? "app"
  return (/^v\d+$/.test(last) ? parts.at(-2) : last) || "app"
}

export function goBinaryName(o: GoOptions, mod: Pick<GoModFacts, "module">): string {
  if (o.binaryName) return o.binaryName
  // Stryker disable next-line StringLiteral: equivalent — packageBinaryName reads "" as "." (the module's name)
  return packageBinaryName(packageList(o.package ?? ".")[0] ?? ".", mod)
}

/** Debian packages a cgo builder needs for a target (cross gcc and the target's libc headers). */
export function cgoPackages(row: Readonly<TargetRow>): string[] {
  if (!row.debianCrossGcc)
    throw new MultiarchInputError("cgo", row.platform, `Debian bookworm ships no C cross compiler for ${row.arch}`, "build this platform without --cgo, or drop it from --platforms")
  return [debianCrossPackage("gcc", row.gccTriple), debianCrossPackage("g++", row.gccTriple), `libc6-dev-${row.debianArch}-cross`]
}

/**
 * Debian bookworm's release architectures (Debian 12 release notes, "Supported architectures"):
 * the only ones deb.debian.org has `<pkg>:<arch>` packages for in bookworm. riscv64 and loong64
 * were ports then (riscv64 is a release architecture from trixie on); big-endian mips/mips64 are
 * no Debian architectures any more.
 */
export const BOOKWORM_ARCHES: ReadonlySet<string> = new Set(["amd64", "arm64", "armel", "armhf", "i386", "mips64el", "mipsel", "ppc64el", "s390x"])

export interface GoPackages {
  /** Main packages, in build order. */
  pkgs: string[]
  /** Binary names, same order. */
  names: string[]
  /** Index of the entrypoint binary. */
  entry: number
  notes: string[]
}

/** The directories of the source the directory listing shows (scan facts), for hints. */
function rootDirs(facts: SourceFacts): string[] {
  return (facts.listings?.["*/"] ?? []).map((d) => d.replace(/\/$/, "")).filter((d) => !d.startsWith("."))
}

/** Which main packages to build for this target, their binary names and the entrypoint. */
export function goPackages(o: GoOptions, facts: SourceFacts, mod: GoModFacts, ctx: BuildContext, platform: string): GoPackages {
  const notes: string[] = []
  let pkgs: string[]
  if (o.package !== undefined) {
    pkgs = packageList(o.package)
    for (const p of pkgs) {
      const dir = p === "." ? "." : p.replace(/^\.\//, "").replace(/\/+$/, "")
      // checked only where the scan read the directory (a relative path)
      const scanned = dir === "." ? facts.listings?.[ROOT_LISTING] !== undefined : facts.listings?.[`${dir}/*.go`] !== undefined
      if (!scanned || !(p === "." || p.startsWith("./"))) continue
      const f = packageFacts(facts, dir, ctx)
      if (f.files === 0) throw new MultiarchInputError("pkg", p, `${p} has no Go files`, "pass the directory of a main package, e.g. ./cmd/app")
      if (f.cgoOnly && f.nameWithCgo === "main" && !o.cgo)
        throw new MultiarchInputError("cgo", "false", `${p} has Go files only with cgo (import "C" or //go:build cgo): CGO_ENABLED=0 excludes them all`, "pass --cgo (Debian's gcc-<triple> per target)")
      const name = f.name ?? f.nameWithCgo
      if (name !== undefined && name !== "main")
        throw new MultiarchInputError("pkg", p, `${p} is package ${name}, not a main package`, "pass the directory of a package main, e.g. ./cmd/app")
      if (name === undefined)
        throw new MultiarchInputError("pkg", p, `build constraints exclude every file of ${p} for ${platform}`, "check --tags, or drop this platform")
    }
    notes.push(`main package${pkgs.length > 1 ? "s" : ""} ${pkgs.join(", ")} (--pkg)`)
  } else {
    const d = discoverMains(facts, ctx)
    if (d.mains.length === 0) {
      const dirs = rootDirs(facts)
      throw new MultiarchInputError(
        "pkg",
        "",
        `no main package to build for ${platform}: ${describeSeen(d.seen, ctx.goarch)}${facts.entries.includes("cmd") ? "; no cmd/<name> directory holds one" : "; there is no cmd/ directory"}`,
        `pass --pkg with the directory of the main package, e.g. --pkg ./path/to/main` + (dirs.length ? ` (directories at the root: ${dirs.slice(0, 12).join(", ")})` : ""),
      )
    }
    if (d.cgoOnly.length && !o.cgo) {
      const rest = d.mains.filter((m) => !d.cgoOnly.includes(m))
      throw new MultiarchInputError(
        "cgo",
        "false",
        `${d.cgoOnly.join(", ")} ${d.cgoOnly.length > 1 ? "have" : "has"} Go files only with cgo (import "C" or //go:build cgo): CGO_ENABLED=0 excludes them all`,
        `pass --cgo (Debian's gcc-<triple> per target)` + (rest.length ? `, or --pkg ${rest.join(",")} to build only the others` : ""),
      )
    }
    pkgs = d.mains
    if (d.scanned) {
      const why = pkgs[0] === "." ? ". is package main" : `. is ${d.seen[0].files ? `package ${d.seen[0].name ?? "(excluded)"}` : "no Go package"}; found ${pkgs.length} main package${pkgs.length > 1 ? "s" : ""} in cmd/`
      notes.push(`main package${pkgs.length > 1 ? "s" : ""} ${pkgs.join(", ")} (${why}; --pkg picks others)`)
    }
  }
  if (pkgs.length > 1 && o.binaryName !== undefined)
    throw new MultiarchInputError("binary-name", o.binaryName, `--binary-name names one binary, but ${pkgs.length} main packages are built (${pkgs.join(", ")})`, `drop --binary-name (each binary is named after its directory), or pass --pkg with one package`)
  const names = pkgs.length === 1 ? [goBinaryName({ ...o, package: pkgs[0] }, mod)] : pkgs.map((p) => packageBinaryName(p, mod))
  const dup = names.find((n, i) => names.indexOf(n) !== i)
  if (dup) throw new MultiarchInputError("pkg", pkgs.join(","), `two main packages would both be named ${dup}`, "build them one at a time with --pkg and --binary-name")
  let entry = 0
  if (o.entrypoint !== undefined) {
    entry = names.indexOf(o.entrypoint)
    if (entry < 0) throw new MultiarchInputError("entrypoint", o.entrypoint, `no binary of that name is built (binaries: ${names.join(", ")})`, `pass --entrypoint ${names[0]}, or --pkg with its package`)
  } else if (names.length > 1) {
    const own = names.indexOf(packageBinaryName(".", mod))
    entry = own >= 0 ? own : 0
    notes.push(
      `${names.length} binaries in the image (/usr/local/bin/${names.join(", /usr/local/bin/")}); entrypoint ${names[entry]} ` +
        (own >= 0 ? `(named like the module)` : `(the first; none is named like the module ${mod.module})`) +
        `: --entrypoint <name> picks another, --pkg ./cmd/<name> builds only one`,
    )
  }
  return { pkgs, names, entry, notes }
}

/** The setup step that installs the C cross toolchain and the target's -dev packages for cgo. */
function cgoSetup(row: Readonly<TargetRow>, o: GoOptions, engine: EnginePlatform, env: Record<string, string>): PlanStep[] {
  const dev = listOf(o.cgoPackages)
  const apt = (pkgs: string[], addArch = "") => ({
    name: dev.length ? "install C cross compiler and target packages" : "install C cross compiler",
    argv: ["sh", "-c", `${addArch}apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${pkgs.join(" ")}`],
  })
  if (o.emulate || row.debianArch === engine.row?.debianArch) {
    // the golang image of the builder's own architecture has gcc and libc headers; only -dev packages are missing
    return dev.length ? [apt(dev)] : []
  }
  const pkgs = cgoPackages(row)
  if (!dev.length) return [apt(pkgs)]
  if (!BOOKWORM_ARCHES.has(row.debianArch))
    throw new MultiarchInputError(
      "cgo-packages",
      dev.join(","),
      `${row.platform}: Debian bookworm has no ${row.debianArch} packages to install (${row.debianArch} is not one of its release architectures)`,
      `drop ${row.platform} from --platforms, or build it with --emulate --base <an image of that platform>`,
    )
  // the target's pkg-config wrapper (<triple>-pkg-config, from pkgconf:<arch>) finds the target's .pc files
  env.PKG_CONFIG = `${row.gccTriple}-pkg-config`
  return [apt([...pkgs, `pkgconf:${row.debianArch}`, ...dev.map((p) => `${p}:${row.debianArch}`)], `dpkg --add-architecture ${row.debianArch} && `)]
}

/** The plan of one target: a native (or, with --emulate, a target-platform) golang builder, the full env from the table. */
export function planGo(row: Readonly<TargetRow>, o: GoOptions, facts: SourceFacts, engine: EnginePlatform): GoPlan {
  checkGoOptions(o)
  const goModText = facts.files["go.mod"]
  if (goModText === undefined)
    throw new MultiarchInputError("source", facts.entries.join(", "), "no go.mod at the root of the source", "pass --source pointing at the Go module root")
  const mod = parseGoMod(goModText)
  for (const p of packageList(o.package ?? "")) checkGoPackage(p, mod)
  const img = resolveGoImage(o, { go: mod.go, toolchain: mod.toolchain, goVersionFile: parseGoVersionFile(facts.files[".go-version"]) })
  const tags = listOf(o.tags)
  const ctx: BuildContext = { goarch: row.go.GOARCH, cgo: !!o.cgo, tags, goMinor: goMinorOf(img.version) }
  const chosen = goPackages(o, facts, mod, ctx, row.platform)
  const slug = platformSlug(row)
  const env: Record<string, string> = {
    ...goEnv(row, { cgo: o.cgo }),
    GOCACHE: "/root/.cache/go-build",
    GOMODCACHE: "/go/pkg/mod",
  }
  let setup: PlanStep[] = []
  if (o.cgo && o.emulate) {
    // the emulated builder is a target-platform golang image: its own gcc is the target's
    env.CC = "gcc"
    env.CXX = "g++"
    setup = cgoSetup(row, o, engine, env)
  } else if (o.cgo) {
    const triple = row.gccTriple
    env.CC = `${triple}-gcc`
    env.CXX = `${triple}-g++`
    env.AR = `${triple}-ar`
    setup = cgoSetup(row, o, engine, env)
  }
  const linkage = goLinkage(o)
  const entryName = chosen.names[chosen.entry]
  const parts = binaryPlanParts(row, engine, { emulate: o.emulate, binary: entryName, linkage, base: o.base ?? (linkage === "static" ? "scratch" : glibcBaseOf(row)) })
  const ldflags = goLdflags(o)
  const buildArgv = (pkg: string, name: string) => ["go", "build", "-trimpath", ...(tags.length ? ["-tags", tags.join(",")] : []), "-ldflags", ldflags, "-o", `${OUT_DIR}/${name}`, pkg]
  const order = [chosen.entry, ...chosen.pkgs.map((_, i) => i).filter((i) => i !== chosen.entry)]
  const several = order.length > 1
  const builds: PlanStep[] = order.map((i) => ({ name: several ? `go build ${chosen.pkgs[i]}` : "go build", argv: buildArgv(chosen.pkgs[i], chosen.names[i]) }))
  const verifies: PlanStep[] = order.map((i) =>
    i === chosen.entry ? parts.verifyStep : { name: `verify ELF ${chosen.names[i]}`, argv: elfCheckArgv(`${OUT_DIR}/${chosen.names[i]}`, row.platform, row.elf, linkage) },
  )
  const { ns, source: nsSource } = cacheNamespace(o.cacheNamespace, "go", mod.module)
  const cacheVersion = img.version ?? imageKey(img.image)
  const notes = [
    `Go: ${img.image}, ${img.source}; ` +
      (o.emulate ? `builder emulated as ${row.platform} (--emulate): expect 4–15× slower builds` : `builder on the engine's native platform ${engine.platform}`),
    ...chosen.notes,
  ]
  if (!o.cgo) notes.push(`CGO_ENABLED=0: static binary (if go build says "build constraints exclude all Go files" in a package, that package needs cgo: pass --cgo)`)
  else if (linkage === "static") notes.push(`cgo with ${o.emulate ? "the image's gcc" : `${row.gccTriple}-gcc`}, linked statically (-extldflags -static in --ldflags): checked as a static binary, runtime ${o.base ?? "scratch"}`)
  else notes.push(`cgo with ${o.emulate ? "the image's gcc" : `${row.gccTriple}-gcc`}: dynamically linked against glibc 2.36 (bookworm); runtime base must have glibc >= 2.36`)
  if (tags.length) notes.push(`build tags: ${tags.join(",")} (--tags)`)
  const dev = listOf(o.cgoPackages)
  if (dev.length) notes.push(`target packages for cgo: ${dev.join(", ")} (--cgo-packages), installed for ${o.emulate || row.debianArch === engine.row?.debianArch ? "the builder's own architecture" : `Debian ${row.debianArch}`}`)
  notes.push(`cache volumes namespaced by ${nsSource}`)
  const extra = order.slice(1).map((i) => ({ path: `${OUT_DIR}/${chosen.names[i]}`, name: chosen.names[i] }))
  return {
    platform: parts.platform,
    toolchain: "go",
    mode: parts.mode,
    native: parts.native,
    builder: { image: img.image, platform: parts.builderPlatform, setup },
    workdir: parts.workdir,
    env,
    caches: [
      { path: "/go/pkg/mod", key: `multiarch-go-mod-${ns}-${slug}` },
      { path: "/root/.cache/go-build", key: `multiarch-go-build-${ns}-${cacheVersion}-${slug}` },
    ],
    steps: [...builds, ...verifies],
    output: parts.output,
    ...(extra.length ? { extraOutputs: extra } : {}),
    verify: parts.verify,
    runtime: parts.runtime,
    notes,
  }
}
