/**
 * First contact (issue 15) and what a call may carry (issue 19), through the real module
 * entrypoint on the recording engine, argument by argument as `dagger call` passes them:
 *
 *  - the design card's command, `dagger call build --platforms linux/amd64,linux/arm64`, with no
 *    --source: the engine fills the build's Workspace argument with the directory the CLI runs in
 *    (the harness does the same: `cwd`), and the module reads it with the ignore list — what reaches
 *    the builder has no .git, node_modules, target/ or env file;
 *  - every wrong input of the issue fails with a message naming the input and the fix, before any
 *    build work (at most the source's listing and a few small files are read);
 *  - Dockerfile secrets reach dockerBuild *named* by the id the Dockerfile uses (the recording
 *    engine refuses an unnamed one, as Dagger's core/container.go does), and no query text holds a
 *    secret's plaintext.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { SOURCE_IGNORE } from "../../modules/core/source.js"
import { engineWork, ModuleHarness, type ChainResult, type ChainStep } from "../engine/harness.js"
import { REPO_ROOT } from "../engine/introspect.js"
import { startRecordingEngine, type RecordedQuery, type RecordingEngine } from "../engine/recording-engine.js"

const FIX = (n: string) => path.join(REPO_ROOT, "test/fixtures", n)
const NPM_TOKEN = "npm_thisIsTheSecretPlaintext0123456789"

/** Fields that build something (or push, or read a secret): none may appear before an input error. */
const BUILD_WORK = new Set(["container", "from", "withExec", "dockerBuild", "publish", "asTarball", "export", "setSecret", "plaintext", "withRegistryAuth", "withMountedCache", "cacheVolume", "sync"])
const buildWork = (qs: RecordedQuery[]) => qs.flatMap((q) => q.fields).filter((f) => BUILD_WORK.has(f))

let tmp: string
let project: string
let engine: RecordingEngine
let inProject: ModuleHarness
const run = (steps: ChainStep[], h?: ModuleHarness) => (h ?? inProject).callChain(engine, steps)

/** A Go project as a user has it: a git checkout with node_modules, a target/ dir and env files. */
function userProject(dir: string): void {
  fs.cpSync(FIX("go-hello"), dir, { recursive: true })
  const put = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
    fs.writeFileSync(path.join(dir, rel), text)
  }
  put(".git/config", '[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n')
  put(".git/HEAD", "ref: refs/heads/main\n")
  put("node_modules/left-pad/index.js", "module.exports = 1\n")
  put("web/node_modules/x/index.js", "module.exports = 2\n")
  put("target/debug/app", "binary\n")
  put(".env", "BUILD_PASSWORD=hunter2\n")
  put(".env.local", "TOKEN=x\n")
  put("web/.env", "API_KEY=y\n")
  put(".multiarch.env", "MULTIARCH_IMAGE=ghcr.io/evil/app\n")
  put(".multiarch/dagger.json", "{}\n")
  put("web/index.html", "<html></html>\n")
}

let card: ChainResult
let cardSync: ChainResult
let planned: ChainResult

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "multiarch-first-contact-"))
  project = path.join(tmp, "app")
  userProject(project)
  engine = await startRecordingEngine({ defaultPlatform: "linux/amd64", secretUris: { "env://NPM_TOKEN": NPM_TOKEN, "file:///run/keys/gh_token": "gh-file-secret" } })
  // the CLI runs in the project (a git repository): the workspace is that directory
  inProject = await ModuleHarness.create({ cwd: project, contextDir: project })
  ;[card, cardSync, planned] = await Promise.all([
    run([{ fn: "build", args: { platforms: "linux/amd64,linux/arm64" } }]),
    run([{ fn: "build", args: { platforms: "linux/amd64,linux/arm64" } }, { fn: "sync" }]),
    run([{ fn: "plan", args: { platforms: "arm64" } }]),
  ])
}, 600_000)

