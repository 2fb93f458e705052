/**
 * RUN classification: what a RUN command does (compiles Go/Rust/C, installs Node packages, builds a
 * JVM project, downloads…), whether it is heavy under QEMU, and whether it selects a target platform.
 */
import { unquote } from "./parse.js"
import { joinPath } from "./paths.js"
import type { RunKind } from "./types.js"

export interface Classification {
  kind: RunKind
  heavy: boolean
  reason?: string
}

const HEAVY_ORDER: RunKind[] = [
  "rust-build", "go-build", "c-build", "java-build", "dotnet-build", "node-install", "js-build",
  "python-build", "package-build", "package-install", "python-install", "download", "other",
]

const C_COMPILERS = /^(gcc|g\+\+|cc|c\+\+|clang|clang\+\+|tcc|[a-z0-9_]+(-[a-z0-9_]+)+-(gcc|g\+\+|cc|clang)(-\d+)?|gcc-\d+|g\+\+-\d+|clang-\d+)$/
const C_BUILD_TOOLS = /^(make|gmake|cmake|ninja|meson|configure|autoreconf|autogen\.sh|bazel|bazelisk|scons|b2|bjam|cargo-c)$/

/** Split shell text into simple commands and return each one's words, program first. */
function simpleCommands(text: string): string[][] {
  const out: string[][] = []
  const WRAPPERS = /^(if|while|until|!|exec|sudo|time|nice|nohup|env|command|xargs|eval|then|do|else|\{)$/
  for (const seg of text.split(/&&|\|\||[;|\n()`]|\$\(|\bthen\b|\bdo\b|\belse\b|\belif\b/)) {
    let words = seg.trim().split(/\s+/).filter(Boolean)
    // drop env assignments, wrappers and the wrappers' options in front of the program
    let afterWrapper = false
    while (words.length) {
      const w = words[0]
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || WRAPPERS.test(w) || (afterWrapper && w.startsWith("-"))) {
        afterWrapper = WRAPPERS.test(w) || (afterWrapper && w.startsWith("-"))
        words = words.slice(1)
        continue
      }
      break
    }
    if (words.length) out.push(words.map((w) => unquote(w)))
  }
  return out
}

function classifyCommand(words: string[]): Classification | undefined {
  const prog = words[0].replace(/^.*\//, "")
  const sub = (words.slice(1).find((w) => !w.startsWith("-")) ?? "").toLowerCase()
  const all = words.join(" ")
  switch (prog) {
    case "go":
      if (["build", "install", "test", "generate", "vet", "run"].includes(sub))
        return { kind: "go-build", heavy: true, reason: `go ${sub} compiles Go packages (the Go toolchain itself runs on this stage's platform)` }
      if (sub === "mod") return { kind: "download", heavy: false, reason: "go mod downloads modules" }
      return undefined
    case "cargo":
      if (["build", "b", "install", "test", "t", "run", "r", "zigbuild", "chef", "auditable", "rustc"].includes(sub))
        return { kind: "rust-build", heavy: true, reason: `cargo ${sub} compiles Rust crates` }
      if (sub === "fetch" || sub === "vendor") return { kind: "download", heavy: false, reason: `cargo ${sub} downloads crates` }
      return undefined
    case "rustc":
      return { kind: "rust-build", heavy: true, reason: "rustc compiles Rust" }
    case "npm":
      if (["ci", "install", "i", "add", "rebuild"].includes(sub))
        return { kind: "node-install", heavy: true, reason: `npm ${sub} runs dependency install scripts; node-gyp compiles native addons` }
      if (sub === "run" || sub === "run-script" || sub === "test" || sub === "t")
        return { kind: "js-build", heavy: true, reason: `npm ${words.slice(1, 3).join(" ")} runs an arch-neutral JavaScript build/test` }
      return undefined
    case "yarn":
      if (sub === "" || ["install", "add"].includes(sub))
        return { kind: "node-install", heavy: true, reason: "yarn install runs dependency install scripts; node-gyp compiles native addons" }
      if (sub !== "cache" && sub !== "config" && sub !== "set")
        return { kind: "js-build", heavy: true, reason: `yarn ${sub} runs an arch-neutral JavaScript build/test` }
      return undefined
    case "pnpm":
      if (["install", "i", "add", "fetch", "rebuild"].includes(sub))
        return { kind: "node-install", heavy: true, reason: `pnpm ${sub} runs dependency install scripts; node-gyp compiles native addons` }
      if (sub === "run" || sub === "build" || sub === "test")
        return { kind: "js-build", heavy: true, reason: `pnpm ${sub} runs an arch-neutral JavaScript build/test` }
      return undefined
    case "node-gyp":
    case "prebuild-install":
    case "node-pre-gyp":
      return { kind: "node-install", heavy: true, reason: `${prog} builds a native Node.js addon` }
    case "tsc":
    case "webpack":
    case "esbuild":
    case "vite":
    case "rollup":
    case "next":
    case "ng":
      return { kind: "js-build", heavy: true, reason: `${prog} is an arch-neutral JavaScript build` }
    case "npx":
      return words[1] ? classifyCommand(words.slice(1)) : undefined
    case "mvn":
    case "mvnw":
    case "gradle":
    case "gradlew":
    case "sbt":
    case "lein":
    case "ant":
      return { kind: "java-build", heavy: true, reason: `${prog} runs a JVM build (the JVM's JIT is very slow under QEMU; bytecode is arch-neutral)` }
    case "dotnet":
      if (["build", "publish", "restore", "test", "pack"].includes(sub))
        return { kind: "dotnet-build", heavy: true, reason: `dotnet ${sub} runs the .NET SDK` }
      return undefined
    case "dpkg-buildpackage":
    case "debuild":
    case "rpmbuild":
    case "abuild":
    case "makepkg":
    case "pbuilder":
      return { kind: "package-build", heavy: true, reason: `${prog} builds a distribution package from source` }
    case "python":
    case "python3":
      if (/\bsetup\.py\s+(build|bdist|bdist_wheel|install|develop)/.test(all) || /-m\s+build\b/.test(all) || /-m\s+pip\s+wheel\b/.test(all))
        return { kind: "python-build", heavy: true, reason: "builds a Python distribution (C extensions are compiled)" }
      if (/-m\s+pip\s+install\b/.test(all))
        return { kind: "python-install", heavy: false, reason: "pip installs wheels; it compiles C extensions when no wheel matches the platform" }
      return undefined
    case "pip":
    case "pip3":
      if (sub === "wheel") return { kind: "python-build", heavy: true, reason: "pip wheel builds wheels (C extensions are compiled)" }
      if (sub === "install")
        return { kind: "python-install", heavy: false, reason: "pip installs wheels; it compiles C extensions when no wheel matches the platform" }
      return undefined
    case "maturin":
      return { kind: "python-build", heavy: true, reason: "maturin compiles a Rust Python extension" }
    case "apt-get":
    case "apt":
    case "aptitude":
      if (["install", "upgrade", "dist-upgrade", "full-upgrade"].includes(sub))
        return { kind: "package-install", heavy: false, reason: `${prog} ${sub} runs package maintainer scripts (under QEMU, libc-bin's ldconfig trigger is the usual exit-139 site)` }
      return undefined
    case "apk":
      if (sub === "add" || sub === "upgrade") return { kind: "package-install", heavy: false, reason: `apk ${sub} installs packages for the stage's platform` }
      return undefined
    case "dnf":
    case "yum":
    case "microdnf":
    case "zypper":
      if (["install", "in", "update", "upgrade"].includes(sub)) return { kind: "package-install", heavy: false, reason: `${prog} ${sub} installs packages for the stage's platform` }
      return undefined
    case "curl":
    case "wget":
    case "git":
      return { kind: "download", heavy: false, reason: `${prog} fetches files` }
  }
  if (C_COMPILERS.test(prog)) return { kind: "c-build", heavy: true, reason: `${prog} compiles C/C++` }
  if (C_BUILD_TOOLS.test(prog)) return { kind: "c-build", heavy: true, reason: `${prog} drives a native (C/C++) build` }
  return undefined
}

export function classifyRun(command: string, argv?: string[]): Classification {
  const found: Classification[] = []
  if (argv && argv.length) {
    const prog = argv[0].replace(/^.*\//, "")
    const c = argv.length >= 3 && /^(sh|bash|dash|ash|zsh)$/.test(prog) && argv[1] === "-c" ? classifyRun(argv.slice(2).join(" ")) : classifyCommand(argv)
    if (c && c.kind !== "other") found.push(c)
  } else {
    for (const words of simpleCommands(command)) {
      const c = classifyCommand(words)
      if (c) found.push(c)
    }
  }
  if (!found.length) return { kind: "other", heavy: false }
  found.sort((a, b) => HEAVY_ORDER.indexOf(a.kind) - HEAVY_ORDER.indexOf(b.kind))
  return found[0]
}

/** The value of an option given as `-o X`, `-o=X`, `--out X` or `--out=X` (`names` without dashes' values). */
function optionValue(words: string[], names: string[]): string | undefined {
  for (let i = 1; i < words.length; i++) {
    for (const n of names) {
      if (words[i] === n && words[i + 1] !== undefined) return words[i + 1]
      if (words[i].startsWith(n + "=")) return words[i].slice(n.length + 1)
      if (n === "-o" && words[i].startsWith("-o") && words[i].length > 2 && !words[i].startsWith("-o=")) return words[i].slice(2) // gcc -oX
    }
  }
  return undefined
}

/**
 * Where the compiles of a RUN write what they build (absolute paths): a Go/Rust/C compile's `-o`
 * (cargo: `--target-dir`), else the directory it runs in (`cd` followed; go build writes the
 * binary there, cargo its target/); `go install` and `cargo install` also write to their bin
 * directories, `make install`/`cmake --install` to /usr/local. Used to tell whether another stage
 * copies a compile's output, or only something else from the stage (a tool built and run inside it).
 */
export function compileOutputs(command: string, workdir: string): string[] {
  const out = new Set<string>()
  let cwd = workdir
  for (const words of simpleCommands(command)) {
    if (words[0] === "cd") {
      if (words[1] !== undefined && !words[1].startsWith("-")) cwd = joinPath(cwd, words[1])
      continue
    }
    const c = classifyCommand(words)
    if (!c || (c.kind !== "go-build" && c.kind !== "rust-build" && c.kind !== "c-build")) continue
    const prog = words[0].replace(/^.*\//, "")
    const sub = words.slice(1).find((w) => !w.startsWith("-")) ?? ""
    if (prog === "go" && !["build", "install", "test"].includes(sub)) continue // vet, run, generate leave no binary behind
    const o = prog === "cargo" ? optionValue(words, ["--target-dir"]) : optionValue(words, ["-o"])
    out.add(o !== undefined ? joinPath(cwd, o) : cwd)
    if (prog === "go" && sub === "install") out.add("/go/bin")
    if (prog === "cargo" && sub === "install") out.add("/usr/local/cargo/bin").add("/root/.cargo/bin")
    if (words.includes("install") && prog !== "go" && prog !== "cargo") out.add("/usr/local")
  }
  return [...out]
}

/** Does the text select a target platform (Go/Rust/C cross-compilation, xx helpers)? */
export function mentionsTargetPlatform(text: string): boolean {
  return (
    /\$\{?(TARGETPLATFORM|TARGETOS|TARGETARCH|TARGETVARIANT)\b/.test(text) ||
    /\bGOARCH=/.test(text) ||
    /--target[= ]/.test(text) ||
    /\bCARGO_BUILD_TARGET=/.test(text) ||
    /\b(CC|CXX)=\S*-(gcc|g\+\+|clang|cc)\b/.test(text) ||
    /\bCC=["']?zig cc/.test(text) ||
    /\bxx-(go|cargo|clang|apt-get|apk|info|cc|c\+\+)\b/.test(text) ||
    /\bnpm_config_arch=/.test(text) ||
    /\s-r\s+linux-|--runtime\s+linux-/.test(text)
  )
}
