/** Go toolchain options: what every Go flag means, and their checks (before any engine work). */
import { MultiarchInputError } from "../../core/errors/index.js"
import { checkBuilderImage, checkCacheNamespace, listOf } from "../compiled.js"
import { packageList } from "./source.js"

export interface GoOptions {
  /** Go release of the builder image (1.23 or 1.23.4); default from go.mod / .go-version (version.ts). */
  goVersion?: string
  /** The builder image itself, e.g. golang:1.23-bookworm@sha256:… (pinned by digest); wins over --go-version. */
  goImage?: string
  /** Main package(s) to build, e.g. ./cmd/app, or ./cmd/a,./cmd/b. Default: discovered (source.ts). */
  package?: string
  /** Extra -ldflags, appended to the default "-s -w". */
  ldflags?: string
  /** Build with cgo and a target C cross compiler. */
  cgo?: boolean
  /** Go build tags (`go build -tags a,b`), a list or comma/space separated. */
  tags?: string | readonly string[]
  /** Debian -dev packages of the target architecture for cgo (libgpgme-dev → libgpgme-dev:arm64 on the arm64 builder). */
  cgoPackages?: string | readonly string[]
  /** Value injected with -X <versionVar>=<version>. */
  version?: string
  /** Value injected with -X <commitVar>=<commit>. */
  commit?: string
  /** Go symbol for version injection. Default main.version. */
  versionVar?: string
  /** Go symbol for commit injection. Default main.commit. */
  commitVar?: string
  /** Runtime base image; default scratch (static) or the platform's Debian image (dynamic cgo). */
  base?: string
  /** Name of the binary (one main package only); default the package directory's name or the module's. */
  binaryName?: string
  /** With several main packages: the binary the image runs. Default: the one named like the module, else the first. */
  entrypoint?: string
  /**
   * Run the Go toolchain itself on the target platform under QEMU instead of cross-compiling
   * (for projects cross-compilation cannot handle). Slow: 4–15×.
   */
  emulate?: boolean
  /** Namespace of the cache volumes (default: a hash of the module path). */
  cacheNamespace?: string
}

export const VERSION_RE = /^\d+\.\d+(\.\d+)?$/
const PACKAGE_RE = /^(\.|\.\/[A-Za-z0-9_./-]*[A-Za-z0-9_-]|[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+)$/
/** Build tags: what `go build -tags` accepts in a tag (letters, digits, `_`, `.`). */
const TAG_RE = /^[A-Za-z0-9_.]+$/
/** A Debian package name (policy §5.6.1), without an architecture qualifier (multiarch adds the target's). */
const DEBIAN_PACKAGE_RE = /^[a-z0-9][a-z0-9+.-]+$/
const FILE_NAME_RE = /^[A-Za-z0-9_.-]+$/

/** Validate options before any engine work. */
export function checkGoOptions(o: GoOptions): void {
  if (o.goVersion !== undefined && !VERSION_RE.test(o.goVersion))
    throw new MultiarchInputError("go-version", o.goVersion, "expected a Go release like 1.23 or 1.23.4", "drop the 'go' prefix and any suffix, e.g. --go-version 1.23")
  checkBuilderImage("go-image", o.goImage)
  if (o.package !== undefined) {
    const pkgs = packageList(o.package)
    if (pkgs.length === 0) throw new MultiarchInputError("pkg", o.package, "no package given", "pass a main package relative to the source, e.g. ./cmd/app")
    for (const p of pkgs) {
      if (!PACKAGE_RE.test(p)) throw new MultiarchInputError("pkg", p, "not a Go package path", "pass a main package relative to the source, e.g. ./cmd/app (several: ./cmd/a,./cmd/b)")
      if (p.split("/").includes("..")) throw new MultiarchInputError("pkg", p, "the package leaves the source directory", "pass a main package inside the source, e.g. ./cmd/app")
    }
  }
  for (const [k, v] of [["version-var", o.versionVar], ["commit-var", o.commitVar]] as const)
    if (v !== undefined && !/^[A-Za-z0-9_./-]+\.[A-Za-z_][A-Za-z0-9_]*$/.test(v))
      throw new MultiarchInputError(k, v, "not a Go symbol path", "use <package path>.<var>, e.g. main.version")
  for (const [k, v] of [["binary-name", o.binaryName], ["entrypoint", o.entrypoint]] as const)
    if (v !== undefined && (!FILE_NAME_RE.test(v) || v === "." || v === ".."))
      throw new MultiarchInputError(k, v, "not a plain file name", "use letters, digits, '.', '_' or '-'")
  for (const t of listOf(o.tags))
    if (!TAG_RE.test(t)) throw new MultiarchInputError("tags", t, "not a Go build tag", "use letters, digits, '_' and '.', e.g. --tags containers_image_openpgp,netgo")
  const pkgs = listOf(o.cgoPackages)
  for (const p of pkgs) {
    if (/:/.test(p)) throw new MultiarchInputError("cgo-packages", p, "a package with an architecture", `drop ":${p.split(":")[1]}": each target's builder installs the package for that target's Debian architecture`)
    if (!DEBIAN_PACKAGE_RE.test(p)) throw new MultiarchInputError("cgo-packages", p, "not a Debian package name", "use Debian names such as libgpgme-dev or libsqlite3-dev")
  }
  if (pkgs.length && !o.cgo)
    throw new MultiarchInputError("cgo-packages", pkgs.join(","), "target libraries are only used with cgo", "add --cgo (or drop --cgo-packages)")
  if (o.base !== undefined && (o.base.trim() === "" || /\s/.test(o.base)))
    throw new MultiarchInputError("base", o.base, "not an image address", 'pass e.g. "debian:bookworm-slim" or "scratch"')
  checkCacheNamespace(o.cacheNamespace)
}
