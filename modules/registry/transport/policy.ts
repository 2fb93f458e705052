/**
 * The retry policy (pure: no I/O, time and randomness injectable): which failures are retried,
 * how long to wait, when to give up. One policy for every request of the client, body included:
 *
 * - retried: HTTP 408/429/500/502/503/504, connection errors at any phase (before the headers,
 *   mid-body), timeouts (no response headers within `headerTimeoutMs`, no bytes for
 *   `idleTimeoutMs` while sending or reading a body) — for idempotent requests, which every
 *   request of this client is (GET/HEAD, PUT of content-addressed blobs and manifests, upload
 *   sessions that are recovered before a retry);
 * - a digest mismatch is re-read once, then fails;
 * - never retried: other statuses (401/403/404/400…), DNS "no such host", TLS errors (a wrong
 *   scheme or certificate does not heal by waiting);
 * - backoff: `baseDelayMs · 2^n`, capped at `maxDelayMs`, jittered within [d/2, d]; a
 *   Retry-After is honoured (never waited for beyond `maxRetryAfterMs` or the budget: then the
 *   request fails at once, saying how long the registry asked to wait);
 * - bounded: at most `retries + 1` attempts, and no attempt starts later than `budgetMs` after
 *   the first (nested requests — a token fetch, a HEAD before a retried PUT — share the deadline
 *   of the request they serve).
 *
 * Defaults: no attempt starts after 25 s, and a stalled attempt ends after one header or idle
 * timeout (15 s) — so a request meeting any one fault (an error status, a reset, a stall before
 * the headers or mid-body, a failing token service) ends, in success or an error, within
 * 25 + 15 = 40 s; even an attempt that first waits on a token fetch answering just in time and then stalls
 * itself stays within 55 s. (A server that trickles a byte every few seconds is moving, not
 * stalled: the idle timeout does not cut it.)
 */
import type { RetryOptions } from "../types.js"

export const RETRY_DEFAULTS = {
  retries: 4,
  baseDelayMs: 250,
  maxDelayMs: 4000,
  maxRetryAfterMs: 20_000,
  budgetMs: 25_000,
  headerTimeoutMs: 15_000,
  idleTimeoutMs: 15_000,
  jitter: true,
} as const

export const RETRY_STATUS: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/** Why one attempt failed. */
export type Failure =
  | { kind: "status"; status: number; retryAfterMs?: number }
  /** The connection failed: refused, reset, closed early; `phase` says when. */
  | { kind: "network"; phase: "request" | "body"; cause: string; code?: string }
  /** Nothing moved: no response headers, or no bytes while sending or reading a body. */
  | { kind: "timeout"; phase: "headers" | "body" | "upload"; ms: number }
  /** The bytes do not match their digest (corrupted or truncated in transit). */
  | { kind: "digest" }

export type Decision = { retry: true; delayMs: number } | { retry: false; why: "final" | "attempts" | "budget" | "retry-after" | "digest-twice" }

/** Error codes of failures that do not heal by retrying (DNS says no such host; TLS). */
const PERMANENT_CODES = /^(ENOTFOUND|ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_INVALID_URL|UND_ERR_INVALID_ARG|UND_ERR_NOT_SUPPORTED)/

export function isPermanent(f: Failure): boolean {
  if (f.kind === "status") return !RETRY_STATUS.has(f.status)
  if (f.kind === "network") return !!f.code && PERMANENT_CODES.test(f.code) || /wrong version number|certificate|SSL routines|^bad port$/i.test(f.cause)
  return false
}

/** Retry-After in ms (delta seconds or an HTTP date), or undefined. */
export function parseRetryAfter(v: string | null | undefined, now = Date.now()): number | undefined {
  if (!v) return undefined
  const t = v.trim()
  if (/^\d+$/.test(t)) return Number(t) * 1000
  const d = Date.parse(t)
  return Number.isNaN(d) ? undefined : Math.max(0, d - now)
}

