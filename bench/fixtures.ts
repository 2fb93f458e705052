/**
 * Real-sized benchmark fixtures (issue #18), generated offline from Debian packages:
 *
 *   go-service   bench/fixtures/go-service (our code, ~500 lines) + vendor/ made from Debian's
 *                packaged Go libraries in /usr/share/gocode (golang-*-dev): `go mod tidy` and
 *                `go mod vendor` with GOPROXY=off and one `replace <module> => <Debian dir>` per
 *                module, then the replace lines are removed (the vendor/ tree is what builds).
 *   rust-service bench/fixtures/rust-service (our code) + vendor/ made from Debian's vendored crate
 *                registry /usr/share/cargo/registry (librust-*-dev): Cargo.lock resolved offline
 *                against that registry, then the locked crates copied into vendor/ with a
 *                .cargo/config.toml source replacement (`directory = "vendor"`), so the same folder
 *                builds on the host, in a container and in a Dockerfile, with no network.
 *
 * Nothing here is copied from another repository: the libraries are Debian's packages, installed
 * by `bench/setup.sh --fixtures` (apt-get), copied at generation time into the work folder, never
 * into git. Output: $MULTIARCH_TEST_CACHE/bench/fixtures/<name> (printed as JSON with sizes).
 *
 *   npx tsx bench/fixtures.ts [go-service] [rust-service]
 */
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { BENCH_CACHE, ROOT } from "./lib.js"

export const FIXTURES_OUT = join(BENCH_CACHE, "fixtures")
const GOCODE = "/usr/share/gocode/src"
const CARGO_REGISTRY = "/usr/share/cargo/registry"

function sh(argv: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): { ok: boolean; out: string } {
  try {
    const out = execFileSync(argv[0], argv.slice(1), { cwd: opts.cwd, env: { ...process.env, ...opts.env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 })
    return { ok: true, out }
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string }
    return { ok: false, out: `${err.stdout ?? ""}${err.stderr ?? err.message}` }
  }
}

function walk(dir: string, pred: (p: string) => boolean, acc: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    let isDir = e.isDirectory()
    if (e.isSymbolicLink()) {
      try {
        isDir = statSync(p).isDirectory()
      } catch {
        continue
      }
    }
    if (isDir) {
      if (e.name === "testdata" || e.name === "vendor" || e.name.startsWith(".") || e.name.startsWith("_")) continue
      walk(p, pred, acc)
    } else if (pred(p)) acc.push(p)
  }
  return acc
}

export interface FixtureInfo {
  name: string
  dir: string
  /** Lines of the fixture's own code. */
  ownLines: number
  ownFiles: number
  /** Modules (Go) or crates (Rust) the build uses, not counting the fixture itself. */
  dependencies: number
  /** Lines of dependency source compiled or vendored (.go / .rs files in vendor/). */
  vendoredLines: number
  notes: string[]
}

function countLines(files: string[]): number {
  let n = 0
  for (const f of files) n += readFileSync(f, "utf8").split("\n").length - 1
  return n
}

// ---- Go -----------------------------------------------------------------------------------------

/** Debian's version of the package owning a gocode dir, as a Go module version for `major`. */
function goMajor(modPath: string): string {
  return /\/v(\d+)$/.exec(modPath)?.[1] ?? /^gopkg\.in\/.*\.v(\d+)$/.exec(modPath)?.[1] ?? "0"
}

function goVersionFor(dir: string, modPath: string): string {
  const major = goMajor(modPath)
  const pseudo = `v${major}.0.0-00010101000000-000000000000`
  const owner = sh(["dpkg-query", "-S", dir]).out.split(":")[0].trim()
  if (!owner || owner.includes(" ")) return pseudo
  const v = sh(["dpkg-query", "-W", "-f", "${Version}", owner]).out.trim()
  const m = /^(?:\d+:)?(\d+)\.(\d+)\.(\d+)(?:[-+~].*)?$/.exec(v)
  if (!m) return pseudo
  if (m[1] !== major && !(major === "0" && m[1] === "1")) return pseudo
  return `v${m[1]}.${m[2]}.${m[3]}`
}

