/**
 * The image's entrypoint, from package.json the way `npm start` and `npx <pkg>` would start the
 * app: `--entrypoint` > `scripts.start` > `bin` > `main` (or index.js, npm's default main).
 * A `start` of the form `node <file> [args]` becomes `["node", "/app/<file>", …args]`, so node is
 * PID 1 and gets the signals; any other `start` runs through `npm start`.
 */
import { MultiarchInputError } from "../../core/errors/index.js"

export interface PackageJson {
  name?: string
  main?: unknown
  bin?: unknown
  scripts?: Record<string, unknown>
  engines?: { node?: unknown }
  packageManager?: unknown
  allowScripts?: unknown
}

export interface Entrypoint {
  argv: string[]
  /** Where it came from: "--entrypoint", "package.json start", … */
  source: string
}

const SAFE_ARG = /^[A-Za-z0-9_@%+=:,./-]+$/

/** `node file args…` split on blanks, when every word is plain (no quotes, variables, operators); else undefined. */
function plainNodeCommand(start: string): string[] | undefined {
  const words = start.trim().split(/\s+/)
  if (words[0] !== "node" || words.length < 2) return undefined
  if (!words.every((w) => SAFE_ARG.test(w))) return undefined
  const file = words.findIndex((w, i) => i > 0 && !w.startsWith("-"))
  if (file < 0) return undefined
  return words
}

const inApp = (app: string, file: string) => (file.startsWith("/") ? file : `${app}/${file.replace(/^\.\//, "")}`)

export function resolveEntrypoint(given: string[] | undefined, pkg: PackageJson, entries: readonly string[], app: string): Entrypoint {
  if (given) return { argv: [...given], source: "--entrypoint" }
  const start = pkg.scripts?.start
  if (typeof start === "string" && start.trim() !== "") {
    const words = plainNodeCommand(start)
    if (words) {
      const i = words.findIndex((w, k) => k > 0 && !w.startsWith("-"))
      return { argv: words.map((w, k) => (k === i ? inApp(app, w) : w)), source: `package.json scripts.start (${start.trim()})` }
    }
    return { argv: ["npm", "start"], source: `package.json scripts.start (${start.trim()}: not a plain \`node <file>\`, so npm is PID 1)` }
  }
  if (typeof pkg.bin === "string") return { argv: ["node", inApp(app, pkg.bin)], source: "package.json bin" }
  if (pkg.bin && typeof pkg.bin === "object") {
    const bins = Object.entries(pkg.bin as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string")
    const own = pkg.name ? bins.find(([k]) => k === pkg.name || k === pkg.name!.replace(/^@[^/]+\//, "")) : undefined
    const pick = bins.length === 1 ? bins[0] : own
    if (pick) return { argv: ["node", inApp(app, pick[1])], source: `package.json bin.${pick[0]}` }
    if (bins.length > 1)
      throw new MultiarchInputError("entrypoint", "", `package.json has ${bins.length} bin entries (${bins.map(([k]) => k).join(", ")}) and no start script`, `pass --entrypoint node,${bins[0][1]}`)
  }
  if (typeof pkg.main === "string" && pkg.main.trim() !== "") return { argv: ["node", inApp(app, pkg.main.trim())], source: "package.json main" }
  if (entries.includes("index.js")) return { argv: ["node", `${app}/index.js`], source: "index.js (npm's default main)" }
  throw new MultiarchInputError("entrypoint", "", "package.json has no start script, bin or main, and there is no index.js", "pass --entrypoint, e.g. --entrypoint node,server.js")
}
