/**
 * Userinfo redaction (pure, no imports: the error classes use it): the `user:pass@` of URLs and of
 * image references must never be echoed in a message.
 */

/** URLs with userinfo: scheme://userinfo@rest. */
const URL_USERINFO = /\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^\s/?#@]*@/g

/**
 * `text` with the userinfo of every URL replaced by `***`, and a leading `user:pass@` of an
 * image reference (the part before the first "/" when what follows contains a "/") too.
 *
 * @example redactUserinfo("https://bob:s3cret@ghcr.io/v2/") // "https://***@ghcr.io/v2/"
 * @example redactUserinfo("bob:s3cret@ghcr.io/o/app:1")     // "***@ghcr.io/o/app:1"
 */
export function redactUserinfo(text: string): string {
  let out = text.replace(URL_USERINFO, "$1***@")
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(out)) {
    const m = /^\s*(?:docker:\/\/)?([^\s/@]*)@[^\s@]*\//.exec(out)
    if (m) out = out.replace(`${m[1]}@`, "***@")
  }
  return out
}

/** The userinfo `redactUserinfo` would hide at the start of `input` (undefined: none). */
export function leadingUserinfo(input: string): string | undefined {
  const url = /^\s*[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^\s/?#@]*)@/.exec(input)
  if (url) return url[1]
  const ref = /^\s*(?:docker:\/\/)?([^\s/@]*)@[^\s@]*\//.exec(input)
  return ref ? ref[1] : undefined
}
