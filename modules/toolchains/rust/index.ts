/** Rust toolchain: cross-compiles each target triple on the engine's native platform (Cargo.toml). */
import { compiledToolchain } from "../compiled.js"
import type { Toolchain } from "../toolchain.js"
import { checkRustOptions, parseLibc, type RustOptions } from "./options.js"
import { planRust, type RustPlan } from "./plan.js"

export const rustToolchain = {
  name: "rust",
  marker: () => "Cargo.toml",
  factFiles: () => ["Cargo.toml", "Cargo.lock", "rust-toolchain.toml", "rust-toolchain"],
  flags: ["rustVersion", "libc", "bin", "features", "profile", "base", "emulate"],
  options: (b) => ({
    rustVersion: b.rustVersion,
    libc: b.libc === undefined ? undefined : parseLibc(b.libc),
    bin: b.bin,
    features: b.features === undefined ? undefined : typeof b.features === "string" ? b.features : [...b.features],
    profile: b.profile,
    base: b.base,
    emulate: b.emulate,
  }),
  check: checkRustOptions,
  ...compiledToolchain(planRust),
} satisfies Toolchain<"rust", RustOptions, RustPlan>

export { planRust, unsupportedReason, rustBinaryName, profileDir, type RustPlan } from "./plan.js"
export { parseCargoToml, parseToolchainFile, resolveRustVersion, readToml, type CargoFacts, type ToolchainFileFacts } from "./cargo.js"
export * from "./options.js"
