/**
 * Every `dagger call` the CI files and README.md show must exist in the module's API: each
 * function of the chain on the object the previous one returned, each --flag an argument of that
 * function (CLI spelling: kebab-case), the way `dagger call` parses it. The API is read with the
 * SDK's own introspector (test/engine/introspect.ts). So renaming a function or an argument, or a
 * template using a flag the module does not have yet, fails here instead of in a user's pipeline.
 *
 * The commands are taken from the files and expanded by bash with a stand-in `dagger` that records
 * its argv, so the check sees the words dagger would see.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { apiSurface, returnedObjectName, scanModule, type ApiSurface } from "../engine/introspect.js"
import { ciToolsAvailable, documentedCommand, loadYaml, makeStandIns, recordedDaggerCalls, REPO, run } from "./tools.js"

const available = ciToolsAvailable(["yaml", "bash", "git"])

const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()

/** Problems of one `dagger … call [-m M] fn --flag … fn2 …` argv against the module's API. */
function chainProblems(argv: string[], api: ApiSurface): string[] {
  const at = argv.indexOf("call")
  if (at < 0) return [`not a dagger call: ${argv.join(" ")}`]
  let words = argv.slice(at + 1)
  if (words[0] === "-m" || words[0] === "--mod") words = words.slice(2)
  const problems: string[] = []
  let obj: string | undefined = api.mainObject
  let fn: { name: string; args: Set<string> } | undefined
  for (const w of words) {
    if (!obj) break // a core object (File, Container): the engine's own API from here on
    if (w.startsWith("--")) {
      const flag = w.slice(2).split("=")[0]
      if (!fn) problems.push(`--${flag} before any function`)
      else if (!fn.args.has(flag)) problems.push(`${obj}.${fn.name} has no --${flag} (it has: ${[...fn.args].map((a) => `--${a}`).join(" ")})`)
      continue
    }
    if (fn) {
      // next function, on what the previous one returned
      const o = api.objects[obj]
      const prev = Object.values(o.functions).find((f) => kebab(f.name) === fn!.name)!
      const ret = returnedObjectName(prev.returnType)
      obj = ret && !ret.list && api.objects[ret.name] ? ret.name : undefined
      if (!obj) break
    }
    const f = Object.values(api.objects[obj].functions).find((x) => kebab(x.name) === w)
    if (!f) {
      problems.push(`${obj} has no function ${w} (it has: ${Object.values(api.objects[obj].functions).map((x) => kebab(x.name)).join(", ")})`)
      break
    }
    fn = { name: w, args: new Set(f.args.map((a) => kebab(a.name))) }
  }
  return problems
}

let api: ApiSurface
let tmp: string
let gitRepo: string

beforeAll(async () => {
  if (!available) return
  api = apiSurface(await scanModule())
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "multiarch-contract-"))
  gitRepo = path.join(tmp, "repo")
  fs.mkdirSync(gitRepo)
  const git = (...a: string[]) => execFileSync("git", a, { cwd: gitRepo, stdio: "pipe" })
  git("init", "-q", "-b", "main")
  git("-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-q", "--allow-empty", "-m", "init")
})
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

/** Every value a template's command expands gets a non-empty stand-in (so optional flags show). */
const DUMMY_ENV: Record<string, string> = {
  GITHUB_REF: "refs/tags/v1.2.3",
  GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
  GITHUB_REPOSITORY: "owner/app",
  GITHUB_SERVER_URL: "https://github.com",
  GITHUB_ACTOR: "octo",
  CI_COMMIT_TAG: "v1.2.3",
  CI_COMMIT_SHA: "0123456789abcdef0123456789abcdef01234567",
  CI_PROJECT_URL: "https://gitlab.example.com/group/app",
  CI_DEFAULT_BRANCH: "main",
  CI_REGISTRY_USER: "u",
  MULTIARCH_GIT_REF: "refs/tags/v1.2.3",
  MULTIARCH_VERSION: "v1.2.3",
  INPUT_MODULE: "github.com/owner/multiarch@v0.1.0",
}

async function argvOf(command: string, env: Record<string, string> = {}): Promise<string[][]> {
  const dir = fs.mkdtempSync(path.join(tmp, "cmd-"))
  const bin = makeStandIns(dir)
  const r = await run(["bash", "-c", command], { cwd: gitRepo, env: { PATH: `${bin}:${process.env.PATH}`, HOME: tmp, STANDIN_LOG: dir, ...DUMMY_ENV, ...env } })
  if (r.status !== 0) throw new Error(`${command}\n${r.stderr}`)
  return recordedDaggerCalls(dir)
}

