/**
 * Pure checks for publishing: addresses, extra tags, label and annotation keys. Run before any
 * engine work so a typo never costs a build.
 */
import { MultiarchInputError } from "./errors.js"

const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const REPO_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/

/** Split `host/path:tag@digest` into repository (with host) and the rest. */
export function repositoryOf(ref: string): string {
  const noDigest = ref.split("@")[0]
  const slash = noDigest.lastIndexOf("/")
  const colon = noDigest.lastIndexOf(":")
  return colon > slash ? noDigest.slice(0, colon) : noDigest
}

/** Validate a publish address and extra tags; returns every reference to push (address first). */
export function checkPublishAddress(address: string, tags: string[]): string[] {
  const a = address.trim()
  if (a === "") throw new MultiarchInputError("address", address, "the address is empty", "pass e.g. --address ghcr.io/owner/app:1.2.3")
  if (a.includes("@"))
    throw new MultiarchInputError("address", address, "a digest cannot be pushed to", `push to a tag, e.g. ${a.split("@")[0]}`)
  if (/^[a-z]+:\/\//i.test(a))
    throw new MultiarchInputError("address", address, "an image reference has no URL scheme", `drop the scheme: ${a.replace(/^[a-z]+:\/\//i, "")}`)
  const repo = repositoryOf(a)
  const tag = a.slice(repo.length + 1)
  const parts = repo.split("/")
  const path = parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost") ? parts.slice(1) : parts
  for (const c of path) {
    if (c !== c.toLowerCase())
      throw new MultiarchInputError("address", address, "repository names must be lowercase (GHCR rejects uppercase owners)", `use ${a.replace(repo, parts.slice(0, parts.length - path.length).concat(path.map((x) => x.toLowerCase())).join("/"))}`)
    if (!REPO_COMPONENT_RE.test(c))
      throw new MultiarchInputError("address", address, `"${c}" is not a valid repository path component`, "use lowercase letters, digits and single . _ - separators")
  }
  if (tag && !TAG_RE.test(tag))
    throw new MultiarchInputError("address", address, `"${tag}" is not a valid tag`, "tags use [A-Za-z0-9_.-], at most 128 characters, not starting with . or -")
  const out = [tag ? a : `${a}:latest`]
  for (const t of tags) {
    const tt = t.trim()
    if (!TAG_RE.test(tt))
      throw new MultiarchInputError("tags", t, "not a valid tag", "tags use [A-Za-z0-9_.-], at most 128 characters, not starting with . or -")
    const ref = `${repo}:${tt}`
    if (!out.includes(ref)) out.push(ref)
  }
  return out
}

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/

export function checkLabelKey(name: string): void {
  if (!KEY_RE.test(name))
    throw new MultiarchInputError("name", name, "not a valid label key", "use a reverse-DNS key such as org.opencontainers.image.description")
}

export function checkAnnotationKey(name: string): void {
  if (!KEY_RE.test(name))
    throw new MultiarchInputError("name", name, "not a valid annotation key", "use a reverse-DNS key such as org.opencontainers.image.description")
}
