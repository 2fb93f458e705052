/**
 * Image references: parse and normalise `[registry/]repository[:tag][@digest]` the way Docker and
 * containerd read them (docker.io and `library/` defaults), with errors that say how to fix the
 * input. Pure: no network.
 *
 * Normalisation rules:
 * - The first path element is a registry host when it contains "." or ":", is "localhost", or is a
 *   bracketed IPv6 address; otherwise the image lives on Docker Hub (`docker.io`).
 * - Registry hosts are lower-cased (DNS is case-insensitive). `index.docker.io` and
 *   `registry-1.docker.io` are spelled `docker.io`; API calls for `docker.io` go to
 *   `registry-1.docker.io` (see `registryApiHost`).
 * - A one-element Docker Hub path gets `library/` (`alpine` → `docker.io/library/alpine`).
 * - Repository paths must be lower case. An upper-case path (GitHub owners such as
 *   `${{ github.repository }}` = `MyOrg/App`) is rejected with the lower-cased reference as the fix,
 *   instead of silently lower-casing: the registry would otherwise hold a repository the user did
 *   not name, and a later `docker pull MyOrg/App` would not find it.
 * - Tags keep their case (tags are case-sensitive). A reference with neither tag nor digest gets
 *   the default tag `latest` unless `defaultTag: null` is passed.
 * - Distribution treats an upper-case first element without "." or ":" (`MyOrg/app`) as a registry
 *   host; we treat it as a Docker Hub path with an upper-case owner instead, because that is what
 *   users mean, and report it with the lower-cased fix.
 * - A `docker://` prefix (skopeo's transport spelling) is accepted and dropped; `http(s)://` is
 *   rejected with a fix.
 */
import { MultiarchInputError } from "./errors/index.js"
import { leadingUserinfo } from "./userinfo.js"

export interface ImageReference {
  /** Registry host as users spell it, lower case, with port: "docker.io", "ghcr.io", "127.0.0.1:5000". */
  readonly registry: string
  /** Repository path inside the registry: "library/alpine", "myorg/app". */
  readonly repository: string
  /** Tag, if any (after defaulting). */
  readonly tag?: string
  /** Digest, if any: "sha256:<64 hex>". */
  readonly digest?: string
}

export interface ParseReferenceOptions {
  /** Argument name used in error messages (default "address"). */
  field?: string
  /** Tag used when the reference has neither tag nor digest; null: leave it without tag. Default "latest". */
  defaultTag?: string | null
}

export const DOCKER_HUB = "docker.io"
const DOCKER_HUB_API = "registry-1.docker.io"
/** Other spellings of Docker Hub (DOCKER_HUB itself needs no mapping). */
const DOCKER_HUB_ALIASES = new Set(["index.docker.io", "registry-1.docker.io"])

const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?$`)
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const DIGEST_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 }
const MAX_NAME_LENGTH = 255

/** True when a tag matches the OCI/Docker tag grammar `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag)
}

/** True when `digest` is `<algorithm>:<hex>` with a known algorithm and the right length (lower-case hex). */
export function isValidDigest(digest: string): boolean {
  const m = /^([a-z0-9]+):([0-9a-f]+)$/.exec(digest)
  return !!m && DIGEST_HEX_LENGTH[m[1]] === m[2].length
}

function fail(field: string, input: string, problem: string, fix: string): never {
  throw new MultiarchInputError(field, input, problem, fix)
}

/** Is the first path element a registry host? */
function looksLikeHost(first: string): boolean {
  return first.includes(".") || first.includes(":") || first.toLowerCase() === "localhost" || first.startsWith("[")
}

function canonicalRegistry(host: string): string {
  const h = host.toLowerCase()
  return DOCKER_HUB_ALIASES.has(h) ? DOCKER_HUB : h
}

/**
 * Parse and normalise an image reference. Throws MultiarchInputError (field "address" unless
 * `opts.field`) naming the input and the fix.
 *
 * @example parseReference("alpine") // { registry: "docker.io", repository: "library/alpine", tag: "latest" }
 * @example parseReference("127.0.0.1:5000/app@sha256:…") // { registry: "127.0.0.1:5000", repository: "app", digest: "sha256:…" }
 */
