/**
 * ci/pipeline.ts: the settings parser (pure: every problem at once, env file precedence, never
 * `.env`), then the program itself — `tsx ci/pipeline.ts` in a child process — against the
 * recording GraphQL engine (test/engine): the real SDK, the module's real classes in-process,
 * DAGGER_SESSION_PORT/TOKEN pointing at the recorder as `dagger run` would set them.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DEFAULT_ENV_FILE, describeConfig, parseConfig, readEnvFile, readGitHubEvent, sourceExcludes, type PipelineConfig } from "../../ci/pipeline.js"
import { SOURCE_IGNORE } from "../../modules/core/source.js"
import { parsePublishRequest } from "../../modules/core/publish.js"
import { parseBuildRequest } from "../../modules/toolchains/request.js"
import { startRecordingEngine, type RecordingEngine } from "../engine/recording-engine.js"
import { REPO, run } from "./tools.js"

const SHA = "0123456789abcdef0123456789abcdef01234567"
const GITHUB_TAG = {
  GITHUB_ACTIONS: "true",
  GITHUB_REF: "refs/tags/v1.2.3",
  GITHUB_SHA: SHA,
  GITHUB_REPOSITORY: "Owner/App",
  GITHUB_SERVER_URL: "https://github.com",
  GITHUB_ACTOR: "octo",
}
const GITLAB_MR = {
  GITLAB_CI: "true",
  CI_MERGE_REQUEST_IID: "7",
  CI_PIPELINE_SOURCE: "merge_request_event",
  CI_COMMIT_SHA: SHA,
  CI_PROJECT_URL: "https://gitlab.example.com/group/app",
  CI_PROJECT_PATH: "group/app",
  CI_REGISTRY: "registry.gitlab.example.com",
  CI_REGISTRY_IMAGE: "registry.gitlab.example.com/group/app",
  CI_REGISTRY_USER: "gitlab-ci-token",
  CI_REGISTRY_PASSWORD: "job-token",
}

function ok(r: ReturnType<typeof parseConfig>): PipelineConfig {
  if (!r.ok) throw new Error(`expected a config, got problems:\n${r.problems.join("\n")}`)
  return r.config
}
function problems(r: ReturnType<typeof parseConfig>): string[] {
  if (r.ok) throw new Error("expected problems, got a config")
  return r.problems
}

describe("ci/pipeline.ts settings (pure)", () => {
  const cwd = "/work/project"

  it("no settings and no CI: both missing things are reported, not just the first", () => {
    const p = problems(parseConfig({}, {}, cwd))
    expect(p).toHaveLength(2)
    expect(p[0]).toMatch(/^MULTIARCH_IMAGE: not set/)
    expect(p[1]).toMatch(/^MULTIARCH_TAGS: not set/)
  })

  it("every bad value is reported at once, each with its key", () => {
    const p = problems(
      parseConfig(
        {
          MULTIARCH_PLATFORMS: "linux/arm64/v7,foo,linux/amd64",
          MULTIARCH_LANG: "java",
          MULTIARCH_CGO: "maybe",
          MULTIARCH_GO_VERSION: "go1.22",
          MULTIARCH_IMAGE: "ghcr.io/Owner/App",
          MULTIARCH_TAGS: "ok,-bad,.worse",
          MULTIARCH_USERNAME: "me",
        },
        {},
        cwd,
      ),
    )
    expect(p.map((x) => x.split(":")[0])).toEqual([
      "MULTIARCH_LANG",
      "MULTIARCH_GO_VERSION",
      "MULTIARCH_CGO",
      "MULTIARCH_PLATFORMS",
      "MULTIARCH_PLATFORMS",
      "MULTIARCH_IMAGE",
      "MULTIARCH_TAGS",
      "MULTIARCH_TAGS",
      "MULTIARCH_PASSWORD",
    ])
    expect(p.join("\n")).toContain('did you mean linux/arm/v7 or linux/arm64?')
    expect(p.join("\n")).toContain('use "ghcr.io/owner/app"')
    expect(p.join("\n")).toContain('"-bad" is not a valid tag')
  })

  it("a tagged image address is refused (tags come from MULTIARCH_TAGS or the CI ref)", () => {
    expect(problems(parseConfig({ MULTIARCH_IMAGE: "ghcr.io/o/app:1.0", MULTIARCH_TAGS: "x" }, {}, cwd))).toEqual([
      'MULTIARCH_IMAGE: "ghcr.io/o/app:1.0" has a tag; give the repository only (tags come from MULTIARCH_TAGS or the CI ref)',
    ])
  })

  it("local settings: defaults, source resolved against the working directory, explicit tags", () => {
    const c = ok(parseConfig({ MULTIARCH_IMAGE: "localhost:5000/app", MULTIARCH_TAGS: "dev, test" }, {}, cwd))
    expect(c).toMatchObject({
      source: "/work/project",
      platforms: ["linux/amd64", "linux/arm64"],
      go: {},
      labels: {},
      output: { kind: "publish", image: "localhost:5000/app", tags: ["dev", "test"] },
    })
    expect(c.output.kind === "publish" && c.output.username).toBeUndefined()
    expect(ok(parseConfig({ MULTIARCH_TARBALL: "out/image.tar", MULTIARCH_SOURCE: "sub", MULTIARCH_CGO: "true", MULTIARCH_LANG: "go" }, {}, cwd))).toMatchObject({
      source: "/work/project/sub",
      lang: "go",
      go: { cgo: true },
      output: { kind: "tarball", path: "/work/project/out/image.tar" },
    })
  })

  it("GitHub tag run: ghcr.io/<lower-cased repo>, metadata-action tags, labels, GITHUB_TOKEN credentials when present", () => {
    const c = ok(parseConfig({ ...GITHUB_TAG, GITHUB_TOKEN: "ghs_x" }, {}, cwd))
    expect(c.output).toEqual({ kind: "publish", image: "ghcr.io/owner/app", tags: ["1.2.3", "1.2", "1", "sha-0123456", "latest"], username: "octo", passwordEnv: "GITHUB_TOKEN" })
    expect(c.labels).toEqual({ sourceUrl: "https://github.com/Owner/App", commit: SHA, version: "1.2.3" })
    // without GITHUB_TOKEN in the environment: no credentials (the engine's own docker login, if any)
    const anon = ok(parseConfig(GITHUB_TAG, {}, cwd)).output
    expect(anon.kind === "publish" && anon.username).toBeUndefined()
  })

  it("GitHub pull_request_target run: pr-<n> from the event file GITHUB_EVENT_PATH names, never the base branch (issue 14)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "multiarch-event-"))
    try {
      const eventPath = path.join(dir, "event.json")
      fs.writeFileSync(eventPath, JSON.stringify({ number: 15, pull_request: { number: 15 } }))
      const env = { ...GITHUB_TAG, GITHUB_REF: "refs/heads/main", GITHUB_EVENT_NAME: "pull_request_target", GITHUB_EVENT_PATH: eventPath }
      expect(readGitHubEvent(env)).toEqual({ number: 15, pull_request: { number: 15 } })
      const c = ok(parseConfig(env, {}, cwd, undefined, { githubEvent: readGitHubEvent(env) }))
      expect(c.output).toMatchObject({ kind: "publish", tags: ["pr-15", "sha-0123456"] })
      // without the payload: a problem, not the base branch's tag
      expect(problems(parseConfig({ ...env, GITHUB_EVENT_PATH: path.join(dir, "missing.json") }, {}, cwd))).toEqual([
        expect.stringMatching(/^MULTIARCH_TAGS: not set and no git tag, branch or pull\/merge request/),
      ])
      expect(readGitHubEvent({ GITHUB_EVENT_PATH: path.join(dir, "missing.json") })).toBeUndefined()
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("GitLab merge request run: $CI_REGISTRY_IMAGE, pr-7 + sha tag, CI_REGISTRY_USER/PASSWORD; explicit settings win", () => {
    const c = ok(parseConfig(GITLAB_MR, {}, cwd))
    expect(c.output).toEqual({ kind: "publish", image: "registry.gitlab.example.com/group/app", tags: ["pr-7", "sha-0123456"], username: "gitlab-ci-token", passwordEnv: "CI_REGISTRY_PASSWORD" })
    expect(c.labels).toEqual({ sourceUrl: "https://gitlab.example.com/group/app", commit: SHA, version: undefined })
    const own = ok(parseConfig({ ...GITLAB_MR, MULTIARCH_IMAGE: "docker.io/acme/app", MULTIARCH_TAGS: "nightly", MULTIARCH_USERNAME: "acme", MULTIARCH_PASSWORD: "hub" }, {}, cwd))
    expect(own.output).toEqual({ kind: "publish", image: "docker.io/acme/app", tags: ["nightly"], username: "acme", passwordEnv: "MULTIARCH_PASSWORD" })
    // another registry than $CI_REGISTRY: the job token is not sent there
    const other = ok(parseConfig({ ...GITLAB_MR, MULTIARCH_IMAGE: "docker.io/acme/app" }, {}, cwd)).output
    expect(other.kind === "publish" && other.username).toBeUndefined()
  })

  it("env file precedence: the real environment over the file over defaults (an empty env value counts as set, like dotenv)", () => {
    const file = { MULTIARCH_PLATFORMS: "linux/arm64", MULTIARCH_IMAGE: "ghcr.io/o/file", MULTIARCH_TAGS: "file" }
    const c = ok(parseConfig({ MULTIARCH_PLATFORMS: "linux/riscv64" }, file, cwd))
    expect(c.platforms).toEqual(["linux/riscv64"])
    expect(c.output).toMatchObject({ image: "ghcr.io/o/file", tags: ["file"] })
    expect(ok(parseConfig({ MULTIARCH_PLATFORMS: "" }, file, cwd)).platforms).toEqual(["linux/amd64", "linux/arm64"])
  })

  it("the env file holds only known MULTIARCH_ keys: others are problems (with the rest still checked)", () => {
    const p = problems(parseConfig({}, { PLATFORMS: "linux/arm64", MULTIARCH_PLATFROMS: "x", MULTIARCH_LANG: "cobol", MULTIARCH_ENV_FILE: "y" }, cwd, "my.env"))
    expect(p).toHaveLength(6)
    expect(p[0]).toBe("my.env: PLATFORMS is not a MULTIARCH_ key; this file only holds MULTIARCH_* settings (did you mean MULTIARCH_PLATFORMS?)")
    expect(p[1]).toMatch(/^my\.env: unknown key MULTIARCH_PLATFROMS \(known: MULTIARCH_SOURCE, MULTIARCH_PLATFORMS,/)
    expect(p[2]).toMatch(/^my\.env: unknown key MULTIARCH_ENV_FILE/)
    expect(p[3]).toBe("MULTIARCH_LANG: must be go, rust or dockerfile")
  })

  it("reads .multiarch.env, never .env (which `dagger call` reads as function defaults)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "multiarch-envfile-"))
    try {
      // what a user's .env for `dagger call` looks like: BUILD_PLATFORMS is the default of build --platforms
      fs.writeFileSync(path.join(dir, ".env"), "BUILD_PLATFORMS=linux/s390x\nMULTIARCH_PLATFORMS=linux/s390x\n")
      expect(readEnvFile({}, dir)).toEqual({ values: {}, explicit: false, problems: [] })
      fs.writeFileSync(path.join(dir, DEFAULT_ENV_FILE), "# local\nMULTIARCH_PLATFORMS=linux/arm/v7\nMULTIARCH_TARBALL=image.tar\n")
      const f = readEnvFile({}, dir)
      expect(f.values).toEqual({ MULTIARCH_PLATFORMS: "linux/arm/v7", MULTIARCH_TARBALL: "image.tar" })
      expect(ok(parseConfig({}, f.values, dir)).platforms).toEqual(["linux/arm/v7"])
      fs.writeFileSync(path.join(dir, "other.env"), "MULTIARCH_PLATFORMS=linux/386\n")
      expect(readEnvFile({ MULTIARCH_ENV_FILE: "other.env" }, dir).values).toEqual({ MULTIARCH_PLATFORMS: "linux/386" })
      expect(readEnvFile({ MULTIARCH_ENV_FILE: "missing.env" }, dir).problems).toEqual([`MULTIARCH_ENV_FILE: ${path.join(dir, "missing.env")} does not exist`])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("the build and the push are requests built by name (as the module's functions build them), not positional calls", () => {
    const req = parseBuildRequest({ platforms: ["arm64", "linux/arm/v7"], lang: "go", cgo: true, pkg: "./cmd/app", version: "1.2.3", commit: "abc", sourceUrl: "https://github.com/o/r" })
    expect(req.targets.map((r) => r.platform)).toEqual(["linux/arm64", "linux/arm/v7"])
    expect(req.lang).toBe("go")
    expect(req.options.go).toMatchObject({ cgo: true, package: "./cmd/app", version: "1.2.3", commit: "abc" })
    expect(req.labels).toEqual({ "org.opencontainers.image.revision": "abc", "org.opencontainers.image.source": "https://github.com/o/r", "org.opencontainers.image.version": "1.2.3" })
    // a name the request does not know is refused, naming the input
    expect(() => parseBuildRequest({ lang: "java" })).toThrow(/invalid lang "java": not a toolchain multiarch builds with; use one of: go, rust, node, dockerfile/)
    const pub = parsePublishRequest({ address: "ghcr.io/o/app:1", tags: ["2", "latest"], username: "u", password: "p" })
    expect(pub.refs).toEqual(["ghcr.io/o/app:1", "ghcr.io/o/app:2", "ghcr.io/o/app:latest"])
    expect(pub.first).toBe("ghcr.io/o/app:1")
    expect(pub.otherTags).toEqual(["2", "latest"])
    expect(() => parsePublishRequest({ address: "ghcr.io/o/app", username: "u" })).toThrow(/invalid password "u": registry auth needs both a username and a password/)
    // no reading of function source to find parameter names
    expect(fs.readFileSync(path.join(REPO, "ci/pipeline.ts"), "utf8")).not.toMatch(/\.toString\(\)|parameterNames|callByName/)
  })

  it("in CI, a .multiarch.env the workflow did not name sets build settings only; a named one may set publish settings; no file sets the password", () => {
    const hostile = { MULTIARCH_PLATFORMS: "linux/arm64", MULTIARCH_IMAGE: "ghcr.io/evil/app", MULTIARCH_TAGS: "latest,1.2.3", MULTIARCH_USERNAME: "evil", MULTIARCH_TARBALL: "x.tar" }
    const pr = { ...GITHUB_TAG, GITHUB_REF: "refs/pull/7/merge", GITHUB_EVENT_NAME: "pull_request", GITHUB_TOKEN: "ghs_x" }
    const r = parseConfig(pr, hostile, cwd)
    if (!r.ok) throw new Error(r.problems.join("\n"))
    expect(r.config.platforms).toEqual(["linux/arm64"])
    expect(r.config.output).toEqual({ kind: "publish", image: "ghcr.io/owner/app", tags: ["pr-7", "sha-0123456"], username: "octo", passwordEnv: "GITHUB_TOKEN" })
    expect(r.notes).toHaveLength(4)
    expect(r.notes[0]).toBe(".multiarch.env: MULTIARCH_IMAGE ignored: in CI, where the image goes comes from the environment, or from a file the workflow names with MULTIARCH_ENV_FILE")
    // GitLab, and a plain CI=true, count as CI too
    expect(ok(parseConfig({ ...GITLAB_MR }, hostile, cwd)).output).toMatchObject({ image: "registry.gitlab.example.com/group/app" })
    expect(ok(parseConfig({ CI: "true", MULTIARCH_IMAGE: "r.example/a", MULTIARCH_TAGS: "t" }, hostile, cwd)).output).toMatchObject({ image: "r.example/a", tags: ["t"] })
    // named by the workflow (MULTIARCH_ENV_FILE): trusted
    const named = parseConfig(pr, { MULTIARCH_IMAGE: "ghcr.io/owner/other", MULTIARCH_TAGS: "x" }, cwd, "ci/release.env", { explicitFile: true })
    expect(named.ok && named.config.output).toMatchObject({ image: "ghcr.io/owner/other", tags: ["x"] })
    // locally (no CI): the file is the settings
    expect(ok(parseConfig({}, hostile, cwd)).output).toEqual({ kind: "tarball", path: "/work/project/x.tar" })
    // the password: never from a file
    expect(problems(parseConfig({}, { MULTIARCH_PASSWORD: "p", MULTIARCH_USERNAME: "u", MULTIARCH_IMAGE: "r.example/a", MULTIARCH_TAGS: "t" }, cwd))).toEqual([
      ".multiarch.env: MULTIARCH_PASSWORD is never read from a file; set it in the environment (it reaches the engine as env://MULTIARCH_PASSWORD)",
      "MULTIARCH_PASSWORD: registry auth needs both MULTIARCH_USERNAME and MULTIARCH_PASSWORD (or neither)",
    ])
  })

  it("the env file this run read is never uploaded with the source, wherever it lies in it", () => {
    expect(sourceExcludes("/p", "/p/ci/release.env")).toEqual([...SOURCE_IGNORE, "ci/release.env"])
    expect(sourceExcludes("/p", "/elsewhere/x.env")).toEqual([...SOURCE_IGNORE])
    expect(sourceExcludes("/p", "/p/.multiarch.env")).toEqual([...SOURCE_IGNORE, ".multiarch.env"])
  })

  it("describeConfig never prints the password", () => {
    const text = describeConfig(ok(parseConfig({ ...GITLAB_MR }, {}, cwd)))
    expect(text).toContain("publish registry.gitlab.example.com/group/app tags pr-7,sha-0123456 as gitlab-ci-token (password set)")
    expect(text).toContain("ci: gitlab, pull/merge request 7")
    expect(text).not.toContain("job-token")
  })
})

// ---------------------------------------------------------------------------------------------

describe("ci/pipeline.ts run with tsx against the recording engine", () => {
  let engine: RecordingEngine
  let tmp: string
  const tsx = path.join(REPO, "node_modules/.bin/tsx")
  const PLATFORMS = ["linux/amd64", "linux/arm64", "linux/arm/v7"]

  beforeAll(async () => {
    engine = await startRecordingEngine()
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "multiarch-pipeline-"))
  })
  afterAll(async () => {
    await engine?.close()
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
  })

  /** `dagger run npx tsx ci/pipeline.ts`, with the recorder as the session `dagger run` would open. */
  function pipeline(env: Record<string, string>, cwd = REPO) {
    const clean: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmp }
    return run([tsx, path.join(REPO, "ci/pipeline.ts")], { cwd, env: { ...clean, ...engine.env, ...env }, timeoutMs: 120_000 })
  }

  it("bad settings: exit 2, every problem printed, and not one query reaches the engine", async () => {
    const before = engine.queries.length
    const r = await pipeline({ MULTIARCH_PLATFORMS: "linux/arm64/v7", MULTIARCH_LANG: "java", MULTIARCH_IMAGE: "ghcr.io/Owner/App", MULTIARCH_TAGS: "x" })
    expect(r.status, r.stderr).toBe(2)
    expect(r.stderr).toContain("multiarch pipeline: 3 problems in the settings (nothing was built):")
    expect(r.stderr).toMatch(/- MULTIARCH_LANG: .*\n\s+- MULTIARCH_PLATFORMS: .*\n\s+- MULTIARCH_IMAGE: /)
    expect(engine.queries.length).toBe(before)
  })

  it("GitHub tag run: the module builds linux/amd64, linux/arm64, linux/arm/v7 and publishes one index per computed tag", async () => {
    const mark = engine.events.length
    const r = await pipeline({ ...GITHUB_TAG, MULTIARCH_SOURCE: "test/fixtures/go-hello", MULTIARCH_PLATFORMS: PLATFORMS.join(",") })
    expect(r.status, r.stderr).toBe(0)
    const pubs = engine.publishes.filter((e) => engine.events.indexOf(e) >= mark)
    const tags = ["1.2.3", "1.2", "1", "sha-0123456", "latest"]
    expect(pubs.map((p) => p.address).sort()).toEqual(tags.map((t) => `ghcr.io/owner/app:${t}`).sort())
    for (const p of pubs) {
      expect(p.platforms).toEqual(PLATFORMS)
      expect(p.receiverIncluded).toBe(false)
      expect(p.forcedCompression).toBe("Gzip")
      for (const v of p.variants)
        expect(v.labels).toMatchObject({
          "org.opencontainers.image.source": "https://github.com/Owner/App",
          "org.opencontainers.image.revision": SHA,
          "org.opencontainers.image.version": "1.2.3",
        })
    }
    // the index of every tag is the same one (same variants)
    expect(new Set(pubs.map((p) => JSON.stringify(p.variants.map((v) => v.id)))).size).toBe(1)
    // Go cross-compiled for each target on the native builder, arm/v7 with GOARM=7
    const builds = engine.execs.filter((e) => engine.events.indexOf(e) >= mark && e.argv.includes("build") && e.argv[0] === "go")
    expect(builds.map((b) => [b.view.env.GOARCH, b.view.env.GOARM ?? ""]).sort()).toEqual([["amd64", ""], ["arm", "7"], ["arm64", ""]])
    expect(r.stdout.trim()).toBe(pubs.find((p) => p.address === "ghcr.io/owner/app:1.2.3")!.ref)
    expect(r.stderr).toContain("ci: github, tag v1.2.3")
  })

  it("with credentials: one push with registry auth from a secret; the password appears in no query", async () => {
    const mark = engine.events.length
    const q0 = engine.queries.length
    const r = await pipeline({ MULTIARCH_SOURCE: "test/fixtures/go-hello", MULTIARCH_IMAGE: "registry.example.com/team/app", MULTIARCH_TAGS: "edge", MULTIARCH_USERNAME: "robot", MULTIARCH_PASSWORD: "s3cr3t-pw" })
    expect(r.status, r.stderr).toBe(0)
    const pubs = engine.publishes.filter((e) => engine.events.indexOf(e) >= mark)
    expect(pubs.map((p) => [p.address, p.platforms])).toEqual([["registry.example.com/team/app:edge", ["linux/amd64", "linux/arm64"]]])
    const receiver = engine.containerView(pubs[0].receiverId)
    // the password is named, not copied: an env:// secret (no setSecret with its plaintext in a query)
    expect(receiver.registryAuth).toEqual([expect.objectContaining({ address: "registry.example.com/team/app", username: "robot", secretName: "env://MULTIARCH_PASSWORD" })])
    expect(engine.queries.slice(q0).some((q) => q.fields.includes("setSecret"))).toBe(false)
    expect(engine.queries.slice(q0).some((q) => q.text.includes("s3cr3t-pw"))).toBe(false)
    expect(r.stdout + r.stderr).not.toContain("s3cr3t-pw")
  })

  it("local run from .multiarch.env (and a .env that must be ignored): exports the OCI tarball", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, "local-"))
    fs.cpSync(path.join(REPO, "test/fixtures/go-hello"), dir, { recursive: true })
    fs.writeFileSync(path.join(dir, ".env"), "MULTIARCH_PLATFORMS=linux/s390x\nBUILD_PLATFORMS=linux/s390x\n")
    fs.writeFileSync(path.join(dir, ".multiarch.env"), "MULTIARCH_PLATFORMS=linux/arm64,linux/arm/v7\nMULTIARCH_TARBALL=out/image.tar\n")
    const mark = engine.events.length
    const r = await pipeline({}, dir)
    expect(r.status, r.stderr).toBe(0)
    const tarballs = engine.events.filter((e, i) => i >= mark && e.kind === "tarball") as Array<Extract<RecordingEngine["events"][number], { kind: "tarball" }>>
    expect(tarballs.map((t) => [t.platforms, t.exportPath])).toEqual([[["linux/arm64", "linux/arm/v7"], path.join(dir, "out/image.tar")]])
    // the env files are not uploaded with the source (the module's ignore list)
    const hostDirs = engine.queries.filter((q, i) => i >= 0 && q.text.includes(`directory (path: ${JSON.stringify(dir)}`))
    expect(hostDirs.length).toBeGreaterThan(0)
    expect(hostDirs[0].text).toContain('"**/.multiarch.env"')
    expect(hostDirs[0].text).toContain('"**/.env"')
    expect(hostDirs[0].text).toContain('".git"')
  })

  it("a simulated pull request run with a hostile .multiarch.env in the checkout: image, tags and credentials stay the CI's", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, "hostile-"))
    fs.cpSync(path.join(REPO, "test/fixtures/go-hello"), dir, { recursive: true })
    fs.writeFileSync(
      path.join(dir, ".multiarch.env"),
      "MULTIARCH_PLATFORMS=linux/arm64\nMULTIARCH_IMAGE=ghcr.io/evil/app\nMULTIARCH_TAGS=latest,1.2.3\nMULTIARCH_USERNAME=evil\nMULTIARCH_TARBALL=/tmp/x.tar\n",
    )
    const mark = engine.events.length
    const q0 = engine.queries.length
    // no GITHUB_TOKEN: the engine pushes every tag itself (a token would make the module tag
    // through the registry, which needs a network); the credentials' choice is checked in the
    // pure test above. The file's MULTIARCH_USERNAME would make this a settings error (exit 2).
    const r = await pipeline({ ...GITHUB_TAG, GITHUB_REF: "refs/pull/7/merge", GITHUB_EVENT_NAME: "pull_request" }, dir)
    expect(r.status, r.stderr).toBe(0)
    const pubs = engine.publishes.filter((e) => engine.events.indexOf(e) >= mark)
    expect(pubs.map((p) => p.address).sort()).toEqual(["ghcr.io/owner/app:pr-7", "ghcr.io/owner/app:sha-0123456"])
    // a build setting from the file is used (platforms)…
    for (const p of pubs) expect(p.platforms).toEqual(["linux/arm64"])
    // …the publish settings are not, and the run says so
    for (const k of ["MULTIARCH_IMAGE", "MULTIARCH_TAGS", "MULTIARCH_USERNAME", "MULTIARCH_TARBALL"]) expect(r.stderr).toContain(`note: .multiarch.env: ${k} ignored: in CI`)
    for (const p of pubs) expect(engine.containerView(p.receiverId).registryAuth).toEqual([])
    expect(engine.queries.slice(q0).some((q) => q.text.includes("evil"))).toBe(false)
  })
})
