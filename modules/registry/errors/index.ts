/** Registry errors, one class per file. `.message` is one readable paragraph, never a stack trace. */
export { RegistryError, isRegistryError, type RegistryErrorInit } from "./RegistryError.js"
export { RegistryAuthError } from "./RegistryAuthError.js"
export { RegistryDeniedError } from "./RegistryDeniedError.js"
export { RegistryNotFoundError } from "./RegistryNotFoundError.js"
export { PlatformMismatchError } from "./PlatformMismatchError.js"
export { RegistryNetworkError } from "./RegistryNetworkError.js"
export { RegistryIntegrityError } from "./RegistryIntegrityError.js"
