/**
 * docker/metadata-action cases (data only).
 *
 * OUR_CONFIGURATION is the tag configuration README.md and modules/core/{ci-context,tags}.ts claim, written as
 * metadata-action inputs. Two sets of cases:
 *  - FIXTURES × OUR_CONFIGURATION: every event fixture of metadata-action's __tests__/fixtures
 *    (the GITHUB_* variables that matter, and the part of the event payload that matters), plus a
 *    merge_group run metadata-action has no fixture for. OUR_CONFIG_EXPECTED is what metadata-action
 *    itself outputs for them: its src/meta.ts (Meta.getTags) at REFS.metadataAction.commit, run on
 *    each fixture with OUR_CONFIGURATION and a context built as its src/context.ts
 *    getContextFromWorkflow does (pull_request_target: ref = refs/pull/<payload.number>/merge).
 *  - META_TEST_CASES: the cases of __tests__/meta.test.ts whose `tags` are all rules of
 *    OUR_CONFIGURATION (no undefined `tags` = metadata-action's default rules schedule, ref
 *    branch/tag/pr, all ours), with no flavor but latest=false|auto and without rule attributes we
 *    do not have; `expected` is their expected tag list with the image names removed. Two cases
 *    (push18, pr09) also have `type=sha,format=long`: that rule's one tag is dropped from
 *    `expected` (dropLongSha). Left out (91 of 114): raw/match/edge/pep440/{{…}} templates,
 *    prefix/suffix/priority/enable/value, DOCKER_METADATA_PR_HEAD_SHA (the pr-head-sha block),
 *    json/bake outputs.
 */
import type { Source, Verdict } from "./sources.js"

export const OUR_CONFIGURATION = {
  tags: [
    "type=schedule",
    "type=ref,event=branch",
    "type=ref,event=pr",
    "type=semver,pattern={{version}}",
    "type=semver,pattern={{major}}.{{minor}}",
    "type=semver,pattern={{major}}",
    "type=sha",
  ],
  flavor: ["latest=auto"],
} as const

export interface GitHubFixture {
  source: Source
  /** GITHUB_* variables of the fixture's .env (the ones tag computation can read). */
  env: Record<string, string>
  /** The event payload's fields that matter (GitHub puts it in the file GITHUB_EVENT_PATH names). */
  payload?: unknown
}

export interface MetaTestCase {
  name: string
  source: Source
  fixture: string
  /** `tags` input; undefined = metadata-action's default rules. */
  tags?: string[]
  flavor: string[]
  expected: string[]
  dropLongSha?: boolean
}

