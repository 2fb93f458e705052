/**
 * Response and request bodies: reading a registry's error body, telling a stream body from bytes.
 */
export interface RegistryErrorBody {
  code?: string
  message?: string
}

/** Parse a registry error body (`{"errors":[{code,message}]}`, a token service's JSON, or text). */
export function parseErrorBody(bytes: Uint8Array): RegistryErrorBody {
  const text = new TextDecoder().decode(bytes)
  if (!text) return {}
  try {
    const j = JSON.parse(text)
    const e = Array.isArray(j?.errors) ? j.errors[0] : j
    return {
      code: typeof e?.code === "string" ? e.code : undefined,
      message: typeof e?.message === "string" ? e.message.slice(0, 300) : typeof j?.details === "string" ? j.details.slice(0, 300) : undefined,
    }
  } catch {
    return { message: text.replace(/\s+/g, " ").trim().slice(0, 200) }
  }
}

export function describeBody(b: RegistryErrorBody): string {
  // eslint-disable-next-line no-control-regex
  const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, " ")
  if (b.code && b.message) return ` (${clean(b.code)}: ${clean(b.message)})`
  if (b.code) return ` (${clean(b.code)})`
  if (b.message) return ` (${clean(b.message)})`
  return ""
}

/** A stream body (cannot be replayed)? Checked by shape: stream classes differ between realms. */
export function isStreamBody(body: unknown): body is ReadableStream<Uint8Array> {
  return body !== undefined && body !== null && !ArrayBuffer.isView(body) && typeof (body as ReadableStream).getReader === "function"
}
