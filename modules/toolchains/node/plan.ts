/**
 * Node toolchain, pure part: one DirectoryPlan per target (core/plan.ts).
 *
 *  - shared (when package.json has a `build` script): `npm ci` + `npm run build` once, on the
 *    engine's native platform; its output (the app without node_modules: build output is the same
 *    for every platform) is the input of every target;
 *  - install (native builder `node:<v>-bookworm`, per target): `npm ci --omit=dev --os linux --cpu
 *    <nodeArch> --libc <libc> --ignore-scripts --install-links` selects the target's platform
 *    packages and runs no dependency script with the build platform's idea of process.arch; the
 *    plan's decisions are re-checked; `npm rebuild <native addons>` compiles them for the target
 *    (npm_config_arch/… for prebuild-install, node-gyp-build, node-pre-gyp and node-gyp, with the
 *    headers of the builder's own node, and Debian's cross compiler);
 *  - emulated rebuild (only when a package must run its install script on the target): `npm
 *    rebuild <those packages>` in the target platform's node image, over the installed tree;
 *  - verification in the last stage: every ELF file under node_modules is for the target, and no
 *    package of another platform is installed;
 *  - runtime: the target's `node:<v>-bookworm-slim` (or -alpine), the app in /app, NODE_ENV=production,
 *    user node, entrypoint from package.json.
 *
 * Facts this rests on (npm 11.19, node-gyp 12, measured on the amd64 test machine, issue 17):
 *  - `npm ci --cpu=arm64` *with* scripts exits 0 and picks the right platform packages, but
 *    esbuild's postinstall hard-links an x86-64 binary into the tree and node-gyp builds the addons
 *    for x86-64 (test/real/node.test.ts keeps that as its negative case): hence --ignore-scripts and
 *    an explicit `npm rebuild`;
 *  - a `file:` dependency is symlinked into the shared source unless --install-links, and then
 *    its implicit `node-gyp rebuild` does not run;
 *  - node-gyp without --nodedir downloads headers from nodejs.org; with `npm_config_nodedir` it
 *    reads <nodedir>/include/node and downloads nothing;
 *  - npm 11 warns that `npm_config_arch`/`_platform`/`_target_*` "will stop working in the next
 *    major version"; the installers (prebuild-install, node-gyp-build, node-pre-gyp, node-gyp) read
 *    them from the environment. The real rung fails if a future npm stops passing them;
 *  - never set `npm_config_allow_scripts`: npm 11 fails a project install with EALLOWSCRIPTS. The
 *    `allowScripts` policy in package.json is read (false = denied), not overridden;
 *  - `npm rebuild` of a package allowScripts denies builds nothing and still reports success, so the
 *    plan lists it as denied rather than trusting the exit code.
 */
import { debianCrossPackage } from "../../core/env.js"
import { MultiarchInputError } from "../../core/errors/index.js"
import { runsNatively, type EnginePlatform } from "../../core/native.js"
import type { CacheMount, DirectoryPlan, PlanStage, PlanStep, SourceFacts } from "../../core/plan.js"
import type { TargetRow } from "../../core/targets.js"
import { resolveEntrypoint, type PackageJson } from "./entrypoint.js"
import { parseLock, targetPackages, type NodeLibc, type NpmLock, type NpmPlatform, type PackageDecision } from "./lock.js"
import { checkNodeOptions, type NodeOptions } from "./options.js"
import { classifyStep, elfTreeStep, npmVersionStep, platformCheckStep } from "./scripts.js"
import { NODE_LINES, resolveNodeVersion, type NodeVersion } from "./versions.js"

/** Where the app lives in builders and in the runtime image. */
export const APP_DIR = "/app"
/** npm's cache in the official images (HOME=/root): content-addressed, shared by every stage. */
export const NPM_CACHE: CacheMount = { path: "/root/.npm", key: "multiarch-npm-cache" }
/** Node headers of the official images (the release tarball unpacked in /usr/local). */
export const NODE_DIR = "/usr/local"
/** The lock file the toolchain installs from (and detects by). */
export const LOCK_FILE = "package-lock.json"

export interface NodePackages {
  /** Platform packages npm selects for the target (name@version). */
  installed: string[]
  /** Native addons rebuilt for the target on the native builder (cross-compiled, or compiled natively for the engine's own architecture). */
  compiled: PackageDecision[]
  /** Packages whose install script runs on the target platform under QEMU (`npm rebuild` in the target's node image). */
  emulated: PackageDecision[]
  /** Packages whose install script does not run: an installer of platform packages, or denied by allowScripts. */
  skipped: PackageDecision[]
}

export type NodePlan = DirectoryPlan<"node"> & {
  node: NodeVersion & { libc: NodeLibc; npm?: string }
  packages: NodePackages
}

