/**
 * apply.ts against a stand-in Directory that records the dockerBuild options (the query-level
 * contract tests with a recording engine live elsewhere).
 */
import type { Container, Directory, DirectoryDockerBuildOpts, Secret } from "@dagger.io/dagger"
import { describe, expect, it } from "vitest"
import { planDockerfile } from "../../../modules/toolchains/dockerfile/index.js"
import { applyDockerfilePlan, dockerfileVariant } from "../../../src/engine/dockerfile.js"

function recordingDirectory() {
  const calls: DirectoryDockerBuildOpts[] = []
  const dir = {
    dockerBuild: (opts?: DirectoryDockerBuildOpts) => {
      calls.push(opts ?? {})
      return { built: opts?.platform } as unknown as Container
    },
  } as unknown as Directory
  return { dir, calls }
}

describe("dockerfileVariant", () => {
  it("passes the platform and only the options that are set", () => {
    const { dir, calls } = recordingDirectory()
    const c = dockerfileVariant(dir, "linux/arm64")
    expect(c).toEqual({ built: "linux/arm64" })
    expect(calls).toEqual([{ platform: "linux/arm64" }])
  })

  it("passes dockerfile, target, build args and secrets objects (never values)", () => {
    const { dir, calls } = recordingDirectory()
    const secret = { id: async () => "Secret:abc" } as unknown as Secret
    dockerfileVariant(dir, "linux/arm/v7", {
      dockerfile: "ci/Dockerfile",
      target: "release",
      buildArgs: [{ name: "VERSION", value: "1.2.3" }],
      secrets: [secret],
    })
    expect(calls).toHaveLength(1)
    expect(calls[0]).toEqual({ platform: "linux/arm/v7", dockerfile: "ci/Dockerfile", target: "release", buildArgs: [{ name: "VERSION", value: "1.2.3" }], secrets: [secret] })
    expect(calls[0].secrets![0]).toBe(secret)
  })

  it("applies plan entries: one dockerBuild per platform, as planned", () => {
    const { dir, calls } = recordingDirectory()
    const plans = planDockerfile("FROM a AS build\nFROM b AS release\n", {
      platforms: ["linux/amd64", "linux/arm64"],
      nativePlatform: "linux/amd64",
      target: "release",
      buildArgs: { V: "1" },
    })
    plans.forEach((p) => applyDockerfilePlan(dir, p))
    expect(calls).toEqual([
      { platform: "linux/amd64", dockerfile: "Dockerfile", target: "release", buildArgs: [{ name: "V", value: "1" }] },
      { platform: "linux/arm64", dockerfile: "Dockerfile", target: "release", buildArgs: [{ name: "V", value: "1" }] },
    ])
  })
})
