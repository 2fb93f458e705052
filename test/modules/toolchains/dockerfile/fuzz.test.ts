/**
 * Property tests: whatever the text, analyzeDockerfile returns an analysis or throws a
 * MultiarchInputError (with a line number inside the file when it is a DockerfileError) — never a
 * TypeError, RangeError or a hang. Successful analyses keep their invariants.
 */
import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { analyzeDockerfile, DockerfileError, planDockerfile, type DockerfileAnalysis } from "../../../../modules/toolchains/dockerfile/index.js"
import { MultiarchInputError } from "../../../../modules/core/errors/index.js"

const FIXTURES = resolve(__dirname, "../../../fixtures")
const SEEDS = [
  ["dockerfile-go", "Dockerfile"],
  ["dockerfile-plain", "Dockerfile"],
  ["dockerfile-node", "Dockerfile"],
  ["dockerfile-node", "Dockerfile.trap"],
  ["dockerfile-multistage", "Dockerfile"],
].map(([d, f]) => readFileSync(join(FIXTURES, d, f), "utf8"))

const TARGETS = ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/riscv64"]

/** Run the analyser; return the analysis, or undefined after checking the error is an input error. */
function analyse(text: string, target: string, native = "linux/amd64", stage?: string): DockerfileAnalysis | undefined {
  try {
    return analyzeDockerfile(text, { targetPlatform: target, nativePlatform: native, target: stage })
  } catch (e) {
    if (!(e instanceof MultiarchInputError)) throw e
    if (e instanceof DockerfileError) {
      const lines = Math.max(1, text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/).length)
      expect(e.line).toBeGreaterThanOrEqual(1)
      expect(e.line).toBeLessThanOrEqual(lines)
      expect(e.message).toContain(`line ${e.line}:`)
    }
    expect(e.fix).not.toBe("")
    return undefined
  }
}

function checkInvariants(a: DockerfileAnalysis, text: string) {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/).length
  expect(a.stages.length).toBeGreaterThan(0)
  expect(a.stages[a.targetIndex].needed).toBe(true)
  for (const s of a.stages) {
    expect(s.line).toBeGreaterThanOrEqual(1)
    expect(s.line).toBeLessThanOrEqual(lines)
    if (s.baseStage !== undefined) {
      expect(s.baseStage).toBeLessThan(s.index)
      expect(s.platform).toBe(a.stages[s.baseStage].platform)
    }
    for (const r of s.runs) {
      expect(r.emulated).toBe(s.emulated)
      expect(r.line).toBeGreaterThan(s.line)
      expect(r.endLine).toBeGreaterThanOrEqual(r.line)
      expect(r.endLine).toBeLessThanOrEqual(lines)
    }
  }
  const needed = a.stages.filter((s) => s.needed).flatMap((s) => s.runs.filter((r) => r.emulated).map((r) => r.line))
  expect(a.emulatedRuns.map((r) => r.line)).toEqual(needed.sort((x, y) => x - y))
  for (const f of a.findings) expect(f.line).toBeGreaterThanOrEqual(1)
}

/** Fragments that exercise every corner of the parser, glued into lines at random. */
const fragment = fc.constantFrom(
  "FROM", "from", "RUN", "COPY", "ADD", "ARG", "ENV", "WORKDIR", "ONBUILD", "CMD", "SHELL", "HEALTHCHECK", "FORM",
  "AS", "as", "builder", "base", "0", "1", "7", "alpine", "golang:1.21", "scratch", "$BUILDPLATFORM", "${TARGETARCH}",
  "--platform=", "--platform=$BUILDPLATFORM", "--platform=linux/arm64", "--platform=$TARGETPLATFORM", "--platform",
  "--from=", "--from=builder", "--from=0", "--from=9", "--mount=type=bind,from=builder,target=/x", "--mount=",
  "--network=none", "\\", "`", "#", "# escape=`", "# syntax=docker/dockerfile:1", "<<EOF", "<<-EOF", "EOF", "<<'X'", "X",
  "${", "}", "${A:-b}", "${A:+c}", "${A#*}", "${A%%x}", "${A:?}", "${A/b}", "$A", "$", "'", '"', "[", "]", '["go","build"]',
  "[\"a\"", "=", "A=1", "go build", "cargo build --release", "npm ci", "gcc -c x.c", "apt-get install -y x", "&&", ";",
  "/app/node_modules", "/app/dist", "./", ".", "/", " ", "\t", "\u00e9", "\uFEFF", "\r",
)
const line = fc.array(fragment, { maxLength: 8 }).map((fs) => fs.join(" "))
const dockerfileish = fc.array(line, { maxLength: 14 }).map((ls) => ls.join("\n"))

