/** Paths in a Dockerfile: joining WORKDIRs, containment, and which paths hold native build output. */

const NATIVE_OUTPUT_PATTERNS: { re: RegExp; what: string }[] = [
  { re: /(^|\/)node_modules(\/|$)/, what: "node_modules (native addons are compiled for the platform `npm ci` ran on)" },
  { re: /(^|\/)build\/(Release|Debug)(\/|$)/, what: "a node-gyp build/ output" },
  { re: /\.node$/, what: "a native Node.js addon (.node)" },
  { re: /(^|\/)target\/(release|debug)(\/|$)/, what: "cargo's target/release (a build for the platform cargo ran on, no --target)" },
  { re: /\.so(\.\d+)*$/, what: "a shared library (.so)" },
  { re: /\.(a|o)$/, what: "object code (.a/.o)" },
  { re: /(^|\/)(site-packages|dist-packages|\.?venv)(\/|$)|\.whl$/, what: "Python packages (C extensions are compiled for the platform pip ran on)" },
  { re: /(^|\/)vendor\/bundle(\/|$)/, what: "Ruby gems (native extensions)" },
]

export function nativeOutputWhat(path: string): string | undefined {
  const p = path.replace(/\/+$/, "")
  for (const { re, what } of NATIVE_OUTPUT_PATTERNS) if (re.test(p)) return what
  return undefined
}

export function joinPath(base: string, rel: string): string {
  const abs = rel.startsWith("/") ? rel : `${base.replace(/\/+$/, "")}/${rel}`
  const parts: string[] = []
  for (const seg of abs.split("/")) {
    if (seg === "" || seg === ".") continue
    if (seg === "..") parts.pop()
    else parts.push(seg)
  }
  return "/" + parts.join("/")
}

/** `dir` is `anc` or below it. */
export function within(dir: string, anc: string): boolean {
  if (anc === "/") return true
  return dir === anc || dir.startsWith(anc + "/")
}
