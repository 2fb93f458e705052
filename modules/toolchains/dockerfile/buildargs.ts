/**
 * Build args against the Dockerfile (pure): BuildKit ignores a build arg no ARG declares (docker
 * build only prints "[Warning] One or more build-args … were not consumed"), so a typo such as
 * VERSOIN=1.2.3 silently builds the default. multiarch refuses it, naming the ARGs the file declares.
 */
import { MultiarchInputError, MultiarchInputErrors } from "../../core/errors/index.js"
import { closest } from "../../core/suggest.js"
import { parseDockerfile } from "./parse.js"
import { PLATFORM_ARGS } from "./platforms.js"
import type { BuildArgInput } from "./types.js"

/** Build args BuildKit knows without an ARG: the proxy variables, BuildKit's own switches, SOURCE_DATE_EPOCH, the platform ARGs. */
export const PREDEFINED_ARGS: readonly string[] = [
  ...["HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY"].flatMap((n) => [n, n.toLowerCase()]),
  "SOURCE_DATE_EPOCH",
  ...PLATFORM_ARGS,
]

/** Every ARG name the Dockerfile declares (global and in any stage), in order. */
export function declaredArgs(text: string, path = "Dockerfile"): string[] {
  const parsed = parseDockerfile(text, path)
  const out: string[] = []
  for (const ins of parsed.instructions) {
    if (ins.keyword !== "ARG") continue
    for (const word of ins.node.args) {
      const name = word.split("=")[0]
      if (name && !out.includes(name)) out.push(name)
    }
  }
  return out
}

/** Throws MultiarchInputErrors for every build arg the Dockerfile does not declare (BuildKit's own BUILDKIT_* switches pass). */
export function checkBuildArgsDeclared(text: string, path: string, buildArgs: readonly BuildArgInput[]): void {
  const declared = declaredArgs(text, path)
  const errors = buildArgs
    .filter((a) => !declared.includes(a.name) && !PREDEFINED_ARGS.includes(a.name) && !a.name.startsWith("BUILDKIT_"))
    .map((a) => {
      const near = closest(a.name, declared, Math.max(1, Math.floor(a.name.length / 3)))
      const list = declared.length ? `it declares: ${declared.join(", ")}` : "it declares no ARG"
      return new MultiarchInputError(
        "build-args",
        a.name,
        `${path} has no ARG ${a.name}, so BuildKit would ignore it`,
        near ? `did you mean ${near}? (${list})` : `declare ARG ${a.name} in ${path}, or drop it (${list})`,
      )
    })
  if (errors.length) throw new MultiarchInputErrors(errors)
}
