/**
 * The one meaning of "native" for every toolchain. An engine whose platform is `engine` runs code
 * of platform `target` natively (without QEMU) when:
 *  - both have the same OS and architecture; amd64 micro-architecture levels (v2–v4) are assumed
 *    supported by the engine's CPU, as BuildKit does;
 *  - or the target is linux/386 and the engine amd64 (x86-64 CPUs execute i386 code);
 *  - for 32-bit arm: the target's variant is at most the engine's (arm/v6 on an arm/v7 engine).
 *    32-bit arm on an arm64 engine counts as emulated: many arm64 CPUs (Graviton 3, Apple silicon)
 *    have no AArch32 mode.
 * Go and Rust plans report it as `native` (the target binary could run on the builder's machine);
 * the Dockerfile analysis uses it to decide which stages (and so which RUN steps) run under QEMU.
 * Whether the *builder* needs a cross C toolchain is another question (same Debian architecture),
 * answered from the target table's `debianArch`.
 */
import { MultiarchInputError } from "./errors/index.js"
import { formatPlatform, normalizePlatformParts, type PlatformParts } from "./platform.js"
import { TARGETS, type TargetRow } from "./targets.js"

export function runsNatively(target: PlatformParts, engine: PlatformParts): boolean {
  if (target.os !== engine.os) return false
  if (target.arch === engine.arch) return target.arch !== "arm" || (target.variant ?? "v7") <= (engine.variant ?? "v7")
  return engine.arch === "amd64" && target.arch === "386"
}

/**
 * The part of a platform that decides whether built artifacts are interchangeable (native
 * addons, shared libraries): os/arch, plus the variant for 32-bit arm.
 */
export function abiKey(p: PlatformParts): string {
  return p.arch === "arm" ? formatPlatform(p) : `${p.os}/${p.arch}`
}

/** The engine's native platform, parsed once: normalised parts and string, and its table row when multiarch knows it. */
export interface EnginePlatform extends PlatformParts {
  /** Normalised `os/arch[/variant]`. */
  platform: string
  /** The target-table row of the engine's platform; undefined on an engine multiarch has no row for. */
  row?: Readonly<TargetRow>
}

/**
 * Parse the engine's platform (`dag.defaultPlatform()`), normalised like containerd. It does not
 * have to be a supported build target. Throws MultiarchInputError (field "native-platform").
 */
export function enginePlatform(platform: string): EnginePlatform {
  let parts: PlatformParts
  try {
    parts = normalizePlatformParts(platform)
  } catch (e) {
    if (!(e instanceof MultiarchInputError)) throw e
    throw new MultiarchInputError("native-platform", String(platform), e.message, `pass the engine's default platform, e.g. "linux/amd64"`)
  }
  const formatted = formatPlatform(parts)
  const row = TARGETS.get(formatted)
  return { ...parts, platform: formatted, ...(row ? { row } : {}) }
}
