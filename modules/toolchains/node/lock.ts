/**
 * What package-lock.json says about a target's install (pure): which platform packages npm selects
 * for `--os linux --cpu <nodeArch> --libc <libc>`, and what each package with install-time work
 * needs for that target. The lock holds every platform's optional packages with their `os`/`cpu`/
 * `libc` fields, `hasInstallScript`, `dependencies` and `optionalDependencies`, so one lock serves
 * every target and the plan can name, before any engine work:
 *
 *  - installed   platform packages npm selects for the target (`@esbuild/linux-arm64`, …);
 *  - skip        an installer of platform packages (esbuild's postinstall): its script would fetch
 *                or link the *build* platform's binary; the target's came as a platform package;
 *  - compile     a node-gyp build (its dependencies name prebuild-install, node-gyp-build, nan, …,
 *                or it is a local `file:` dependency): `npm rebuild` with the target's env and
 *                Debian's cross compiler (prebuild-install & co. first try the target's prebuild);
 *  - emulate     any other install script: it must run on the target (`npm rebuild` under QEMU);
 *  - denied      the root's `allowScripts` says `false`: npm never runs it, neither do we.
 * The builder re-checks these kinds from the unpacked packages (scripts.ts) and fails the build
 * when the lock misled the plan, instead of compiling the wrong thing quietly.
 */
import { MultiarchInputError } from "../../core/errors/index.js"
import { satisfies } from "./versions.js"

export type NodeLibc = "glibc" | "musl"

/** What npm matches `os`/`cpu`/`libc` against. */
export interface NpmPlatform {
  os: "linux"
  cpu: string
  libc: NodeLibc
}

export interface LockEntry {
  /** Key in the lock's `packages` ("node_modules/esbuild", "node_modules/a/node_modules/b", "addon"). */
  path: string
  name: string
  version?: string
  dev: boolean
  optional: boolean
  link: boolean
  /** link: the local directory it points at (relative to the root). */
  resolved?: string
  hasInstallScript: boolean
  os?: string[]
  cpu?: string[]
  libc?: string[]
  dependencies: Record<string, string>
  optionalDependencies: Record<string, string>
}

export interface NpmLock {
  lockfileVersion: number
  entries: LockEntry[]
}

const list = (v: unknown): string[] | undefined => (typeof v === "string" ? [v] : Array.isArray(v) ? v.map(String) : undefined)
const record = (v: unknown): Record<string, string> => (v && typeof v === "object" ? (v as Record<string, string>) : {})

/** The package name of a lock key: the part after the last `node_modules/`. */
export function nameOfPath(path: string): string {
  const i = path.lastIndexOf("node_modules/")
  return i < 0 ? path : path.slice(i + "node_modules/".length)
}

/** Parse package-lock.json (lockfileVersion 2 or 3: the `packages` map). */
export function parseLock(text: string, file = "package-lock.json"): NpmLock {
  let j: Record<string, unknown>
  try {
    j = JSON.parse(text)
  } catch (e) {
    throw new MultiarchInputError("source", file, `${file} is not valid JSON (${(e as Error).message})`, "run npm install and commit the lock file it writes")
  }
  const version = Number(j.lockfileVersion)
  const packages = j.packages as Record<string, Record<string, unknown>> | undefined
  if (!packages || typeof packages !== "object" || version < 2)
    throw new MultiarchInputError("source", `${file} lockfileVersion ${j.lockfileVersion ?? "?"}`, "the lock has no `packages` map (npm 6 and older write lockfileVersion 1)", "run npm install with npm 7 or newer and commit the lock file it writes")
  const entries: LockEntry[] = []
  for (const [path, e] of Object.entries(packages)) {
    if (path === "") continue
    entries.push({
      path,
      name: typeof e.name === "string" && !path.includes("node_modules/") ? e.name : nameOfPath(path),
      version: typeof e.version === "string" ? e.version : undefined,
      dev: e.dev === true,
      optional: e.optional === true,
      link: e.link === true,
      resolved: typeof e.resolved === "string" ? e.resolved : undefined,
      hasInstallScript: e.hasInstallScript === true,
      os: list(e.os),
      cpu: list(e.cpu),
      libc: list(e.libc),
      dependencies: record(e.dependencies),
      optionalDependencies: record(e.optionalDependencies),
    })
  }
  return { lockfileVersion: version, entries }
}

/** npm's rule for `os`/`cpu`/`libc` lists: a plain entry must match, a `!x` entry excludes x ("any" admits all). */
export function admitsValue(entries: readonly string[] | undefined, value: string): boolean {
  if (!entries || entries.length === 0) return true
  if (entries.length === 1 && entries[0] === "any") return true
  let negated = 0
  let match = false
  for (const e of entries) {
    if (e.startsWith("!")) {
      negated++
      if (e.slice(1) === value) return false
    } else if (e === value) match = true
  }
  return match || negated === entries.length
}

/** Whether npm installs a package with these fields on the target (libc only counts on linux). */
export function admits(e: Pick<LockEntry, "os" | "cpu" | "libc">, p: NpmPlatform): boolean {
  return admitsValue(e.os, p.os) && admitsValue(e.cpu, p.cpu) && admitsValue(e.libc, p.libc)
}

