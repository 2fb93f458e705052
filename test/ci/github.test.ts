/**
 * What the GitHub templates make `dagger` run, for a tag, a branch and a pull request, without
 * GitHub: each dagger/dagger-for-github step's `env` and `with` are evaluated with a small
 * evaluator of the GitHub expressions the templates use, and its command is run the way the action
 * (v8.4.1) runs it — `args` with newlines folded to spaces, pasted after
 * `dagger --progress plain call -m <module>` into a bash script (`bash --noprofile --norc -eo
 * pipefail`) — with a stand-in `dagger` first on PATH that records its argv. Then the recorded
 * flags go through the module's own tag grammar (publishTargets) to show the tags the image gets.
 *
 * Limits: the evaluator (expressions.ts) knows only the expression forms used here (property
 * access, '…', ||, &&, ==, !=, !, format()), and if a later action release changes how it passes
 * `args`, this test won't notice (its pin is checked in workflows.test.ts).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { publishTargets } from "../../modules/core/publish.js"
import { evalExpression, interpolate, type Ctx } from "./expressions.js"
import { ciToolsAvailable, documentedCommand, loadYaml, makeStandIns, readKeyValues, recordedDaggerCalls, REPO, run } from "./tools.js"

const available = ciToolsAvailable(["yaml", "bash"])

// ---------------------------------------------------------------------------------------------
// a GitHub event and the runner

const SHA = "0123456789abcdef0123456789abcdef01234567"
/** pr-target: a pull_request_target run for pull request `name`, which GitHub runs on the base branch (main). */
type Event = { kind: "tag" | "branch" | "pr" | "pr-target"; name: string }

function githubContext(ev: Event) {
  const ref = ev.kind === "tag" ? `refs/tags/${ev.name}` : ev.kind === "branch" ? `refs/heads/${ev.name}` : ev.kind === "pr" ? `refs/pull/${ev.name}/merge` : "refs/heads/main"
  const pr = ev.kind === "pr" || ev.kind === "pr-target"
  return {
    repository: "Owner/App", // upper case on purpose: ghcr.io needs it lower-cased
    ref,
    ref_name: ev.kind === "pr" ? `${ev.name}/merge` : ev.kind === "pr-target" ? "main" : ev.name,
    ref_type: ev.kind === "tag" ? "tag" : "branch",
    sha: SHA,
    actor: "Octo-Cat",
    token: "ghs_runtoken",
    server_url: "https://github.com",
    event_name: ev.kind === "pr" ? "pull_request" : ev.kind === "pr-target" ? "pull_request_target" : "push",
    event: { repository: { default_branch: "main" }, ...(pr ? { number: Number(ev.name), pull_request: { number: Number(ev.name) } } : {}) },
  }
}

function runnerEnv(g: ReturnType<typeof githubContext>): Record<string, string> {
  return {
    GITHUB_ACTIONS: "true",
    GITHUB_REF: g.ref,
    GITHUB_REF_NAME: g.ref_name,
    GITHUB_REF_TYPE: g.ref_type,
    GITHUB_SHA: g.sha,
    GITHUB_REPOSITORY: g.repository,
    GITHUB_SERVER_URL: g.server_url,
    GITHUB_ACTOR: g.actor,
    GITHUB_EVENT_NAME: g.event_name,
  }
}

interface Step {
  uses?: string
  env?: Record<string, string>
  with?: Record<string, string>
}
interface Wf {
  env?: Record<string, string>
  on: { workflow_call?: { inputs: Record<string, { default?: string }> } }
  jobs: Record<string, { env?: Record<string, string>; steps: Step[]; strategy?: { matrix: { include: Array<Record<string, string>> } } }>
}

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "multiarch-gh-"))
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }))

interface StepRun {
  argv: string[]
  /** secret env vars the stand-in dagger saw: NAME -> "set" | "" */
  secrets: Record<string, string>
  stderr: string
}

