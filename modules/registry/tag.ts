/** tag: point more tags at a published manifest or index, byte for byte (same digest). */
import { MultiarchInputError } from "../core/errors/index.js"
import { formatReference, manifestReference, parseReference, withDigest, withTag } from "../core/reference.js"
import { Clients, validateTags, type RegistryOptions } from "./images.js"

/**
 * Point more tags (in the same repository) at the manifest or index at `address`, byte for byte
 * (same digest). Returns one `registry/repo:tag@sha256:…` per tag.
 *
 * @example await tagImage("127.0.0.1:5000/app:1.2.3", ["1.2", "1", "latest"])
 */
export async function tagImage(address: string, tags: readonly string[], opts: RegistryOptions = {}): Promise<string[]> {
  const ref = parseReference(address)
  const valid = validateTags(tags)
  if (valid.length === 0) throw new MultiarchInputError("tags", JSON.stringify(tags), "no tags given", `pass e.g. ["1.2", "latest"]`)
  const client = new Clients(ref.registry, opts).get(ref.registry)
  const m = await client.getManifest(ref.repository, manifestReference(ref))
  const out: string[] = []
  for (const t of valid) {
    const digest = await client.putManifest(ref.repository, t, m.bytes, m.mediaType)
    out.push(formatReference(withDigest(withTag(ref, t), digest)))
  }
  return out
}
