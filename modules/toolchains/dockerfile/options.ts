/** Dockerfile toolchain options: the Dockerfile's path, the stage to build, build args, secret names; their checks. */
import { MultiarchInputError } from "../../core/errors/index.js"
import type { BuildOptions } from "../options.js"
import type { BuildArgInput } from "./types.js"

export interface DockerfileOptions {
  /** Path of the Dockerfile in the source; default "Dockerfile". */
  dockerfile?: string
  /** Stage to build; default the last. */
  target?: string
  buildArgs: BuildArgInput[]
  /** Names of the secrets passed to BuildKit (a plan shows names, never values). */
  secrets: string[]
}

/** `NAME=value` build args → name/value pairs, checked before any engine work. */
export function parseBuildArgs(list: readonly string[] | undefined): BuildArgInput[] {
  return (list ?? []).map((a) => {
    const i = a.indexOf("=")
    if (i <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(a.slice(0, i)))
      throw new MultiarchInputError("build-args", a, "expected NAME=value", "pass e.g. --build-args VERSION=1.2.3,COMMIT=abc")
    return { name: a.slice(0, i), value: a.slice(i + 1) }
  })
}

/** The dockerfile toolchain's options from the build options (build args parsed). */
export function dockerfileOptions(b: BuildOptions): DockerfileOptions {
  return {
    ...(b.dockerfile !== undefined ? { dockerfile: b.dockerfile } : {}),
    ...(b.target !== undefined ? { target: b.target } : {}),
    buildArgs: parseBuildArgs(b.buildArgs),
    secrets: [],
  }
}

/** The Dockerfile path must stay inside the source. */
export function checkDockerfileOptions(o: DockerfileOptions): void {
  const d = o.dockerfile
  if (d !== undefined && (d.startsWith("/") || d.split("/").includes("..")))
    throw new MultiarchInputError("dockerfile", d, "the Dockerfile path must stay inside the source", "pass a path relative to --source, e.g. build/Dockerfile")
}
