/**
 * Engine glue for Dockerfile plans: one `Directory.dockerBuild` per platform. BuildKit in the
 * engine then sets BUILDPLATFORM to the engine's native platform and TARGETPLATFORM/TARGETOS/
 * TARGETARCH/TARGETVARIANT to `platform`, exactly as `docker buildx build --platform` does; RUN
 * steps of stages on a foreign platform run under the engine's QEMU.
 */
import type { BuildArg, Container, Directory, Platform, Secret } from "@dagger.io/dagger"
import type { DockerfileBuildPlan } from "../../modules/toolchains/dockerfile/index.js"

export interface DockerfileVariantOptions {
  /** Path of the Dockerfile in `source`; default "Dockerfile". */
  dockerfile?: string
  /** Stage to build; default the last one. */
  target?: string
  buildArgs?: BuildArg[]
  /** Mounted at /run/secrets/<name> for `RUN --mount=type=secret,id=<name>`. Passed as Secret IDs, never as values. */
  secrets?: Secret[]
}

/** Build `source`'s Dockerfile for one platform. Lazy: nothing runs until the container is used. */
export function dockerfileVariant(source: Directory, platform: string, opts: DockerfileVariantOptions = {}): Container {
  return source.dockerBuild({
    platform: platform as Platform,
    // only the options that are set, so the query carries no nulls
    ...(opts.dockerfile ? { dockerfile: opts.dockerfile } : {}),
    ...(opts.target ? { target: opts.target } : {}),
    ...(opts.buildArgs?.length ? { buildArgs: opts.buildArgs } : {}),
    ...(opts.secrets?.length ? { secrets: opts.secrets } : {}),
  })
}

/** Apply one plan entry (see planDockerfile): its platform, Dockerfile, target and build args. */
export function applyDockerfilePlan(source: Directory, plan: DockerfileBuildPlan, secrets: Secret[] = []): Container {
  return dockerfileVariant(source, plan.dockerBuild.platform, {
    dockerfile: plan.dockerBuild.dockerfile,
    target: plan.dockerBuild.target,
    buildArgs: plan.dockerBuild.buildArgs,
    secrets,
  })
}
