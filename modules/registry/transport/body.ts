/**
 * Response and request bodies: reading a registry's error body, discarding or holding a response
 * body, telling a stream body from bytes.
 */
export interface RegistryErrorBody {
  code?: string
  message?: string
}

export async function readErrorBody(res: Response): Promise<RegistryErrorBody> {
  try {
    const text = await res.text()
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
  } catch {
    return {}
  }
}

export function describeBody(b: RegistryErrorBody): string {
  if (b.code && b.message) return ` (${b.code}: ${b.message})`
  if (b.code) return ` (${b.code})`
  if (b.message) return ` (${b.message})`
  return ""
}

export async function discard(res: Response): Promise<void> {
  try {
    await res.body?.cancel()
  } catch {
    /* ignore */
  }
}

/**
 * The body of a fetch Response as a stream that stays readable for as long as the caller holds it.
 *
 * undici (Node's fetch) registers each Response with a FinalizationRegistry and cancels its body
 * when the Response is garbage-collected while the body is neither locked nor read ("Response
 * object has been garbage collected"). Returning `res.body` alone lets that happen: a blob copy
 * holds the source stream while it opens the target's upload session, a GC in that window cancels
 * it, and the PUT fails with "Response body object should not be disturbed or locked" — only
 * under load, when GCs land there. Here the body is locked at once (the finalizer leaves locked
 * bodies alone) and the Response is kept reachable until the body is done or cancelled.
 */
export function holdBody(res: Response): ReadableStream<Uint8Array> {
  const held: { response?: Response } = { response: res }
  const reader = res.body!.getReader()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>
        try {
          chunk = await reader.read()
        } catch (e) {
          held.response = undefined
          throw e
        }
        if (chunk.done) {
          held.response = undefined
          controller.close()
        } else controller.enqueue(chunk.value)
      },
      async cancel(reason) {
        held.response = undefined
        await reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

/** A stream body (cannot be replayed)? Checked by shape: stream classes differ between realms. */
export function isStreamBody(body: unknown): body is ReadableStream<Uint8Array> {
  return body !== undefined && body !== null && !ArrayBuffer.isView(body) && typeof (body as ReadableStream).getReader === "function"
}