export const FIXTURES: Record<string, GitHubFixture> = {
  "event_create_branch": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_create_branch.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "create", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/heads/dev", "GITHUB_REF_NAME": "dev", "GITHUB_REF_TYPE": "branch", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "5f3331d7f7044c18ca9f12c77d961c4d7cf3276a"},
  },
  "event_create_tag": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_create_tag.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "create", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/tags/v2.1.8-beta.67", "GITHUB_REF_NAME": "v2.1.8-beta.67", "GITHUB_REF_TYPE": "tag", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_discussion_created": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_discussion_created.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "discussion", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/heads/master", "GITHUB_REF_NAME": "master", "GITHUB_REF_TYPE": "branch", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "266574110acf203503badf966df2ea24b5d732d7"},
  },
  "event_discussion_pinned": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_discussion_pinned.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "discussion", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/heads/master", "GITHUB_REF_NAME": "master", "GITHUB_REF_TYPE": "branch", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "266574110acf203503badf966df2ea24b5d732d7"},
  },
  "event_empty": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_empty.env" },
    env: {"GITHUB_ACTIONS": "", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "", "GITHUB_HEAD_REF": "", "GITHUB_REF": "", "GITHUB_REPOSITORY": "", "GITHUB_SERVER_URL": "", "GITHUB_SHA": ""},
  },
  "event_issue_opened": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_issue_opened.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "issues", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/heads/master", "GITHUB_REF_NAME": "master", "GITHUB_REF_TYPE": "branch", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "266574110acf203503badf966df2ea24b5d732d7"},
  },
  "event_null": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_null.env" },
    env: {},
  },
  "event_pull_request": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_pull_request.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "master", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_HEAD_REF": "test-pr", "GITHUB_REF": "refs/pull/15/merge", "GITHUB_REF_NAME": "15/merge", "GITHUB_REF_TYPE": "branch", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "a9c8c5828b91be19d9728548b24759e352367ef1"},
    payload: {"number": 15, "pull_request": {"number": 15, "head": {"ref": "test-pr", "sha": "3370e228f2209994d57af4427fe64e71bb79ac96"}, "base": {"ref": "master"}}}, // subset of __tests__/fixtures/event_pull_request.json
  },
  "event_pull_request_target": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_pull_request_target.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "master", "GITHUB_EVENT_NAME": "pull_request_target", "GITHUB_HEAD_REF": "test-pr", "GITHUB_REF": "refs/heads/master", "GITHUB_REF_NAME": "master", "GITHUB_REF_TYPE": "branch", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "266574110acf203503badf966df2ea24b5d732d7"},
    payload: {"number": 15, "pull_request": {"number": 15, "head": {"ref": "test-pr", "sha": "3370e228f2209994d57af4427fe64e71bb79ac96"}, "base": {"ref": "master"}}}, // subset of __tests__/fixtures/event_pull_request_target.json
  },
  "event_push_dev": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_push_dev.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "push", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/heads/dev", "GITHUB_REF_NAME": "dev", "GITHUB_REF_TYPE": "branch", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_push_invalidchars": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_push_invalidchars.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "push", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/heads/my/feature#1245", "GITHUB_REF_NAME": "my/feature#1245", "GITHUB_REF_TYPE": "branch", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "983315b5e8d46e46fc4c49869e85e7ee5fb289ba"},
  },
  "event_push_master": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_push_master.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "push", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/heads/master", "GITHUB_REF_NAME": "master", "GITHUB_REF_TYPE": "branch", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "266574110acf203503badf966df2ea24b5d732d7"},
  },
  "event_release_created": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_release_created.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "release", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/tags/v1.1.1", "GITHUB_REF_NAME": "v1.1.1", "GITHUB_REF_TYPE": "tag", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_schedule": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_schedule.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "schedule", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/heads/master", "GITHUB_REF_NAME": "master", "GITHUB_REF_TYPE": "branch", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_tag_1.0dev4": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_tag_1.0dev4.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "push", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/tags/1.0dev4", "GITHUB_REF_NAME": "1.0dev4", "GITHUB_REF_TYPE": "tag", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_tag_1.1beta2": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_tag_1.1beta2.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "push", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/tags/1.1beta2", "GITHUB_REF_NAME": "1.1beta2", "GITHUB_REF_TYPE": "tag", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_tag_1.2.3rc2": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_tag_1.2.3rc2.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "push", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/tags/1.2.3rc2", "GITHUB_REF_NAME": "1.2.3rc2", "GITHUB_REF_TYPE": "tag", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_tag_1.2": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_tag_1.2.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "push", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/tags/1.2", "GITHUB_REF_NAME": "1.2", "GITHUB_REF_TYPE": "tag", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_tag_1.2post1": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_tag_1.2post1.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "push", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/tags/1.2post1", "GITHUB_REF_NAME": "1.2post1", "GITHUB_REF_TYPE": "tag", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_tag_20200110-RC2": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_tag_20200110-RC2.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "push", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/tags/20200110-RC2", "GITHUB_REF_NAME": "20200110-RC2", "GITHUB_REF_TYPE": "tag", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_tag_p1-v1.0.0": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_tag_p1-v1.0.0.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "push", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/tags/p1/v1.0.0", "GITHUB_REF_NAME": "p1/v1.0.0", "GITHUB_REF_TYPE": "tag", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_tag_release1": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_tag_release1.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "push", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/tags/release1", "GITHUB_REF_NAME": "release1", "GITHUB_REF_TYPE": "tag", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_tag_sometag": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_tag_sometag.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "push", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/tags/sometag", "GITHUB_REF_NAME": "sometag", "GITHUB_REF_TYPE": "tag", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_tag_v1.1.1": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_tag_v1.1.1.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "push", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/tags/v1.1.1", "GITHUB_REF_NAME": "v1.1.1", "GITHUB_REF_TYPE": "tag", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_tag_v1.2.3rc2": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_tag_v1.2.3rc2.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "push", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/tags/v1.2.3rc2", "GITHUB_REF_NAME": "v1.2.3rc2", "GITHUB_REF_TYPE": "tag", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_tag_v2.0.8-beta.67": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_tag_v2.0.8-beta.67.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "push", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/tags/v2.0.8-beta.67", "GITHUB_REF_NAME": "v2.0.8-beta.67", "GITHUB_REF_TYPE": "tag", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_workflow_dispatch": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_workflow_dispatch.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/heads/master", "GITHUB_REF_NAME": "master", "GITHUB_REF_TYPE": "branch", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
  "event_workflow_dispatch_dev": {
    source: { ref: "metadataAction", file: "__tests__/fixtures/event_workflow_dispatch_dev.env" },
    env: {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "", "GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_HEAD_REF": "", "GITHUB_REF": "refs/heads/dev", "GITHUB_REF_NAME": "dev", "GITHUB_REF_TYPE": "branch", "GITHUB_REPOSITORY": "docker/test-docker-action", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37"},
  },
}

