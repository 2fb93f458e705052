/**
 * Dockerfile analysis: the guide's patterns (verbatim from the user guide our users follow), the
 * fixtures the BuildKit rung builds, parser features, malformed files with line numbers.
 */
import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import {
  analyzeDockerfile,
  classifyRun,
  DockerfileError,
  dockerfilePlanText,
  emulatedRunFor,
  planDockerfile,
  type AnalyzeOptions,
  type DockerfileAnalysis,
} from "../../../../modules/toolchains/dockerfile/index.js"
import { MultiarchInputError } from "../../../../modules/core/errors/index.js"

const FIXTURES = resolve(__dirname, "../../../fixtures")
const fixture = (dir: string, file = "Dockerfile") => readFileSync(join(FIXTURES, dir, file), "utf8")

const AMD = "linux/amd64"
const ARM = "linux/arm64"
const on = (text: string, target: string, extra: Partial<AnalyzeOptions> = {}): DockerfileAnalysis =>
  analyzeDockerfile(text, { targetPlatform: target, nativePlatform: AMD, ...extra })
const kinds = (a: DockerfileAnalysis) => a.findings.map((f) => `${f.kind}@${f.line}`)
const emulatedLines = (a: DockerfileAnalysis) => a.emulatedRuns.map((r) => r.line)

/** The error a malformed file raises (fails the test if it does not throw one). */
function errorOf(text: string, extra: Partial<AnalyzeOptions> = {}): DockerfileError {
  try {
    on(text, ARM, extra)
  } catch (e) {
    expect(e).toBeInstanceOf(DockerfileError)
    expect(e).toBeInstanceOf(MultiarchInputError)
    expect((e as MultiarchInputError).field).toBe("dockerfile")
    return e as DockerfileError
  }
  throw new Error("expected a DockerfileError")
}

// ---------------------------------------------------------------------------------------------
// The guide's Dockerfiles, verbatim (shared/reference/000_1b1fe8e4e396f61c.txt)

const GUIDE_ARGS = `FROM --platform=$BUILDPLATFORM golang:1.21 AS builder

# 构建平台信息
ARG BUILDPLATFORM
ARG BUILDOS
ARG BUILDARCH

# 目标平台信息
ARG TARGETPLATFORM
ARG TARGETOS
ARG TARGETARCH

WORKDIR /app
COPY . .

# 交叉编译
RUN CGO_ENABLED=0 GOOS=\${TARGETOS} GOARCH=\${TARGETARCH} \\
    go build -o /app/main .

FROM alpine:latest
COPY --from=builder /app/main /main
CMD ["/main"]
`

const GUIDE_GO = `FROM --platform=$BUILDPLATFORM golang:1.21-alpine AS builder

ARG TARGETOS TARGETARCH

WORKDIR /app
COPY go.mod go.sum ./
RUN go mod download
COPY . .

RUN CGO_ENABLED=0 GOOS=\${TARGETOS} GOARCH=\${TARGETARCH} \\
    go build -ldflags="-s -w" -o /app/server .

FROM alpine:latest
RUN apk --no-cache add ca-certificates
COPY --from=builder /app/server /server
EXPOSE 8080
CMD ["/server"]
`

const GUIDE_NODE = `FROM --platform=$BUILDPLATFORM node:18-alpine AS builder

WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:18-alpine
WORKDIR /app
COPY --from=builder /app/dist ./dist
COPY --from=builder /app/node_modules ./node_modules
EXPOSE 3000
CMD ["node", "dist/main.js"]
`

const GUIDE_RUST = `FROM --platform=$BUILDPLATFORM rust:1.74 AS builder

ARG TARGETPLATFORM
RUN case "$TARGETPLATFORM" in \\
      "linux/amd64") echo "x86_64-unknown-linux-musl" > /target.txt ;; \\
      "linux/arm64") echo "aarch64-unknown-linux-musl" > /target.txt ;; \\
    esac

RUN rustup target add $(cat /target.txt)

WORKDIR /app
COPY . .
RUN cargo build --release --target $(cat /target.txt) && \\
    cp target/$(cat /target.txt)/release/myapp /myapp

FROM alpine:latest
COPY --from=builder /myapp /myapp
CMD ["/myapp"]
`

const GUIDE_CONDITIONAL = `FROM ubuntu:22.04

ARG TARGETARCH

# 根据架构安装不同的包
RUN apt-get update && \\
    if [ "$TARGETARCH" = "arm64" ]; then \\
      apt-get install -y package-arm64; \\
    else \\
      apt-get install -y package-amd64; \\
    fi
`

const GUIDE_PINNED = `# 自动选择对应架构的基础镜像
FROM node:18-alpine

# 或明确指定
FROM --platform=linux/amd64 node:18-alpine
`

