/**
 * URLs that end up in an image (pure): `--source-url` becomes the org.opencontainers.image.source
 * label, which anyone who pulls the image can read. A URL with credentials in it
 * (`https://user:token@host/…`, what a CI checkout URL often is) is refused, and every message that
 * echoes a URL or an image reference shows its userinfo as `***`.
 */
import { MultiarchInputError } from "./errors/index.js"
import { redactUserinfo } from "./userinfo.js"

/** Throws MultiarchInputError unless `url` is an http(s) URL without userinfo. */
export function checkPublicUrl(field: string, url: string): void {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new MultiarchInputError(field, redactUserinfo(url), "not a URL", "pass the repository's https URL, e.g. https://github.com/owner/app")
  }
  if (u.username !== "" || u.password !== "")
    throw new MultiarchInputError(
      field,
      redactUserinfo(url),
      "the URL carries credentials, and it would be published in the image's labels for anyone who pulls it",
      `drop the user:token@ part: ${u.protocol}//${u.host}${u.pathname}`,
    )
  if (u.protocol !== "https:" && u.protocol !== "http:")
    throw new MultiarchInputError(field, url, `a ${u.protocol.replace(/:$/, "")} URL`, "pass the repository's https URL, e.g. https://github.com/owner/app")
}
