/**
 * Tag grammar against docker/metadata-action, for the configuration README.md claims
 * (OUR_CONFIGURATION). Data and where it comes from: metadata-action.cases.ts.
 *
 * Two paths compute tags here, both checked:
 *  - ciContext(env, {}, event) → computeTags: what ci/pipeline.ts does with the CI environment and
 *    the event payload GITHUB_EVENT_PATH names (readGitHubEvent);
 *  - publishTargets(address, [], { gitRef, gitSha }): what `publish --git-ref --git-sha` does with
 *    the values the templates and README's one-liners pass (GitHub: the GIT_REF expression of
 *    ci/github/example-job.yml — $GITHUB_REF, or refs/pull/<n>/merge on pull_request_target;
 *    GitLab: the ref the template builds).
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { readGitHubEvent } from "../../ci/pipeline.js"
import { publishTargets } from "../../modules/core/publish.js"
import { ciContext, type CiContext } from "../../modules/core/ci-context.js"
import { parseSemver } from "../../modules/core/semver.js"
import { computeTags } from "../../modules/core/tags.js"
import {
  FIXTURE_VERDICTS,
  FIXTURES,
  GITLAB_CASES,
  KEEP_CLI_SCHEDULE,
  META_TEST_CASES,
  META_TEST_VERDICTS,
  OUR_CONFIG_EXPECTED,
  type GitHubFixture,
  type MetaTestCase,
} from "./metadata-action.cases.js"
import { cite, exceptionLabel, type Verdict } from "./sources.js"
import { interpolate } from "../ci/expressions.js"

const ROOT = join(import.meta.dirname, "../..")
const scratch = mkdtempSync(join(tmpdir(), "multiarch-ref-ma-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** The environment a GitHub job sees for a fixture: its variables, and the event payload in the file GITHUB_EVENT_PATH names (as on a runner). */
function githubEnv(name: string, f: GitHubFixture): Record<string, string> {
  const env = { ...f.env }
  if (f.payload !== undefined) {
    const path = join(scratch, `${name}.json`)
    writeFileSync(path, JSON.stringify(f.payload))
    env.GITHUB_EVENT_PATH = path
  }
  return env
}
const tagsFromEnv = (env: Record<string, string>) => computeTags(ciContext(env, {}, readGitHubEvent(env)))

/** The --git-ref ci/github/example-job.yml passes for a fixture: its GIT_REF expression, evaluated with the fixture's github context. */
const GIT_REF_EXPR = /^ +GIT_REF: (\$\{\{.*\}\})$/m.exec(readFileSync(join(ROOT, "ci/github/example-job.yml"), "utf8"))?.[1]
const templateGitRef = (f: GitHubFixture) =>
  interpolate(GIT_REF_EXPR ?? "(ci/github/example-job.yml has no GIT_REF: in a step env)", { github: { ref: f.env.GITHUB_REF, event_name: f.env.GITHUB_EVENT_NAME, event: f.payload ?? {} } })
const tagOf = (ref: string) => ref.slice(ref.lastIndexOf(":") + 1)
const cliTags = (gitRef: string, gitSha: string | undefined) =>
  publishTargets("ghcr.io/owner/app", [], { gitRef, ...(gitSha ? { gitSha } : {}) }).refs.map(tagOf)

function run(title: string, v: Verdict | undefined, expected: string[], ours: string[] | undefined, actual: () => string[]) {
  if (!v) it(title, () => expect(actual()).toEqual(expected))
  else if (v.kind === "fixed") it(`FIXED ${title}: ${v.fn}`, () => expect(actual()).toEqual(expected))
  else
    it(`${exceptionLabel(v)} ${title}, ours ${JSON.stringify(ours)}: ${v.why}`, () => {
      expect(ours).toBeDefined()
      expect(ours).not.toEqual(expected)
      expect(actual()).toEqual(ours)
    })
}

describe("metadata-action fixtures × our configuration (OUR_CONFIGURATION, latest=auto)", () => {
  describe("ciContext(env) → computeTags", () => {
    for (const [name, f] of Object.entries(FIXTURES)) {
      const expected = OUR_CONFIG_EXPECTED[name]
      const v = FIXTURE_VERDICTS[name]
      run(`${name} → ${JSON.stringify(expected)} (${cite(f.source)})`, v?.verdict, expected, v?.ours, () => tagsFromEnv(githubEnv(name, f)))
    }
  })

  describe("publish --git-ref=$GIT_REF (ci/github/example-job.yml) --git-sha=$GITHUB_SHA → publishTargets", () => {
    for (const [name, f] of Object.entries(FIXTURES)) {
      // no ref: outside a workflow (publish without tags pushes :latest, like docker push)
      if (!f.env.GITHUB_REF) continue
      const expected = OUR_CONFIG_EXPECTED[name]
      let v = FIXTURE_VERDICTS[name]
      if (f.env.GITHUB_EVENT_NAME === "schedule") v = { verdict: KEEP_CLI_SCHEDULE, ours: expected.filter((t) => t !== "nightly") }
      run(`${name} → ${JSON.stringify(expected)} (${cite(f.source)})`, v?.verdict, expected, v?.ours, () => cliTags(templateGitRef(f), f.env.GITHUB_SHA))
    }
  })
})

