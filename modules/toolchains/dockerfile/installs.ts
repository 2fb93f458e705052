/**
 * What a Dockerfile installs (apt-get/apt/apk/dnf/yum/microdnf/zypper install, and a few build
 * tools fetched otherwise, such as protoc), for the note `plan` shows when a Go or Rust route wins
 * over a Dockerfile that is also in the source: the native route's builder has only its image's
 * tools, and its runtime is scratch or a slim Debian.
 */
import { parseDockerfile } from "./parse.js"

export interface Installs {
  /** Packages installed in stages other than the last, with the lines they are on. */
  build: { packages: string[]; lines: number[] }
  /** Packages installed in the last stage (the image). */
  final: { packages: string[]; lines: number[] }
}

/** Packages every route has anyway (fetch tools, the C toolchain of the builder image). */
const COMMON = new Set(["ca-certificates", "curl", "wget", "git", "gnupg", "apt-transport-https", "build-essential", "gcc", "g++", "make", "libc6-dev", "musl-dev"])
const INSTALLERS: [RegExp, RegExp][] = [
  [/^(apt-get|apt|aptitude)$/, /^install$/],
  [/^apk$/, /^add$/],
  [/^(dnf|yum|microdnf|tdnf)$/, /^install$/],
  [/^zypper$/, /^(install|in)$/],
]
/** Tools a Dockerfile may fetch without a package manager (e.g. protoc from a release zip). */
const TOOL_WORDS = ["protoc", "cmake", "nasm", "yasm", "clang"]

function packagesOf(command: string): string[] {
  const out: string[] = []
  for (const cmd of command.split(/&&|\|\||[;|\n]/)) {
    const words = cmd.replace(/\\\s*$/gm, " ").trim().split(/\s+/).filter((w) => w !== "" && w !== "\\")
    // skip wrappers: sudo, env assignments
    while (words.length && (words[0] === "sudo" || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]))) words.shift()
    const inst = INSTALLERS.find(([tool]) => tool.test(words[0] ?? ""))
    if (!inst) continue
    const at = words.findIndex((w, i) => i > 0 && inst[1].test(w))
    if (at < 0) continue
    for (let i = at + 1; i < words.length; i++) {
      const w = words[i]
      if (w === "--virtual" || w === "-t") {
        i++
        continue
      }
      if (w.startsWith("-") || w.startsWith("$") || w.includes("${")) continue
      const name = w.replace(/^["']|["']$/g, "").replace(/[=<>~].*$/, "")
      if (/^[a-z0-9][a-z0-9+._:-]*$/.test(name) && !COMMON.has(name.replace(/:.*$/, ""))) out.push(name)
    }
  }
  return out
}

/** The packages (and fetched tools) a Dockerfile installs, per build stages and final stage; undefined when it does not parse. */
export function dockerfileInstalls(text: string, path = "Dockerfile"): Installs | undefined {
  let instructions
  try {
    instructions = parseDockerfile(text, path).instructions
  } catch {
    return undefined
  }
  const lastFrom = instructions.map((i) => i.keyword).lastIndexOf("FROM")
  const res: Installs = { build: { packages: [], lines: [] }, final: { packages: [], lines: [] } }
  instructions.forEach((ins, idx) => {
    if (ins.keyword !== "RUN") return
    const command = [ins.args, ...ins.heredocs.map((h) => h.body)].join("\n")
    const found = packagesOf(command)
    for (const t of TOOL_WORDS) if (new RegExp(`(^|[\\s/])${t}([\\s_.-]|$)`).test(command) && !found.some((p) => p.includes(t))) found.push(t)
    if (!found.length) return
    const into = idx > lastFrom ? res.final : res.build
    for (const p of found) if (!into.packages.includes(p)) into.packages.push(p)
    into.lines.push(ins.line)
  })
  return res
}

/** The note for `plan`: what the Dockerfile installs that the chosen native route does not. */
export function installsNote(text: string | undefined, path: string, chosen: string): string | undefined {
  if (text === undefined) return undefined
  const r = dockerfileInstalls(text, path)
  if (!r || (!r.build.packages.length && !r.final.packages.length)) return undefined
  const part = (what: string, x: Installs["build"]) =>
    x.packages.length ? `${what} ${x.packages.slice(0, 10).join(", ")}${x.packages.length > 10 ? `, … (${x.packages.length})` : ""} (line${x.lines.length > 1 ? "s" : ""} ${x.lines.join(", ")})` : ""
  const parts = [part("build stages install", r.build), part("its final stage installs", r.final)].filter((p) => p)
  const hint = chosen === "go" ? " (for target -dev libraries of a cgo build: --cgo --cgo-packages)" : ""
  return `${path}: ${parts.join("; ")} — the ${chosen} route has none of these (its builder has the image's tools only, its runtime is scratch or a slim Debian); if the build or the binary needs them, build with --lang dockerfile${hint}, or give --base an image that has the runtime ones`
}
