/** The retry policy's decisions (pure: clock and randomness injected). */
import { describe, expect, it } from "vitest"
import { describeFailure, parseRetryAfter, resolveRetry, RetryState, RETRY_DEFAULTS, type Failure } from "../../../modules/registry/index.js"

function state(o: Parameters<typeof resolveRetry>[0] = {}, parentDeadline?: number) {
  const clock = { t: 1_000_000 }
  const s = new RetryState(resolveRetry({ jitter: false, now: () => clock.t, ...o }), parentDeadline)
  return { s, clock }
}

const reset: Failure = { kind: "network", phase: "body", cause: "connection reset", code: "ECONNRESET" }

describe("RetryState.decide", () => {
  it("retries 408/429/5xx, connection failures at any phase and timeouts; backoff doubles from 250 ms, capped at 4 s", () => {
    const { s } = state()
    const seen: number[] = []
    for (const f of [{ kind: "status", status: 503 }, reset, { kind: "timeout", phase: "headers", ms: 15000 }, { kind: "status", status: 429 }] as Failure[]) {
      s.begin()
      const d = s.decide(f)
      expect(d.retry).toBe(true)
      if (d.retry) seen.push(d.delayMs)
    }
    expect(seen).toEqual([250, 500, 1000, 2000])
    s.begin()
    expect(s.decide({ kind: "status", status: 502 })).toEqual({ retry: false, why: "attempts" }) // 5 attempts
    const { s: s2 } = state({ retries: 10, baseDelayMs: 1000 })
    for (let i = 0; i < 4; i++) s2.begin()
    expect(s2.decide(reset)).toEqual({ retry: true, delayMs: 4000 })
  })

  it("never retries other statuses, DNS 'no such host' or TLS failures", () => {
    for (const f of [
      { kind: "status", status: 404 },
      { kind: "status", status: 401 },
      { kind: "status", status: 400 },
      { kind: "network", phase: "request", cause: "no such host", code: "ENOTFOUND" },
      { kind: "network", phase: "request", cause: "ssl3_get_record:wrong version number", code: "ERR_SSL_WRONG_VERSION_NUMBER" },
      { kind: "network", phase: "request", cause: "self-signed certificate", code: "DEPTH_ZERO_SELF_SIGNED_CERT" },
    ] as Failure[]) {
      const { s } = state()
      s.begin()
      expect(s.decide(f), JSON.stringify(f)).toEqual({ retry: false, why: "final" })
    }
  })

  it("re-reads a digest mismatch once, then fails", () => {
    const { s } = state()
    s.begin()
    expect(s.decide({ kind: "digest" }).retry).toBe(true)
    s.begin()
    expect(s.decide({ kind: "digest" })).toEqual({ retry: false, why: "digest-twice" })
  })

  it("honours Retry-After (longer than the backoff), and fails at once when it is beyond the limit or the budget", () => {
    const { s } = state()
    s.begin()
    expect(s.decide({ kind: "status", status: 429, retryAfterMs: 3000 })).toEqual({ retry: true, delayMs: 3000 })
    const { s: s2 } = state()
    s2.begin()
    expect(s2.decide({ kind: "status", status: 429, retryAfterMs: RETRY_DEFAULTS.maxRetryAfterMs + 1000 })).toEqual({ retry: false, why: "retry-after" })
    const { s: s3, clock } = state()
    s3.begin()
    clock.t += 20_000
    expect(s3.decide({ kind: "status", status: 503, retryAfterMs: 10_000 })).toEqual({ retry: false, why: "retry-after" }) // 20 + 10 > 25 s budget
  })

  it("starts no attempt after the budget: a timed-out attempt counts against it", () => {
    const { s, clock } = state()
    s.begin()
    clock.t += 15_000 // first attempt: no headers within 15 s
    expect(s.decide({ kind: "timeout", phase: "headers", ms: 15_000 }).retry).toBe(true)
    s.begin()
    clock.t += 15_000 // second attempt stalls too: 30 s > 25 s
    expect(s.decide({ kind: "timeout", phase: "headers", ms: 15_000 })).toEqual({ retry: false, why: "budget" })
    expect(s.elapsedSeconds()).toBe(30)
  })

  it("a nested request (a token fetch, a HEAD before a retried PUT) keeps the deadline of the request it serves", () => {
    const { s, clock } = state({}, 1_000_000 + 5_000)
    expect(s.deadline).toBe(1_005_000)
    s.begin()
    clock.t += 4_900
    expect(s.decide(reset)).toEqual({ retry: false, why: "budget" })
  })

  it("defaults end any fault within 60 s: last attempt starts before the budget, then one header or idle timeout", () => {
    expect(RETRY_DEFAULTS.budgetMs + RETRY_DEFAULTS.headerTimeoutMs + RETRY_DEFAULTS.idleTimeoutMs).toBeLessThan(60_000)
    expect(RETRY_DEFAULTS.maxRetryAfterMs).toBeLessThan(RETRY_DEFAULTS.budgetMs)
  })

  it("jitter keeps each delay within [d/2, d]", () => {
    for (const r of [0, 0.5, 0.999]) {
      const s = new RetryState(resolveRetry({ random: () => r, now: () => 0 }))
      s.begin()
      s.begin()
      const d = s.decide(reset)
      expect(d.retry && d.delayMs).toBeGreaterThanOrEqual(250)
      expect(d.retry && d.delayMs).toBeLessThanOrEqual(500)
    }
  })
})

describe("parseRetryAfter and describeFailure", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("2")).toBe(2000)
    expect(parseRetryAfter(" 10 ")).toBe(10_000)
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(5000)
    expect(parseRetryAfter("soon")).toBeUndefined()
    expect(parseRetryAfter(null)).toBeUndefined()
  })

  it("words each failure", () => {
    expect(describeFailure({ kind: "timeout", phase: "headers", ms: 15000 })).toBe("no answer (no response headers within 15 s)")
    expect(describeFailure({ kind: "timeout", phase: "body", ms: 15000 })).toMatch(/no data for 15 s in the middle of the body/)
    expect(describeFailure(reset)).toBe("the connection broke in the middle of the body (connection reset)")
    expect(describeFailure({ kind: "digest" })).toMatch(/does not match its digest/)
  })
})
