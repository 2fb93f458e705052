/**
 * Every build option, by name: what `plan`, `build`, `go`, `rust`, `node`, `dockerfile`, `binaries` and
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
  /** Go builder image (a digest welcome): golang:1.23-bookworm@sha256:… */
  goImage?: string
  pkg?: string
  ldflags?: string
  cgo?: boolean
  /** Go build tags. */
  tags?: string | readonly string[]
  /** Debian -dev packages installed for each target's architecture (cgo). */
  cgoPackages?: string | readonly string[]
  binaryName?: string
  versionVar?: string
  commitVar?: string
  /** Go: with several main packages, the binary the image runs. Node: the image's argv, comma-separated (node,server.js). */
  entrypoint?: string
  // Rust (libc also Node: gnu = glibc, musl)
  rustVersion?: string
  /** Rust builder image (a digest welcome): rust:1.96-bookworm@sha256:… */
  rustImage?: string
  libc?: string
  bin?: string
  features?: string | readonly string[]
  noDefaultFeatures?: boolean
  profile?: string
  // Node
  nodeVersion?: string
  // Dockerfile
  dockerfile?: string
  target?: string
  /** NAME=value */
  buildArgs?: readonly string[]
  /** Let build args whose name or value looks like a credential through (they end up in the image history). */
  allowSecretBuildArgs?: boolean
  /** Dagger Secrets for `RUN --mount=type=secret,id=…`; only their ids show in a plan. */
  secrets?: readonly Secret[]
  /** The Dockerfile id of each secret, in order (default: its own name, else the env var or file name of its URI). */
  secretIds?: readonly string[]
  // every toolchain
  emulate?: boolean
  /** Namespace of the compiled toolchains' cache volumes (default: a hash of the project's identity). */
  cacheNamespace?: string
  version?: string
  commit?: string
  base?: string
  sourceUrl?: string
  created?: string
  /** More OCI labels, key=value (standard keys may drop their org.opencontainers.image. prefix). */
  labels?: readonly string[]
}
