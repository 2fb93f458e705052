/**
 * The Dockerfile plan entry as `plan` shows it and `apply` uses it (issue 21, found by mutation
 * testing): the QEMU note's counts and wording, what reaches dockerBuild (target only when given,
 * build args from a record or a list, secrets by name), each stage's executes/needed/runs, and
 * which exec argv names which Dockerfile line.
 */
import { describe, expect, it } from "vitest"
import { enginePlatform } from "../../../../modules/core/native.js"
import { TARGETS } from "../../../../modules/core/targets.js"
import { emulatedRunFor, planDockerfile } from "../../../../modules/toolchains/dockerfile/plan.js"
import { inputError } from "../../../support/errors.js"

const AMD = "linux/amd64"
const DF = [
  "FROM --platform=$BUILDPLATFORM golang:1.22 AS build",
  "RUN go build",
  "FROM alpine:3.20",
  "RUN apk add --no-cache ca-certificates",
  "RUN  echo   hi",
  "COPY --from=build /x /x",
  "",
].join("\n")

describe("planDockerfile entries", () => {
  it("an empty platform list is refused before the Dockerfile is read", () => {
    const e = inputError(() => planDockerfile("not a dockerfile", { platforms: [], nativePlatform: AMD }))
    expect(e.field).toBe("platforms")
    expect(e.input).toBe("")
    expect(e.message).toBe('invalid platforms "": the platform list is empty; pass e.g. "linux/amd64,linux/arm64"')
    expect(e.fix).toBe('pass e.g. "linux/amd64,linux/arm64"')
  })

  it("a cross entry: two emulated RUNs, counted in the plural, with their lines", () => {
    const [p] = planDockerfile(DF, { platforms: ["linux/arm64"], nativePlatform: AMD, buildArgs: { A: "1" }, secrets: ["tok"] })
    expect(p).toMatchObject({ platform: "linux/arm64", toolchain: "dockerfile", mode: "emulated", native: false, target: "stage-1", buildPlatform: AMD })
    expect(p.dockerBuild).toEqual({ platform: "linux/arm64", dockerfile: "Dockerfile", buildArgs: [{ name: "A", value: "1" }], secrets: ["tok"] })
    expect("target" in p.dockerBuild).toBe(false)
    expect(p.stages).toEqual([
      { index: 0, label: "build", base: "golang:1.22", platform: AMD, platformSource: "build", executes: "native", needed: true, runs: 1 },
      { index: 1, label: "stage-1", base: "alpine:3.20", platform: "linux/arm64", platformSource: "target", executes: "emulated", needed: true, runs: 2 },
    ])
    expect(p.notes.slice(0, 2)).toEqual([
      "BuildKit sets BUILDPLATFORM=linux/amd64 (the engine's) and TARGETPLATFORM=linux/arm64",
      "2 RUN steps run under QEMU (0 heavy): line 4, line 5",
    ])
  })

  it("one emulated RUN is counted in the singular; heavy ones are counted", () => {
    const one = planDockerfile("FROM alpine\nRUN apk add curl\n", { platforms: ["linux/arm64"], nativePlatform: AMD })[0]
    expect(one.notes[1]).toBe("1 RUN step runs under QEMU (0 heavy): line 2")
    const heavy = planDockerfile("FROM golang:1.22\nRUN go build -o /app .\n", { platforms: ["linux/arm64"], nativePlatform: AMD })[0]
    expect(heavy.notes[1]).toMatch(/^1 RUN step runs under QEMU \(1 heavy\): line 2$/)
  })

  it("the native platform: no RUN under QEMU, mode cross, native", () => {
    const [p] = planDockerfile(DF, { platforms: [TARGETS.get(AMD)!], nativePlatform: enginePlatform(AMD), target: "build", buildArgs: [{ name: "B", value: "2" }], dockerfile: "docker/Dockerfile.prod" })
    expect(p).toMatchObject({ mode: "cross", native: true, target: "build" })
    expect(p.dockerBuild).toEqual({ platform: AMD, dockerfile: "docker/Dockerfile.prod", target: "build", buildArgs: [{ name: "B", value: "2" }], secrets: [] })
    expect(p.notes[1]).toBe("no RUN step runs under QEMU")
    expect(p.stages.map((s) => [s.label, s.executes, s.needed])).toEqual([
      ["build", "native", true],
      ["stage-1", "native", false],
    ])
  })
})

describe("emulatedRunFor", () => {
  const [p] = planDockerfile(DF, { platforms: ["linux/arm64"], nativePlatform: AMD })

  it.each([
    [["/bin/sh", "-c", "apk add --no-cache ca-certificates"], 4],
    [["sh", "-c", "apk add --no-cache ca-certificates"], 4],
    [["/bin/bash", "-c", "echo hi"], 5],
    [["/usr/bin/dash", "-c", "echo", "hi"], 5],
    [["/bin/ash", "-c", "  echo\thi "], 5],
    [["echo", "hi"], 5],
  ])("%j → line %i", (argv, line) => {
    expect(emulatedRunFor(p, argv)?.line).toBe(line)
  })

  it.each([
    [undefined],
    [[]],
    [["/bin/zsh", "-c", "echo hi"]],
    [["/bin/shx", "-c", "echo hi"]],
    [["/bin/sh", "-e", "echo hi"]],
    [["/bin/sh", "-c"]],
    [["/bin/sh", "-c", "echo bye"]],
    // whitespace runs count as one space, not as nothing
    [["/bin/sh", "-c", "ec hohi"]],
  ])("%j names no line", (argv) => {
    expect(emulatedRunFor(p, argv as string[] | undefined)).toBeUndefined()
  })

  it("an exec-form RUN of a bare shell (two words) is matched as written, not as an empty -c command", () => {
    const [bare] = planDockerfile('FROM alpine\nRUN ["/bin/sh", "-c"]\n', { platforms: ["linux/arm64"], nativePlatform: AMD })
    expect(emulatedRunFor(bare, ["/bin/sh", "-c"])?.line).toBe(2)
  })
})