/** metadata-action's Meta run with OUR_CONFIGURATION on each fixture (see README.md: how these were computed). */
export const OUR_CONFIG_EXPECTED: Record<string, string[]> = {
  "event_create_branch": ["dev", "sha-5f3331d"],
  "event_create_tag": ["2.1.8-beta.67", "sha-860c190"],
  "event_discussion_created": ["master", "sha-2665741"],
  "event_discussion_pinned": ["master", "sha-2665741"],
  "event_empty": [],
  "event_issue_opened": ["master", "sha-2665741"],
  "event_null": [],
  "event_pull_request": ["pr-15", "sha-a9c8c58"],
  "event_pull_request_target": ["pr-15", "sha-2665741"],
  "event_push_dev": ["dev", "sha-860c190"],
  "event_push_invalidchars": ["my-feature-1245", "sha-983315b"],
  "event_push_master": ["master", "sha-2665741"],
  "event_release_created": ["1.1.1", "1.1", "1", "sha-860c190", "latest"],
  "event_schedule": ["nightly", "master", "sha-860c190"],
  "event_tag_1.0dev4": ["sha-860c190"],
  "event_tag_1.1beta2": ["sha-860c190"],
  "event_tag_1.2.3rc2": ["sha-860c190"],
  "event_tag_1.2": ["sha-860c190"],
  "event_tag_1.2post1": ["sha-860c190"],
  "event_tag_20200110-RC2": ["sha-860c190"],
  "event_tag_p1-v1.0.0": ["sha-860c190"],
  "event_tag_release1": ["sha-860c190"],
  "event_tag_sometag": ["sha-860c190"],
  "event_tag_v1.1.1": ["1.1.1", "1.1", "1", "sha-860c190", "latest"],
  "event_tag_v1.2.3rc2": ["sha-860c190"],
  "event_tag_v2.0.8-beta.67": ["2.0.8-beta.67", "sha-860c190"],
  "event_workflow_dispatch": ["master", "sha-860c190"],
  "event_workflow_dispatch_dev": ["dev", "sha-860c190"],
}

