/**
 * Publishing, pure part: the references to push (address, extra tags, tags computed from a git
 * ref), and the one PublishRequest that `publish` and `merge` build by name and check before any
 * engine or registry work, so a typo never costs a build.
 */
import { parseAnnotations } from "./annotations.js"
import { parseChoice } from "./choice.js"
import { checkCredentialPair } from "./credentials.js"
import { MultiarchInputError } from "./errors/index.js"
import { formatReference, isValidTag, parseReference, referenceName } from "./reference.js"
import { ciContext, type ExplicitContext } from "./ci-context.js"
import { computeTags } from "./tags.js"

export interface GitContext {
  /** A git ref: refs/tags/v1.2.3, refs/heads/main, refs/pull/42/merge, refs/merge-requests/7/head. */
  gitRef?: string
  /** The commit SHA (gives the sha-<7> tag). */
  gitSha?: string
  /** The repository's default branch. */
  defaultBranch?: string
}

/** Turn a git ref into the explicit CI context of the tag grammar. */
export function explicitFromGitRef(g: GitContext): ExplicitContext {
  const e: ExplicitContext = {}
  if (g.gitSha !== undefined) {
    if (!/^[0-9a-f]{7,64}$/i.test(g.gitSha))
      throw new MultiarchInputError("git-sha", g.gitSha, "not a commit SHA", "pass the full hex SHA, e.g. $GITHUB_SHA or $CI_COMMIT_SHA")
    e.sha = g.gitSha
  }
  if (g.defaultBranch) e.defaultBranch = g.defaultBranch
  const ref = g.gitRef?.trim()
  if (!ref) return e
  let m: RegExpExecArray | null
  if ((m = /^refs\/tags\/(.+)$/.exec(ref))) e.tag = m[1]
  else if ((m = /^refs\/heads\/(.+)$/.exec(ref))) e.branch = m[1]
  else if ((m = /^refs\/(?:pull|merge-requests)\/(\d+)\/(?:merge|head)$/.exec(ref))) e.pr = Number(m[1])
  else
    throw new MultiarchInputError(
      "git-ref",
      ref,
      "not a full git ref",
      "pass refs/tags/<tag>, refs/heads/<branch>, refs/pull/<n>/merge or refs/merge-requests/<n>/head (GitHub: $GITHUB_REF)",
    )
  return e
}

export interface PublishTargets {
  /** Every reference to push, most specific first. */
  refs: string[]
  /** The repository (registry/path), for registry auth. */
  repository: string
  /** The registry host. */
  registry: string
}

/**
 * Validate a publish address, extra tags and an optional git context; return every reference to
 * push. The address's own tag (if any) comes first, then explicit tags, then computed ones; with
 * none at all the tag is `latest`.
 */
export function publishTargets(address: string, tags: string[] = [], git: GitContext = {}): PublishTargets {
  const ref = parseReference(address, { field: "address", defaultTag: null })
  if (ref.digest)
    throw new MultiarchInputError("address", address, "a digest cannot be pushed to", `push to a tag, e.g. ${referenceName(ref)}:latest`)
  if (ref.tag && git.gitRef !== undefined && git.gitRef.trim() !== "")
    throw new MultiarchInputError(
      "address",
      address,
      `--git-ref computes the tags (${git.gitRef.trim()}), and the address names one too (${ref.tag})`,
      `drop ":${ref.tag}" from --address (--git-ref gives the tags), or drop --git-ref and list the tags with --tags`,
    )
  // the address's tag passed parseReference, and computed tags are valid by construction: only
  // --tags need checking
  const all: string[] = ref.tag ? [ref.tag] : []
  const add = (t: string) => {
    if (!all.includes(t)) all.push(t)
  }
  for (const t of tags) {
    const tt = t.trim()
    if (!isValidTag(tt))
      throw new MultiarchInputError("tags", t, "not a valid tag", "tags use [A-Za-z0-9_.-], at most 128 characters, not starting with . or -")
    add(tt)
  }
  // without --git-ref and --git-sha the context is empty and gives no tag
  for (const t of computeTags(ciContext({}, explicitFromGitRef(git)))) add(t)
  if (all.length === 0) all.push("latest")
  const name = referenceName(ref)
  return { refs: all.map((t) => formatReference({ ...ref, tag: t })), repository: name, registry: ref.registry }
}

/** Layer compressions of published images. */
export const COMPRESSIONS = ["gzip", "zstd", "uncompressed", "estargz"] as const
export type Compression = (typeof COMPRESSIONS)[number]
/** Manifest media types of published images. */
export const MEDIA_TYPES = ["oci", "docker"] as const
export type MediaTypes = (typeof MEDIA_TYPES)[number]

