/**
 * The checks a Node builder runs, as argv (plan data, like the compiled plans' ELF check): they
 * print one line per finding and fail with one `multiarch: …` line naming the platform, the
 * package and the fix.
 *
 *  - npm version: `--os/--cpu/--libc` exist from npm 10.6.0 on; an older npm ignores them and
 *    installs the build platform's packages, silently;
 *  - classify: after `npm ci --ignore-scripts`, re-derive from the unpacked packages (package.json
 *    scripts, binding.gyp) what the plan decided from the lock; a package planned to be
 *    cross-compiled whose install script is not a native build fails the build (it would run
 *    the wrong thing, or nothing, for the target);
 *  - verify ELF: every ELF file under node_modules (.node addons, shared libraries, executables,
 *    object files) against the target row, with the project's ELF rules (core/elf.ts's sh + od + awk
 *    program, file by file);
 *  - verify packages: no installed package whose os/cpu/libc excludes the target.
 */
import { elfCheckArgv } from "../../core/elf.js"
import type { PlanStep } from "../../core/plan.js"
import type { TargetRow } from "../../core/targets.js"
import type { NpmPlatform } from "./lock.js"

/** npm ≥ 10.6.0: the first npm with --os, --cpu and --libc. */
export const MIN_NPM = "10.6.0"

export function npmVersionStep(platform: string): PlanStep {
  const js =
    `const v = process.argv[1], [a, b] = v.split(".").map(Number);` +
    `if (a < 10 || (a === 10 && b < 6)) { console.error("multiarch: npm " + v + " in the builder is older than ${MIN_NPM}: it ignores --os/--cpu/--libc and would install the build platform's packages for ${platform}; pin a newer npm with packageManager (npm@11) or a newer --node-version"); process.exit(1) }` +
    `console.log("multiarch: npm " + v + " selects platform packages with --os/--cpu/--libc")`
  return { name: "check npm", argv: ["sh", "-c", `node -e "$1" "$(npm --version)"`, "check-npm", js] }
}

/** Package walk shared by the node scripts: every package.json below ./node_modules (nested and scoped). */
const WALK = [
  `const fs = require("fs"), path = require("path");`,
  `function* pkgs(dir) { let ents; try { ents = fs.readdirSync(path.join(dir, "node_modules"), { withFileTypes: true }) } catch { return }`,
  `  for (const e of ents) { if (e.name.startsWith(".")) continue; const p = path.join(dir, "node_modules", e.name);`,
  `    if (e.name.startsWith("@")) { for (const s of fs.readdirSync(p)) yield* one(path.join(p, s)) } else yield* one(p) } }`,
  `function* one(dir) { let pkg; try { pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) } catch { return }`,
  `  yield { dir, pkg }; yield* pkgs(dir) }`,
].join("\n")

/** What the classify step is told (the plan's decisions for this target). */
export interface ClassifyInput {
  platform: string
  compile: string[]
  emulate: string[]
  skip: { name: string; via: string[] }[]
  denied: string[]
}

const CLASSIFY = `${WALK}
const want = JSON.parse(process.argv[1]);
const NATIVE = /\\b(node-gyp|prebuild-install|node-gyp-build|node-pre-gyp|cmake-js)\\b/;
const fail = [], seen = new Set();
for (const { dir, pkg } of pkgs(".")) {
  const s = pkg.scripts || {};
  const gyp = pkg.gypfile !== false && fs.existsSync(path.join(dir, "binding.gyp"));
  const work = ["preinstall", "install", "postinstall"].filter((k) => s[k]).map((k) => k + ": " + s[k]);
  if (gyp && !s.install && !s.preinstall) work.push("install: node-gyp rebuild (binding.gyp)");
  const what = work.join("; "), native = gyp || NATIVE.test(what);
  // the lock names a package by its folder (an alias "x": "npm:y@1" lives in node_modules/x)
  const folder = path.relative(".", dir).split(path.sep).join("/").split("node_modules/").pop();
  const name = [folder, pkg.name].find((n) => [...want.compile, ...want.emulate, ...want.denied, ...want.skip.map((k) => k.name)].includes(n)) || pkg.name;
  seen.add(name); seen.add(pkg.name);
  if (want.compile.includes(name)) {
    if (!work.length) console.log("multiarch: " + want.platform + " " + name + ": nothing to build (no install script, no binding.gyp)");
    else if (!native) fail.push(name + " was planned to be cross-compiled, but its install work is not a native build (" + what + "): it must run on " + want.platform + "; build with --emulate");
    else console.log("multiarch: " + want.platform + " " + name + ": cross-compile (" + what + ")");
  } else if (want.emulate.includes(name)) {
    console.log("multiarch: " + want.platform + " " + name + ": emulated rebuild (" + (what || "no install work") + ")");
  } else if (want.denied.includes(name)) {
    console.log("multiarch: " + want.platform + " " + name + ": not built, allowScripts denies it (" + what + ")");
  } else if (want.skip.some((k) => k.name === name)) {
    console.log("multiarch: " + want.platform + " " + name + ": script skipped, the target binary is a platform package (" + what + ")");
  } else if (work.length) {
    fail.push(name + " has install work the plan did not see in package-lock.json (" + what + "): regenerate the lock with npm 7 or newer, or build with --emulate");
  }
}
for (const k of want.skip) if (!k.via.some((v) => seen.has(v))) fail.push(k.name + ": none of its platform packages (" + k.via.join(", ") + ") was installed for " + want.platform);
if (fail.length) { for (const f of fail) console.error("multiarch: " + want.platform + ": " + f); process.exit(1) }
`

