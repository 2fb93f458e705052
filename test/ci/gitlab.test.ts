/**
 * The GitLab template through gitlab-ci-local 4.66.1 (a local GitLab CI runner): GitLab's JSON
 * schema, `include:` + job merging as GitLab does them, rules, and the job's script run in shell
 * mode for a tag, a branch and a merge request pipeline — with a stand-in `curl` serving a Dagger
 * release (tarballs + checksums.txt) whose `dagger` records its argv, so the template's real
 * checksummed install runs without a network, and the recorded argv must equal the documented
 * one-liner.
 *
 * What the test changes: gitlab-ci-local starts a job's `services:` with Docker even under
 * --force-shell-executor, so the docker:dind service is removed from the copy that is RUN (it is
 * checked in the --preview of the unmodified files instead), and the CLI is installed into a
 * directory of the test (MULTIARCH_BIN_DIR) instead of /usr/local/bin. The example includes the
 * template as a copy (`include: local: .gitlab/…`); its commented `remote:` form carries the
 * template's integrity hash, checked here. The project has a `.multiarch/dagger.json`, as the
 * default MULTIARCH_MODULE (a submodule) would. The script also runs under dash, the strict POSIX
 * sh next to the docker image's busybox ash.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { publishTargets } from "../../modules/core/publish.js"
import { createHash } from "node:crypto"
import { ciToolsAvailable, documentedCommand, GITLAB_CI_LOCAL, loadYaml, makeStandIns, readKeyValues, recordedDaggerCalls, REPO, run } from "./tools.js"

const available = ciToolsAvailable(["gitlab-ci-local", "yaml", "rsync", "git", "dash", "shellcheck"])

const TEMPLATE = "ci/gitlab/multiarch.gitlab-ci.yml"
const EXAMPLE = "ci/gitlab/example.gitlab-ci.yml"
const LOCAL_INCLUDE = /^\s*- local: (\.gitlab\/multiarch\.gitlab-ci\.yml)\s*$/m
const DAGGER_VERSION = "0.21.9"
const REGISTRY_IMAGE = "registry.gitlab.example.com/group/app"
const PROJECT_URL = "https://gitlab.example.com/group/app"
const PLATFORMS = "linux/amd64,linux/arm64,linux/arm/v7" // what example.gitlab-ci.yml sets

let tmp: string
let project: string // a git repo holding the example (include: local) and the template
let previewProject: string // the same, with the template unmodified
let sha: string

function makeProject(dir: string, stripServices: boolean): void {
  fs.mkdirSync(dir, { recursive: true })
  let template = fs.readFileSync(path.join(REPO, TEMPLATE), "utf8")
  if (stripServices) {
    const doc = loadYaml().parseDocument(template)
    if (!doc.hasIn([".multiarch", "services"])) throw new Error("the template has no .multiarch.services any more: update this test")
    doc.deleteIn([".multiarch", "services"])
    template = doc.toString()
  }
  const example = fs.readFileSync(path.join(REPO, EXAMPLE), "utf8")
  const local = LOCAL_INCLUDE.exec(example)
  if (!local) throw new Error(`${EXAMPLE} no longer includes the template with local: .gitlab/multiarch.gitlab-ci.yml`)
  fs.mkdirSync(path.join(dir, ".gitlab"), { recursive: true })
  fs.writeFileSync(path.join(dir, local[1]), template)
  fs.writeFileSync(path.join(dir, ".gitlab-ci.yml"), example)
  fs.writeFileSync(path.join(dir, "go.mod"), "module example.com/app\n\ngo 1.22\n")
  // what the default MULTIARCH_MODULE (.multiarch, a git submodule) looks like when checked out
  fs.mkdirSync(path.join(dir, ".multiarch"))
  fs.writeFileSync(path.join(dir, ".multiarch/dagger.json"), '{ "name": "multiarch" }\n')
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, stdio: "pipe" })
  git("init", "-q", "-b", "main")
  git("-c", "user.email=ci@example.com", "-c", "user.name=ci", "add", "-A")
  git("-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "init")
  git("remote", "add", "origin", `${PROJECT_URL}.git`)
}

beforeAll(() => {
  if (!available) return
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "multiarch-gitlab-"))
  project = path.join(tmp, "project")
  previewProject = path.join(tmp, "preview")
  makeProject(project, true)
  makeProject(previewProject, false)
  sha = execFileSync("git", ["rev-parse", "HEAD"], { cwd: project, encoding: "utf8" }).trim()
})

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

/** Variables of a pipeline kind, as GitLab sets them (plus what every pipeline has). */
function pipelineVars(kind: "tag" | "branch" | "mr" | "branch-with-mr"): { set: Record<string, string>; unset: string[] } {
  const common = {
    CI_COMMIT_SHA: sha,
    CI_DEFAULT_BRANCH: "main",
    CI_PROJECT_URL: PROJECT_URL,
    CI_REGISTRY: "registry.gitlab.example.com",
    CI_REGISTRY_IMAGE: REGISTRY_IMAGE,
    CI_REGISTRY_USER: "gitlab-ci-token",
    CI_REGISTRY_PASSWORD: "job-token-secret",
  }
  switch (kind) {
    case "tag":
      return { set: { ...common, CI_COMMIT_TAG: "v1.2.3", CI_COMMIT_REF_NAME: "v1.2.3", CI_PIPELINE_SOURCE: "push" }, unset: ["CI_COMMIT_BRANCH"] }
    case "branch":
      return { set: { ...common, CI_COMMIT_BRANCH: "main", CI_COMMIT_REF_NAME: "main", CI_PIPELINE_SOURCE: "push" }, unset: ["CI_COMMIT_TAG"] }
    case "branch-with-mr":
      return { set: { ...common, CI_COMMIT_BRANCH: "feature/x", CI_COMMIT_REF_NAME: "feature/x", CI_PIPELINE_SOURCE: "push", CI_OPEN_MERGE_REQUESTS: "group/app!7" }, unset: ["CI_COMMIT_TAG"] }
    case "mr":
      return {
        set: { ...common, CI_PIPELINE_SOURCE: "merge_request_event", CI_MERGE_REQUEST_IID: "7", CI_COMMIT_REF_NAME: "feature/x", CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: "feature/x" },
        unset: ["CI_COMMIT_TAG", "CI_COMMIT_BRANCH"],
      }
  }
}

