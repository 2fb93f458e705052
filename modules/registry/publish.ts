/**
 * publish's registry side: the check *before* the engine pushes (can the module's own client do
 * its part?), and the follow-ups after it — write index annotations, point the other tags at
 * the index, read it back and verify it.
 *
 * The check runs before anything is pushed, so `publish --annotations` (or extra tags, or
 * --verify) never fails half-way for want of credentials: push rights are checked by opening an
 * upload session and cancelling it (as go-containerregistry's CheckPushPermission does — a token
 * service may hand out a pull-only token without complaint; only the registry knows), read rights
 * by listing the repository's tags (a repository that does not exist yet passes).
 */
import { parseReference } from "../core/reference.js"
import { annotateImage } from "./annotate.js"
import { RegistryError } from "./errors/index.js"
import { Clients, type RegistryOptions } from "./images.js"
import { tagImage } from "./tag.js"
import { verifyImage } from "./verify.js"

export interface PublishFollowUps {
  /** Index annotations to write (a new index, pushed to the published tag and `tags`). */
  annotations?: Record<string, string>
  /** More tags of the same repository to point at the final index. */
  tags?: readonly string[]
  /** Platforms the final index must have exactly. */
  verify?: readonly string[]
}

/** What the module's own client will have to do after the engine's push (undefined: nothing). */
export function followUpAccess(f: PublishFollowUps): "push" | "pull" | undefined {
  if ((f.annotations && Object.keys(f.annotations).length) || f.tags?.length) return "push"
  return f.verify ? "pull" : undefined
}

/**
 * Before the engine pushes `address`: check that the module's own client can do `f` there
 * (push rights for annotations and tags, read rights for verify). Throws the registry's error,
 * prefixed with what it was needed for and that nothing was pushed.
 */
export async function checkPublishAccess(address: string, f: PublishFollowUps, opts: RegistryOptions = {}): Promise<void> {
  const need = followUpAccess(f)
  if (!need) return
  const ref = parseReference(address, { defaultTag: null })
  const client = new Clients(ref.registry, opts).get(ref.registry)
  try {
    if (need === "push") await client.checkPush(ref.repository)
    else await client.checkPull(ref.repository)
  } catch (e) {
    if (e instanceof RegistryError) {
      const jobs = [f.annotations ? "write the index annotations" : "", f.tags?.length ? `point the tags ${f.tags.join(", ")} at the index` : "", f.verify ? "verify the index" : ""].filter(Boolean)
      e.message = `publish checks before pushing that the module's own registry client can ${jobs.join(" and ")} after the engine's push, and it cannot; nothing was pushed. ${e.message}`
    }
    throw e
  }
}

/** After the engine pushed `published` (`registry/repo:tag@sha256:…`): annotate, tag, verify. Returns the final `ref@sha256:…`. */
export async function finishPublish(published: string, f: PublishFollowUps, opts: RegistryOptions = {}): Promise<string> {
  let result = published
  const tags = [...(f.tags ?? [])]
  try {
    if (f.annotations && Object.keys(f.annotations).length) {
      const first = parseReference(published).tag
      result = await annotateImage(published, f.annotations, { ...opts, tags: [...(first ? [first] : []), ...tags] })
    } else if (tags.length) await tagImage(published, tags, opts)
    if (f.verify) await verifyImage(result, f.verify, opts)
  } catch (e) {
    if (e instanceof RegistryError) e.message = `the engine pushed ${published}; then ${e.message}`
    throw e
  }
  return result
}