const npmCi = (p: NpmPlatform) => ["npm", "ci", "--omit=dev", `--os=${p.os}`, `--cpu=${p.cpu}`, `--libc=${p.libc}`, "--ignore-scripts", "--install-links", "--no-audit", "--no-fund"]
const rebuild = (names: string[]): PlanStep => ({ name: "npm rebuild", argv: ["npm", "rebuild", ...names, "--foreground-scripts", "--no-audit", "--no-fund"] })

function parsePackageJson(facts: SourceFacts): PackageJson {
  const text = facts.files["package.json"]
  if (text === undefined)
    throw new MultiarchInputError("source", facts.entries.slice(0, 12).join(", "), "no package.json at the root of the source", "pass --source pointing at the Node project root")
  try {
    const j = JSON.parse(text)
    if (!j || typeof j !== "object" || Array.isArray(j)) throw new Error("not an object")
    return j as PackageJson
  } catch (e) {
    throw new MultiarchInputError("source", "package.json", `package.json is not valid JSON (${(e as Error).message})`, "fix package.json (npm install reads it the same way)")
  }
}

/** npm pinned by `packageManager` (npm@x.y.z), or a clear error for pnpm/yarn (not supported). */
function packageManagerOf(pkg: PackageJson): string | undefined {
  const pm = pkg.packageManager
  if (typeof pm !== "string" || pm.trim() === "") return undefined
  const m = /^(npm|pnpm|yarn|bun)@([^+\s]+)/.exec(pm.trim())
  if (!m) throw new MultiarchInputError("source", `package.json packageManager: ${pm}`, "not a <name>@<version> package manager", 'write e.g. "npm@11.19.1"')
  if (m[1] !== "npm")
    throw new MultiarchInputError(
      "source",
      `package.json packageManager: ${pm}`,
      `multiarch installs Node dependencies with npm only (pnpm 10 silently skips building local file: addons for a foreign platform; yarn is not verified)`,
      "commit a package-lock.json (npm install --package-lock-only) and drop packageManager, or build with --lang dockerfile",
    )
  return m[2]
}

/** The Node.js image tag for a version and libc: node:<v>-bookworm(-slim) / node:<v>-alpine. */
export function nodeImage(v: NodeVersion, flavour: "bookworm" | "bookworm-slim" | "alpine"): string {
  return `node:${v.tag}-${flavour}`
}

/** Fails unless the official node image of `major` has `row`'s platform (known lines only). */
function requireImage(row: Readonly<TargetRow>, v: NodeVersion, base: "bookworm" | "alpine", what: string, fix: string): void {
  if (!NODE_LINES.some((l) => l.major === v.major)) return
  const majors = row.nodeImages[base]
  if (majors.includes(v.major)) return
  throw new MultiarchInputError(
    "platforms",
    row.platform,
    `${what}: the official node:${v.major}-${base} image has no ${row.platform} variant` +
      (majors.length ? ` (node:<major>-${base} has ${row.platform} for ${majors.join(", ")})` : ` (no node:<major>-${base} image has ${row.platform})`),
    majors.length ? `pass --node-version ${majors[majors.length - 1]}, ${fix}` : fix,
  )
}

export interface NodeSource {
  pkg: PackageJson
  lock: NpmLock
  version: NodeVersion
  npm?: string
}

/** Read what every target's plan shares: package.json, the lock, the Node version. */
export function nodeSource(o: NodeOptions, facts: SourceFacts): NodeSource {
  const pkg = parsePackageJson(facts)
  const lockText = facts.files[LOCK_FILE]
  if (lockText === undefined)
    throw new MultiarchInputError("source", facts.entries.slice(0, 12).join(", "), `no ${LOCK_FILE} at the root of the source: the install would not be reproducible, and the plan reads every target's packages from it`, "run npm install (npm 7 or newer) and commit package-lock.json")
  return { pkg, lock: parseLock(lockText), version: resolveNodeVersion(o.nodeVersion, facts, pkg), npm: packageManagerOf(pkg) }
}

