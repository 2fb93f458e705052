/** Rust toolchain: cross-compiles each target triple on the engine's native platform (Cargo.toml). */
import { compiledToolchain } from "../compiled.js"
import type { Toolchain } from "../toolchain.js"
import { checkRustOptions, parseLibc, type RustOptions } from "./options.js"
import { planRust, type RustPlan } from "./plan.js"
import { scanRust } from "./workspace.js"

export const rustToolchain = {
  name: "rust",
  marker: () => "Cargo.toml",
  factFiles: () => ["Cargo.toml", "Cargo.lock", "rust-toolchain.toml", "rust-toolchain", "build.rs"],
  flags: ["rustVersion", "rustImage", "libc", "bin", "features", "noDefaultFeatures", "profile", "base", "emulate", "cacheNamespace"],
  options: (b) => ({
    rustVersion: b.rustVersion,
    rustImage: b.rustImage,
    libc: b.libc === undefined ? undefined : parseLibc(b.libc),
    bin: b.bin,
    features: b.features === undefined ? undefined : typeof b.features === "string" ? b.features : [...b.features],
    noDefaultFeatures: b.noDefaultFeatures,
    profile: b.profile,
    base: b.base,
    emulate: b.emulate,
    cacheNamespace: b.cacheNamespace,
  }),
  check: checkRustOptions,
  scan: (read, _o, facts) => scanRust(read, facts),
  ...compiledToolchain(planRust),
} satisfies Toolchain<"rust", RustOptions, RustPlan>

export { planRust, unsupportedReason, rustBinaryName, rustBinary, cxxEvidence, CXX_CRATES, profileDir, type RustPlan } from "./plan.js"
export { parseCargoToml, parseToolchainFile, resolveRustVersion, rustImageFor, readToml, OLDEST_BOOKWORM_RUST, CHANNEL_RE, type CargoFacts, type ToolchainFileFacts } from "./cargo.js"
export { scanRust, cargoTargets, safeMemberPattern, memberGlobs, type CargoTargets, type BinTarget } from "./workspace.js"
export * from "./options.js"