export const META_TEST_CASES: MetaTestCase[] = [
  { name: "null01", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "null null01", line: 103 }, fixture: "event_null", tags: undefined, flavor: [], expected: [] },
  { name: "push01", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "push push01", line: 162 }, fixture: "event_push_dev", tags: undefined, flavor: [], expected: ["dev"] },
  { name: "push03", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "push push03", line: 217 }, fixture: "event_push_master", tags: undefined, flavor: [], expected: ["master"] },
  { name: "push05", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "push push05", line: 272 }, fixture: "event_push_dev", tags: undefined, flavor: [], expected: ["dev"] },
  { name: "push07", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "push push07", line: 329 }, fixture: "event_push_dev", tags: ["type=ref,event=branch", "type=sha"], flavor: [], expected: ["dev", "sha-860c190"] },
  { name: "push18", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "push push18", line: 693 }, fixture: "event_push_dev", tags: ["type=ref,event=branch", "type=sha,format=long"], flavor: [], expected: ["dev"], dropLongSha: true },
  { name: "tag01", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "tag tag01", line: 885 }, fixture: "event_tag_release1", tags: undefined, flavor: [], expected: ["release1", "latest"] },
  { name: "tag02", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "tag tag02", line: 912 }, fixture: "event_tag_20200110-RC2", tags: undefined, flavor: [], expected: ["20200110-RC2", "latest"] },
  { name: "tag11", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "tag tag11", line: 1193 }, fixture: "event_tag_v1.1.1", tags: ["type=semver,pattern={{version}}", "type=semver,pattern={{major}}.{{minor}}", "type=semver,pattern={{major}}"], flavor: [], expected: ["1.1.1", "1.1", "1", "latest"] },
  { name: "tag13", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "tag tag13", line: 1264 }, fixture: "event_tag_v2.0.8-beta.67", tags: ["type=semver,pattern={{major}}.{{minor}}", "type=semver,pattern={{major}}"], flavor: [], expected: ["2.0.8-beta.67"] },
  { name: "tag14", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "tag tag14", line: 1295 }, fixture: "event_tag_sometag", tags: ["type=ref,event=tag", "type=semver,pattern={{version}}", "type=semver,pattern={{major}}.{{minor}}", "type=semver,pattern={{major}}"], flavor: ["latest=false"], expected: ["sometag"] },
  { name: "latest05", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "latest latest05", line: 2184 }, fixture: "event_tag_v1.1.1", tags: undefined, flavor: [], expected: ["v1.1.1", "latest"] },
  { name: "latest07", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "latest latest07", line: 2245 }, fixture: "event_tag_v1.1.1", tags: ["type=ref,event=tag"], flavor: ["latest=false"], expected: ["v1.1.1"] },
  { name: "latest08", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "latest latest08", line: 2278 }, fixture: "event_tag_v1.1.1", tags: ["type=ref,event=tag"], flavor: ["latest=false"], expected: ["v1.1.1"] },
  { name: "latest09", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "latest latest09", line: 2311 }, fixture: "event_tag_v1.1.1", tags: ["type=ref,event=tag"], flavor: ["latest=false"], expected: ["v1.1.1"] },
  { name: "pr01", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "pr pr01", line: 2406 }, fixture: "event_pull_request", tags: undefined, flavor: [], expected: ["pr-15"] },
  { name: "pr02", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "pr pr02", line: 2432 }, fixture: "event_pull_request", tags: undefined, flavor: [], expected: ["pr-15"] },
  { name: "pr03", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "pr pr03", line: 2459 }, fixture: "event_pull_request", tags: ["type=ref,event=pr", "type=sha"], flavor: [], expected: ["pr-15", "sha-a9c8c58"] },
  { name: "pr09", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "pr pr09", line: 2660 }, fixture: "event_pull_request_target", tags: ["type=ref,event=tag", "type=ref,event=pr", "type=ref,event=branch", "type=sha", "type=sha,format=long"], flavor: [], expected: ["pr-15", "sha-2665741"], dropLongSha: true },
  { name: "schedule01", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "schedule schedule01", line: 3188 }, fixture: "event_schedule", tags: undefined, flavor: [], expected: ["nightly", "master"] },
  { name: "schedule04", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "schedule schedule04", line: 3277 }, fixture: "event_schedule", tags: undefined, flavor: [], expected: ["nightly", "master"] },
  { name: "schedule05", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "schedule schedule05", line: 3306 }, fixture: "event_schedule", tags: ["type=schedule", "type=sha"], flavor: [], expected: ["nightly", "sha-860c190"] },
  { name: "release01", source: { ref: "metadataAction", file: "__tests__/meta.test.ts", test: "release release01", line: 3452 }, fixture: "event_release_created", tags: undefined, flavor: [], expected: ["v1.1.1", "latest"] },
]

