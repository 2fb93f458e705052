/**
 * multiarch's pure API (no Dagger engine, no network): platform model, the target table, toolchain
 * environments, what runs natively, tags and labels, references, annotations, publish requests,
 * ELF checks. This is what `import { parsePlatform } from "multiarch"` gives TypeScript users; the
 * registry client is `multiarch/registry`.
 */
export { MultiarchInputError, MultiarchInputErrors, isInputError, EmulationFailure } from "./errors/index.js"
export {
  parsePlatform,
  parsePlatforms,
  formatPlatform,
  normalizePlatformParts,
  targetOf,
  rowOf,
  type PlatformParts,
  type TargetInput,
} from "./platform.js"
export { PlatformSchema, PlatformListSchema } from "./platform-schema.js"
export { runsNatively, abiKey, enginePlatform, type EnginePlatform } from "./native.js"
export { TARGETS, SUPPORTED_PLATFORMS, SUPPORTED_ARCHES, EM, ELF_MACHINE_NAMES, elfMachineName, type TargetRow, type ElfFacts, type GoTargetEnv, type RustTargets } from "./targets.js"
export { goEnv, rustTarget, cargoEnvTriple, ccEnvTriple, debianCrossPackage, glibcBaseOf, platformSlug, type GoEnvOptions, type Libc } from "./env.js"
export * from "./reference.js"
export { parseAnnotations, checkAnnotationKey, checkLabelKey, keyProblem, OCI_ANNOTATION_KEYS, type AnnotationInput, type KeyProblem } from "./annotations.js"
export { editDistance, closest } from "./suggest.js"
export { missingCredential, checkCredentialPair } from "./credentials.js"
export { redactUserinfo, hasUserinfo, checkSecretText } from "./redact.js"
export { ciContext, type CiContext, type ExplicitContext, type CiProvider, type RefKind } from "./ci-context.js"
export { parseSemver, compareSemver, type SemVer } from "./semver.js"
export { computeTags, sanitizeTag, isValidTag, type TagOptions } from "./tags.js"
export { ociLabels, imageLabels, parseLabels, checkCreated, SHORT_LABEL_KEYS, type LabelOptions, type LabelValues } from "./labels.js"
export { publishTargets, explicitFromGitRef, parsePublishRequest, parseImageFormat, parseCompression, parseMediaTypes, tagOf, COMPRESSIONS, MEDIA_TYPES, type GitContext, type PublishTargets, type PublishOptions, type PublishRequest, type Compression, type MediaTypes } from "./publish.js"
export { parseChoice, type ChoiceOptions } from "./choice.js"
export { rfc3339Problem, isRfc3339, daysInMonth } from "./time.js"
export { checkPublicUrl } from "./url.js"
export { SOURCE_IGNORE } from "./source.js"
export { classifyExecFailure, isQemuSignature, shouldRetry, emulationFailureMessage, MAX_EMULATED_ATTEMPTS, type QemuSignature, type EmulationFailureInput } from "./emulation.js"
export type { BuildPlan, SourceFacts, PlanStep, CacheMount } from "./plan.js"
export { inspectElf, checkElf, elfProblems, elfCheckArgv, ElfError, type ElfInfo } from "./elf.js"