/** Plans of every target (pure). */
export function planNode(targets: readonly Readonly<TargetRow>[], o: NodeOptions, facts: SourceFacts, engine: EnginePlatform): NodePlan[] {
  checkNodeOptions(o)
  if (o.base === "scratch") throw new MultiarchInputError("base", o.base, "a Node app needs a node runtime; scratch has none", 'pass an image with node, e.g. "node:20-bookworm-slim", or drop --base')
  const src = nodeSource(o, facts)
  const { pkg, version } = src
  const libc: NodeLibc = o.libc ?? "glibc"
  if (engine.row && NODE_LINES.some((l) => l.major === version.major) && !engine.row.nodeImages.bookworm.includes(version.major))
    throw new MultiarchInputError("native-platform", engine.platform, `the builder image node:${version.major}-bookworm has no variant for the engine's platform ${engine.platform}`, "run the build on an amd64 or arm64 engine, or pass another --node-version")
  const pin: PlanStep[] = src.npm ? [{ name: "install npm", argv: ["npm", "install", "--global", "--no-audit", "--no-fund", `npm@${src.npm}`] }] : []
  const entry = resolveEntrypoint(o.entrypoint, pkg, facts.entries, APP_DIR)
  const scripts = pkg.scripts ?? {}
  const build = typeof scripts.build === "string" && scripts.build.trim() !== ""
  const rootScripts = ["preinstall", "install", "postinstall", "prepare"].filter((k) => typeof scripts[k] === "string")
  const shared: NodePlan["shared"] = build
    ? {
        name: "build (once, for every platform)",
        image: nodeImage(version, "bookworm"),
        platform: "native",
        setup: pin,
        workdir: APP_DIR,
        env: { npm_config_cache: NPM_CACHE.path },
        caches: [NPM_CACHE],
        steps: [
          { name: "npm ci (build)", argv: ["npm", "ci", "--install-links", "--no-audit", "--no-fund"] },
          { name: "npm run build", argv: ["npm", "run", "build"] },
        ],
        exclude: ["node_modules"],
      }
    : undefined
  const policy = pkg.allowScripts && typeof pkg.allowScripts === "object" ? (pkg.allowScripts as Record<string, unknown>) : {}
  const notes: string[] = [
    `Node.js ${version.tag} (${version.source})${(() => {
      const l = NODE_LINES.find((x) => x.major === version.major)
      return l ? `: line ${l.major}${l.codename ? ` (${l.codename})` : ""}, supported until ${l.end}` : `: not a line multiarch knows (${NODE_LINES.map((x) => x.major).join(", ")}); image platforms are not checked`
    })()}; the builder and the runtime run the same version (addons built against V8's API load only in the same NODE_MODULE_VERSION)`,
    `npm cache ${NPM_CACHE.key} shared by every stage and platform: npm's cache is content-addressed (tarballs by integrity hash, prebuilds by platform in their file name), so one volume is correct and each tarball is stored once; what is per platform is node_modules, built per target`,
  ]
  if (facts.entries.some((e) => e === "pnpm-lock.yaml" || e === "yarn.lock")) notes.push(`${LOCK_FILE} is used; ${facts.entries.filter((e) => e === "pnpm-lock.yaml" || e === "yarn.lock").join(" and ")} ignored (npm only)`)
  if (rootScripts.length)
    notes.push(
      `the app's own ${rootScripts.join("/")} script${rootScripts.length > 1 ? "s" : ""} ` +
        (build ? "run only in the shared build (the per-target install uses --ignore-scripts)" : "never run (the per-target install uses --ignore-scripts): add a build script if it must run"),
    )

  return targets.map((row): NodePlan => {
    const target: NpmPlatform = { os: "linux", cpu: row.nodeArch, libc }
    const decided = targetPackages(src.lock, target, policy, o.emulate)
    if (decided.uncovered.length)
      throw new MultiarchInputError(
        "platforms",
        row.platform,
        decided.uncovered.map((u) => `${u.name} has no platform package for linux/${row.nodeArch}/${libc} in ${LOCK_FILE} (its Linux packages: ${u.linux.join(", ")})`).join("; ") +
          ": npm would install it without its binary and require() would fail at run time",
        libc === "musl" ? `build ${row.platform} with glibc (drop --libc musl), or drop it from --platforms` : `drop ${row.platform} from --platforms`,
      )
    const by = (k: PackageDecision["kind"]) => decided.decisions.filter((d) => d.kind === k)
    // musl: Debian has no C++ cross toolchain for musl, so native addons are built on the target (Alpine)
    const compileDecisions = libc === "musl" ? [] : by("compile")
    const emulateDecisions = libc === "musl" ? [...by("compile").map((d) => ({ ...d, kind: "emulate" as const, reason: `${d.reason}; musl: built in node:${version.tag}-alpine of the target (Debian has no musl C++ cross compiler)` })), ...by("emulate")] : by("emulate")
    const compile = compileDecisions.map((d) => d.name)
    const emulate = emulateDecisions.map((d) => d.name)
    const crossArch = row.debianArch !== engine.row?.debianArch

    // --- the per-target install on the native builder ------------------------------------------
    const env: Record<string, string> = { npm_config_cache: NPM_CACHE.path }
    const setup: PlanStep[] = []
    if (compile.length) {
      Object.assign(env, {
        npm_config_arch: row.nodeArch,
        npm_config_platform: "linux",
        npm_config_libc: libc,
        LIBC: libc,
        npm_config_target_arch: row.nodeArch,
        npm_config_target_platform: "linux",
        npm_config_target_libc: libc,
        ...(row.armVersion ? { ARM_VERSION: row.armVersion } : {}),
        npm_config_nodedir: NODE_DIR,
      })
      if (crossArch) {
        if (!row.debianCrossGcc)
          throw new MultiarchInputError("platforms", row.platform, `Debian bookworm (the node:*-bookworm builder) has no ${row.gccTriple}-g++ to compile ${compile.join(", ")} with`, `build with --emulate, or drop ${row.platform} from --platforms`)
        const t = row.gccTriple
        Object.assign(env, { CC: `${t}-gcc`, CXX: `${t}-g++`, AR: `${t}-ar`, LINK: `${t}-g++` })
        setup.push({
          name: "install C/C++ cross compiler",
          argv: ["sh", "-c", `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${debianCrossPackage("g++", t)}`],
        })
      }
    }
    setup.push(...pin)
    const verify = [elfTreeStep(row), platformCheckStep(row.platform, target)]
    const install: PlanStage = {
      name: `install ${row.platform}`,
      image: nodeImage(version, "bookworm"),
      platform: "native",
      setup,
      workdir: APP_DIR,
      env,
      caches: [NPM_CACHE],
      steps: [
        npmVersionStep(row.platform),
        { name: "npm ci", argv: npmCi(target) },
        classifyStep({ platform: row.platform, compile, emulate, skip: by("skip").map((d) => ({ name: d.name, via: d.via ?? [] })), denied: by("denied").map((d) => d.name) }),
        ...(compile.length ? [{ ...rebuild(compile), name: "npm rebuild (cross-compile)" }] : []),
        ...(emulate.length ? [] : verify),
      ],
    }
    const stages: PlanStage[] = [install]

    // --- packages that must run their install script on the target ------------------------------
    if (emulate.length) {
      const flavour = libc === "musl" ? "alpine" : "bookworm"
      requireImage(row, version, flavour, `${emulate.join(", ")} must be rebuilt on the target`, `or drop ${row.platform} from --platforms`)
      stages.push({
        name: `rebuild on ${row.platform}`,
        image: nodeImage(version, flavour),
        platform: row.platform,
        setup: [...(libc === "musl" ? [{ name: "install build tools", argv: ["apk", "add", "--no-cache", "python3", "make", "g++"] }] : []), ...pin],
        workdir: APP_DIR,
        env: { npm_config_cache: NPM_CACHE.path, npm_config_nodedir: NODE_DIR },
        caches: [NPM_CACHE],
        steps: [{ ...rebuild(emulate), name: "npm rebuild (emulated)" }, ...verify],
      })
    }

    // --- runtime ---------------------------------------------------------------------------------
    const flavour = libc === "musl" ? "alpine" : "bookworm"
    if (!o.base) requireImage(row, version, flavour, "runtime image", "pass --base with a node image for it, or drop it from --platforms")
    const base = o.base ?? nodeImage(version, libc === "musl" ? "alpine" : "bookworm-slim")
    const emulated = stages.some((s) => s.platform !== "native" && !runsNatively(row, engine))
    const planNotes = [...notes]
    planNotes.push(
      emulated
        ? `${emulate.join(", ")}: npm rebuild under QEMU in ${nodeImage(version, flavour)} of ${row.platform} (expect it to be many times slower than the native install)`
        : `no emulation: every package is installed${compile.length ? " or compiled" : ""} for ${row.platform} on the engine's native platform ${engine.platform}`,
    )
    if (compile.length) planNotes.push(crossArch ? `native addons compiled with ${row.gccTriple}-g++ (Debian bookworm) against the headers of the builder's node (${NODE_DIR}/include/node)` : `native addons compiled with the builder's own gcc (same architecture)`)
    planNotes.push(`entrypoint ${JSON.stringify(entry.argv)} from ${entry.source}`)
    if (o.base) planNotes.push(`--base ${o.base}: it must provide node ${version.tag} (addons are built for its NODE_MODULE_VERSION) and runs as uid 1000`)

    return {
      platform: row.platform,
      toolchain: "node",
      kind: "directory",
      mode: emulated ? "emulated" : "cross",
      native: runsNatively(row, engine),
      ...(shared ? { shared } : {}),
      stages,
      runtime: {
        base,
        path: APP_DIR,
        env: { NODE_ENV: "production" },
        user: o.base ? "1000:1000" : "node",
        entrypoint: entry.argv,
      },
      node: { ...version, libc, ...(src.npm ? { npm: src.npm } : {}) },
      packages: { installed: decided.installed, compiled: compileDecisions, emulated: emulateDecisions, skipped: [...by("skip"), ...by("denied")] },
      notes: planNotes,
    }
  })
}