afterAll(async () => {
  await engine?.close()
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe("the design card's command: dagger call build --platforms linux/amd64,linux/arm64 (no --source)", () => {
  it("the engine gives the call the caller's workspace; the module reads its directory with the ignore list", () => {
    expect(card.error).toBeUndefined()
    const ws = card.last.sentArgs.workspace as string
    expect(ws).toMatch(/^Workspace:[0-9a-f]{12}$/)
    expect(card.last.sentArgs.source).toBeUndefined()
    const read = card.last.queries.find((q) => q.fields.includes("directory") && q.text.includes(ws))
    expect(read, card.last.queries.map((q) => q.text).join("\n")).toBeDefined()
    expect(read!.text).toContain(`directory (path: ".",exclude: ${JSON.stringify(SOURCE_IGNORE).replace(/,/g, ",")}`)
  })

  it("builds the project for both platforms, cross-compiled on the native builder, from exactly the project's files", () => {
    const builds = engine.execs.filter((e) => e.session === card.last.step && e.argv[0] === "go" && e.argv[1] === "build")
    // `build` alone only composes (the CLI's `sync` evaluates): the builders are composed lazily
    expect(builds).toEqual([])
    const syncBuilds = engine.execs.filter((e) => e.argv[0] === "go" && e.argv[1] === "build" && e.session.includes("sync"))
    expect(syncBuilds.map((b) => b.view.env.GOARCH).sort()).toEqual(["amd64", "arm64"])
    for (const b of syncBuilds) {
      expect(b.platform).toBe("linux/amd64") // the native builder
      const src = b.view.files.find((f) => f.path === "/src")!
      expect(src).toBeDefined()
      const all = listTree(engine, src.sourceId!)
      expect(all).toEqual(expect.arrayContaining(["go.mod", "main.go", "web/index.html"]))
      for (const gone of [".git", "node_modules", "web/node_modules", "target", ".env", ".env.local", "web/.env", ".multiarch.env", ".multiarch"])
        expect(all.filter((p) => p === gone || p.startsWith(gone + "/")), gone).toEqual([])
    }
  })

  it("`build … sync` (what the CLI selects when build ends the command) builds and checks every platform and pushes nothing", () => {
    expect(cardSync.error).toBeUndefined()
    expect(cardSync.last.fn).toBe("sync")
    expect(cardSync.last.queries.some((q) => q.fields.includes("sync"))).toBe(true)
    expect(cardSync.last.queries.some((q) => q.fields.includes("platform"))).toBe(true)
    expect(engine.publishes.filter((p) => p.session.includes("sync"))).toEqual([])
    expect(engine.execs.filter((e) => e.session.includes("sync") && e.argv.some((a) => a.includes("verify-elf"))).length).toBeGreaterThanOrEqual(2)
  })

  it("plan without --source plans the caller's directory too", () => {
    expect(planned.error).toBeUndefined()
    const p = JSON.parse(String(planned.returnValue))
    expect(p.toolchain).toBe("go")
    expect(p.platforms.map((x: { platform: string }) => x.platform)).toEqual(["linux/arm64"])
  })

  it("an explicit --source gets the same ignore list (applied by the engine, like the harness)", async () => {
    const h = await ModuleHarness.create({ cwd: tmp, contextDir: tmp })
    const r = await h.callChain(engine, [{ fn: "plan", args: { source: "app", platforms: "linux/amd64" } }])
    expect(r.error).toBeUndefined()
    const dir = r.last.sentArgs.source as string
    expect(engine.object(dir)!.args.exclude).toEqual(SOURCE_IGNORE)
    expect(listTree(engine, dir)).not.toContain(".env")
  })
})

function listTree(e: RecordingEngine, dirId: string, sub = ""): string[] {
  return e.directoryEntries(dirId, sub).flatMap((n) => {
    const p = sub ? `${sub}/${n.replace(/\/$/, "")}` : n.replace(/\/$/, "")
    return n.endsWith("/") ? [p, ...listTree(e, dirId, p)] : [p]
  })
}

// ---------------------------------------------------------------------------------------------

interface WrongInput {
  what: string
  steps: (src: Record<string, string>) => ChainStep[]
  /** The flag the message must name (`invalid <field> "…"`). */
  field: string
  message: RegExp
  /** Pure check: not even the source is read. */
  noQueries?: boolean
}

const WRONG: WrongInput[] = [
  {
    what: "an option of the wrong toolchain (--cgo on a Rust crate): names the detected toolchain and what to drop",
    steps: (s) => [{ fn: "build", args: { source: s.rust, cgo: true, platforms: "linux/amd64" } }],
    field: "cgo",
    message: /--cgo is an option of go and this build uses rust \(found Cargo\.toml\); drop --cgo \(or --lang go if the source is a go project\)/,
  },
  {
    what: "Rust options on a Go module (--libc gnu --features tls)",
    steps: (s) => [{ fn: "build", args: { source: s.go, libc: "gnu", features: ["tls"] } }],
    field: "libc",
    message: /2 problems:[\s\S]*--libc is an option of rust and node and this build uses go \(found go\.mod\); drop --libc[\s\S]*--features is an option of rust/,
  },
  {
    what: "--pkg cmd/app: did you mean ./cmd/app",
    steps: (s) => [{ fn: "build", args: { source: s.go, pkg: "cmd/app" } }],
    field: "pkg",
    message: /did you mean \.\/cmd\/app\?/,
  },
  {
    what: "--created 2026-02-30",
    steps: (s) => [{ fn: "build", args: { source: s.go, created: "2026-02-30T00:00:00Z" } }],
    field: "created",
    message: /February 2026 has 28 days/,
    noQueries: true,
  },
  {
    what: "a build arg the Dockerfile never declares",
    steps: (s) => [{ fn: "build", args: { source: s.docker, buildArgs: ["VERSOIN=1.2.3"] } }],
    field: "build-args",
    message: /Dockerfile has no ARG VERSOIN, so BuildKit would ignore it; declare ARG VERSOIN in Dockerfile, or drop it/,
  },
  {
    what: "a build arg that looks like a credential: refused, pointing to --secrets, its value in no message",
    steps: (s) => [{ fn: "build", args: { source: s.docker, buildArgs: ["NPM_TOKEN=" + NPM_TOKEN] } }],
    field: "build-args",
    message: /looks like a credential .*--secrets env:\/\/NPM_TOKEN .*--allow-secret-build-args/,
    noQueries: true,
  },
  {
    what: "zstd with docker media types (publish)",
    steps: (s) => [{ fn: "build", args: { source: s.go, platforms: "linux/amd64" } }, { fn: "publish", args: { address: "r.example.com/a/b:1", compression: "zstd", mediaTypes: "docker" } }],
    field: "compression",
    message: /Docker \(schema 2\) media types have no zstd layer type/,
    noQueries: true,
  },
  {
    what: "zstd with docker media types (tarball)",
    steps: (s) => [{ fn: "build", args: { source: s.go, platforms: "linux/amd64" } }, { fn: "tarball", args: { compression: "zstd", mediaTypes: "docker" } }],
    field: "compression",
    message: /no zstd layer type/,
    noQueries: true,
  },
  {
    what: "an address tag together with --git-ref (publish)",
    steps: (s) => [{ fn: "build", args: { source: s.go, platforms: "linux/amd64" } }, { fn: "publish", args: { address: "r.example.com/a/b:1.2.3", gitRef: "refs/tags/v1.2.3" } }],
    field: "address",
    message: /--git-ref computes the tags \(refs\/tags\/v1\.2\.3\), and the address names one too \(1\.2\.3\); drop ":1\.2\.3" from --address/,
    noQueries: true,
  },
  {
    what: "merge with an address tag and --git-ref",
    steps: () => [{ fn: "merge", args: { sources: ["r.example.com/a/b:amd64", "r.example.com/a/b:arm64"], address: "r.example.com/a/b:1.2.3", gitRef: "refs/tags/v1.2.3" } }],
    field: "address",
    message: /--git-ref computes the tags/,
    noQueries: true,
  },
  {
    what: "a --dockerfile path that does not exist: named, with the nearest one (not the engine's file error)",
    steps: (s) => [{ fn: "build", args: { source: s.node, dockerfile: "Dockerfile.trapp" } }],
    field: "dockerfile",
    message: /no such file in the source; did you mean Dockerfile\.trap\?/,
  },
  {
    what: "a nested --dockerfile path that does not exist",
    steps: (s) => [{ fn: "build", args: { source: s.node, dockerfile: "build/Dockerfile" } }],
    field: "dockerfile",
    message: /invalid dockerfile "build\/Dockerfile": no such file in the source/,
  },
  {
    what: "--libc glibc: did you mean gnu",
    steps: (s) => [{ fn: "rust", args: { source: s.rust, libc: "glibc" } }],
    field: "libc",
    message: /did you mean gnu\? \(--libc gnu; the values are: musl, gnu\)/,
    noQueries: true,
  },
  {
    what: "--lang golang: did you mean go",
    steps: (s) => [{ fn: "plan", args: { source: s.go, lang: "golang" } }],
    field: "lang",
    message: /did you mean go\?/,
    noQueries: true,
  },
  {
    what: "--source-url with user:token@: refused, never echoed",
    steps: (s) => [{ fn: "build", args: { source: s.go, sourceUrl: "https://ci:glpat-SECRETSECRET@gitlab.example.com/g/app" } }],
    field: "source-url",
    message: /carries credentials[\s\S]*drop the user:token@ part: https:\/\/gitlab\.example\.com\/g\/app/,
    noQueries: true,
  },
]

describe("every wrong input fails naming the input and the fix, with no build work", () => {
  const results = new Map<string, ChainResult>()
  beforeAll(async () => {
    const h = await ModuleHarness.create({})
    const src = {
      go: engine.fixtureDirectory(FIX("go-hello")),
      rust: engine.fixtureDirectory(FIX("rust-hello")),
      docker: engine.fixtureDirectory(FIX("dockerfile-multistage")),
      node: engine.fixtureDirectory(FIX("dockerfile-node")),
    }
    await Promise.all(WRONG.map(async (w) => results.set(w.what, await run(w.steps(src), h))))
  }, 600_000)

  it.each(WRONG.map((w) => [w.what, w] as const))("%s", (_what, w) => {
    const r = results.get(w.what)!
    expect(r.ok, JSON.stringify(r.last.returnValue)).toBe(false)
    expect(r.last.crashed).toBeFalsy()
    expect(r.error).toMatch(new RegExp(`invalid ${w.field} "`))
    expect(r.error).toMatch(w.message)
    // the failing call did no build work; a pure check did not even read the source
    expect(buildWork(r.last.queries)).toEqual([])
    if (w.noQueries) expect(engineWork(r.last.queries)).toEqual([])
    for (const secret of [NPM_TOKEN, "glpat-SECRETSECRET"]) {
      expect(r.error).not.toContain(secret)
      expect(r.last.queries.map((q) => q.text).join("\n")).not.toContain(secret)
    }
  })
})

// ---------------------------------------------------------------------------------------------

describe("Dockerfile secrets reach dockerBuild named by the id the Dockerfile mounts", () => {
  let dir: string
  let byEnv: ChainResult
  let withIds: ChainResult
  let noId: ChainResult
  let plan: ChainResult
  let q0 = 0
  let q1 = 0

  beforeAll(async () => {
    dir = path.join(tmp, "secret-app")
    fs.mkdirSync(dir)
    fs.writeFileSync(
      path.join(dir, "Dockerfile"),
      "FROM alpine:3.20\nRUN --mount=type=secret,id=NPM_TOKEN test -s /run/secrets/NPM_TOKEN\nRUN --mount=type=secret,id=gh test -s /run/secrets/gh\n",
    )
    const h = await ModuleHarness.create({ cwd: dir, contextDir: dir })
    q0 = engine.queryCount
    ;[byEnv, withIds, noId, plan] = await Promise.all([
      // `dagger call build --secrets env://NPM_TOKEN,file:///run/keys/gh_token --secret-ids NPM_TOKEN,gh`
      h.callChain(engine, [{ fn: "build", args: { platforms: "linux/amd64,linux/arm64", secrets: ["env://NPM_TOKEN"] } }, { fn: "sync" }]),
      h.callChain(engine, [{ fn: "build", args: { platforms: "linux/amd64", secrets: ["env://NPM_TOKEN", "file:///run/keys/gh_token"], secretIds: ["NPM_TOKEN", "gh"] } }, { fn: "sync" }]),
      h.callChain(engine, [{ fn: "build", args: { platforms: "linux/amd64", secrets: ['cmd://"gh auth token"'] } }]),
      h.callChain(engine, [{ fn: "plan", args: { platforms: "linux/amd64", secrets: ["env://NPM_TOKEN", "file:///run/keys/gh_token"] } }]),
    ])
    q1 = engine.queryCount
  }, 600_000)

  /** The secrets a variant's dockerBuild got: [name the engine mounts it under, how it was made]. */
  function dockerBuildSecrets(r: ChainResult): Array<Array<[string, string]>> {
    const syncQueries = r.last.queries.map((q) => q.text).join("\n")
    const ids = [...new Set([...syncQueries.matchAll(/Container:[0-9a-f]{12}/g)].map((m) => m[0]))]
    return ids
      .map((id) => engine.containerView(id))
      .filter((v) => v.dockerBuild)
      .map((v) => (v.dockerBuild!.secrets as string[]).map((s) => [engine.secretName(s)!, engine.object(s)!.field] as [string, string]))
  }

  it("env://NPM_TOKEN gets the id NPM_TOKEN: re-made with setSecret(NPM_TOKEN), one secret for every platform", () => {
    expect(byEnv.error).toBeUndefined()
    const got = dockerBuildSecrets(byEnv)
    expect(got).toHaveLength(2)
    for (const v of got) expect(v).toEqual([["NPM_TOKEN", "setSecret"]])
  })

  it("--secret-ids names each secret in order", () => {
    expect(withIds.error).toBeUndefined()
    expect(dockerBuildSecrets(withIds)).toEqual([[["NPM_TOKEN", "setSecret"], ["gh", "setSecret"]]])
  })

  it("a secret with no name and no env/file URI: an error naming --secret-ids, before any build", () => {
    expect(noId.ok).toBe(false)
    expect(noId.error).toMatch(/^invalid secrets "cmd:\/\/\\?"gh auth token\\?"": a Dockerfile reads a secret by id.*--secret-ids/)
    expect(buildWork(noId.last.queries)).toEqual([])
  })

  it("plan shows the ids and reads no plaintext", () => {
    expect(plan.error).toBeUndefined()
    const p = JSON.parse(String(plan.returnValue))
    expect(p.platforms[0].dockerBuild.secrets).toEqual(["NPM_TOKEN", "gh_token"])
    expect(plan.last.queries.flatMap((q) => q.fields)).not.toContain("plaintext")
    expect(plan.last.queries.flatMap((q) => q.fields)).not.toContain("setSecret")
  })

  it("no recorded query text holds a plaintext (setSecret's argument is the one place it travels, redacted in the record)", () => {
    const text = engine.queries.slice(q0, q1).map((q) => q.text).join("\n")
    expect(text).not.toContain(NPM_TOKEN)
    expect(text).not.toContain("gh-file-secret")
    expect(text).toMatch(/setSecret \(name: "NPM_TOKEN",plaintext: "\*\*\*"\)/)
  })

  it("the engine's rule the module now follows: dockerBuild with an unnamed (CLI) secret fails", async () => {
    const s = await engine.execute('{ secret(uri: "env://NPM_TOKEN") { id } }')
    const id = (s.data as { secret: { id: string } }).secret.id
    const src = engine.fixtureDirectory(dir)
    const r = await engine.execute(`{ node(id: ${JSON.stringify(src)}) { ... on Directory { dockerBuild(secrets: [${JSON.stringify(id)}]) { id } } } }`)
    expect(r.errors?.[0].message).toBe("secret has no name and cannot be referenced from Dockerfile secret id")
  })
})