export const isPlatformPackage = (e: Pick<LockEntry, "os" | "cpu" | "libc">): boolean => !!(e.os?.length || e.cpu?.length || e.libc?.length)

/** Dependencies that mark an install script as a native (node-gyp) build. */
export const NATIVE_BUILD_DEPS = [
  "node-gyp",
  "node-gyp-build",
  "node-gyp-build-optional-packages",
  "prebuild-install",
  "@mapbox/node-pre-gyp",
  "node-pre-gyp",
  "@discordjs/node-pre-gyp",
  "cmake-js",
  "node-addon-api",
  "nan",
  "bindings",
] as const

export type PackageKind = "compile" | "emulate" | "skip" | "denied"

export interface PackageDecision {
  name: string
  version?: string
  /** The lock key (local packages: the link's key). */
  path: string
  kind: PackageKind
  reason: string
  /** skip: the platform packages that carry the target's binary. */
  via?: string[]
  local?: boolean
}

export interface TargetPackages {
  /** Platform packages npm installs for the target, `name@version`. */
  installed: string[]
  decisions: PackageDecision[]
  /** Packages whose platform packages cover linux but not this target: the install would "succeed" and require() fail. */
  uncovered: { name: string; linux: string[] }[]
}

/** Whether the root's `allowScripts` policy (npm 11) says `false` for this package. */
export function deniedByPolicy(policy: Record<string, unknown>, name: string, version: string | undefined): boolean {
  for (const [k, v] of Object.entries(policy)) {
    if (v !== false) continue
    if (k === name) return true
    if (k.startsWith(`${name}@`) && version) {
      try {
        if (satisfies(version, k.slice(name.length + 1))) return true
      } catch {
        /* a spec we cannot read (tag, URL): not ours to judge */
      }
    }
  }
  return false
}

/**
 * The target's packages, from the lock (pure). `policy` is the root package.json's `allowScripts`;
 * `emulateAll` (--emulate) turns every compile into an emulated rebuild.
 */
export function targetPackages(lock: NpmLock, p: NpmPlatform, policy: Record<string, unknown>, emulateAll = false): TargetPackages {
  const byName = new Map<string, LockEntry[]>()
  for (const e of lock.entries) byName.set(e.name, [...(byName.get(e.name) ?? []), e])
  // what npm ci --omit=dev installs for the target: no dev packages, no platform package of
  // another platform, and nothing that lives only below such a package
  const skipped = new Set(lock.entries.filter((e) => e.dev || (isPlatformPackage(e) && !admits(e, p))).map((e) => e.path))
  const installed = (e: LockEntry) => !skipped.has(e.path) && ![...skipped].some((s) => e.path.startsWith(s + "/node_modules/"))
  // (entries outside node_modules/ are the directories local links point at: the link stands for them)
  const live = lock.entries.filter((e) => e.path.startsWith("node_modules/") && installed(e))

  const out: TargetPackages = { installed: [], decisions: [], uncovered: [] }
  for (const e of live) if (isPlatformPackage(e)) out.installed.push(`${e.name}@${e.version ?? "?"}`)

  for (const e of live) {
    const platformDeps = Object.keys(e.optionalDependencies)
      .flatMap((n) => byName.get(n) ?? [])
      .filter(isPlatformPackage)
    const mine = platformDeps.filter((d) => admits(d, p) && !d.dev)
    const linux = platformDeps.filter((d) => admitsValue(d.os, "linux"))
    if (linux.length && !mine.length)
      out.uncovered.push({ name: e.name, linux: [...new Set(linux.map((d) => d.name))] })

    if (e.link) {
      out.decisions.push({
        name: e.name,
        path: e.path,
        kind: emulateAll ? "emulate" : "compile",
        reason: `local dependency (${e.resolved ?? "?"}/): ${emulateAll ? "--emulate" : "node-gyp build for the target when it has a binding.gyp"}`,
        local: true,
      })
      continue
    }
    if (!e.hasInstallScript) continue
    const at = `${e.name}@${e.version ?? "?"}`
    if (deniedByPolicy(policy, e.name, e.version)) {
      out.decisions.push({ name: e.name, version: e.version, path: e.path, kind: "denied", reason: `allowScripts in package.json denies ${at}: npm never runs its install script` })
    } else if (mine.length) {
      const via = [...new Set(mine.map((d) => d.name))]
      out.decisions.push({ name: e.name, version: e.version, path: e.path, kind: "skip", reason: `its install script serves the build platform; the target's binary comes from ${via.join(", ")}`, via })
    } else {
      const marker = NATIVE_BUILD_DEPS.find((d) => d in e.dependencies || d in e.optionalDependencies)
      if (marker && !emulateAll)
        out.decisions.push({ name: e.name, version: e.version, path: e.path, kind: "compile", reason: `native addon (depends on ${marker}): rebuilt for the target on the native builder` })
      else
        out.decisions.push({
          name: e.name,
          version: e.version,
          path: e.path,
          kind: "emulate",
          reason: marker ? `native addon (depends on ${marker}), --emulate` : "install script that is not a known native build: it must run on the target",
        })
    }
  }
  return out
}
