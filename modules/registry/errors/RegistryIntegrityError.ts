import type { RegistryErrorInit } from "./RegistryError.js"
import { RegistryError } from "./RegistryError.js"

/** Content read from the registry does not match its digest, even when read again. */
export class RegistryIntegrityError extends RegistryError {
  readonly digest: string
  constructor(message: string, init: RegistryErrorInit & { digest: string }) {
    super(message, init)
    this.name = "RegistryIntegrityError"
    this.digest = init.digest
  }
}