/** Random edits of a real Dockerfile: delete, duplicate or insert characters and lines. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(
      fc.tuple(fc.nat(), fc.constantFrom("del", "dup", "ins", "dupline", "delline"), fc.constantFrom("\\", "\n", "$", "{", "}", "'", '"', "<<EOF\n", "#", " ", "--from=", "FROM x\n")),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([seed, edits]) => {
    let s = seed
    for (const [pos, op, ch] of edits) {
      const i = s.length ? pos % s.length : 0
      if (op === "del") s = s.slice(0, i) + s.slice(i + 1)
      else if (op === "dup") s = s.slice(0, i) + s[i] + s.slice(i)
      else if (op === "ins") s = s.slice(0, i) + ch + s.slice(i)
      else {
        const ls = s.split("\n")
        const j = pos % ls.length
        if (op === "dupline") ls.splice(j, 0, ls[j])
        else ls.splice(j, 1)
        s = ls.join("\n")
      }
    }
    return s
  })

describe("analyzeDockerfile never throws anything but MultiarchInputError", () => {
  it("arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: "binary" }), fc.constantFrom(...TARGETS), (text, t) => {
        const a = analyse(text, t)
        if (a) checkInvariants(a, text)
      }),
      { numRuns: 600 },
    )
  })

  it("Dockerfile-shaped garbage", () => {
    fc.assert(
      fc.property(dockerfileish, fc.constantFrom(...TARGETS), fc.constantFrom("linux/amd64", "linux/arm64"), (text, t, n) => {
        const a = analyse(text, t, n)
        if (a) checkInvariants(a, text)
      }),
      { numRuns: 1500 },
    )
  })

  it("valid preamble + garbage: gets past the first FROM so stage handling is exercised", () => {
    fc.assert(
      fc.property(dockerfileish, fc.constantFrom(...TARGETS), (tail, t) => {
        const text = `ARG V=1\nFROM --platform=$BUILDPLATFORM img:\${V} AS builder\nRUN go build\n${tail}\nFROM img\nCOPY --from=builder /app/node_modules /n\n`
        const a = analyse(text, t)
        if (a) checkInvariants(a, text)
      }),
      { numRuns: 1000 },
    )
  })

  it("mutated fixtures", () => {
    fc.assert(
      fc.property(mutated, fc.constantFrom(...TARGETS), fc.option(fc.constantFrom("builder", "deps", "release", "test", "nope"), { nil: undefined }), (text, t, stage) => {
        const a = analyse(text, t, "linux/amd64", stage)
        if (a) checkInvariants(a, text)
      }),
      { numRuns: 1000 },
    )
  })

  it("planDockerfile on garbage: entries or a MultiarchInputError", () => {
    fc.assert(
      fc.property(dockerfileish, (text) => {
        try {
          const plans = planDockerfile(text, { platforms: ["linux/amd64", "linux/arm64"], nativePlatform: "linux/amd64" })
          expect(plans.map((p) => p.platform)).toEqual(["linux/amd64", "linux/arm64"])
          for (const p of plans) expect(p.mode).toBe(p.emulatedRuns.length ? "emulated" : "cross")
        } catch (e) {
          if (!(e instanceof MultiarchInputError)) throw e
        }
      }),
      { numRuns: 400 },
    )
  })

  it("long and deeply nested input stays fast", () => {
    const nested = "ARG A=x\nFROM img:" + "${A:-".repeat(2000) + "y" + "}".repeat(2000) + "\n"
    const long = "FROM a\n" + "RUN echo \\\n".repeat(20000) + "  done\n"
    const heredocs = "FROM a\nRUN " + Array.from({ length: 300 }, (_, i) => `<<E${i}`).join(" ") + "\n" + Array.from({ length: 300 }, (_, i) => `E${i}`).join("\n") + "\n"
    const globs = "ARG V=" + "a".repeat(3000) + "\nFROM img:${V%%*a*a*a*b}\n"
    for (const text of [nested, long, heredocs, globs]) {
      const t0 = performance.now()
      analyse(text, "linux/arm64")
      expect(performance.now() - t0).toBeLessThan(3000)
    }
    expect(analyse(long, "linux/arm64")!.stages[0].runs[0].endLine).toBe(20002)
  })
})