/** Evaluate and run one dagger-for-github step of a workflow file. */
async function runDaggerStep(
  file: string,
  job: string,
  ev: Event,
  o: { inputs?: Record<string, string>; secrets?: Record<string, string>; matrix?: Record<string, string>; stepIndex?: number; vars?: Record<string, string> } = {},
): Promise<StepRun> {
  const wf = loadYaml().parse(fs.readFileSync(path.join(REPO, file), "utf8")) as Wf
  const github = githubContext(ev)
  const inputs: Record<string, string> = {}
  for (const [k, v] of Object.entries(wf.on.workflow_call?.inputs ?? {})) inputs[k] = v.default ?? ""
  Object.assign(inputs, o.inputs)
  const secrets = { GITHUB_TOKEN: github.token, ...o.secrets }
  const ctx: Ctx = { github, inputs, secrets, matrix: o.matrix ?? {}, vars: o.vars ?? {}, env: {} as Record<string, string> }
  const env: Record<string, string> = { ...runnerEnv(github) }
  for (const scope of [wf.env, wf.jobs[job].env])
    for (const [k, v] of Object.entries(scope ?? {})) {
      env[k] = interpolate(v, ctx)
      ;(ctx.env as Record<string, string>)[k] = env[k]
    }
  const steps = wf.jobs[job].steps.filter((s) => s.uses?.startsWith("dagger/dagger-for-github@"))
  const step = steps[o.stepIndex ?? 0]
  const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(v, ctx)]))
  const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(v, ctx)]))
  const flags = w["dagger-flags"] ?? "--progress plain"
  const args = w.args.replace(/\\\n/g, " ").replace(/\n/g, " ")
  const script = `dagger ${flags} ${w.verb ?? "call"} \${INPUT_MODULE:+-m $INPUT_MODULE} ${args}\n`

  const dir = fs.mkdtempSync(path.join(tmpRoot, "step-"))
  const pwVars = Object.keys(stepEnv).filter((k) => /PASSWORD/.test(k))
  const bin = makeStandIns(dir, { secretVars: pwVars })
  const r = await run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: process.env.HOME, STANDIN_LOG: dir, INPUT_MODULE: w.module ?? "", ...env, ...stepEnv },
    cwd: dir,
  })
  if (r.status !== 0) throw new Error(`step failed (${r.status}): ${r.stderr}`)
  const calls = recordedDaggerCalls(dir)
  expect(calls).toHaveLength(1)
  return { argv: calls[0], secrets: readKeyValues(path.join(dir, "dagger.argv.env")), stderr: r.stderr }
}

/** Run a shell command with the runner's environment for an event and a stand-in dagger. */
async function runCommand(command: string, ev: Event, extraEnv: Record<string, string>): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(tmpRoot, "cmd-"))
  const bin = makeStandIns(dir)
  const r = await run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command], {
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: process.env.HOME, STANDIN_LOG: dir, ...runnerEnv(githubContext(ev)), ...extraEnv },
    cwd: dir,
  })
  if (r.status !== 0) throw new Error(r.stderr)
  return recordedDaggerCalls(dir)[0]
}

/** The flags of a `publish` (or `merge`) in a recorded argv, by name. */
function flagsAfter(argv: string[], fn: string): Record<string, string> {
  const at = argv.indexOf(fn)
  const out: Record<string, string> = {}
  for (const a of argv.slice(at + 1)) {
    const m = /^--([\w-]+)=(.*)$/s.exec(a)
    if (m) out[m[1]] = m[2]
  }
  return out
}

const tagsOf = (flags: Record<string, string>) => publishTargets(flags.address, [], { gitRef: flags["git-ref"], gitSha: flags["git-sha"] }).refs

/** The templates' default module: this repository as a .multiarch git submodule. */
const MODULE = ".multiarch"
const PINNED = "github.com/acme/multiarch@0123456789abcdef0123456789abcdef01234567"

