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
  password: string
}

export interface RetryOptions {
  /** Retries after the first attempt (default 4, so at most 5 attempts). */
  retries?: number
  /** First backoff delay in ms (default 250); doubles each retry. */
  baseDelayMs?: number
  /** Cap on one backoff delay in ms (default 8000). */
  maxDelayMs?: number
  /** A Retry-After longer than this (ms, default 30000) is not waited for: the request fails at once. */
  maxRetryAfterMs?: number
  /** Randomise each delay within [delay/2, delay] (default true). */
  jitter?: boolean
  /** Injectable sleep (tests). */
  sleep?: (ms: number) => Promise<void>
}

export interface RegistryClientOptions {
  /** Credentials for this registry (Basic, or exchanged for a Bearer token). */
  credentials?: RegistryCredentials
  /** Use http instead of https. Default: true for localhost/127.0.0.0/8/::1, false otherwise. */
  plainHttp?: boolean
  retry?: RetryOptions
  /** Timeout of one manifest/HEAD/POST request in ms (default 120000). */
  timeoutMs?: number
  /** Timeout of one blob download or upload in ms, body included (default 1800000: 30 min). */
  blobTimeoutMs?: number
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