/** `--compression`, with a "did you mean". */
export function parseCompression(value: string): Compression {
  return parseChoice("compression", value, COMPRESSIONS, {
    what: "a layer compression",
    aliases: { gz: "gzip", zst: "zstd", none: "uncompressed", stargz: "estargz", "estar-gz": "estargz", tar: "uncompressed" },
  })
}

/** `--media-types`, with a "did you mean". */
export function parseMediaTypes(value: string): MediaTypes {
  return parseChoice("media-types", value, MEDIA_TYPES, {
    what: "a manifest media type set",
    aliases: { v2: "docker", schema2: "docker", "docker-v2": "docker", dockerv2: "docker", opencontainers: "oci" },
  })
}

/**
 * Compression and media types together: Docker's schema 2 media types have no zstd layer type
 * (zstd layers exist only as OCI media types), so an image pushed that way is one old Docker
 * clients cannot pull and new ones may reject. Returns both, parsed.
 */
export function parseImageFormat(compression: string | undefined, mediaTypes: string | undefined): { compression: Compression; mediaTypes: MediaTypes } {
  const c = parseCompression(compression ?? "gzip")
  const m = parseMediaTypes(mediaTypes ?? "oci")
  if (c === "zstd" && m === "docker")
    throw new MultiarchInputError(
      "compression",
      "zstd",
      "Docker (schema 2) media types have no zstd layer type: zstd layers exist only as OCI media types",
      "drop --media-types docker (OCI is the default), or use --compression gzip for old Docker clients",
    )
  return { compression: c, mediaTypes: m }
}

/** What `publish` and `merge` accept, by name (the module's flags, ci/pipeline.ts's settings). */
export interface PublishOptions {
  /** Where to push, e.g. ghcr.io/owner/app:1.2.3 (without a tag when gitRef computes the tags). */
  address: string
  /** More tags of the same repository. */
  tags?: readonly string[]
  /** Index annotations, key=value. */
  annotations?: readonly string[]
  /** Registry user name; goes with `password`. */
  username?: string
  /** Whatever carries the password (a Dagger Secret, a string): only whether it is given matters here. */
  password?: unknown
  /** Manifest media types: "oci" (default) or "docker". */
  mediaTypes?: string
  /** Layer compression (publish): gzip (default), zstd, uncompressed, estargz. */
  compression?: string
  /** Read the index back after pushing and check its platforms (publish). */
  verify?: boolean
  /** The registry speaks plain http (no TLS): the module's own client uses http, and may send credentials over it. */
  plainHttp?: boolean
  gitRef?: string
  gitSha?: string
  /** Accepted and ignored: the tag grammar (like docker/metadata-action's defaults) does not use it. */
  defaultBranch?: string
}

export interface PublishRequest extends PublishTargets {
  /** The first reference (pushed first; its tag names the result). */
  first: string
  /** The tags of the other references, in order. */
  otherTags: string[]
  /** Index annotations, parsed (undefined: none given). */
  annotations?: Record<string, string>
  mediaTypes: MediaTypes
  compression: Compression
  verify: boolean
  /** Plain http to the registry (the user's opt-in). */
  plainHttp: boolean
  /** Registry user name, when credentials are given (both halves checked). */
  username?: string
}

/** The tag of a reference produced by publishTargets (`registry/repo:tag`). */
export function tagOf(ref: string): string {
  return ref.slice(ref.lastIndexOf(":") + 1)
}

/**
 * Parse and check publish options once: references and tags, annotations (not on Docker manifest
 * lists), the username/password pair. Throws MultiarchInputError naming the input and the fix.
 */
export function parsePublishRequest(o: PublishOptions): PublishRequest {
  const targets = publishTargets(o.address, [...(o.tags ?? [])], { gitRef: o.gitRef, gitSha: o.gitSha })
  const annotations = o.annotations?.length ? parseAnnotations(o.annotations) : undefined
  const { compression, mediaTypes } = parseImageFormat(o.compression, o.mediaTypes)
  if (annotations && mediaTypes === "docker")
    throw new MultiarchInputError("annotations", o.annotations!.join(","), "Docker manifest lists cannot carry annotations", "drop --media-types docker (OCI is the default)")
  checkCredentialPair(o.username, o.password)
  const [first, ...rest] = targets.refs
  return {
    ...targets,
    first,
    otherTags: rest.map(tagOf),
    ...(annotations ? { annotations } : {}),
    mediaTypes,
    compression,
    verify: o.verify ?? false,
    plainHttp: o.plainHttp ?? false,
    ...(o.username !== undefined ? { username: o.username } : {}),
  }
}