describe("the guide's patterns", () => {
  it("Go with ARG lines: the builder runs natively, nothing is emulated, nothing is flagged", () => {
    for (const t of [ARM, "linux/arm/v7", "linux/riscv64"]) {
      const a = on(GUIDE_ARGS, t)
      expect(a.stages.map((s) => [s.label, s.platform, s.platformSource, s.emulated])).toEqual([
        ["builder", AMD, "build", false],
        ["stage-1", t, "target", true],
      ])
      expect(a.stages[0].runs[0]).toMatchObject({ line: 17, endLine: 18, kind: "go-build", heavy: true, emulated: false, targetsOtherPlatform: true })
      expect(a.emulatedRuns).toEqual([])
      expect(a.findings).toEqual([])
    }
  })

  it("Go app: only the runtime stage's apk add is emulated (light), the cross-compile is native", () => {
    const a = on(GUIDE_GO, ARM)
    expect(a.emulatedRuns).toEqual([{ stage: "stage-1", line: 14, command: "apk --no-cache add ca-certificates", kind: "package-install", heavy: false }])
    expect(a.stages[0].runs.map((r) => [r.line, r.kind, r.emulated])).toEqual([
      [7, "download", false],
      [10, "go-build", false],
    ])
    expect(a.findings).toEqual([])
    expect(on(GUIDE_GO, AMD).emulatedRuns).toEqual([])
  })

  it("Node app: flags the guide's own trap — node_modules built on $BUILDPLATFORM copied into the target stage", () => {
    const a = on(GUIDE_NODE, ARM)
    expect(a.emulatedRuns).toEqual([])
    expect(kinds(a)).toEqual(["native-output-copied@12"])
    const f = a.findings[0]
    expect(f.severity).toBe("error")
    expect(f.message).toContain("/app/node_modules")
    expect(f.message).toContain("linux/amd64")
    expect(f.message).toContain("linux/arm64")
    expect(f.fix).toMatch(/npm ci --omit=dev/)
    expect(f.fix).toMatch(/dist\//)
    // the dist/ copy on line 11 is fine; on the build platform itself there is no trap
    expect(on(GUIDE_NODE, AMD).findings).toEqual([])
  })

  it("Rust app: cargo --target output copied out of target/<triple>/ is not a trap", () => {
    const a = on(GUIDE_RUST, ARM)
    expect(a.stages[0].runs.map((r) => [r.line, r.kind, r.targetsOtherPlatform])).toEqual([
      [4, "other", true],
      [9, "other", false],
      [13, "rust-build", true],
    ])
    expect(a.emulatedRuns).toEqual([])
    expect(a.findings).toEqual([])
  })

  it("conditional install: emulated apt-get on arm64, classified as a package install (not heavy)", () => {
    const a = on(GUIDE_CONDITIONAL, ARM)
    expect(a.emulatedRuns).toEqual([expect.objectContaining({ line: 6, kind: "package-install", heavy: false })])
    expect(a.findings).toEqual([])
    // without `ARG TARGETARCH` the condition silently sees an empty string
    const b = on(GUIDE_CONDITIONAL.replace("ARG TARGETARCH\n", ""), ARM)
    expect(kinds(b)).toEqual(["undeclared-platform-arg@5"])
    expect(b.findings[0].fix).toContain("ARG TARGETARCH")
  })

  it("a final stage pinned with --platform=linux/amd64 puts amd64 binaries in the arm64 image", () => {
    const a = on(GUIDE_PINNED, ARM)
    expect(a.target).toBe("stage-1")
    expect(a.stages[0].needed).toBe(false)
    expect(a.stages[1]).toMatchObject({ platform: AMD, platformSource: "literal", emulated: false })
    expect(kinds(a)).toEqual(["final-stage-platform@5", "literal-platform@5"])
    expect(a.findings.map((f) => f.severity)).toEqual(["error", "info"])
    // on an arm64 engine the pinned stage is emulated for every target
    const b = analyzeDockerfile(GUIDE_PINNED, { targetPlatform: AMD, nativePlatform: ARM })
    expect(b.stages[1].emulated).toBe(true)
    expect(b.findings.map((f) => `${f.kind}:${f.severity}`)).toEqual(["literal-platform:warning"])
  })
})

// ---------------------------------------------------------------------------------------------
// The fixtures the BuildKit rung builds

describe("fixtures", () => {
  it("dockerfile-plain: `plan` names each emulated RUN and suggests the BUILDPLATFORM pattern", () => {
    const [amd, arm] = planDockerfile(fixture("dockerfile-plain"), { platforms: [AMD, ARM], nativePlatform: AMD })
    expect(amd).toMatchObject({ platform: AMD, toolchain: "dockerfile", mode: "cross", native: true, emulatedRuns: [], findings: [] })
    expect(arm).toMatchObject({ platform: ARM, mode: "emulated", native: false, target: "stage-0", buildPlatform: AMD })
    expect(arm.emulatedRuns.map((r) => [r.line, r.kind, r.heavy])).toEqual([
      [10, "go-build", true],
      [12, "other", false],
    ])
    expect(arm.emulatedRuns[0].command).toBe('go build -trimpath -ldflags="-s -w" -o /usr/local/bin/hello .')
    expect(arm.findings).toHaveLength(1)
    const f = arm.findings[0]
    expect(f).toMatchObject({ kind: "heavy-emulated-run", severity: "warning", line: 10, stage: "stage-0" })
    expect(f.message).toContain("QEMU")
    expect(f.fix).toContain("FROM --platform=$BUILDPLATFORM")
    expect(f.fix).toContain("ARG TARGETOS TARGETARCH")
    expect(f.fix).toContain("GOARCH=$TARGETARCH")
    expect(arm.notes.join("\n")).toContain("2 RUN steps run under QEMU (1 heavy): line 10, line 12")
    const text = dockerfilePlanText([arm])
    expect(text).toContain("emulated line 10 [heavy]: RUN go build")
    expect(text).toContain("fix: cross-compile on the build platform")
  })

  it("dockerfile-plain for linux/arm/v7: the fix spells out GOARM", () => {
    const [p] = planDockerfile(fixture("dockerfile-plain"), { platforms: ["arm/v7"], nativePlatform: AMD })
    expect(p.platform).toBe("linux/arm/v7")
    expect(p.findings[0].fix).toContain("GOARM=7")
  })

  it("dockerfile-go: the Go build runs natively for every target; only the runtime stage's RUN is emulated", () => {
    const a = on(fixture("dockerfile-go"), ARM)
    expect(a.stages.map((s) => [s.label, s.base, s.platform, s.platformSource])).toEqual([
      ["builder", "local/golang:bookworm-amd64", AMD, "build"],
      ["stage-1", "local/debian:bookworm-arm64", ARM, "target"],
    ])
    expect(a.stages[0].args).toEqual(["TARGETOS", "TARGETARCH", "TARGETVARIANT"])
    expect(emulatedLines(a)).toEqual([17])
    expect(a.findings).toEqual([])
  })

  it("dockerfile-node: the addon compiles (emulated, heavy) in the target stage; the trap variant is flagged", () => {
    const good = on(fixture("dockerfile-node"), ARM)
    expect(good.emulatedRuns.map((r) => [r.line, r.kind, r.heavy])).toEqual([[14, "c-build", true]])
    expect(kinds(good)).toEqual(["heavy-emulated-run@14"])
    expect(good.findings[0].fix).toContain("aarch64-linux-gnu-gcc")
    const trap = on(fixture("dockerfile-node", "Dockerfile.trap"), ARM)
    expect(trap.emulatedRuns).toEqual([])
    // one finding for one problem: the COPY, not also the gcc that produced the addon
    expect(kinds(trap)).toEqual(["native-output-copied@16"])
    expect(on(fixture("dockerfile-node", "Dockerfile.trap"), AMD).findings).toEqual([])
  })

  it("dockerfile-multistage: --target release skips test and debug; global ARG defaults feed FROM", () => {
    const a = on(fixture("dockerfile-multistage"), ARM, { target: "release" })
    expect(a.globalArgs).toEqual({ DEBIAN_SUITE: "bookworm", BASE_IMAGE: "local/debian" })
    expect(a.stages.map((s) => [s.label, s.base, s.platform, s.needed])).toEqual([
      ["assets", "local/debian:bookworm-amd64", AMD, true],
      ["base", "local/debian:bookworm-arm64", ARM, true],
      ["test", "base", ARM, false],
      ["release", "base", ARM, true],
      ["debug", "release", ARM, false],
    ])
    expect(a.stages[3].copies).toEqual([{ line: 19, instruction: "COPY", from: "0", stage: 0, sources: ["/assets/banner.txt"], dest: "/opt/app/banner.txt" }])
    expect(emulatedLines(a)).toEqual([12, 20])
    const t = on(fixture("dockerfile-multistage"), ARM, { target: "test" })
    expect(t.stages.filter((s) => s.needed).map((s) => s.label)).toEqual(["assets", "base", "test"])
    expect(t.stages[2].runs[0].mounts).toEqual([{ type: "bind", from: "assets", stage: 0, source: "/assets", target: "/mnt/assets" }])
    // build args override the defaults
    const b = on(fixture("dockerfile-multistage"), ARM, { buildArgs: [{ name: "DEBIAN_SUITE", value: "trixie" }] })
    expect(b.stages[1].base).toBe("local/debian:trixie-arm64")
  })
})

// ---------------------------------------------------------------------------------------------
// Parser features

describe("parser", () => {
  it("continuations skip comment and blank lines; RUN keeps its first line, endLine its last", () => {
    const a = on("FROM x\nRUN a \\\n# comment inside\n\n  && go build \\\n  -o y .\nRUN b\n", ARM)
    expect(a.stages[0].runs.map((r) => [r.line, r.endLine, r.kind])).toEqual([
      [2, 6, "go-build"],
      [7, 7, "other"],
    ])
    expect(a.stages[0].runs[0].command).toBe("a   && go build   -o y .")
  })

  it("# escape=` makes the backtick the continuation character", () => {
    const a = on("# escape=`\nFROM x\nRUN cargo `\n  build\nRUN echo C:\\path\\ \n", ARM)
    expect(a.directives.escape).toBe("`")
    expect(a.stages[0].runs.map((r) => [r.line, r.kind])).toEqual([
      [3, "rust-build"],
      [5, "other"],
    ])
  })

  it("# syntax= is recorded; a directive after an ordinary comment is just a comment", () => {
    const a = on("# syntax=docker/dockerfile:1.7\n# check=skip=all\nFROM x\n", ARM)
    expect(a.directives).toEqual({ escape: "\\", syntax: "docker/dockerfile:1.7", check: "skip=all" })
    expect(a.notes.join("\n")).toContain("# syntax=docker/dockerfile:1.7")
    const b = on("# hello\n# escape=`\nFROM x\nRUN a \\\n  b\n", ARM)
    expect(b.directives.escape).toBe("\\")
    expect(b.stages[0].runs[0].endLine).toBe(5)
  })

  it("heredocs: bodies are skipped (and classified), <<- strips tabs, several per instruction, quoted names", () => {
    const text = [
      "FROM golang AS b", // 1
      "RUN <<EOF", // 2
      "set -e", // 3
      "go build -o /x .", // 4
      "EOF", // 5
      "RUN <<-'END' bash", // 6
      "\techo RUN in body is not an instruction", // 7
      "\tEND", // 8
      "COPY <<A <<\"B\" /etc/", // 9
      "FROM not-an-instruction", // 10
      "A", // 11
      "b body", // 12
      "B", // 13
      "RUN echo $((1<<2)) && echo done", // 14
      "FROM b", // 15
    ].join("\n")
    const a = on(text, ARM)
    expect(a.stages).toHaveLength(2)
    expect(a.stages[0].runs.map((r) => [r.line, r.endLine, r.kind, r.heavy])).toEqual([
      [2, 5, "go-build", true],
      [6, 8, "other", false],
      [14, 14, "other", false],
    ])
    expect(a.stages[0].runs[0].command).toContain("go build -o /x .")
    expect(a.stages[1]).toMatchObject({ line: 15, base: "b", baseStage: 0, platformSource: "stage" })
  })

  it("JSON (exec) form, sh -c inside exec form, and invalid JSON falling back to shell form", () => {
    const a = on('FROM x\nRUN ["go", "build", "."]\nRUN ["/bin/sh", "-c", "cargo build --release"]\nRUN [oops\nCMD ["x"]\n', ARM)
    expect(a.stages[0].runs.map((r) => [r.form, r.kind, r.command])).toEqual([
      ["exec", "go-build", "go build ."],
      ["exec", "rust-build", "/bin/sh -c cargo build --release"],
      ["shell", "other", "[oops"],
    ])
  })

  it("ARG substitution in FROM: defaults, ${VAR:-d}, ${VAR:+x}, ${VAR#p}, ${VAR%p}, quotes, build args", () => {
    const text = [
      "ARG REG=docker.io",
      "ARG NAME",
      "ARG TAG=1.21",
      'ARG FULL="${REG}/library"',
      "ARG VER=v1.2.3",
      "FROM ${FULL}/${NAME:-golang}:${TAG}${SUFFIX:+-x} AS a",
      "FROM '$literal' AS b",
      "FROM img:${VER#v} AS c",
      "FROM img:${VER%.*} AS d",
      "FROM $REG/x",
    ].join("\n")
    const a = on(text, ARM)
    expect(a.stages.map((s) => s.base)).toEqual(["docker.io/library/golang:1.21", "$literal", "img:1.2.3", "img:v1.2", "docker.io/x"])
    expect(a.globalArgs).toEqual({ REG: "docker.io", NAME: undefined, TAG: "1.21", FULL: "docker.io/library", VER: "v1.2.3" })
    const b = on(text, ARM, { buildArgs: { NAME: "rust", TAG: "1.80", SUFFIX: "yes" } })
    // SUFFIX is not declared before the first FROM: as in BuildKit, a build arg alone does not reach FROM
    expect(b.stages[0].base).toBe("docker.io/library/rust:1.80")
    const c = on("ARG SUFFIX\n" + text, ARM, { buildArgs: [{ name: "SUFFIX", value: "yes" }] })
    expect(c.stages[0].base).toBe("docker.io/library/golang:1.21-x")
  })

  it("pattern trimming follows BuildKit: shortest/longest prefix and suffix, ?, escapes; [ ] are literal (no bracket classes)", () => {
    const from = (expr: string) => on(`ARG V=docker.io/library/golang:1.21.5\nFROM x:\${V${expr}}\n`, ARM).stages[0].base
    expect(from("#*/")).toBe("x:library/golang:1.21.5")
    expect(from("##*/")).toBe("x:golang:1.21.5")
    expect(from("%.*")).toBe("x:docker.io/library/golang:1.21")
    expect(from("%%.*")).toBe("x:docker")
    // issue 14: BuildKit's patterns have no bracket expressions (was: [0-9] a class, giving x:docker.io/library/golang)
    expect(from("%:[0-9]*")).toBe("x:docker.io/library/golang:1.21.5")
    expect(on(`ARG V=a[0-9]\nFROM x:\${V%[0-9]}\n`, ARM).stages[0].base).toBe("x:a")
    expect(from("#d?cker.")).toBe("x:io/library/golang:1.21.5")
    expect(from("#[!d]*")).toBe("x:docker.io/library/golang:1.21.5")
    expect(from("#nomatch")).toBe("x:docker.io/library/golang:1.21.5")
    // an escaped * or ? is literal (lex_test.go: ${FOO%%\**} on xx** → xx)
    expect(on(`ARG V=xx**\nFROM x:\${V%%\\**}\n`, ARM).stages[0].base).toBe("x:xx")
    // ${V/pattern/replacement} (first match) and ${V//pattern/replacement} (every match)
    expect(from("/golang/rust")).toBe("x:docker.io/library/rust:1.21.5")
    expect(from("//./-")).toBe("x:docker-io/library/golang:1-21-5")
    expect(from("//\\//_")).toBe("x:docker.io_library_golang:1.21.5")
    expect(from("/*\\//")).toBe("x:golang:1.21.5") // * is greedy: the longest leftmost match
  })

  it("a --build-arg or an ARG default replaces an automatic platform ARG, as in BuildKit (issue 14; was: the automatic value always won)", () => {
    const text = "ARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go version\nFROM alpine\nCOPY --from=build /usr/local/go/VERSION /\n"
    const onArm = (t: string, buildArgs?: Record<string, string>) => analyzeDockerfile(t, { targetPlatform: ARM, nativePlatform: ARM, buildArgs })
    const build = onArm(text).stages[0]
    expect([build.platform, build.platformSource, build.emulated]).toEqual([AMD, "literal", true])
    expect(onArm(text).globalArgs.BUILDPLATFORM).toBe(AMD)
    // a --build-arg wins over the default, and over the automatic value without any ARG
    expect(onArm(text, { BUILDPLATFORM: ARM }).stages[0]).toMatchObject({ platform: ARM, emulated: false })
    expect(onArm("FROM --platform=$BUILDPLATFORM a\n", { BUILDPLATFORM: AMD }).stages[0]).toMatchObject({ platform: AMD, platformSource: "literal", emulated: true })
    // ARG BUILDPLATFORM without a value keeps the automatic value
    expect(onArm("ARG BUILDPLATFORM\nFROM --platform=$BUILDPLATFORM a\n").stages[0]).toMatchObject({ platform: ARM, platformSource: "build", emulated: false })
    // inside a stage: a default replaces the automatic value there (dispatchArg)
    const st = onArm("FROM a\nARG TARGETARCH=amd64\nWORKDIR /out/$TARGETARCH\nRUN true\n").stages[0]
    expect(st.runs[0].workdir).toBe("/out/amd64")
    // a global ARG without a value keeps an earlier global value
    expect(onArm("ARG X=1\nARG X\nFROM a:$X\n").stages[0].base).toBe("a:1")
  })

  it("--platform values: $BUILDPLATFORM, $TARGETPLATFORM, BUILDOS/BUILDARCH, a literal, a user ARG", () => {
    const text = [
      "ARG P=linux/riscv64",
      "FROM --platform=$BUILDPLATFORM a AS a",
      "FROM --platform=$TARGETPLATFORM b AS b",
      "FROM --platform=${BUILDOS}/${BUILDARCH} c AS c",
      "FROM --platform=linux/arm/v7 d AS d",
      "FROM --platform=$P e AS e",
      "FROM f",
    ].join("\n")
    const a = on(text, ARM)
    expect(a.stages.map((s) => [s.label, s.platform, s.platformSource, s.emulated])).toEqual([
      ["a", AMD, "build", false],
      ["b", ARM, "target", true],
      ["c", AMD, "build", false],
      ["d", "linux/arm/v7", "literal", true],
      ["e", "linux/riscv64", "literal", true],
      ["stage-5", ARM, "target", true],
    ])
  })

  it("stage references: by name (case-insensitive), by index, images, RUN --mount from=", () => {
    const text = [
      "FROM --platform=$BUILDPLATFORM x As Build", // 1
      "RUN make", // 2
      "FROM y AS other", // 3
      "FROM z", // 4
      "ARG SRC=build", // 5
      "COPY --from=BUILD /a /a", // 6
      "COPY --from=1 /b /b", // 7
      "COPY --from=nginx:1.27 /etc/nginx /etc/nginx", // 8
      'COPY --from="build" /c /c', // 9 (quotes are removed before BuildKit looks at the value)
      "RUN --mount=type=bind,from=other,source=/s,target=/t --mount=type=cache,target=/root/.cache --network=none cc -c x.c", // 10
    ].join("\n")
    const a = on(text, ARM)
    expect(a.stages.map((s) => s.label)).toEqual(["build", "other", "stage-2"])
    expect(a.stages[2].copies.map((c) => [c.line, c.from, c.stage])).toEqual([
      [6, "BUILD", 0],
      [7, "1", 1],
      [8, "nginx:1.27", undefined],
      [9, "build", 0],
      [10, "other", 1],
    ])
    const run = a.stages[2].runs[0]
    expect(run.flags).toEqual({ network: "none" })
    expect(run.mounts).toEqual([
      { type: "bind", from: "other", stage: 1, source: "/s", target: "/t" },
      { type: "cache", target: "/root/.cache" },
    ])
    expect(a.stages.every((s) => s.needed)).toBe(true)
  })

  it("reachability: --target picks the stage; stages it does not need are skipped", () => {
    const text = "FROM a AS one\nRUN go build\nFROM b AS two\nRUN cargo build\nFROM one AS three\nRUN gcc x.c\n"
    const a = on(text, ARM, { target: "TWO" })
    expect(a.target).toBe("two")
    expect(a.stages.map((s) => s.needed)).toEqual([false, true, false])
    expect(emulatedLines(a)).toEqual([4])
    expect(a.notes.join("\n")).toContain("not needed for two (BuildKit skips them): one, three")
    const last = on(text, ARM)
    expect(last.stages.map((s) => s.needed)).toEqual([true, false, true])
    expect(kinds(last)).toEqual(["heavy-emulated-run@2", "heavy-emulated-run@6"])
  })

  it("an unknown --target is an input error listing the stages", () => {
    expect(() => on("FROM a AS one\nFROM b AS two\n", ARM, { target: "three" })).toThrow(MultiarchInputError)
    try {
      on("FROM a AS one\nFROM b AS two\n", ARM, { target: "three" })
    } catch (e) {
      expect((e as MultiarchInputError).field).toBe("target")
      expect((e as Error).message).toContain("one, two")
    }
  })

  it("platform ARGs used in RUN without `ARG` in the stage are flagged; ENV or ARG makes them visible", () => {
    const base = "FROM --platform=$BUILDPLATFORM golang AS b\nWORKDIR /src\n"
    const tail = "RUN GOOS=$TARGETOS GOARCH=${TARGETARCH} go build -o /out/app .\nFROM alpine\nCOPY --from=b /out/app /app\n"
    const a = on(base + tail, ARM)
    expect(kinds(a)).toEqual(["undeclared-platform-arg@3"])
    expect(a.findings[0].severity).toBe("error")
    expect(a.findings[0].message).toMatch(/\$TARGETOS, \$TARGETARCH/)
    expect(on(base + "ARG TARGETOS TARGETARCH\n" + tail, ARM).findings).toEqual([])
    // the global ARG does not reach the stage without a re-declaration
    expect(kinds(on("ARG TARGETARCH\n" + base + tail, ARM))).toEqual(["undeclared-platform-arg@4"])
  })

  it("a compile on the build platform that never selects the target is flagged when its output is copied", () => {
    const text = "FROM --platform=$BUILDPLATFORM golang AS b\nWORKDIR /src\nRUN go build -o /out/app .\nFROM alpine\nCOPY --from=b /out/app /app\n"
    const a = on(text, ARM)
    expect(kinds(a)).toEqual(["build-platform-binary@3"])
    expect(a.findings[0].fix).toContain("GOARCH=$TARGETARCH")
    expect(on(text, AMD).findings).toEqual([])
    // cargo without --target, copied out of target/release: the reverse trap on the COPY instead
    const r = on("FROM --platform=$BUILDPLATFORM rust AS b\nWORKDIR /src\nRUN cargo build --release\nFROM debian\nCOPY --from=b /src/target/release/app /app\n", ARM)
    expect(kinds(r)).toEqual(["native-output-copied@5"])
    expect(r.findings[0].fix).toContain("aarch64-unknown-linux-gnu")
  })

  it("build-platform-binary fires only when a copied path holds that compile's output (issue 14; was: any compile in a stage copied from)", () => {
    const head = "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETOS TARGETARCH\nWORKDIR /src\nCOPY . .\n"
    const tool = "RUN go build -o /usr/local/bin/gen ./cmd/gen && gen > zz_generated.go\nRUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n"
    // a generator built and run only in the builder: /out/app is not its output
    expect(kinds(on(head + tool + "FROM alpine\nCOPY --from=build /out/app /app\n", ARM))).toEqual([])
    // copying the generator itself is the trap
    expect(kinds(on(head + tool + "FROM alpine\nCOPY --from=build /usr/local/bin/gen /gen\n", ARM))).toEqual(["build-platform-binary@5"])
    // no -o: the binary lands in the directory the compile runs in (cd followed)
    expect(kinds(on(head + "RUN cd cmd/app && go build\nFROM alpine\nCOPY --from=build /src/cmd/app/app /app\n", ARM))).toEqual(["build-platform-binary@5"])
    expect(kinds(on(head + "RUN cd cmd/app && go build\nFROM alpine\nCOPY --from=build /src/README.md /\n", ARM))).toEqual([])
    // a whole directory above the output, and an output directory above the copied file
    expect(kinds(on(head + "RUN go build -o /out/ ./...\nFROM alpine\nCOPY --from=build /out/app /app\n", ARM))).toEqual(["build-platform-binary@5"])
    expect(kinds(on(head + "RUN gcc -o /out/tool tool.c\nFROM alpine\nCOPY --from=build /out /usr/bin\n", ARM))).toEqual(["build-platform-binary@5"])
  })

  it("the reverse trap: a whole directory that contains npm ci output, .node and .so files", () => {
    const a = on("FROM --platform=$BUILDPLATFORM node AS b\nWORKDIR /app\nRUN npm ci\nFROM node\nCOPY --from=b /app /app\nCOPY --from=b /x/addon.node /usr/lib/libz.so.1 /y/\n", ARM)
    expect(kinds(a)).toEqual(["native-output-copied@5", "native-output-copied@6"])
    expect(a.findings[0].message).toContain("contains the output of line 3")
  })

  it("ONBUILD instructions are not steps of this build", () => {
    const a = on("FROM x\nONBUILD RUN go build\n", ARM)
    expect(a.stages[0].runs).toEqual([])
  })

  it("RUN classification", () => {
    const k = (cmd: string) => classifyRun(cmd).kind
    expect(k("CGO_ENABLED=0 GOOS=linux go build ./cmd/x")).toBe("go-build")
    expect(k("cargo build --release && strip target/release/x")).toBe("rust-build")
    expect(k("./configure && make -j$(nproc) && make install")).toBe("c-build")
    expect(k("aarch64-linux-gnu-gcc -o x x.c")).toBe("c-build")
    expect(k("npm ci --omit=dev")).toBe("node-install")
    expect(k("yarn")).toBe("node-install")
    expect(k("pnpm install --frozen-lockfile")).toBe("node-install")
    expect(k("npm run build")).toBe("js-build")
    expect(k("npx tsc -p .")).toBe("js-build")
    expect(k("./mvnw -B package")).toBe("java-build")
    expect(k("dotnet publish -c Release")).toBe("dotnet-build")
    expect(k("pip wheel -w /wheels .")).toBe("python-build")
    expect(k("pip install -r requirements.txt")).toBe("python-install")
    expect(k("apt-get update && apt-get install -y curl")).toBe("package-install")
    expect(k("apk add --no-cache git")).toBe("package-install")
    expect(k("go mod download")).toBe("download")
    expect(k("echo cargo build > notes.txt")).toBe("other")
    expect(k("sudo -E make")).toBe("c-build")
    expect(classifyRun("apt-get install -y gcc && gcc -O2 x.c").heavy).toBe(true)
    expect(classifyRun("apt-get install -y gcc").heavy).toBe(false)
  })


  it("a lone escape line: continues into the next line; into nothing at the end of the file it is an error (as in BuildKit)", () => {
    expect(on("\\\nFROM a\n", ARM).stages.map((s) => [s.line, s.base])).toEqual([[1, "a"]])
    // issue 14: BuildKit's parser makes an empty instruction of it and its frontend rejects that (was: accepted, no instruction)
    expect(errorOf("FROM a\n\\\n")).toMatchObject({ line: 2 })
    expect(errorOf("FROM a\n\\\n").message).toMatch(/continues it, and no instruction follows/)
  })

  it("a line ends in an escaped escape: no continuation (issue 14; BuildKit parser.go lineContinuationRegex)", () => {
    const a = on("FROM a\nRUN echo trailing\\\\backslash\\\\\nRUN echo D\n", ARM)
    expect(a.stages[0].runs.map((r) => [r.line, r.endLine, r.command])).toEqual([
      [2, 2, "echo trailing\\\\backslash\\\\"],
      [3, 3, "echo D"],
    ])
    // `# escape=\``: the same with backticks
    const b = on("# escape=`\nFROM a\nRUN a ``\nRUN b `\n c\n", ARM)
    expect(b.stages[0].runs.map((r) => [r.line, r.endLine, r.command])).toEqual([
      [3, 3, "a ``"],
      [4, 5, "b  c"],
    ])
  })

  it("the final newline ends the file: a continuation on the last line ends there (issue 14)", () => {
    expect(on("FROM alpine:3.5\n\nRUN something \\\n", ARM).stages[0].runs.map((r) => [r.line, r.endLine])).toEqual([[3, 3]])
    expect(on("FROM a\nRUN x \\\n\n", ARM).stages[0].runs.map((r) => [r.line, r.endLine])).toEqual([[2, 3]])
  })

  it("CRLF line endings and a UTF-8 BOM", () => {
    const a = on("\uFEFFFROM --platform=$BUILDPLATFORM x AS b\r\nRUN go \\\r\n  build\r\nFROM y\r\n", ARM)
    expect(a.stages.map((s) => s.label)).toEqual(["b", "stage-1"])
    expect(a.stages[0].runs[0]).toMatchObject({ line: 2, endLine: 3, kind: "go-build" })
  })
})

// ---------------------------------------------------------------------------------------------
// Malformed files: MultiarchInputError (field "dockerfile") with the line number

describe("malformed Dockerfiles", () => {
  const cases: [string, string, number, RegExp][] = [
    ["misspelt instruction", "FROM a\n\nFORM b\n", 3, /unknown instruction "FORM".*did you mean FROM\?/],
    ["instruction before FROM", "ARG X=1\nRUN echo\nFROM a\n", 2, /RUN before the first FROM/],
    ["no FROM at all", "ARG X=1\n# nothing else\n", 1, /no FROM instruction/],
    ["empty file", "", 1, /no instructions/],
    ["comments only", "# just\n# comments\n", 1, /no instructions/],
    ["FROM with two words", "FROM a b\n", 1, /FROM takes an image/],
    ["FROM AS without a name", "FROM a AS\n", 1, /FROM takes an image/],
    ["FROM with an unknown flag", "FROM --pull=always a\n", 1, /FROM has no --pull flag/],
    ["--platform without =", "FROM --platform linux/arm64 a\n", 1, /--platform needs a value/],
    ["invalid --platform", "FROM a\nFROM --platform=linux/arm64/v8/x b\n", 2, /is not a platform/],
    ["--platform expanding to nothing", "FROM --platform=$NOPE a\n", 1, /expands to an empty string/],
    ["blank base image", "ARG BASE\nFROM $BASE\n", 2, /expands to an empty string/],
    ["unclosed ${ in FROM", "ARG V=1\nFROM img:${V\n", 2, /missing '}'/],
    ["bad substitution", "FROM img:${}\n", 1, /bad substitution/],
    // issue 14: ${V/a/b} is BuildKit's replacement (was the example of an unsupported modifier)
    ["unsupported modifier", "ARG V=1\nFROM img:${V=a}\n", 2, /unsupported modifier "="/],
    ["${V//x} without a replacement", "ARG V=1\nFROM img:${V//x}\n", 2, /missing '\/'/],
    ["required variable", "FROM img:${V:?unset}\n", 1, /V: unset/],
    ["space inside ${} splits the FROM words (as in BuildKit)", "FROM img:${V:-a b}\n", 1, /FROM takes an image/],
    ["unclosed quote", "FROM 'img\n", 1, /unmatched single quote/],
    ["unterminated heredoc", "FROM a\nRUN <<EOF\necho hi\n", 2, /heredoc <<EOF opened here is never closed/],
    ["COPY --from itself", "FROM a AS me\nCOPY --from=me /x /y\n", 2, /refers to itself/],
    ["COPY --from a later index", "FROM a\nCOPY --from=1 /x /y\nFROM b\n", 2, /stage index 1 is not an earlier stage/],
    ["COPY --from without a value", "FROM a\nCOPY --from /x /y\n", 2, /--from needs a value/],
    // issue 14: BuildKit expands nothing in --from (was: ARG-expanded and followed)
    ["COPY --from with a variable", "FROM a AS b\nFROM c\nARG SRC=b\nCOPY --from=$SRC /x /y\n", 4, /variable expansion is not supported for --from/],
    ["COPY --from that the lexer would change", "FROM a AS b\nFROM c\nCOPY --from=b\\\\c /x /y\n", 3, /variable expansion is not supported for --from/],
    ["ADD --from", "FROM a AS b\nFROM c\nADD --from=b /x /y\n", 3, /ADD has no --from flag/],
    ["COPY --from with one path", "FROM a AS b\nFROM c\nCOPY --from=b /x\n", 3, /at least one source and a destination/],
    ["duplicate stage name", "FROM a AS x\nFROM b AS X\n", 2, /duplicate stage name "x"/],
    ["invalid stage name", "FROM a AS 1st\n", 1, /invalid stage name/],
    ["circular COPY --from", "FROM a AS one\nCOPY --from=two /x /x\nFROM b AS two\nCOPY --from=one /y /y\n", 4, /circular dependency/],
    ["duplicate directive", "# escape=`\n# escape=\\\nFROM a\n", 2, /escape parser directive appears twice/],
    ["invalid escape", "# escape=x\nFROM a\n", 1, /invalid escape character/],
    ["instruction without arguments", "FROM a\nRUN\n", 2, /RUN needs at least one argument/],
    ["ENV without a value", "FROM a\nENV FOO\n", 2, /ENV FOO has no value/],
    ["bad ARG name", "ARG 9x=1\nFROM a\n", 1, /invalid ARG name/],
    ["ONBUILD FROM", "FROM a\nONBUILD FROM b\n", 2, /ONBUILD FROM is not allowed/],
  ]
  for (const [name, text, line, re] of cases)
    it(`${name} → line ${line}`, () => {
      const e = errorOf(text)
      expect(e.line).toBe(line)
      expect(e.message).toMatch(new RegExp(`Dockerfile line ${line}: `))
      expect(e.message).toMatch(re)
      expect(e.fix.length).toBeGreaterThan(5)
    })

  it("names the Dockerfile path given", () => {
    const e = errorOf("FROM a\nFORM b\n", { dockerfile: "build/app.Dockerfile" })
    expect(e.message).toContain("build/app.Dockerfile line 2:")
    expect(e.input).toBe("FORM b")
  })

  it("bad options are input errors too", () => {
    expect(() => analyzeDockerfile("FROM a", { targetPlatform: "linux/arm64/v7x", nativePlatform: AMD })).toThrow(MultiarchInputError)
    expect(() => analyzeDockerfile("FROM a", { targetPlatform: ARM, nativePlatform: "not a platform" })).toThrow(MultiarchInputError)
    expect(() => planDockerfile("FROM a", { platforms: [], nativePlatform: AMD })).toThrow(MultiarchInputError)
  })
})

// ---------------------------------------------------------------------------------------------
// plan entries

describe("planDockerfile", () => {
  it("carries what apply passes to dockerBuild: platform, dockerfile, target, build args, secret names", () => {
    const [p] = planDockerfile(fixture("dockerfile-multistage"), {
      platforms: ["aarch64"],
      nativePlatform: AMD,
      dockerfile: "ci/Dockerfile",
      target: "release",
      buildArgs: { DEBIAN_SUITE: "bookworm" },
      secrets: ["npm-token"],
    })
    expect(p.dockerBuild).toEqual({
      platform: ARM,
      dockerfile: "ci/Dockerfile",
      target: "release",
      buildArgs: [{ name: "DEBIAN_SUITE", value: "bookworm" }],
      secrets: ["npm-token"],
    })
    expect(p.stages.map((s) => [s.label, s.executes, s.needed])).toEqual([
      ["assets", "native", true],
      ["base", "emulated", true],
      ["test", "emulated", false],
      ["release", "emulated", true],
      ["debug", "emulated", false],
    ])
    expect(JSON.parse(JSON.stringify(p))).toEqual(p) // printable as JSON
  })

  it("emulatedRunFor finds the Dockerfile line of a failing exec (/bin/sh -c <command>)", () => {
    const [p] = planDockerfile(fixture("dockerfile-plain"), { platforms: [ARM], nativePlatform: AMD })
    expect(emulatedRunFor(p, ["/bin/sh", "-c", 'go build -trimpath -ldflags="-s -w" -o /usr/local/bin/hello .'])?.line).toBe(10)
    const cond = p.emulatedRuns[1]
    expect(emulatedRunFor(p, ["/bin/sh", "-c", cond.command])?.line).toBe(12)
    expect(emulatedRunFor(p, ["/bin/sh", "-c", "true"])).toBeUndefined()
    expect(emulatedRunFor(p, undefined)).toBeUndefined()
  })

  it("mode is cross when no needed RUN is emulated (the guide's Node and Rust apps on arm64)", () => {
    for (const text of [GUIDE_NODE, GUIDE_RUST]) {
      const [p] = planDockerfile(text, { platforms: [ARM], nativePlatform: AMD })
      expect(p.mode).toBe("cross")
      expect(p.native).toBe(false)
    }
  })
})
