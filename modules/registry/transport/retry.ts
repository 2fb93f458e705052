/**
 * fetch with bounded retries: exponential backoff (with jitter) on 408/429/5xx and network errors,
 * Retry-After honoured up to a limit, stream bodies sent once (they cannot be replayed). Like
 * go-containerregistry's transport/retry.go; knows nothing about auth.
 */
import { Readable } from "node:stream"
import { RegistryError } from "../errors/index.js"
import type { RetryOptions } from "../types.js"
import { discard, isStreamBody } from "./body.js"
import type { RequestContext, SendOptions } from "./request.js"

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504])

/** Retry-After in ms (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(v: string | null): number | undefined {
  if (!v) return undefined
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000
  const t = Date.parse(v)
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now())
}

export interface RetryingFetchOptions {
  /** Registry as users spell it, for messages. */
  registry: string
  /** API root, for messages. */
  baseUrl: string
  fetch: typeof fetch
  retry?: RetryOptions
  /** Timeout of one request in ms unless the caller passes another. */
  timeoutMs: number
  userAgent: string
  log?: (message: string) => void
}

/** fetch with retries on 429/5xx and network errors; returns the last response. */
export class RetryingFetch {
  private readonly registry: string
  private readonly baseUrl: string
  private readonly fetchFn: typeof fetch
  private readonly retry: Required<Omit<RetryOptions, "sleep">> & { sleep: (ms: number) => Promise<void> }
  private readonly timeoutMs: number
  private readonly userAgent: string
  private readonly log?: (m: string) => void

  constructor(o: RetryingFetchOptions) {
    this.registry = o.registry
    this.baseUrl = o.baseUrl
    this.fetchFn = o.fetch
    const r = o.retry ?? {}
    this.retry = {
      retries: r.retries ?? 4,
      baseDelayMs: r.baseDelayMs ?? 250,
      maxDelayMs: r.maxDelayMs ?? 8000,
      maxRetryAfterMs: r.maxRetryAfterMs ?? 30000,
      jitter: r.jitter ?? true,
      sleep: r.sleep ?? defaultSleep,
    }
    this.timeoutMs = o.timeoutMs
    this.userAgent = o.userAgent
    this.log = o.log
  }

  /** fetch with retries on 429/5xx and network errors. Returns the last response. */
  async fetch(method: string, url: string, headers: Record<string, string>, body: SendOptions["body"], ctx: RequestContext, timeoutMs = this.timeoutMs): Promise<Response> {
    const streamed = isStreamBody(body)
    if (streamed && (body.locked || Readable.isDisturbed(body as unknown as Readable)))
      // fetch would refuse it with "Response body object should not be disturbed or locked"
      throw new RegistryError(
        `cannot ${ctx.action} ${ctx.target}: its data stream has already been read or cancelled (a stream body can be sent only once)`,
        { registry: this.registry, reference: ctx.target },
      )
    const replayable = !streamed
    const attempts = replayable ? this.retry.retries + 1 : 1
    let lastError: unknown
    for (let attempt = 0; attempt < attempts; attempt++) {
      let res: Response
      try {
        const init: RequestInit & { duplex?: string } = {
          method,
          headers: { "User-Agent": this.userAgent, ...headers },
          body: body as BodyInit | undefined,
          redirect: "follow",
          signal: AbortSignal.timeout(timeoutMs),
        }
        if (streamed) init.duplex = "half"
        res = await this.fetchFn(url, init)
      } catch (e) {
        lastError = e
        if (attempt + 1 < attempts) {
          const delay = this.backoff(attempt)
          this.log?.(`registry ${this.registry}: ${method} failed (${errorText(e)}), retrying in ${delay} ms`)
          await this.retry.sleep(delay)
          continue
        }
        break
      }
      if (!RETRY_STATUS.has(res.status) || attempt + 1 >= attempts) return res
      const retryAfter = parseRetryAfter(res.headers.get("retry-after"))
      if (retryAfter !== undefined && retryAfter > this.retry.maxRetryAfterMs) return res
      const delay = Math.min(this.retry.maxRetryAfterMs, Math.max(retryAfter ?? 0, this.backoff(attempt)))
      await discard(res)
      this.log?.(`registry ${this.registry}: HTTP ${res.status} for ${method} ${ctx.target}, retrying in ${delay} ms`)
      await this.retry.sleep(delay)
    }
    const hint = this.baseUrl.startsWith("https:") ? "; if the registry speaks plain http, set plainHttp" : ""
    throw new RegistryError(
      `could not reach registry ${this.registry} (${this.baseUrl}) to ${ctx.action} ${ctx.target}: ${errorText(lastError)}. Check the address and the network${hint}.`,
      { registry: this.registry, reference: ctx.target },
    )
  }

  private backoff(attempt: number): number {
    const d = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt)
    return Math.round(this.retry.jitter ? d / 2 + Math.random() * (d / 2) : d)
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: unknown }).cause
    const c = cause instanceof Error ? cause.message : typeof cause === "string" ? cause : ""
    if (e.name === "TimeoutError") return "the request timed out"
    return c && c !== e.message ? `${e.message}: ${c}` : e.message
  }
  return String(e)
}
