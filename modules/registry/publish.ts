/**
 * publish's follow-ups: what the module's own client does after the engine pushed the index —
 * write index annotations, point the other tags at the index, read it back and verify it.
 */
import { parseReference } from "../core/reference.js"
import { annotateImage } from "./annotate.js"
import type { RegistryOptions } from "./images.js"
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

/** After the engine pushed `published` (`registry/repo:tag@sha256:…`): annotate, tag, verify. Returns the final `ref@sha256:…`. */
export async function finishPublish(published: string, f: PublishFollowUps, opts: RegistryOptions = {}): Promise<string> {
  let result = published
  const tags = [...(f.tags ?? [])]
  if (f.annotations && Object.keys(f.annotations).length) {
    const first = parseReference(published).tag
    result = await annotateImage(published, f.annotations, { ...opts, tags: [...(first ? [first] : []), ...tags] })
  } else if (tags.length) await tagImage(published, tags, opts)
  if (f.verify) await verifyImage(result, f.verify, opts)
  return result
}