export function makeGoService(): FixtureInfo {
  const src = join(ROOT, "bench/fixtures/go-service")
  const dir = join(FIXTURES_OUT, "go-service")
  rmSync(dir, { recursive: true, force: true })
  cpSync(src, dir, { recursive: true })
  if (!existsSync(GOCODE)) throw new Error(`${GOCODE} missing: run bench/setup.sh --fixtures (Debian's golang-*-dev packages)`)
  // module path → Debian directory, from every go.mod in /usr/share/gocode
  const modules = new Map<string, string>()
  for (const f of walk(GOCODE, (p) => p.endsWith("/go.mod"))) {
    const m = /^module\s+"?([^\s"]+)"?/m.exec(readFileSync(f, "utf8"))
    if (m && !modules.has(m[1])) modules.set(m[1], dirname(f))
  }
  const stubs = join(FIXTURES_OUT, "go-stubs")
  rmSync(stubs, { recursive: true, force: true })
  const env = { GOFLAGS: "-mod=mod", GOPROXY: "off", GONOSUMDB: "*", GONOSUMCHECK: "1", GOFLAGS_: "", GOSUMDB: "off", GOTOOLCHAIN: "local", GOCACHE: join(FIXTURES_OUT, "go-gen-cache"), GOMODCACHE: join(FIXTURES_OUT, "go-gen-modcache") }
  const writeGoMod = (requires: Map<string, string>) => {
    const req = [...requires].map(([m, v]) => `\t${m} ${v}`).join("\n")
    const rep = [...requires.keys()].map((m) => `\t${m} => ${modules.get(m)}`).join("\n")
    writeFileSync(join(dir, "go.mod"), `module example.com/go-service\n\ngo 1.19\n\nrequire (\n${req}\n)\n\nreplace (\n${rep}\n)\n`)
  }
  // every Debian module required, replaced by its Debian directory; `go list -deps` (for each target
  // GOARCH: some packages are imported on one architecture only) names the packages the build uses
  // and their modules. Modules the graph names but Debian does not ship get an empty stub module.
  const requires = new Map<string, string>()
  const moduleOf = (pkg: string): string | undefined => {
    let best: string | undefined
    for (const m of modules.keys()) if ((pkg === m || pkg.startsWith(m + "/")) && (!best || m.length > best.length)) best = m
    return best
  }
  const addCopy = (m: string) => {
    // a Debian directory without go.mod (older packaging), or a module Debian does not ship (only
    // named in some go.mod, never imported): a copy with a one-line go.mod, or an empty stub
    const d = join(stubs, m)
    mkdirSync(d, { recursive: true })
    if (existsSync(join(GOCODE, m))) cpSync(join(GOCODE, m), d, { recursive: true, dereference: true })
    writeFileSync(join(d, "go.mod"), `module ${m}\n`)
    // Debian merges a nested module into its parent's folder (github.com/ugorji/go/codec): the
    // parent then becomes an empty stub, or both would provide the nested packages
    for (const [pm, pd] of modules)
      if (m.startsWith(pm + "/") && pd.startsWith(GOCODE + "/")) {
        const ps = join(stubs, pm)
        mkdirSync(ps, { recursive: true })
        writeFileSync(join(ps, "go.mod"), `module ${pm}\n`)
        modules.set(pm, ps)
      }
    modules.set(m, d)
    requires.set(m, requires.get(m) ?? `v${goMajor(m)}.0.0-00010101000000-000000000000`)
  }
  // start from the fixture's own imports; then add what `go list` reports missing, round by round
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".go")))
    for (const m of readFileSync(join(dir, f), "utf8").matchAll(/^\s*(?:\w+\s+)?"([^"]+\.[^"]+)"$/gm)) {
      const mod = moduleOf(m[1])
      if (mod) requires.set(mod, goVersionFor(modules.get(mod)!, mod))
    }
  const used = new Map<string, Set<string>>() // module → packages
  for (let round = 0; round < 200; round++) {
    writeGoMod(requires)
    const missing = new Set<string>()
    const missingPkgs = new Set<string>()
    let failure = ""
    used.clear()
    // every target GOARCH: some packages are imported on one architecture only
    for (const goarch of ["amd64", "arm64", "arm", "riscv64"]) {
      const r = sh(["go", "list", "-e", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}{{end}}", "."], { cwd: dir, env: { ...env, GOOS: "linux", GOARCH: goarch, CGO_ENABLED: "0" } })
      for (const m of r.out.matchAll(/([\w.\-/]+)@v[\w.\-+]+: (?:module lookup disabled|reading .*go\.mod|.*GOPROXY=off)/g)) missing.add(m[1])
      for (const m of r.out.matchAll(/go: downloading (\S+) v\S+/g)) missing.add(m[1])
      for (const m of r.out.matchAll(/no required module provides package (\S+?)[;:]/g)) missingPkgs.add(m[1])
      for (const m of r.out.matchAll(/cannot find module providing package (\S+?)[;:]/g)) missingPkgs.add(m[1])
      if (!r.ok) failure = r.out
      for (const line of r.out.split("\n")) {
        const [pkg, mod, extra] = line.trim().split(" ")
        // a package outside the standard library with no module: its module is not required yet
        if (pkg && !mod && /^[\w-]+(\.[\w-]+)+\//.test(pkg)) missingPkgs.add(pkg)
        if (!pkg || !mod || extra !== undefined || mod === "example.com/go-service") continue
        if (!used.has(mod)) used.set(mod, new Set())
        used.get(mod)!.add(pkg)
      }
    }
    for (const p of missingPkgs) {
      const mod = moduleOf(p)
      if (mod && !requires.has(mod)) requires.set(mod, goVersionFor(modules.get(mod)!, mod))
      else if (!mod) {
        // no go.mod in Debian's folder: the module is the deepest existing folder of 3 path elements or fewer
        const parts = p.split("/")
        const guess = parts.slice(0, Math.min(parts.length, p.startsWith("github.com/") || p.startsWith("golang.org/") ? 3 : 2)).join("/")
        missing.add(guess)
      } else missing.add(mod)
    }
    const added = [...missing].filter((m) => !modules.has(m) || !modules.get(m)!.startsWith(stubs))
    process.stderr.write(`[fixtures] go-service round ${round + 1}: ${used.size} modules used, ${requires.size} required; adding ${[...added, ...missingPkgs].join(" ") || "nothing"}${failure && !added.length && !missingPkgs.size ? `; ${failure.split("\n").filter((l) => !/^\S+ \S+$/.test(l)).slice(-3).join(" | ")}` : ""}\n`)
    if (!failure && missing.size === 0 && missingPkgs.size === 0) break
    if (added.length === 0 && missingPkgs.size === 0) throw new Error(`go list failed:\n${failure.slice(-3000)}`)
    for (const m of added) addCopy(m)
  }
  // vendor/: each used package's files (not its subfolders, not tests), modules.txt, a go.mod
  // requiring exactly the used modules (no replace: vendor/ is what builds)
  const direct = new Set<string>()
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".go")))
    for (const m of readFileSync(join(dir, f), "utf8").matchAll(/^\s*(?:\w+\s+)?"([^"]+)"$/gm)) for (const mod of used.keys()) if (m[1] === mod || m[1].startsWith(mod + "/")) direct.add(mod)
  const mtxt: string[] = []
  for (const mod of [...used.keys()].sort()) {
    const mdir = modules.get(mod)!
    // language version 1.19 for every module: Debian builds these sources in GOPATH mode (no -lang
    // limit), and some declare an older go line than the features they use (golang.org/x/sys)
    mtxt.push(`# ${mod} ${requires.get(mod)}`, `## explicit; go 1.19`)
    for (const pkg of [...used.get(mod)!].sort()) {
      mtxt.push(pkg)
      const from = join(mdir, pkg.slice(mod.length))
      const to = join(dir, "vendor", pkg)
      mkdirSync(to, { recursive: true })
      for (const e of readdirSync(from, { withFileTypes: true })) {
        const p = join(from, e.name)
        if (statSync(p).isDirectory() || e.name.endsWith("_test.go")) continue
        cpSync(p, join(to, e.name), { dereference: true })
      }
    }
  }
  writeFileSync(join(dir, "vendor/modules.txt"), mtxt.join("\n") + "\n")
  const req = (d: boolean) => [...used.keys()].filter((m) => direct.has(m) === d).sort().map((m) => `\t${m} ${requires.get(m)}${d ? "" : " // indirect"}`).join("\n")
  writeFileSync(join(dir, "go.mod"), `module example.com/go-service\n\ngo 1.19\n\nrequire (\n${req(true)}\n)\n\nrequire (\n${req(false)}\n)\n`)
  rmSync(join(dir, "go.sum"), { force: true })
  // optional (MULTIARCH_BENCH_FIXTURE_CHECK=1): a build per GOARCH; the benchmark's own builds check it anyway
  for (const goarch of process.env.MULTIARCH_BENCH_FIXTURE_CHECK === "1" ? ["amd64", "arm64", "arm", "riscv64"] : []) {
    const check = sh(["go", "build", "-o", "/dev/null", "."], { cwd: dir, env: { GOFLAGS: "", GOPROXY: "off", GOCACHE: env.GOCACHE, CGO_ENABLED: "0", GOOS: "linux", GOARCH: goarch } })
    if (!check.ok) throw new Error(`the vendored go-service does not build for ${goarch}:\n${check.out.slice(-3000)}`)
  }
  return describeFixture("go-service")
}