describe.skipIf(!available)("GitHub: the argv the templates give dagger", () => {
  it("the expression evaluator handles the forms the templates use", () => {
    const ctx = { inputs: { image: "", "registry-username": "u" }, github: { repository: "O/R", ref_type: "tag", ref_name: "v1" } }
    expect(evalExpression("inputs.image || format('ghcr.io/{0}', github.repository)", ctx)).toBe("ghcr.io/O/R")
    expect(evalExpression("github.ref_type == 'tag' && github.ref_name || ''", ctx)).toBe("v1")
    expect(evalExpression("github.ref_type == 'TAG' && github.ref_name || ''", { github: { ref_type: "branch" } })).toBe("")
    expect(evalExpression("inputs.registry-username || github.actor", ctx)).toBe("u")
    expect(evalExpression("vars.MULTIARCH_MODULE || '.multiarch'", { vars: {} })).toBe(".multiarch")
    expect(evalExpression("!inputs.push || github.event_name == 'pull_request'", { inputs: { push: true }, github: { event_name: "push" } })).toBe(false)
    expect(() => evalExpression("toJSON(github)", ctx)).toThrow(/unknown function/)
  })

  it("example-job.yml, tag v1.2.3: the documented one-liner with GitHub's context; tags 1.2.3, 1.2, 1, sha-0123456, latest", async () => {
    const r = await runDaggerStep("ci/github/example-job.yml", "image", { kind: "tag", name: "v1.2.3" })
    expect(r.argv).toEqual([
      "--progress", "plain", "call", "-m", MODULE,
      "build", "--source=.", "--platforms=linux/amd64,linux/arm64", "--source-url=https://github.com/Owner/App", `--commit=${SHA}`,
      "publish", "--address=ghcr.io/owner/app", "--git-ref=refs/tags/v1.2.3", `--git-sha=${SHA}`,
      "--username=Octo-Cat", "--password=env://REGISTRY_PASSWORD",
    ])
    expect(r.secrets).toEqual({ REGISTRY_PASSWORD: "set" })
    expect(tagsOf(flagsAfter(r.argv, "publish"))).toEqual(["1.2.3", "1.2", "1", "sha-0123456", "latest"].map((t) => `ghcr.io/owner/app:${t}`))
    // the repository variable MULTIARCH_MODULE, when set, is the module
    const pinned = await runDaggerStep("ci/github/example-job.yml", "image", { kind: "tag", name: "v1.2.3" }, { vars: { MULTIARCH_MODULE: PINNED } })
    expect(pinned.argv.slice(0, 5)).toEqual(["--progress", "plain", "call", "-m", PINNED])
  })

  it("example-job.yml, branch: refs/heads/… → the branch tag; pull request: the check job builds and checks, with no credentials, and pushes nothing", async () => {
    const b = flagsAfter((await runDaggerStep("ci/github/example-job.yml", "image", { kind: "branch", name: "feature/Login" })).argv, "publish")
    expect(b["git-ref"]).toBe("refs/heads/feature/Login")
    expect(tagsOf(b)).toEqual(["ghcr.io/owner/app:feature-Login", "ghcr.io/owner/app:sha-0123456"])
    const pr = await runDaggerStep("ci/github/example-job.yml", "check", { kind: "pr", name: "42" })
    expect(pr.argv).toEqual(["--progress", "plain", "call", "-m", MODULE, "build", "--source=.", "--platforms=linux/amd64,linux/arm64", "sync"])
    expect(pr.secrets).toEqual({})
  })

  it("pull_request_target (GITHUB_REF = the base branch): every publishing step passes refs/pull/<n>/merge, so the tags are pr-<n>, never main (issue 14)", async () => {
    // example-job.yml and native-runners.yml publish on push only; their step, pasted into a
    // pull_request_target workflow, must still not tag the base branch. multiarch.yml publishes
    // on any event but pull_request when the caller asks it to (inputs.push).
    const ev: Event = { kind: "pr-target", name: "15" }
    for (const [file, job, fn, stepIndex] of [
      ["ci/github/example-job.yml", "image", "publish", 0],
      ["ci/github/multiarch.yml", "multiarch", "publish", 1],
      ["ci/github/native-runners.yml", "merge", "merge", 0],
    ] as const) {
      const flags = flagsAfter((await runDaggerStep(file, job, ev, { stepIndex })).argv, fn)
      expect(flags["git-ref"], file).toBe("refs/pull/15/merge")
      expect(tagsOf({ ...flags, address: "ghcr.io/owner/app" }), file).toEqual(["ghcr.io/owner/app:pr-15", "ghcr.io/owner/app:sha-0123456"])
    }
  })

  it("README.md's GitHub one-liner gives the same argv as example-job.yml (with the step's env README names)", async () => {
    const text = fs.readFileSync(path.join(REPO, "README.md"), "utf8")
    const readme = documentedCommand(text, "github-one-liner")
    // the GIT_REF expression README tells users to put in the step's env
    const gitRefExpr = /`GIT_REF: (\$\{\{[^`]*\}\})`/.exec(text)?.[1]
    expect(gitRefExpr).toBeDefined()
    for (const ev of [{ kind: "tag", name: "v1.2.3" }, { kind: "branch", name: "main" }, { kind: "pr-target", name: "15" }] as Event[]) {
      const job = await runDaggerStep("ci/github/example-job.yml", "image", ev)
      const doc = await runCommand(readme, ev, { MULTIARCH_MODULE: MODULE, REGISTRY_PASSWORD: "x", GIT_REF: interpolate(gitRefExpr!, { github: githubContext(ev) }) })
      expect(["--progress", "plain", ...doc]).toEqual(job.argv)
    }
  })

  it("reusable multiarch.yml with its defaults: --version only on tags (without the v), GITHUB_TOKEN as password", async () => {
    const tag = await runDaggerStep("ci/github/multiarch.yml", "multiarch", { kind: "tag", name: "v2.0.1" }, { stepIndex: 1 })
    expect(tag.argv).toEqual([
      "--progress", "plain", "call", "-m", MODULE,
      "build", "--source=.", "--platforms=linux/amd64,linux/arm64", "--source-url=https://github.com/Owner/App", `--commit=${SHA}`, "--version=2.0.1",
      "publish", "--address=ghcr.io/owner/app", "--git-ref=refs/tags/v2.0.1", `--git-sha=${SHA}`,
      "--username=Octo-Cat", "--password=env://MULTIARCH_PASSWORD",
    ])
    expect(tag.secrets).toEqual({ MULTIARCH_PASSWORD: "set" })
    const check = await runDaggerStep("ci/github/multiarch.yml", "multiarch", { kind: "pr", name: "9" }, { stepIndex: 0, inputs: { platforms: "linux/amd64,linux/riscv64", "dagger-flags": "--progress plain --cloud" } })
    expect(check.argv).toEqual(["--progress", "plain", "--cloud", "call", "-m", MODULE, "build", "--source=.", "--platforms=linux/amd64,linux/riscv64", "sync"])
    const branch = await runDaggerStep("ci/github/multiarch.yml", "multiarch", { kind: "branch", name: "main" }, { stepIndex: 1 })
    expect(branch.argv.some((a) => a.startsWith("--version"))).toBe(false)
    expect(tagsOf(flagsAfter(branch.argv, "publish"))).toEqual(["ghcr.io/owner/app:main", "ghcr.io/owner/app:sha-0123456"])
  })

  it("reusable multiarch.yml with inputs: image lower-cased, platforms/source/module/username passed through", async () => {
    const r = await runDaggerStep("ci/github/multiarch.yml", "multiarch", { kind: "branch", name: "main" }, {
      stepIndex: 1,
      inputs: {
        image: "ghcr.io/MyOrg/Server",
        platforms: "linux/amd64,linux/arm64,linux/arm/v7",
        source: "./server",
        module: PINNED,
        "registry-username": "bot",
      },
      secrets: { "registry-password": "pat" },
    })
    expect(r.argv.slice(0, 8)).toEqual(["--progress", "plain", "call", "-m", PINNED, "build", "--source=./server", "--platforms=linux/amd64,linux/arm64,linux/arm/v7"])
    expect(flagsAfter(r.argv, "publish")).toMatchObject({ address: "ghcr.io/myorg/server", username: "bot", password: "env://MULTIARCH_PASSWORD" })
  })

  it("native-runners.yml: each build job pushes build-<sha>-<arch> for its one platform; merge assembles them under the ref's tags", async () => {
    const arm = await runDaggerStep("ci/github/native-runners.yml", "build", { kind: "tag", name: "v1.0.0" }, {
      matrix: { platform: "linux/arm64", arch: "arm64", runner: "ubuntu-24.04-arm" },
      stepIndex: 1,
    })
    const prArm = await runDaggerStep("ci/github/native-runners.yml", "build", { kind: "pr", name: "3" }, { matrix: { platform: "linux/arm64", arch: "arm64", runner: "ubuntu-24.04-arm" }, stepIndex: 0 })
    expect(prArm.argv).toEqual(["--progress", "plain", "call", "-m", MODULE, "build", "--source=.", "--platforms=linux/arm64", "sync"])
    expect(prArm.secrets).toEqual({})
    expect(arm.argv).toEqual([
      "--progress", "plain", "call", "-m", MODULE,
      "build", "--source=.", "--platforms=linux/arm64", "--source-url=https://github.com/Owner/App", `--commit=${SHA}`,
      "publish", `--address=ghcr.io/owner/app:build-${SHA}-arm64`, "--username=Octo-Cat", "--password=env://REGISTRY_PASSWORD",
    ])
    expect(tagsOf(flagsAfter(arm.argv, "publish"))).toEqual([`ghcr.io/owner/app:build-${SHA}-arm64`])
    const merge = await runDaggerStep("ci/github/native-runners.yml", "merge", { kind: "tag", name: "v1.0.0" })
    expect(merge.argv).toEqual([
      "--progress", "plain", "call", "-m", MODULE,
      "merge", `--sources=ghcr.io/owner/app:build-${SHA}-amd64,ghcr.io/owner/app:build-${SHA}-arm64`, "--address=ghcr.io/owner/app",
      "--git-ref=refs/tags/v1.0.0", `--git-sha=${SHA}`, "--username=Octo-Cat", "--password=env://REGISTRY_PASSWORD",
    ])
    expect(merge.secrets).toEqual({ REGISTRY_PASSWORD: "set" })
  })
})