export type ResolvedRetry = Required<Omit<RetryOptions, "sleep" | "random" | "now">> & {
  sleep: (ms: number) => Promise<void>
  random: () => number
  now: () => number
}

export function resolveRetry(o: RetryOptions = {}): ResolvedRetry {
  return {
    retries: o.retries ?? RETRY_DEFAULTS.retries,
    baseDelayMs: o.baseDelayMs ?? RETRY_DEFAULTS.baseDelayMs,
    maxDelayMs: o.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs,
    maxRetryAfterMs: o.maxRetryAfterMs ?? RETRY_DEFAULTS.maxRetryAfterMs,
    budgetMs: o.budgetMs ?? RETRY_DEFAULTS.budgetMs,
    headerTimeoutMs: o.headerTimeoutMs ?? RETRY_DEFAULTS.headerTimeoutMs,
    idleTimeoutMs: o.idleTimeoutMs ?? RETRY_DEFAULTS.idleTimeoutMs,
    jitter: o.jitter ?? RETRY_DEFAULTS.jitter,
    sleep: o.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms))),
    random: o.random ?? Math.random,
    now: o.now ?? Date.now,
  }
}

/** The retry state of one logical request: attempts so far, digest mismatches, its deadline. */
export class RetryState {
  attempts = 0
  digestMismatches = 0
  readonly started: number
  /** No attempt starts after this (ms since the epoch). */
  readonly deadline: number
  readonly failures: Failure[] = []

  constructor(
    readonly policy: ResolvedRetry,
    /** The deadline of the request this one serves (a token fetch inside a manifest GET). */
    parentDeadline?: number,
  ) {
    this.started = policy.now()
    this.deadline = Math.min(this.started + policy.budgetMs, parentDeadline ?? Infinity)
  }

  /** Count the start of an attempt. */
  begin(): void {
    this.attempts++
  }

  /** Seconds since the first attempt started. */
  elapsedSeconds(): number {
    return (this.policy.now() - this.started) / 1000
  }

  backoff(): number {
    const d = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** Math.max(0, this.attempts - 1))
    return Math.round(this.policy.jitter ? d / 2 + this.policy.random() * (d / 2) : d)
  }

  /** Record the failure of the current attempt and decide whether (and after how long) to try again. */
  decide(f: Failure, idempotent = true): Decision {
    this.failures.push(f)
    if (!idempotent || isPermanent(f)) return { retry: false, why: "final" }
    if (f.kind === "digest" && ++this.digestMismatches > 1) return { retry: false, why: "digest-twice" }
    if (this.attempts >= this.policy.retries + 1) return { retry: false, why: "attempts" }
    const now = this.policy.now()
    let delay = this.backoff()
    if (f.kind === "status" && f.retryAfterMs !== undefined) {
      if (f.retryAfterMs > this.policy.maxRetryAfterMs || now + f.retryAfterMs > this.deadline) return { retry: false, why: "retry-after" }
      delay = Math.max(delay, f.retryAfterMs)
    }
    if (now + delay > this.deadline) return { retry: false, why: "budget" }
    return { retry: true, delayMs: delay }
  }
}

/** One phrase for a failure, for messages ("connection reset in the middle of the body"). */
export function describeFailure(f: Failure): string {
  switch (f.kind) {
    case "status":
      return `HTTP ${f.status}`
    case "timeout":
      return f.phase === "headers"
        ? `no answer (no response headers within ${f.ms / 1000} s)`
        : f.phase === "upload"
          ? `the upload stalled (no bytes accepted for ${f.ms / 1000} s)`
          : `the response stalled (no data for ${f.ms / 1000} s in the middle of the body)`
    case "digest":
      return "the content does not match its digest (corrupted or truncated in transit)"
    case "network":
      return f.phase === "body" ? `the connection broke in the middle of the body (${f.cause})` : `the connection failed (${f.cause})`
  }
}
