import type { RegistryErrorInit } from "./RegistryError.js"
import { RegistryError } from "./RegistryError.js"

/** 401: missing or rejected credentials. */
export class RegistryAuthError extends RegistryError {
  constructor(message: string, init: RegistryErrorInit) {
    super(message, init)
    this.name = "RegistryAuthError"
  }
}