/**
 * merge_group: not among metadata-action's fixtures. GitHub runs merge-queue checks on a temporary
 * branch refs/heads/gh-readonly-queue/<base>/pr-<n>-<base sha> (GITHUB_REF; GITHUB_SHA = the merge
 * group's head). Expected: metadata-action's Meta run on it like the fixtures above.
 */
FIXTURES["synthetic_merge_group"] = {
  source: { ref: "metadataAction", file: "src/meta.ts", test: "Meta.getTags on a merge_group run (no fixture upstream)" },
  env: {
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: "merge_group",
    GITHUB_REF: "refs/heads/gh-readonly-queue/master/pr-15-266574110acf203503badf966df2ea24b5d732d7",
    GITHUB_REF_NAME: "gh-readonly-queue/master/pr-15-266574110acf203503badf966df2ea24b5d732d7",
    GITHUB_REF_TYPE: "branch",
    GITHUB_REPOSITORY: "docker/test-docker-action",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_SHA: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
  },
}
OUR_CONFIG_EXPECTED["synthetic_merge_group"] = ["gh-readonly-queue-master-pr-15-266574110acf203503badf966df2ea24b5d732d7", "sha-ec26c3e"]

// ---------------------------------------------------------------------------------------------
// verdicts for the cases that do not agree

export const FIX_PR_TARGET: Verdict = {
  kind: "fixed",
  fn: "modules/core/ci-context.ts ciContext/fromGitHub (the event payload, read by ci/pipeline.ts readGitHubEvent); ci/github/*.yml and README's one-liner pass GIT_REF",
  why: "pull_request_target runs with GITHUB_REF = the base branch; metadata-action takes the PR number from the event payload (refs/pull/<number>/merge) and tags pr-<n>. Ours tagged the base branch, so a PR's code would have been pushed as :master",
}
export const KEEP_NONSEMVER_TAG: Verdict = {
  kind: "keep",
  exception: "non-semver-tag-pushed",
  why: "a git tag that is not SemVer is pushed under its sanitised name (with this configuration metadata-action pushes only sha-…, the release would have no name); it does not move latest",
}
export const KEEP_NONSEMVER_LATEST: Verdict = {
  kind: "keep",
  exception: "non-semver-tag-not-latest",
  why: "metadata-action's type=ref,event=tag moves latest for any git tag (latest=auto); ours moves latest only for the highest stable SemVer release",
}
export const KEEP_SEMVER_NOT_RAW: Verdict = {
  kind: "keep",
  exception: "semver-tag-no-raw-name",
  why: "for a SemVer git tag we give the version tags (1.1.1, 1.1, 1), never the raw git tag name (v1.1.1) that metadata-action's type=ref,event=tag adds",
}
export const KEEP_CLI_SCHEDULE: Verdict = {
  kind: "keep",
  exception: "cli-no-nightly",
  why: "publish --git-ref gets a ref, not the event: a scheduled run is tagged like a push of its branch, without nightly (pass --tags nightly in the scheduled workflow)",
}

/** Verdicts of FIXTURES × OUR_CONFIGURATION through ciContext(env) → computeTags (ci/pipeline.ts' path). */
export const FIXTURE_VERDICTS: Record<string, { verdict: Verdict; ours?: string[] }> = {
  event_pull_request_target: { verdict: FIX_PR_TARGET },
  ...Object.fromEntries(
    ["1.0dev4", "1.1beta2", "1.2.3rc2", "1.2", "1.2post1", "20200110-RC2", "p1-v1.0.0", "release1", "sometag", "v1.2.3rc2"].map((t) => [
      `event_tag_${t}`,
      { verdict: KEEP_NONSEMVER_TAG, ours: [t, "sha-860c190"] },
    ]),
  ),
}

