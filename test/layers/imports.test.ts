/**
 * The folders are the layers: every import of every file under src/ and modules/ runs downward,
 * src → modules/{toolchains, registry} → modules/core, and only src/ imports @dagger.io/dagger.
 * Also: nothing in the product imports test/, ci/ or bench/; every relative import resolves to a
 * file; the pure layers (core, toolchains) neither import network or file-system modules nor call
 * the global fetch — only modules/registry talks to the network, only src/ to the engine.
 *
 * Imports are read with the TypeScript compiler (import, import type, export … from, import()),
 * not with a regular expression. The checker itself is tested on a planted graph first, so a
 * forbidden edge added later fails here.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const REPO = path.resolve(__dirname, "../..")

type Layer = "src" | "toolchains" | "registry" | "core" | "outside"

/** Which layer each layer may import from (itself included). */
const ALLOWED: Record<Exclude<Layer, "outside">, readonly Layer[]> = {
  src: ["src", "toolchains", "registry", "core"],
  toolchains: ["toolchains", "core"],
  registry: ["registry", "core"],
  core: ["core"],
}

/** Packages that talk to the engine, the network or the file system, and the layers allowed to import them. */
const RESTRICTED_PACKAGES: Array<[RegExp, readonly Layer[], string]> = [
  [/^@dagger\.io\/dagger(\/|$)/, ["src"], "the Dagger SDK (engine calls)"],
  [/^(node:)?(net|http|https|http2|dgram|tls|dns)$/, ["registry"], "network I/O"],
  [/^(node:)?(fs|fs\/promises|child_process|worker_threads)$/, [], "file-system or process I/O"],
]

/** Layers that may use the global fetch. */
const FETCH_LAYERS: readonly Layer[] = ["registry", "src"]

export function layerOf(rel: string): Layer {
  if (rel.startsWith("src/")) return "src"
  if (rel.startsWith("modules/core/")) return "core"
  if (rel.startsWith("modules/toolchains/")) return "toolchains"
  if (rel.startsWith("modules/registry/")) return "registry"
  return "outside"
}

export interface ImportEdge {
  /** The importing file, relative to the repo. */
  from: string
  /** The specifier as written. */
  spec: string
  /** The imported file relative to the repo (relative specifiers), or undefined for a package. */
  to?: string
  /** Whether `to` exists. */
  exists?: boolean
}

/** Every violation of the layer rules in `edges` (and global-fetch uses), one readable line each. */
export function violations(edges: readonly ImportEdge[], fetchUses: readonly string[] = []): string[] {
  const out: string[] = []
  for (const e of edges) {
    const from = layerOf(e.from)
    if (from === "outside") continue
    if (e.to !== undefined) {
      if (!e.exists) out.push(`${e.from}: "${e.spec}" resolves to ${e.to}, which does not exist`)
      const to = layerOf(e.to)
      if (to === "outside") out.push(`${e.from}: imports ${e.to} (test/, ci/, bench/ and other files outside the layers are not product code)`)
      else if (!ALLOWED[from].includes(to)) out.push(`${e.from}: ${from} imports ${to} (${e.to}); allowed from ${from}: ${ALLOWED[from].join(", ")}`)
      continue
    }
    for (const [re, layers, what] of RESTRICTED_PACKAGES)
      if (re.test(e.spec) && !layers.includes(from)) out.push(`${e.from}: ${from} imports "${e.spec}" (${what}); only ${layers.join(", ") || "no product layer"} may`)
  }
  for (const f of fetchUses) {
    const l = layerOf(f)
    if (l !== "outside" && !FETCH_LAYERS.includes(l)) out.push(`${f}: ${l} calls the global fetch (network I/O belongs in modules/registry)`)
  }
  return out
}

