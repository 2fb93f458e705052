export interface RegistryErrorInit {
  registry: string
  status?: number
  /** The image or blob the request was about, e.g. "127.0.0.1:5000/app:1.0". */
  reference?: string
  /** Error code from the registry body, e.g. "MANIFEST_UNKNOWN". */
  code?: string
  /** The repository inside the registry, e.g. "app". */
  repository?: string
  /** What was being done, e.g. "read the manifest of". */
  operation?: string
}

/**
 * Any failure talking to a registry. `.message` is one readable paragraph naming the registry,
 * what was being done and why it failed (never a stack trace, never a secret).
 */
export class RegistryError extends Error {
  readonly registry: string
  readonly status?: number
  readonly reference?: string
  readonly code?: string
  readonly repository?: string
  readonly operation?: string
  constructor(message: string, init: RegistryErrorInit) {
    super(message)
    this.name = "RegistryError"
    this.registry = init.registry
    this.status = init.status
    this.reference = init.reference
    this.code = init.code
    this.repository = init.repository
    this.operation = init.operation
  }
}

export function isRegistryError(e: unknown): e is RegistryError {
  return e instanceof RegistryError
}