export function parseReference(input: string, opts: ParseReferenceOptions = {}): ImageReference {
  const field = opts.field ?? "address"
  const defaultTag = opts.defaultTag === undefined ? "latest" : opts.defaultTag
  if (typeof input !== "string") fail(field, String(input), "an image reference must be a string", `use e.g. "ghcr.io/owner/app:1.0"`)
  let s = input.trim()
  if (s === "") fail(field, input, "the image reference is empty", `use e.g. "ghcr.io/owner/app:1.0"`)
  if (/\s/.test(s)) fail(field, input, "an image reference has no spaces", `pass one reference, e.g. "ghcr.io/owner/app:1.0"`)
  if (s.startsWith("docker://")) s = s.slice("docker://".length)
  if (leadingUserinfo(s) !== undefined)
    // user:pass@host/repo: credentials in a reference would be echoed and logged; never accepted
    fail(field, input, "an image reference cannot carry credentials (user:password@)", "drop them from the reference and pass --username with --password env://TOKEN (or --registry-config)")
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(s)
  if (scheme)
    fail(
      field,
      input,
      `an image reference has no "${scheme[1]}://" scheme`,
      `write it without the scheme, e.g. "${s.slice(scheme[0].length)}"`,
    )

  // digest
  let digest: string | undefined
  const at = s.indexOf("@")
  if (at >= 0) {
    digest = s.slice(at + 1)
    s = s.slice(0, at)
    if (!DIGEST_RE.test(digest))
      fail(field, input, `"${digest}" is not a digest`, `a digest looks like "sha256:" followed by 64 hex digits`)
    const [alg, hex] = [digest.slice(0, digest.indexOf(":")), digest.slice(digest.indexOf(":") + 1)]
    if (!(alg in DIGEST_HEX_LENGTH))
      fail(field, input, `unsupported digest algorithm "${alg}"`, `use a sha256 digest, e.g. "sha256:" followed by 64 hex digits`)
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== DIGEST_HEX_LENGTH[alg])
      fail(field, input, `a ${alg} digest has exactly ${DIGEST_HEX_LENGTH[alg]} hex digits (this one has ${hex.length} characters)`, `copy the full digest, e.g. from "skopeo inspect"`)
    if (hex !== hex.toLowerCase())
      fail(field, input, "digests are lower-case hex", `use "${input.trim().replace(hex, hex.toLowerCase())}"`)
  }

  // tag: a ':' after the last '/'
  let tag: string | undefined
  const lastSlash = s.lastIndexOf("/")
  const colon = s.lastIndexOf(":")
  if (colon > lastSlash) {
    tag = s.slice(colon + 1)
    s = s.slice(0, colon)
    if (!TAG_RE.test(tag))
      fail(
        field,
        input,
        tag === "" ? "the tag after ':' is empty" : `"${tag}" is not a valid tag (tags use letters, digits, "_", "." and "-", at most 128, and do not start with "." or "-")`,
        tag === "" ? `drop the ':' or name a tag, e.g. "${s}:latest"` : `e.g. "${s}:${sanitizeForHint(tag)}"`,
      )
  }

  if (s === "") fail(field, input, "the repository name is missing", `use e.g. "ghcr.io/owner/app:1.0"`)
  const parts = s.split("/")
  let registry: string
  let pathParts: string[]
  if (parts.length > 1 && looksLikeHost(parts[0])) {
    if (!DOMAIN_RE.test(parts[0]))
      fail(field, input, `"${parts[0]}" is not a valid registry host`, `use a host name with an optional port, e.g. "ghcr.io" or "127.0.0.1:5000"`)
    registry = canonicalRegistry(parts[0])
    pathParts = parts.slice(1)
  } else {
    // (a host followed by a path took the branch above: here it is the whole name)
    if (looksLikeHost(parts[0])) {
      // "localhost:5000" was read as name "localhost", tag "5000": a port (String(undefined) has no digits)
      const host = /^\d+$/.test(String(tag)) ? `${parts[0]}:${tag}` : parts[0]
      fail(field, input, "the reference names a registry but no repository", `add the repository, e.g. "${host}/app:latest"`)
    }
    registry = DOCKER_HUB
    pathParts = parts
  }
  if (registry === DOCKER_HUB && pathParts.length === 1) pathParts = ["library", pathParts[0]]
  if (pathParts.some((p) => p === ""))
    fail(field, input, "a path element is empty", `write the path without leading, trailing or doubled slashes, e.g. "ghcr.io/owner/app"`)

  const repository = pathParts.join("/")
  const lower = repository.toLowerCase()
  const rebuilt = (repo: string) => formatReference({ registry, repository: repo, tag, digest })
  if (repository !== lower && lower.split("/").every((p) => PATH_COMPONENT_RE.test(p)))
    fail(
      field,
      input,
      `repository paths must be lower case, and "${repository}" is not (GitHub owner names such as \${{ github.repository }} keep their upper case)`,
      `use "${rebuilt(lower)}" (lower-case the path, e.g. with \${GITHUB_REPOSITORY,,} in bash)`,
    )
  for (const p of pathParts)
    if (!PATH_COMPONENT_RE.test(p))
      fail(
        field,
        input,
        `"${p}" is not a valid repository path element (lower-case letters and digits, separated by ".", "_", "__" or "-")`,
        `e.g. "${rebuilt(pathParts.map((x) => sanitizeComponent(x)).join("/"))}"`,
      )
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH)
    fail(field, input, `the name is longer than ${MAX_NAME_LENGTH} characters`, "use a shorter repository path")

  if (!tag && !digest && defaultTag) tag = defaultTag
  const ref: { registry: string; repository: string; tag?: string; digest?: string } = { registry, repository }
  if (tag) ref.tag = tag
  if (digest) ref.digest = digest
  return ref
}

