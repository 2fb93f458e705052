/**
 * Every build option, by name: what `plan`, `build`, `go`, `rust`, `dockerfile`, `binaries` and
 * ci/pipeline.ts pass. Each toolchain picks its own from it (Toolchain.options); request.ts parses
 * the ones every toolchain shares.
 */
export interface BuildOptions<Secret = unknown> {
  /** Target platforms (list or comma-separated); default linux/amd64,linux/arm64. */
  platforms?: string | readonly string[]
  /** Force a toolchain instead of detecting it. */
  lang?: string
  // Go
  goVersion?: string
  pkg?: string
  ldflags?: string
  cgo?: boolean
  // Rust
  rustVersion?: string
  libc?: string
  bin?: string
  features?: string | readonly string[]
  profile?: string
  // Dockerfile
  dockerfile?: string
  target?: string
  /** NAME=value */
  buildArgs?: readonly string[]
  /** Passed to BuildKit as they are (Dagger Secrets); only their number and names show in a plan. */
  secrets?: readonly Secret[]
  // every toolchain
  emulate?: boolean
  version?: string
  commit?: string
  base?: string
  sourceUrl?: string
  created?: string
}
