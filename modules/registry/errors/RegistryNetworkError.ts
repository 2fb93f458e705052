import type { Failure } from "../transport/policy.js"
import type { RegistryErrorInit } from "./RegistryError.js"
import { RegistryError } from "./RegistryError.js"

/**
 * The registry could not be talked to: connection refused or reset (before the headers or in the
 * middle of the body), no answer within the header timeout, a body that stalled, after every
 * retry the policy allowed. `.networkCause` is the last cause in words.
 */
export class RegistryNetworkError extends RegistryError {
  readonly networkCause: string
  readonly attempts: number
  /** The last failure (what a caller copying from this registry may retry on). */
  readonly failure: Failure
  constructor(message: string, init: RegistryErrorInit & { networkCause: string; attempts: number; failure: Failure }) {
    super(message, init)
    this.name = "RegistryNetworkError"
    this.networkCause = init.networkCause
    this.attempts = init.attempts
    this.failure = init.failure
  }
}
