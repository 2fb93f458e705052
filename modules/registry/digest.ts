/** Digests of manifest and blob bytes. */
import { createHash } from "node:crypto"

export function sha256Digest(bytes: Uint8Array): string {
  return "sha256:" + createHash("sha256").update(bytes).digest("hex")
}

/** True when `bytes` match `digest` (or the algorithm is one we cannot check). */
export function verifyDigest(bytes: Uint8Array, digest: string): boolean {
  const [alg, hex] = digest.split(":")
  if (!["sha256", "sha384", "sha512"].includes(alg)) return true // unknown algorithm: cannot check
  return createHash(alg).update(bytes).digest("hex") === hex
}