// ---- Rust ---------------------------------------------------------------------------------------

export function makeRustService(): FixtureInfo {
  const src = join(ROOT, "bench/fixtures/rust-service")
  const dir = join(FIXTURES_OUT, "rust-service")
  rmSync(dir, { recursive: true, force: true })
  cpSync(src, dir, { recursive: true })
  if (!existsSync(CARGO_REGISTRY)) throw new Error(`${CARGO_REGISTRY} missing: run bench/setup.sh --fixtures (Debian's librust-*-dev packages)`)
  // resolve Cargo.lock against Debian's registry (a private CARGO_HOME whose config replaces crates.io)
  const home = join(FIXTURES_OUT, "cargo-home-gen")
  mkdirSync(home, { recursive: true })
  writeFileSync(join(home, "config.toml"), `[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = "${CARGO_REGISTRY}"\n\n[net]\noffline = true\n`)
  const env = { CARGO_HOME: home, PATH: "/usr/bin:/bin" }
  const g = sh(["cargo", "generate-lockfile", "--offline"], { cwd: dir, env })
  if (!g.ok) throw new Error(`cargo generate-lockfile failed:\n${g.out.slice(-3000)}`)
  // the locked crates, copied (symlinks resolved) into vendor/
  const lock = readFileSync(join(dir, "Cargo.lock"), "utf8")
  const pkgs = [...lock.matchAll(/\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"\nsource = "registry/g)].map((m) => ({ name: m[1], version: m[2] }))
  const vendor = join(dir, "vendor")
  mkdirSync(vendor, { recursive: true })
  for (const p of pkgs) {
    const from = join(CARGO_REGISTRY, `${p.name}-${p.version}`)
    if (!existsSync(from)) throw new Error(`${p.name} ${p.version} is in Cargo.lock but not in ${CARGO_REGISTRY}`)
    cpSync(from, join(vendor, `${p.name}-${p.version}`), { recursive: true, dereference: true })
  }
  mkdirSync(join(dir, ".cargo"), { recursive: true })
  writeFileSync(
    join(dir, ".cargo/config.toml"),
    `# written by bench/fixtures.ts: the crates of Cargo.lock, copied from Debian's ${CARGO_REGISTRY}\n[source.crates-io]\nreplace-with = "vendored"\n\n[source.vendored]\ndirectory = "vendor"\n\n[net]\noffline = true\n`,
  )
  return describeFixture("rust-service")
}