interface JobRun {
  status: number | null
  output: string
  calls: string[][]
  log: string
}

/** gitlab-ci-local, shell executor, the given pipeline's variables, stand-ins first on PATH, the CLI installed into the log dir. */
async function runPipeline(kind: Parameters<typeof pipelineVars>[0], extra: Record<string, string> = {}): Promise<JobRun> {
  const log = fs.mkdtempSync(path.join(tmp, `log-${kind}-`))
  const bin = makeStandIns(log, { release: { version: DAGGER_VERSION }, secretVars: ["CI_REGISTRY_PASSWORD"] })
  const installed = path.join(log, "installed")
  fs.mkdirSync(installed)
  const v = pipelineVars(kind)
  const argv = [process.execPath, GITLAB_CI_LOCAL, "--home", path.join(tmp, "home"), "--force-shell-executor", "--no-color"]
  for (const [k, val] of Object.entries({ ...v.set, MULTIARCH_BIN_DIR: installed, ...extra })) argv.push("--variable", `${k}=${val}`)
  for (const k of v.unset) argv.push("--unset-variable", k)
  const r = await run(argv, { cwd: project, env: { ...process.env, PATH: `${installed}:${bin}:${process.env.PATH}`, STANDIN_LOG: log }, timeoutMs: 120_000 })
  return { status: r.status, output: r.stdout + r.stderr, calls: recordedDaggerCalls(log), log }
}

const expectedArgv = (o: { ref: string; version?: string }) => [
  "call", "-m", ".multiarch",
  "build", "--source=.", `--platforms=${PLATFORMS}`, `--source-url=${PROJECT_URL}`, `--commit=${sha}`, ...(o.version ? [`--version=${o.version}`] : []),
  "publish", `--address=${REGISTRY_IMAGE}`, `--git-ref=${o.ref}`, `--git-sha=${sha}`,
  "--username=gitlab-ci-token", "--password=env://CI_REGISTRY_PASSWORD",
]
const checkArgv = (platforms = PLATFORMS) => ["call", "-m", ".multiarch", "build", "--source=.", `--platforms=${platforms}`, "sync"]

function publishFlags(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const a of argv.slice(argv.indexOf("publish") + 1)) {
    const m = /^--([\w-]+)=(.*)$/s.exec(a)
    if (m) out[m[1]] = m[2]
  }
  return out
}
const tagsOf = (argv: string[]) => {
  const f = publishFlags(argv)
  return publishTargets(f.address, [], { gitRef: f["git-ref"], gitSha: f["git-sha"] }).refs.map((r) => r.slice(r.lastIndexOf(":") + 1))
}