/** Verdicts of META_TEST_CASES (ours projected on the case's rules; see the test). */
export const META_TEST_VERDICTS: Record<string, { verdict: Verdict; ours?: string[] }> = {
  tag01: { verdict: KEEP_NONSEMVER_LATEST, ours: ["release1"] },
  tag02: { verdict: KEEP_NONSEMVER_LATEST, ours: ["20200110-RC2"] },
  latest05: { verdict: KEEP_SEMVER_NOT_RAW, ours: ["latest"] },
  latest07: { verdict: KEEP_SEMVER_NOT_RAW, ours: [] },
  latest08: { verdict: KEEP_SEMVER_NOT_RAW, ours: [] },
  latest09: { verdict: KEEP_SEMVER_NOT_RAW, ours: [] },
  release01: { verdict: KEEP_SEMVER_NOT_RAW, ours: ["latest"] },
  pr09: { verdict: FIX_PR_TARGET },
}

// ---------------------------------------------------------------------------------------------
// GitLab: metadata-action is GitHub-only; these check that a GitLab pipeline gets the same
// grammar (README: "pull/merge request → pr-<n>"), above all that a merge-request pipeline never
// gets a branch tag. Variables as GitLab's predefined-variables reference describes them.

export interface GitLabCase {
  name: string
  source: Source
  env: Record<string, string>
  expected: string[]
  verdict?: Verdict
}

const SHA = "0123456789abcdef0123456789abcdef01234567"
const gl = (name: string, env: Record<string, string>, expected: string[]): GitLabCase => ({
  name,
  source: { ref: "issue-14", file: "issue 14", test: `GitLab: ${name}` },
  env: { GITLAB_CI: "true", CI_COMMIT_SHA: SHA, CI_DEFAULT_BRANCH: "main", CI_PROJECT_PATH: "group/app", ...env },
  expected,
})

export const GITLAB_CASES: GitLabCase[] = [
  gl("branch pipeline", { CI_PIPELINE_SOURCE: "push", CI_COMMIT_BRANCH: "main", CI_COMMIT_REF_NAME: "main" }, ["main", "sha-0123456"]),
  gl("tag pipeline", { CI_PIPELINE_SOURCE: "push", CI_COMMIT_TAG: "v1.2.3", CI_COMMIT_REF_NAME: "v1.2.3" }, ["1.2.3", "1.2", "1", "sha-0123456", "latest"]),
  gl(
    "merge request pipeline",
    {
      CI_PIPELINE_SOURCE: "merge_request_event",
      CI_MERGE_REQUEST_IID: "7",
      CI_MERGE_REQUEST_EVENT_TYPE: "detached",
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: "feature/x",
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: "main",
      CI_COMMIT_REF_NAME: "feature/x",
    },
    ["pr-7", "sha-0123456"],
  ),
  gl(
    "merged results pipeline (runs on the merge with the target branch)",
    {
      CI_PIPELINE_SOURCE: "merge_request_event",
      CI_MERGE_REQUEST_IID: "7",
      CI_MERGE_REQUEST_EVENT_TYPE: "merged_result",
      CI_MERGE_REQUEST_REF_PATH: "refs/merge-requests/7/merge",
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: "feature/x",
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: "main",
      CI_COMMIT_REF_NAME: "feature/x",
    },
    ["pr-7", "sha-0123456"],
  ),
  gl(
    "merge train pipeline",
    {
      CI_PIPELINE_SOURCE: "merge_request_event",
      CI_MERGE_REQUEST_IID: "7",
      CI_MERGE_REQUEST_EVENT_TYPE: "merge_train",
      CI_MERGE_REQUEST_REF_PATH: "refs/merge-requests/7/train",
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: "main",
      CI_COMMIT_REF_NAME: "feature/x",
    },
    ["pr-7", "sha-0123456"],
  ),
  gl(
    "merge request pipeline that also carries the target branch in CI_COMMIT_BRANCH",
    {
      CI_PIPELINE_SOURCE: "merge_request_event",
      CI_MERGE_REQUEST_IID: "7",
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: "main",
      CI_COMMIT_BRANCH: "main",
      CI_COMMIT_REF_NAME: "main",
    },
    ["pr-7", "sha-0123456"],
  ),
  gl("scheduled pipeline", { CI_PIPELINE_SOURCE: "schedule", CI_COMMIT_BRANCH: "main", CI_COMMIT_REF_NAME: "main" }, ["nightly", "main", "sha-0123456"]),
]
