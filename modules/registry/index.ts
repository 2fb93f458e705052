/**
 * multiarch's registry client (`import … from "multiarch/registry"`): the OCI Distribution API over
 * fetch, and the operations the module's functions wrap one-to-one: inspect, verify, merge,
 * annotate, tag. Talks to the network; the pure model it uses is `multiarch` (modules/core).
 */
export * from "./types.js"
export * from "./errors/index.js"
export { parseWwwAuthenticate, type AuthChallenge } from "./auth.js"
export { sha256Digest } from "./digest.js"
export { RegistryClient } from "./client.js"
export { isAttestationDescriptor, platformOf, plainHttpFor, type RegistryOptions, type AnnotationInput } from "./images.js"
export { inspectImage, type ImageInspection, type PlatformEntry, type AttestationEntry } from "./inspect.js"
export { verifyImage, type VerifyResult } from "./verify.js"
export { mergeImages, type MergeOptions } from "./merge.js"
export { annotateImage, type AnnotateOptions } from "./annotate.js"
export { tagImage } from "./tag.js"
export { finishPublish, checkPublishAccess, followUpAccess, type PublishFollowUps } from "./publish.js"
export { parseDockerConfig, dockerConfigCredentials, dockerConfigHint, configHost, type DockerConfig } from "./docker-config.js"
export { checkCredentials } from "./client.js"
export { RETRY_DEFAULTS, RetryState, parseRetryAfter, resolveRetry, describeFailure, type Failure, type Decision } from "./transport/policy.js"