/**
 * Our tags projected on a meta.test.ts case's rules: each tag we give is labelled with the rule of
 * OUR_CONFIGURATION that makes it, and kept when the case configures that rule. A pre-release
 * version is kept for any semver rule (metadata-action gives {{version}} for every semver pattern
 * of a pre-release); latest is kept unless the case says latest=false.
 */
const DEFAULT_RULES = ["type=schedule", "type=ref,event=branch", "type=ref,event=tag", "type=ref,event=pr"]
function project(ctx: CiContext, tags: string[], c: MetaTestCase): string[] {
  const rules = new Set((c.tags ?? DEFAULT_RULES).filter((r) => r !== "type=sha,format=long"))
  const v = ctx.kind === "tag" && ctx.tag ? parseSemver(ctx.tag) : undefined
  const label = (t: string): string => {
    if (t === "latest") return "latest"
    if (t === "nightly" && ctx.scheduled) return "type=schedule"
    if (/^sha-[0-9a-f]{7}$/.test(t)) return "type=sha"
    if (ctx.kind === "pr") return "type=ref,event=pr"
    if (ctx.kind === "branch") return "type=ref,event=branch"
    if (!v) return "type=ref,event=tag"
    if (v.prerelease.length) return "semver:any"
    if (t === v.version) return "type=semver,pattern={{version}}"
    if (t === `${v.major}.${v.minor}`) return "type=semver,pattern={{major}}.{{minor}}"
    if (t === String(v.major)) return "type=semver,pattern={{major}}"
    throw new Error(`cannot label tag ${t}`)
  }
  return tags.filter((t) => {
    const l = label(t)
    if (l === "latest") return !c.flavor.includes("latest=false")
    if (l === "semver:any") return [...rules].some((r) => r.startsWith("type=semver,"))
    return rules.has(l)
  })
}

describe("metadata-action __tests__/meta.test.ts cases whose rules are ours (our tags projected on their rules)", () => {
  for (const c of META_TEST_CASES) {
    const v = META_TEST_VERDICTS[c.name]
    const f = FIXTURES[c.fixture]
    run(
      `${c.name} [${(c.tags ?? ["(default rules)"]).join("; ")}${c.flavor.length ? ` | ${c.flavor.join(",")}` : ""}] on ${c.fixture} → ${JSON.stringify(c.expected)} (${cite(c.source)})`,
      v?.verdict,
      c.expected,
      v?.ours,
      () => {
        const env = githubEnv(`${c.name}-${c.fixture}`, f)
        const ctx = ciContext(env, {}, readGitHubEvent(env))
        return project(ctx, computeTags(ctx), c)
      },
    )
  }
})

/** The GitLab template's script that turns the pipeline variables into --git-ref, run with sh. */
function gitlabTemplateGitRef(env: Record<string, string>): string {
  const yml = readFileSync(join(ROOT, "ci/gitlab/multiarch.gitlab-ci.yml"), "utf8")
  const blocks = [...yml.slice(yml.indexOf("script:")).matchAll(/^ {4}- \|\n((?: {6}.*\n)+)/gm)].map((b) => b[1].replace(/^ {6}/gm, ""))
  const snippet = blocks.find((b) => /^\s*if .*MULTIARCH_GIT_REF=/m.test(b))
  if (!snippet) throw new Error("ci/gitlab/multiarch.gitlab-ci.yml: the `- |` block that sets MULTIARCH_GIT_REF is gone")
  return execFileSync("sh", ["-c", `${snippet}\nprintf %s "$MULTIARCH_GIT_REF"`], { env: { PATH: process.env.PATH ?? "", ...env } }).toString()
}

describe("GitLab pipelines: same grammar (metadata-action is GitHub-only; our rule from README)", () => {
  for (const c of GITLAB_CASES) {
    it(`ciContext: ${c.name} → ${JSON.stringify(c.expected)} (${cite(c.source)})`, () => expect(tagsFromEnv(c.env)).toEqual(c.expected))
    if (c.env.CI_PIPELINE_SOURCE === "schedule") continue // the CLI path has no nightly (KEEP_CLI_SCHEDULE)
    it(`publish with the template's --git-ref: ${c.name} → ${JSON.stringify(c.expected)}`, () =>
      expect(cliTags(gitlabTemplateGitRef(c.env), c.env.CI_COMMIT_SHA)).toEqual(c.expected))
  }
})
