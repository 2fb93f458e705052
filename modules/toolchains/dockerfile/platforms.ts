/** BuildKit's automatic platform ARGs: BUILDPLATFORM/BUILDOS/… and TARGETPLATFORM/TARGETOS/… with their values. */
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