export function classifyStep(input: ClassifyInput): PlanStep {
  return { name: "classify packages", argv: ["node", "-e", CLASSIFY, JSON.stringify(input)] }
}

const PLATFORM_CHECK = `${WALK}
const [platform, os, cpu, libc] = process.argv.slice(1);
const admits = (l, v) => { if (!l || !l.length) return true; l = [].concat(l); if (l.length === 1 && l[0] === "any") return true;
  let neg = 0, hit = false; for (const e of l) { if (e.startsWith("!")) { neg++; if (e.slice(1) === v) return false } else if (e === v) hit = true } return hit || neg === l.length };
const bad = [], plat = [];
for (const { dir, pkg } of pkgs(".")) {
  if (!pkg.os && !pkg.cpu && !pkg.libc) continue;
  plat.push(pkg.name);
  if (!admits(pkg.os, os) || !admits(pkg.cpu, cpu) || !admits(pkg.libc, libc))
    bad.push(dir + " (" + pkg.name + ": os " + JSON.stringify(pkg.os || []) + ", cpu " + JSON.stringify(pkg.cpu || []) + ", libc " + JSON.stringify(pkg.libc || []) + ")");
}
if (bad.length) { console.error("multiarch: node_modules built for " + platform + " holds packages of another platform: " + bad.join("; ")); process.exit(1) }
console.log("multiarch: " + platform + ": " + plat.length + " platform packages, all for " + os + "/" + cpu + "/" + libc + (plat.length ? " (" + plat.join(", ") + ")" : ""));
`

export function platformCheckStep(platform: string, p: NpmPlatform): PlanStep {
  return { name: "verify platform packages", argv: ["node", "-e", PLATFORM_CHECK, platform, p.os, p.cpu, p.libc] }
}

/** Prints every regular file under ./node_modules that starts with \x7fELF (one process, not one per file). */
const ELF_FILES = `const fs = require("fs"), path = require("path"), head = Buffer.alloc(4);
(function walk(d) { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name);
  if (e.isDirectory()) walk(p); else if (e.isFile()) { const fd = fs.openSync(p, "r"); const n = fs.readSync(fd, head, 0, 4, 0); fs.closeSync(fd);
    if (n === 4 && head.readUInt32BE(0) === 0x7f454c46) console.log(p) } } })("node_modules")`

/**
 * `sh -c <loop> verify-elf-tree <elf-check script> <platform> <lister>`: every ELF file under
 * node_modules (found by a node one-liner) goes through the ELF check's script (its "$1" is the file).
 */
const ELF_TREE = [
  `elf=$1; platform=$2; n=0; bad=0`,
  `[ -d node_modules ] || { echo "multiarch: no node_modules: nothing to check for $platform"; exit 0; }`,
  `list=$(mktemp)`,
  `node -e "$3" > "$list"`,
  `while IFS= read -r f; do`,
  `  n=$((n + 1))`,
  `  sh -c "$elf" verify-elf "$f" > /dev/null || bad=$((bad + 1))`,
  `done < "$list"`,
  `rm -f "$list"`,
  `[ "$bad" = 0 ] || { echo "multiarch: $bad of $n ELF files under node_modules are not for $platform (listed above)" >&2; exit 1; }`,
  `echo "multiarch: $n ELF files under node_modules, all for $platform"`,
].join("\n")

export function elfTreeStep(row: Readonly<TargetRow>): PlanStep {
  const check = elfCheckArgv("$1", row.platform, row.elf, "any")[2]
  return { name: "verify ELF", argv: ["sh", "-c", ELF_TREE, "verify-elf-tree", check, row.platform, ELF_FILES] }
}