describe.skipIf(!available)("GitLab template: parsed by gitlab-ci-local", () => {
  it("the unmodified template + example pass GitLab's CI schema; an unknown key does not", async () => {
    const ok = await run([process.execPath, GITLAB_CI_LOCAL, "--home", path.join(tmp, "home"), "--list-json", "--no-color"], { cwd: previewProject })
    expect(ok.status, ok.stderr).toBe(0)
    const jobs = JSON.parse(ok.stdout) as Array<{ name: string; stage: string }>
    expect(jobs.map((j) => [j.name, j.stage])).toEqual([["multiarch", "build"]])
    const bad = path.join(tmp, "bad")
    fs.cpSync(previewProject, bad, { recursive: true })
    const f = path.join(bad, ".gitlab/multiarch.gitlab-ci.yml")
    fs.writeFileSync(f, fs.readFileSync(f, "utf8").replace("  stage: build\n", "  stage: build\n  servics: []\n"))
    const r = await run([process.execPath, GITLAB_CI_LOCAL, "--home", path.join(tmp, "home"), "--list-json", "--no-color"], { cwd: bad })
    expect(r.status).not.toBe(0)
    expect(r.stdout + r.stderr).toMatch(/servics/)
  })

  it("--preview: the example's job is the template's, with docker:dind over TLS, Dagger 0.21.9 and the example's platforms merged in", async () => {
    const r = await run([process.execPath, GITLAB_CI_LOCAL, "--home", path.join(tmp, "home"), "--preview", "--no-color"], { cwd: previewProject })
    expect(r.status, r.stderr).toBe(0)
    const doc = loadYaml().parse(r.stdout) as Record<string, Record<string, unknown>>
    const job = doc.multiarch as {
      stage: string
      image: { name: string }
      services: Array<{ name: string; alias: string }>
      variables: Record<string, string>
      rules: unknown[]
      before_script: string[]
      script: string[]
    }
    expect(job.stage).toBe("build")
    expect(job.image.name).toBe("docker:${MULTIARCH_DOCKER_VERSION}-cli")
    expect(job.services).toEqual([{ name: "docker:${MULTIARCH_DOCKER_VERSION}-dind", alias: "docker" }])
    expect(job.variables).toMatchObject({
      DOCKER_HOST: "tcp://docker:2376",
      DOCKER_TLS_CERTDIR: "/certs",
      DOCKER_TLS_VERIFY: "1",
      DOCKER_CERT_PATH: "/certs/client",
      MULTIARCH_DOCKER_VERSION: "28",
      MULTIARCH_DAGGER_VERSION: "0.21.9",
      MULTIARCH_PLATFORMS: PLATFORMS, // from the example, merged over the template's default
      MULTIARCH_IMAGE: "$CI_REGISTRY_IMAGE",
    })
    // the CLI from its release tarball, checked; no script from the network is run
    expect(job.before_script.join("\n")).not.toMatch(/\|\s*(ba)?sh\b/)
    expect(job.before_script[1]).toContain('release="https://dl.dagger.io/dagger/releases/${MULTIARCH_DAGGER_VERSION}"')
    expect(job.variables).toMatchObject({ MULTIARCH_MODULE: ".multiarch", GIT_SUBMODULE_STRATEGY: "recursive", MULTIARCH_DAGGER_SHA256: "", MULTIARCH_BIN_DIR: "/usr/local/bin" })
  })

  it("the example's remote include form carries the template's integrity (sha256, base64): GitLab would refuse any other content", () => {
    const example = fs.readFileSync(path.join(REPO, EXAMPLE), "utf8")
    const m = /^\s*#\s+integrity: (sha256-\S+)$/m.exec(example)
    expect(m, "no integrity: line in the example").not.toBeNull()
    const hash = "sha256-" + createHash("sha256").update(fs.readFileSync(path.join(REPO, TEMPLATE))).digest("base64")
    expect(m![1], "update the integrity in ci/gitlab/example.gitlab-ci.yml to the template's sha256").toBe(hash)
    expect(example).toMatch(/^\s*# - remote: https:\/\/.*\/ci\/gitlab\/multiarch\.gitlab-ci\.yml$/m)
  })
})

describe.skipIf(!available)("GitLab template: the job run by gitlab-ci-local (shell executor, stand-in dagger)", () => {
  it("tag pipeline (CI_COMMIT_TAG=v1.2.3): the checked install, then exactly the documented one-liner; tags 1.2.3, 1.2, 1, sha-…, latest", async () => {
    const r = await runPipeline("tag")
    expect(r.status, r.output).toBe(0)
    expect(r.output).toMatch(/PASS\s+multiarch/)
    const release = `https://dl.dagger.io/dagger/releases/${DAGGER_VERSION}`
    expect(fs.readFileSync(path.join(r.log, "curl.log"), "utf8").trim().split("\n")).toEqual([`${release}/dagger_v${DAGGER_VERSION}_linux_amd64.tar.gz`, `${release}/checksums.txt`])
    expect(r.output).toMatch(/multiarch: dagger_v0\.21\.9_linux_amd64\.tar\.gz sha256 [0-9a-f]{64} \(pin it with MULTIARCH_DAGGER_SHA256\)/)
    expect(r.calls).toEqual([expectedArgv({ ref: "refs/tags/v1.2.3", version: "1.2.3" })])
    // the password is in dagger's environment (for env://), never in its argv
    expect(readKeyValues(path.join(r.log, "dagger.argv.env"))).toEqual({ CI_REGISTRY_PASSWORD: "set" })
    expect(r.calls[0].join(" ")).not.toContain("job-token-secret")
    expect(tagsOf(r.calls[0])).toEqual(["1.2.3", "1.2", "1", `sha-${sha.slice(0, 7)}`, "latest"])
  })

  it("branch pipeline (CI_COMMIT_BRANCH=main): --git-ref=refs/heads/main, no --version; tags main, sha-…", async () => {
    const r = await runPipeline("branch")
    expect(r.status, r.output).toBe(0)
    expect(r.calls).toEqual([expectedArgv({ ref: "refs/heads/main" })])
    expect(tagsOf(r.calls[0])).toEqual(["main", `sha-${sha.slice(0, 7)}`])
  })

  it("merge request pipeline (CI_MERGE_REQUEST_IID=7): builds and checks every platform, pushes nothing (no credentials on the command line)", async () => {
    const r = await runPipeline("mr")
    expect(r.status, r.output).toBe(0)
    expect(r.calls).toEqual([checkArgv()])
  })

  it("a tarball that does not match the release's checksums.txt, or a pin it does not match, stops the job before dagger runs", async () => {
    const pinned = await runPipeline("branch", { MULTIARCH_DAGGER_SHA256: "0".repeat(64) })
    expect(pinned.status).not.toBe(0)
    expect(pinned.output).toMatch(/MULTIARCH_DAGGER_SHA256 pins 0{64}/)
    expect(pinned.calls).toEqual([])
    const log = fs.mkdtempSync(path.join(tmp, "tampered-"))
    const bin = makeStandIns(log, { release: { version: DAGGER_VERSION, tamper: true } })
    const t = loadYaml().parse(fs.readFileSync(path.join(REPO, TEMPLATE), "utf8"))[".multiarch"] as { variables: Record<string, string>; before_script: string[] }
    fs.mkdirSync(path.join(log, "installed"))
    const r = await run(["dash", "-c", ["set -e", ...t.before_script].join("\n")], {
      env: { PATH: `${bin}:/usr/bin:/bin`, STANDIN_LOG: log, ...t.variables, MULTIARCH_BIN_DIR: path.join(log, "installed") },
    })
    expect(r.status).not.toBe(0)
    expect(r.stderr).toMatch(/has sha256 [0-9a-f]{64}, the release's checksums.txt lists '[0-9a-f]{64}'/)
    expect(fs.existsSync(path.join(log, "installed/dagger"))).toBe(false)
  })

  it("a module that is neither checked out nor pinned by commit is refused before dagger runs", async () => {
    for (const m of ["github.com/acme/multiarch@v0.1.0", "github.com/acme/multiarch"]) {
      const r = await runPipeline("tag", { MULTIARCH_MODULE: m })
      expect(r.status, m).not.toBe(0)
      expect(r.output).toContain(`MULTIARCH_MODULE=${m} is neither a checked-out module`)
      expect(r.calls).toEqual([])
    }
    const ok = await runPipeline("tag", { MULTIARCH_MODULE: "github.com/acme/multiarch@0123456789abcdef0123456789abcdef01234567" })
    expect(ok.status, ok.output).toBe(0)
    expect(ok.calls[0].slice(0, 3)).toEqual(["call", "-m", "github.com/acme/multiarch@0123456789abcdef0123456789abcdef01234567"])
  })

  it("branch pipeline of a branch with an open merge request: the job does not run (the MR pipeline does)", async () => {
    const r = await runPipeline("branch-with-mr")
    expect(r.status, r.output).toBe(0)
    expect(r.calls).toEqual([])
    expect(r.output).not.toMatch(/multiarch starting/)
  })

  it("README.md's GitLab one-liner is the command the job ran", async () => {
    const job = await runPipeline("tag")
    const doc = documentedCommand(fs.readFileSync(path.join(REPO, "README.md"), "utf8"), "gitlab-one-liner")
    const log = fs.mkdtempSync(path.join(tmp, "readme-"))
    const bin = makeStandIns(log)
    const template = loadYaml().parse(fs.readFileSync(path.join(REPO, TEMPLATE), "utf8"))[".multiarch"] as { variables: Record<string, string> }
    const r = await run(["bash", "-c", doc], {
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        STANDIN_LOG: log,
        ...pipelineVars("tag").set,
        ...template.variables,
        MULTIARCH_PLATFORMS: PLATFORMS,
        MULTIARCH_IMAGE: REGISTRY_IMAGE,
        MULTIARCH_GIT_REF: "refs/tags/v1.2.3",
      },
    })
    expect(r.status, r.stderr).toBe(0)
    expect(recordedDaggerCalls(log)).toEqual(job.calls)
  })
})

describe.skipIf(!available)("GitLab template: the script under dash (POSIX sh, like the docker image's busybox ash)", () => {
  async function runWithDash(kind: Parameters<typeof pipelineVars>[0] | "none") {
    const t = loadYaml().parse(fs.readFileSync(path.join(REPO, TEMPLATE), "utf8"))[".multiarch"] as { variables: Record<string, string>; before_script: string[]; script: string[] }
    const log = fs.mkdtempSync(path.join(tmp, `dash-${kind}-`))
    const bin = makeStandIns(log, { release: { version: DAGGER_VERSION }, secretVars: ["CI_REGISTRY_PASSWORD"] })
    const installed = path.join(log, "installed")
    fs.mkdirSync(installed)
    const vars = kind === "none" ? { ...pipelineVars("branch").set, CI_COMMIT_BRANCH: "" } : pipelineVars(kind).set
    // GitLab expands variables that reference others ($CI_REGISTRY_IMAGE) before the job starts
    const jobVars = Object.fromEntries(Object.entries(t.variables).map(([k, v]) => [k, v.replace(/\$(\w+)/g, (_m, n: string) => (vars as Record<string, string>)[n] ?? "")]))
    const script = ["set -e", ...t.before_script, ...t.script].join("\n")
    const r = await run(["dash", "-c", script], { cwd: previewProject, env: { PATH: `${installed}:${bin}:/usr/bin:/bin`, STANDIN_LOG: log, ...jobVars, MULTIARCH_BIN_DIR: installed, ...vars } })
    return { ...r, calls: recordedDaggerCalls(log) }
  }

  it("tag pipeline: the same argv as under gitlab-ci-local (bash), with the template's own platforms", async () => {
    const r = await runWithDash("tag")
    expect(r.status, r.stderr).toBe(0)
    const want = expectedArgv({ ref: "refs/tags/v1.2.3", version: "1.2.3" }).map((a) => (a === `--platforms=${PLATFORMS}` ? "--platforms=linux/amd64,linux/arm64" : a))
    expect(r.calls).toEqual([want])
  })

  it("shellcheck (POSIX sh) finds nothing in before_script + script", async () => {
    const t = loadYaml().parse(fs.readFileSync(path.join(REPO, TEMPLATE), "utf8"))[".multiarch"] as { before_script: string[]; script: string[] }
    const r = await run(["shellcheck", "--shell=sh", "--format=gcc", "-"], { input: `#!/bin/sh\n${[...t.before_script, ...t.script].join("\n")}\n` })
    expect(r.stdout + r.stderr).toBe("")
    expect(r.status).toBe(0)
  })

  it("merge request pipeline: build … sync with the template's own platforms", async () => {
    const r = await runWithDash("mr")
    expect(r.status, r.stderr).toBe(0)
    expect(r.calls).toEqual([checkArgv("linux/amd64,linux/arm64")])
  })

  it("no tag, branch or merge request: fails before calling dagger, saying why", async () => {
    const r = await runWithDash("none")
    expect(r.status).toBe(1)
    expect(r.stderr).toContain("multiarch: this pipeline has no tag, branch or merge request")
    expect(r.calls).toEqual([])
  })
})