interface Step {
  uses?: string
  run?: string
  env?: Record<string, string>
  with?: Record<string, string>
}

/** [where, shell command] of every dagger call in the CI files and the README. */
function commands(): Array<[string, string, Record<string, string>]> {
  const out: Array<[string, string, Record<string, string>]> = []
  const Y = loadYaml()
  for (const d of ["ci/github", ".github/workflows"])
    for (const f of fs.readdirSync(path.join(REPO, d)).filter((x) => x.endsWith(".yml"))) {
      const wf = Y.parse(fs.readFileSync(path.join(REPO, d, f), "utf8")) as { env?: Record<string, string>; jobs: Record<string, { steps: Step[] }> }
      for (const [job, j] of Object.entries(wf.jobs))
        for (const s of j.steps ?? []) {
          const env: Record<string, string> = { PLATFORMS: "linux/amd64", ...Object.fromEntries(Object.keys(s.env ?? {}).map((k) => [k, "x"])) }
          if (s.uses?.startsWith("dagger/dagger-for-github@") && s.with?.args)
            out.push([`${d}/${f} ${job}`, `dagger --progress plain call -m "$INPUT_MODULE" ${s.with.args.replace(/\n/g, " ")}`, { ...env, MULTIARCH_IMAGE: "ghcr.io/o/a", IMAGE: "ghcr.io/o/a" }])
          for (const line of (s.run ?? "").split("\n"))
            if (/^\s*dagger .*\bcall\b/.test(line)) out.push([`${d}/${f} ${job}`, line.replace(/>\s*\S+\s*$/, ""), env])
        }
    }
  const gl = Y.parse(fs.readFileSync(path.join(REPO, "ci/gitlab/multiarch.gitlab-ci.yml"), "utf8"))[".multiarch"] as { variables: Record<string, string>; script: string[] }
  // every dagger command of the job's script entries (continuation lines joined)
  for (const line of gl.script.flatMap((e) => e.replace(/\\\n\s*/g, "").split("\n")).filter((l) => l.trimStart().startsWith("dagger ")))
    out.push(["ci/gitlab/multiarch.gitlab-ci.yml", line.trim(), { ...gl.variables, MULTIARCH_IMAGE: "registry.example.com/g/a" }])
  const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8")
  for (const name of ["github-one-liner", "gitlab-one-liner", "local-one-liner"])
    out.push([`README.md ${name}`, documentedCommand(readme, name), { DEFAULT_BRANCH: "main", MULTIARCH_MODULE: "m", MULTIARCH_SOURCE: ".", MULTIARCH_PLATFORMS: "linux/amd64", MULTIARCH_IMAGE: "r/a" }])
  return out
}

describe.skipIf(!available)("the dagger calls in ci/ and .github/ exist in the module's API", () => {
  it("the checker is live: an unknown function, a flag of another function and a flag after a core object", () => {
    expect(chainProblems(["call", "-m", "x", "build", "--source=.", "publsh", "--address=a"], api)).toEqual([
      expect.stringMatching(/^MultiarchImage has no function publsh/),
    ])
    expect(chainProblems(["call", "build", "--address=a"], api)).toEqual([expect.stringMatching(/^Multiarch\.build has no --address/)])
    expect(chainProblems(["call", "build", "--source=.", "tarball", "export", "--path=x"], api)).toEqual([])
  })

  it("collects the commands of every file", () => {
    const where = new Set(commands().map(([w]) => w.split(" ")[0]))
    expect([...where].sort()).toEqual([
      ".github/workflows/e2e.yml",
      "README.md",
      "ci/github/example-job.yml",
      "ci/github/multiarch.yml",
      "ci/github/native-runners.yml",
      "ci/gitlab/multiarch.gitlab-ci.yml",
    ])
  })

  it("each command: functions and flags the module has", async () => {
    const problems: string[] = []
    let n = 0
    for (const [where, cmd, env] of commands())
      for (const argv of await argvOf(cmd, env)) {
        n++
        for (const p of chainProblems(argv, api)) problems.push(`${where}: ${p}\n    dagger ${argv.join(" ")}`)
      }
    expect(n).toBeGreaterThanOrEqual(16)
    expect(problems).toEqual([])
  })
})
