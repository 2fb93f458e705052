import type { RegistryErrorInit } from "./RegistryError.js"
import { RegistryError } from "./RegistryError.js"

/** 403: credentials accepted but not allowed to do this. */
export class RegistryDeniedError extends RegistryError {
  constructor(message: string, init: RegistryErrorInit) {
    super(message, init)
    this.name = "RegistryDeniedError"
  }
}
