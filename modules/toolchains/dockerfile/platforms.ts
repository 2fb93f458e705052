/** BuildKit's automatic platform ARGs and which stage platforms run natively on the engine. */
import { formatPlatform, normalizePlatformParts } from "../../core/platform.js"

export const PLATFORM_ARGS = [
  "BUILDPLATFORM",
  "BUILDOS",
  "BUILDARCH",
  "BUILDVARIANT",
  "TARGETPLATFORM",
  "TARGETOS",
  "TARGETARCH",
  "TARGETVARIANT",
] as const

export function platformArgValues(prefix: "BUILD" | "TARGET", platform: string): [string, string][] {
  const p = normalizePlatformParts(platform)
  return [
    [`${prefix}PLATFORM`, formatPlatform(p)],
    [`${prefix}OS`, p.os],
    [`${prefix}ARCH`, p.arch],
    [`${prefix}VARIANT`, p.variant ?? ""],
  ]
}

/** The part of a platform that decides binary compatibility: os/arch, plus the variant for arm. */
export function abiKey(platform: string): string {
  const p = normalizePlatformParts(platform)
  return p.arch === "arm" ? formatPlatform(p) : `${p.os}/${p.arch}`
}

/**
 * Whether an engine on `native` executes `platform` without QEMU: the same os/arch (amd64
 * micro-architecture levels are assumed supported by the CPU), or linux/386 on an amd64 engine.
 * 32-bit arm on an arm64 engine counts as emulated: many arm64 CPUs (Graviton 3, Apple silicon)
 * have no AArch32 mode.
 */
export function runsNatively(platform: string, native: string): boolean {
  const p = normalizePlatformParts(platform)
  const n = normalizePlatformParts(native)
  if (p.os !== n.os) return false
  if (p.arch === n.arch) return p.arch !== "arm" || (p.variant ?? "v7") <= (n.variant ?? "v7")
  return n.arch === "amd64" && p.arch === "386"
}
