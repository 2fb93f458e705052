/**
 * multiarch's pure API (no Dagger engine needed): platform model, target tables, toolchain
 * environments. This is what `import { parsePlatform } from "multiarch"` gives TypeScript users.
 */
export { MultiarchInputError, MultiarchInputErrors, isInputError } from "./errors/index.js"
export {
  parsePlatform,
  parsePlatforms,
  formatPlatform,
  normalizePlatformParts,
  targetOf,
  PlatformSchema,
  PlatformListSchema,
  type PlatformParts,
} from "./platform.js"
export { TARGETS, SUPPORTED_PLATFORMS, SUPPORTED_ARCHES, EM, type TargetRow, type ElfFacts, type GoTargetEnv, type RustTargets } from "./targets.js"
export { goEnv, rustTarget, cargoEnvTriple, ccEnvTriple, debianCrossPackage, glibcBaseOf, type GoEnvOptions, type Libc } from "./env.js"
export * from "./reference.js"
export { parseAnnotations, OCI_ANNOTATION_KEYS, type AnnotationInput } from "./annotations.js"
export { ciContext, type CiContext, type ExplicitContext, type CiProvider, type RefKind } from "./ci-context.js"
export { parseSemver, compareSemver, type SemVer } from "./semver.js"
export { computeTags, sanitizeTag, isValidTag, type TagOptions } from "./tags.js"
export { ociLabels, imageLabels, type LabelOptions, type LabelValues } from "./labels.js"
export { publishTargets, explicitFromGitRef, type GitContext, type PublishTargets } from "./publish.js"
export { inspectElf, checkElf, elfProblems, elfCheckArgv, ElfError, type ElfInfo } from "./elf.js"