function productFiles(): string[] {
  const walk = (d: string): string[] =>
    fs.readdirSync(path.join(REPO, d), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${d}/${e.name}`) : /\.m?ts$/.test(e.name) ? [`${d}/${e.name}`] : []))
  return [...walk("src"), ...walk("modules")]
}

function edgesOf(rel: string): ImportEdge[] {
  const info = ts.preProcessFile(fs.readFileSync(path.join(REPO, rel), "utf8"), true, true)
  return info.importedFiles.map(({ fileName: spec }) => {
    if (!spec.startsWith(".")) return { from: rel, spec }
    const to = path.relative(REPO, path.resolve(path.dirname(path.join(REPO, rel)), spec)).replace(/\.js$/, ".ts")
    return { from: rel, spec, to, exists: fs.existsSync(path.join(REPO, to)) }
  })
}

/** Files that reference the global `fetch` (an identifier `fetch` that is not a property name, a parameter or a declaration). */
function fetchUsesOf(rel: string): string[] {
  const src = ts.createSourceFile(rel, fs.readFileSync(path.join(REPO, rel), "utf8"), ts.ScriptTarget.Latest, true)
  let uses = false
  const visit = (n: ts.Node) => {
    if (ts.isIdentifier(n) && n.text === "fetch") {
      const p = n.parent
      const onGlobalThis = ts.isPropertyAccessExpression(p) && p.name === n && ts.isIdentifier(p.expression) && p.expression.text === "globalThis"
      const isName = (ts.isPropertyAccessExpression(p) && p.name === n && !onGlobalThis) || (ts.isPropertyAssignment(p) && p.name === n) || ts.isPropertySignature(p) || ts.isMethodDeclaration(p) || ts.isParameter(p) || ts.isPropertyDeclaration(p)
      const isTypeQuery = ts.isTypeQueryNode(p)
      if (!isName || isTypeQuery) uses = true
    }
    ts.forEachChild(n, visit)
  }
  visit(src)
  return uses ? [rel] : []
}

describe("the checker is live (a planted graph)", () => {
  it("flags upward and sideways edges, the Dagger SDK outside src/, network modules outside the registry, global fetch in pure layers", () => {
    const planted: ImportEdge[] = [
      { from: "modules/core/platform.ts", spec: "../toolchains/index.js", to: "modules/toolchains/index.ts", exists: true },
      { from: "modules/core/env.ts", spec: "../../src/index.js", to: "src/index.ts", exists: true },
      { from: "modules/toolchains/go/plan.ts", spec: "../../registry/index.js", to: "modules/registry/index.ts", exists: true },
      { from: "modules/registry/client.ts", spec: "../toolchains/index.js", to: "modules/toolchains/index.ts", exists: true },
      { from: "modules/registry/client.ts", spec: "@dagger.io/dagger" },
      { from: "modules/toolchains/rust/cargo.ts", spec: "node:fs" },
      { from: "modules/core/targets.ts", spec: "node:https" },
      { from: "src/engine/build.ts", spec: "../../test/support/facts.js", to: "test/support/facts.ts", exists: true },
      { from: "modules/core/elf.ts", spec: "./gone.js", to: "modules/core/gone.ts", exists: false },
      // allowed edges
      { from: "src/index.ts", spec: "../modules/core/platform.js", to: "modules/core/platform.ts", exists: true },
      { from: "src/index.ts", spec: "@dagger.io/dagger" },
      { from: "modules/toolchains/index.ts", spec: "../core/native.js", to: "modules/core/native.ts", exists: true },
      { from: "modules/registry/digest.ts", spec: "node:crypto" },
      { from: "modules/core/platform.ts", spec: "zod" },
    ]
    const v = violations(planted, ["modules/core/reference.ts", "modules/registry/transport/retry.ts"])
    expect(v).toEqual([
      "modules/core/platform.ts: core imports toolchains (modules/toolchains/index.ts); allowed from core: core",
      "modules/core/env.ts: core imports src (src/index.ts); allowed from core: core",
      "modules/toolchains/go/plan.ts: toolchains imports registry (modules/registry/index.ts); allowed from toolchains: toolchains, core",
      "modules/registry/client.ts: registry imports toolchains (modules/toolchains/index.ts); allowed from registry: registry, core",
      'modules/registry/client.ts: registry imports "@dagger.io/dagger" (the Dagger SDK (engine calls)); only src may',
      'modules/toolchains/rust/cargo.ts: toolchains imports "node:fs" (file-system or process I/O); only no product layer may',
      'modules/core/targets.ts: core imports "node:https" (network I/O); only registry may',
      "src/engine/build.ts: imports test/support/facts.ts (test/, ci/, bench/ and other files outside the layers are not product code)",
      'modules/core/elf.ts: "./gone.js" resolves to modules/core/gone.ts, which does not exist',
      "modules/core/reference.ts: core calls the global fetch (network I/O belongs in modules/registry)",
    ])
  })
})

describe("the product's imports", () => {
  const files = productFiles()

  it("reads every file of every layer", () => {
    const layers = new Set(files.map(layerOf))
    expect([...layers].sort()).toEqual(["core", "registry", "src", "toolchains"])
    expect(files.length).toBeGreaterThan(50)
  })

  it("run only downward: src → modules/{toolchains, registry} → modules/core; the engine only from src/, the network only from modules/registry", () => {
    const edges = files.flatMap(edgesOf)
    expect(edges.filter((e) => e.to !== undefined).length).toBeGreaterThan(100)
    expect(violations(edges, files.flatMap(fetchUsesOf))).toEqual([])
  })

  it("@dagger.io/dagger is imported from src/ only (and src/ does import it)", () => {
    const dagger = files.filter((f) => edgesOf(f).some((e) => e.spec.startsWith("@dagger.io/dagger")))
    expect(dagger.length).toBeGreaterThan(0)
    expect(dagger.filter((f) => !f.startsWith("src/"))).toEqual([])
  })
})
