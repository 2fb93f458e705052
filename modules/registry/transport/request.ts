/**
 * What a request is about and how it is sent: shared by the transport (auth, retries) and the
 * client (the Distribution API calls).
 */

/** What a request is about, for error messages and auth scopes. */
export interface RequestContext {
  /** Verb phrase: "read the manifest of", "push the manifest", "mount a blob into". */
  action: string
  /** Human reference: "127.0.0.1:5000/app:1.0". */
  target: string
  /** Repository the request is about (for scope and messages). */
  repository?: string
  /** Token scopes needed, e.g. ["repository:app:pull"]. */
  scopes: string[]
  /** true: needs push rights (for the 401/403 hints). */
  push?: boolean
  /** The deadline (ms since the epoch) of the request this one serves: no attempt starts after it. */
  deadline?: number
}

/** A request body: bytes (replayed as they are), or a source opened anew for every attempt (a streamed copy). */
export type RequestBody = Uint8Array | ((deadline: number) => Promise<ReadableStream<Uint8Array>>)

export interface SendOptions {
  method: string
  /** Path + query under the API root (starts with /v2/) or an absolute URL (upload locations). */
  url: string
  headers?: Record<string, string>
  body?: RequestBody
  /** Status codes returned to the caller instead of turned into errors. */
  accept?: number[]
}
