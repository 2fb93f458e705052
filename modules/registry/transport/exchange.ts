/**
 * One HTTP exchange with timeouts that fail fast when nothing moves — not a total timeout:
 *
 * - while the request body is sent: the idle timeout, restarted whenever fetch takes the next
 *   chunk (a slow *source* of a streamed body is not counted: it has its own idle timeout);
 * - after the body is sent (or at once, without one): the header timeout, until the response
 *   headers arrive;
 * - while the response body is read: the idle timeout, running only while the reader waits for
 *   the next bytes (a slow consumer is not the registry's fault).
 *
 * A timeout aborts the request with a StallError, so a caller tells it from other failures. Low
 * level network errors (undici's "fetch failed", "terminated") are turned into a Failure with
 * the cause in words by `classifyError`.
 */
import type { Failure } from "./policy.js"
import { isStreamBody } from "./body.js"

/** Nothing moved for too long. */
export class StallError extends Error {
  constructor(
    readonly phase: "headers" | "body" | "upload",
    readonly ms: number,
  ) {
    super(phase === "headers" ? `no response headers within ${ms} ms` : `no data for ${ms} ms`)
    this.name = "StallError"
  }
}

export interface ExchangeInit {
  method: string
  url: string
  headers: Record<string, string>
  body?: Uint8Array | ReadableStream<Uint8Array>
  headerTimeoutMs: number
  idleTimeoutMs: number
  fetch: typeof fetch
}

export interface Exchanged {
  res: Response
  /** The response body under the idle timeout (null: none). Read it to the end, or close(). */
  body: ReadableStream<Uint8Array> | null
  /** Stop the timers; cancel the body if it was not read to the end. */
  close(): Promise<void>
}

/** Bodies up to this size are handed to fetch as bytes (sent at once); larger ones in chunks, under the idle timeout. */
const DIRECT_BODY_BYTES = 64 * 1024
const CHUNK = 64 * 1024

function chunked(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0
  return new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (at >= bytes.length) return c.close()
        c.enqueue(bytes.subarray(at, Math.min(bytes.length, at + CHUNK)))
        at += CHUNK
      },
    },
    { highWaterMark: 0 },
  )
}

export async function exchange(init: ExchangeInit): Promise<Exchanged> {
  const ac = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  let stall: StallError | undefined
  const disarm = () => {
    if (timer) clearTimeout(timer)
    timer = undefined
  }
  const arm = (phase: StallError["phase"], ms: number) => {
    disarm()
    timer = setTimeout(() => {
      stall = new StallError(phase, ms)
      ac.abort(stall)
    }, ms)
  }

  let body: Uint8Array | ReadableStream<Uint8Array> | undefined = init.body
  let streamed = false
  /** The error of our own body source (a streamed copy's source registry), reported instead of fetch's. */
  let sourceError: unknown
  /** Release our body source once the exchange is over (a server may answer before reading it all). */
  let releaseSource = () => undefined as unknown
  if (body !== undefined && (isStreamBody(body) || body.length > DIRECT_BODY_BYTES)) {
    const src = isStreamBody(body) ? body : chunked(body)
    const reader = src.getReader()
    releaseSource = () => reader.cancel().catch(() => undefined)
    streamed = true
    body = new ReadableStream<Uint8Array>(
      {
        async pull(c) {
          disarm() // waiting on our own source: its own timeouts apply
          let r: ReadableStreamReadResult<Uint8Array>
          try {
            r = await reader.read()
          } catch (e) {
            sourceError = e
            throw e
          }
          if (r.done) {
            c.close()
            arm("headers", init.headerTimeoutMs)
          } else {
            c.enqueue(r.value)
            arm("upload", init.idleTimeoutMs) // fetch must come back for the next chunk
          }
        },
        async cancel(reason) {
          await reader.cancel(reason).catch(() => undefined)
        },
      },
      { highWaterMark: 0 },
    )
  }
  if (!streamed) arm("headers", init.headerTimeoutMs)

  let res: Response
  try {
    const ri: RequestInit & { duplex?: string } = { method: init.method, headers: init.headers, body: body as BodyInit | undefined, redirect: "follow", signal: ac.signal }
    if (streamed) ri.duplex = "half"
    res = await init.fetch(init.url, ri)
  } catch (e) {
    disarm()
    releaseSource()
    throw sourceError ?? stall ?? e
  }
  disarm()
  releaseSource()

  if (!res.body) {
    return { res, body: null, close: async () => disarm() }
  }
  // lock the body at once (undici leaves locked bodies alone when the Response is collected) and
  // keep the Response reachable until the body is done
  const held: { res?: Response } = { res }
  const reader = res.body.getReader()
  let finished = false
  const finish = () => {
    finished = true
    held.res = undefined
    disarm()
  }
  const wrapped = new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        arm("body", init.idleTimeoutMs)
        let r: ReadableStreamReadResult<Uint8Array>
        try {
          r = await reader.read()
        } catch (e) {
          finish()
          throw stall ?? e
        }
        disarm()
        if (r.done) {
          finish()
          c.close()
        } else c.enqueue(r.value)
      },
      async cancel(reason) {
        finish()
        await reader.cancel(reason).catch(() => undefined)
      },
    },
    { highWaterMark: 0 },
  )
  return {
    res,
    body: wrapped,
    close: async () => {
      if (finished) return
      finish()
      await wrapped.cancel().catch(() => undefined)
    },
  }
}

/** Read a whole body (null: empty). */
export async function readAll(body: ReadableStream<Uint8Array> | null, limit = Infinity): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0)
  const parts: Uint8Array[] = []
  let n = 0
  const reader = body.getReader()
  for (;;) {
    const r = await reader.read()
    if (r.done) break
    n += r.value.length
    if (n > limit) {
      await reader.cancel().catch(() => undefined)
      throw new BodyTooLarge(limit)
    }
    parts.push(r.value)
  }
  const out = new Uint8Array(n)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`)
  }
}

const CODE_WORDS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed while sending",
  UND_ERR_SOCKET: "connection closed by the other side",
  UND_ERR_CLOSED: "connection closed",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "DNS lookup failed temporarily",
  ETIMEDOUT: "connect timed out",
  UND_ERR_CONNECT_TIMEOUT: "connect timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
}

/** A Failure for a thrown fetch or body error; `phase`: before the response headers or while reading the body. */
export function classifyError(e: unknown, phase: "request" | "body"): Failure {
  if (e instanceof StallError) return { kind: "timeout", phase: e.phase, ms: e.ms }
  let cur: unknown = e
  let code: string | undefined
  let text = ""
  for (let i = 0; i < 4 && cur; i++) {
    const c = cur as { code?: unknown; message?: unknown; cause?: unknown }
    if (typeof c.code === "string" && !code) code = c.code
    if (typeof c.message === "string" && c.message && c.message !== "fetch failed" && c.message !== "terminated") text = c.message
    cur = c.cause
  }
  const words = (code && CODE_WORDS[code]) ?? (text || (e instanceof Error ? e.message : String(e)))
  return { kind: "network", phase, cause: words, ...(code ? { code } : {}) }
}