/** Size facts of a generated fixture folder. */
export function describeFixture(name: "go-service" | "rust-service"): FixtureInfo {
  const dir = join(FIXTURES_OUT, name)
  if (name === "go-service") {
    const mtxt = readFileSync(join(dir, "vendor/modules.txt"), "utf8").split("\n")
    const mods = mtxt.filter((l) => l.startsWith("# ")).length
    const pkgs = mtxt.filter((l) => l && !l.startsWith("#")).length
    const direct = (/require \(\n([\s\S]*?)\n\)/.exec(readFileSync(join(dir, "go.mod"), "utf8"))?.[1] ?? "").split("\n").filter(Boolean).length
    const own = readdirSync(dir).filter((f) => f.endsWith(".go")).map((f) => join(dir, f))
    return {
      name,
      dir,
      ownLines: countLines(own),
      ownFiles: own.length,
      dependencies: mods,
      vendoredLines: countLines(walk(join(dir, "vendor"), (p) => p.endsWith(".go"))),
      notes: [`${mods} modules (${direct} required directly), ${pkgs} packages, from Debian's golang-*-dev packages in ${GOCODE}`],
    }
  }
  const lock = readFileSync(join(dir, "Cargo.lock"), "utf8")
  const crates = (lock.match(/\nsource = "registry/g) ?? []).length
  const own = walk(join(dir, "src"), (p) => p.endsWith(".rs"))
  const direct = (/\[dependencies\]\n([\s\S]*?)(\n\[|$)/.exec(readFileSync(join(dir, "Cargo.toml"), "utf8"))?.[1] ?? "").split("\n").filter((l) => /^[\w-]+\s*=/.test(l)).length
  return {
    name,
    dir,
    ownLines: countLines(own),
    ownFiles: own.length,
    dependencies: crates,
    vendoredLines: countLines(walk(join(dir, "vendor"), (p) => p.endsWith(".rs"))),
    notes: [`${crates} crates in Cargo.lock (${direct} direct dependencies; the Linux build compiles those its platform needs, see the build logs) from Debian's librust-*-dev packages in ${CARGO_REGISTRY}`],
  }
}

export function fixtureIsCurrent(name: string): boolean {
  return existsSync(join(FIXTURES_OUT, name, name === "go-service" ? "vendor/modules.txt" : "vendor"))
}

if (process.argv[1] && relative(process.argv[1], new URL(import.meta.url).pathname) === "") {
  const want = process.argv.slice(2)
  const names = want.length ? want : ["go-service", "rust-service"]
  const infos: FixtureInfo[] = []
  for (const n of names) {
    if (n === "go-service") infos.push(makeGoService())
    else if (n === "rust-service") infos.push(makeRustService())
    else throw new Error(`unknown fixture ${n} (go-service, rust-service)`)
  }
  console.log(JSON.stringify(infos, null, 2))
}