function sanitizeForHint(tag: string): string {
  const t = tag.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[.-]+/, "").slice(0, 128)
  return t || "latest"
}

function sanitizeComponent(p: string): string {
  const c = p
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+|[._-]+$/g, "")
  return c || "app"
}

/** `registry/repository`, e.g. "docker.io/library/alpine". */
export function referenceName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`
}

/** Fully qualified `registry/repository[:tag][@digest]`. */
export function formatReference(ref: ImageReference): string {
  return referenceName(ref) + (ref.tag ? `:${ref.tag}` : "") + (ref.digest ? `@${ref.digest}` : "")
}

/** The reference with `digest` set (tag kept): what a push returns, `name:tag@sha256:…`. */
export function withDigest(ref: ImageReference, digest: string): ImageReference {
  return { ...ref, digest }
}

/** The reference with another tag and no digest. */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  const { digest: _d, ...rest } = ref
  return { ...rest, tag }
}

/** What goes in `/v2/<name>/manifests/<here>`: the digest when there is one, else the tag. */
export function manifestReference(ref: ImageReference): string {
  const r = ref.digest ?? ref.tag
  if (!r) throw new MultiarchInputError("address", formatReference(ref), "the reference has neither tag nor digest", `add a tag, e.g. "${referenceName(ref)}:latest"`)
  return r
}

/** Host that serves the Distribution API for a registry: docker.io → registry-1.docker.io. */
export function registryApiHost(registry: string): string {
  const r = canonicalRegistry(registry)
  return r === DOCKER_HUB ? DOCKER_HUB_API : r
}

/** True for registries on this machine (localhost, 127.0.0.0/8, ::1), which are reached over plain http. */
export function isLocalRegistry(registry: string): boolean {
  // without the port; a bracketed IPv6 literal ends with "]", so its own ":1" is never taken for one
  const h = registry.replace(/:\d+$/, "").toLowerCase()
  return h === "localhost" || h === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/** Same registry and repository? */
export function sameRepository(a: ImageReference, b: ImageReference): boolean {
  return a.registry === b.registry && a.repository === b.repository
}
