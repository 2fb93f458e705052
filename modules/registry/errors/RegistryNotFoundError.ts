import type { RegistryErrorInit } from "./RegistryError.js"
import { RegistryError } from "./RegistryError.js"

/** 404: repository, manifest or blob unknown. */
export class RegistryNotFoundError extends RegistryError {
  constructor(message: string, init: RegistryErrorInit) {
    super(message, init)
    this.name = "RegistryNotFoundError"
  }
}
