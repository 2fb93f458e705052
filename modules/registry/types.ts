/**
 * Types of the OCI Distribution API as the registry client reads and writes them: media types,
 * descriptors, manifests, credentials and client options. No code that talks to the network.
 */
export const MediaType = {
  OciIndex: "application/vnd.oci.image.index.v1+json",
  OciManifest: "application/vnd.oci.image.manifest.v1+json",
  OciConfig: "application/vnd.oci.image.config.v1+json",
  DockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  DockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  DockerConfig: "application/vnd.docker.container.image.v1+json",
} as const

/** Manifest types we read and write; always sent as Accept (without it, distribution answers schema 1). */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.OciIndex,
  MediaType.DockerManifestList,
  MediaType.OciManifest,
  MediaType.DockerManifest,
]
export const INDEX_MEDIA_TYPES: readonly string[] = [MediaType.OciIndex, MediaType.DockerManifestList]

/** Largest manifest we read or write (distribution's own limit is 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024

export interface RegistryCredentials {
  username: string
  /** Password or token ("" when only `identityToken` is given). */
  password: string
  /**
   * An OAuth2 refresh token (docker config.json's `identitytoken`, e.g. from `az acr login`):
   * exchanged at the registry's token service (POST grant_type=refresh_token) instead of sending
   * Basic credentials.
   */
  identityToken?: string
}

export interface RetryOptions {
  /** Retries after the first attempt (default 4, so at most 5 attempts). */
  retries?: number
  /** First backoff delay in ms (default 250); doubles each retry. */
  baseDelayMs?: number
  /** Cap on one backoff delay in ms (default 4000). */
  maxDelayMs?: number
  /** A Retry-After longer than this (ms, default 20000) is not waited for: the request fails at once. */
  maxRetryAfterMs?: number
  /** No retry starts later than this many ms after the first attempt of a request (default 25000). */
  budgetMs?: number
  /** No response headers within this many ms (after the request body was sent) fails the attempt (default 15000). */
  headerTimeoutMs?: number
  /** No bytes moving for this many ms while sending or reading a body fails the attempt (default 15000). Not a total timeout: a large blob may take as long as it needs while bytes move. */
  idleTimeoutMs?: number
  /** Randomise each delay within [delay/2, delay] (default true). */
  jitter?: boolean
  /** Injectable sleep (tests). */
  sleep?: (ms: number) => Promise<void>
  /** Injectable clock and randomness (tests). */
  now?: () => number
  random?: () => number
}

export interface RegistryClientOptions {
  /** Credentials for this registry (Basic, or exchanged for a Bearer token). */
  credentials?: RegistryCredentials
  /**
   * Plain http for this registry (no TLS) — also the opt-in to send its credentials over http.
   * Default: http only for loopback hosts (localhost, 127.0.0.0/8, ::1), https otherwise.
   */
  plainHttp?: boolean
  /**
   * Other hosts (besides loopback and this registry with `plainHttp`) whose http token realm may
   * receive credentials: the user's explicit plain-http opt-in for them (host names, port ignored).
   */
  plainHttpHosts?: readonly string[]
  /** Said after "no credentials were given" when the registry asks for some (where credentials were looked for). */
  credentialsHint?: string
  retry?: RetryOptions
  /** Injectable fetch (default: global fetch). */
  fetch?: typeof fetch
  userAgent?: string
  /** Called with one-line progress notes (retries). Never receives credentials. */
  log?: (message: string) => void
}

export interface OciPlatform {
  architecture: string
  os: string
  variant?: string
  "os.version"?: string
  "os.features"?: string[]
}

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: OciPlatform
  annotations?: Record<string, string>
  urls?: string[]
  artifactType?: string
}

export interface ManifestResponse {
  mediaType: string
  digest: string
  size: number
  /** The exact bytes served (re-PUT these to keep the digest). */
  bytes: Uint8Array
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any
}

export interface ManifestHead {
  mediaType: string
  digest: string
  size: number
}
