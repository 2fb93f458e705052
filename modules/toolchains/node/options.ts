/** Node toolchain options: what `--node-version`, `--libc`, `--base`, `--entrypoint` and `--emulate` mean for a Node build, and their checks. */
import { parseChoice } from "../../core/choice.js"
import { MultiarchInputError } from "../../core/errors/index.js"
import type { BuildOptions } from "../options.js"
import type { NodeLibc } from "./lock.js"
import { checkNodeVersion } from "./versions.js"

export interface NodeOptions {
  /** Node.js version of the builder and runtime images (20, 20.11, v20.11.1, lts/iron); default from .node-version, .nvmrc, engines.node. */
  nodeVersion?: string
  /** C library of the target's node_modules and runtime: glibc (Debian, default) or musl (Alpine). */
  libc?: NodeLibc
  /** Runtime base image; default node:<version>-bookworm-slim (glibc) or node:<version>-alpine (musl). */
  base?: string
  /** Entrypoint of the image (argv; `--entrypoint node,server.js` split on commas); default from package.json start, bin or main. */
  entrypoint?: string[]
  /** Rebuild every package with install work on the target platform under QEMU instead of cross-compiling it. */
  emulate?: boolean
}

/** `--libc` for Node: gnu (glibc, Debian images) or musl (Alpine), case-insensitive, with a "did you mean". */
function parseNodeLibc(value: string): "gnu" | "musl" {
  return parseChoice("libc", value, ["gnu", "musl"] as const, {
    what: "a C library multiarch installs Node apps for (gnu: Debian node images; musl: Alpine)",
    aliases: { glibc: "gnu", alpine: "musl", debian: "gnu" },
  })
}

/** The Node options from the build options: `--libc gnu` is glibc; an Alpine `--base` implies musl. */
export function nodeOptions(b: BuildOptions): NodeOptions {
  const libc: NodeLibc | undefined =
    b.libc !== undefined ? (parseNodeLibc(b.libc) === "gnu" ? "glibc" : "musl") : b.base !== undefined && /(^|[/:@-])alpine/.test(b.base) ? "musl" : undefined
  return {
    nodeVersion: b.nodeVersion,
    libc,
    base: b.base,
    entrypoint: b.entrypoint === undefined ? undefined : b.entrypoint.split(","),
    emulate: b.emulate,
  }
}

/** Validate options before any engine work. */
export function checkNodeOptions(o: NodeOptions): void {
  if (o.nodeVersion !== undefined) checkNodeVersion(o.nodeVersion)
  if (o.libc !== undefined && o.libc !== "glibc" && o.libc !== "musl")
    throw new MultiarchInputError("libc", String(o.libc), "libc must be gnu (glibc) or musl", "pass --libc gnu for Debian-based images or --libc musl for Alpine")
  // (--base is shared with Go/Rust, where "scratch" is valid: planNode refuses it for a Node build)
  if (o.base !== undefined && (o.base.trim() === "" || /\s/.test(o.base)))
    throw new MultiarchInputError("base", o.base, "not an image address", 'pass an image with node, e.g. "node:20-bookworm-slim"')
  if (o.entrypoint !== undefined && o.entrypoint.some((w) => w.trim() === ""))
    throw new MultiarchInputError("entrypoint", o.entrypoint.join(","), o.entrypoint.length === 1 ? "the entrypoint is empty" : "the entrypoint has an empty word", "pass the command and its arguments, comma-separated, e.g. --entrypoint node,server.js")
}
