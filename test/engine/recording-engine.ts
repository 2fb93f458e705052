/**
 * A recording GraphQL "engine" for testing Dagger code without a Dagger engine.
 *
 * It speaks the wire protocol the real SDK client (@dagger.io/dagger 0.21.9) uses: HTTP POST
 * /query on 127.0.0.1 with `Authorization: Basic base64(token + ":")`, one `{ query }` document
 * per request, no variables, object arguments as ID strings, enums unquoted, input objects inlined.
 * Documents are parsed with the `graphql` package and executed against a generic object model:
 *
 * - every object-returning field yields an object with a deterministic ID `Type:<12 hex>` derived
 *   from (type, parent ID, field, arguments) and stored with those four facts;
 * - containers get a derived view (platform, from, env, mounts, execs, files, labels, …) computed by
 *   walking their chain; directories and files get contents (fixture folders are read from disk);
 * - evaluation is lazy like Dagger's: `id` evaluates nothing, while `sync`, `stdout`, `publish`,
 *   `export`, `contents`, `entries`, … evaluate the chain and every object it references by ID.
 *   That is where injected exec failures surface, as `EXEC_ERROR` GraphQL errors (→ SDK ExecError);
 * - the module runtime protocol (currentModule, currentFunctionCall, returnValue, returnError) is
 *   served per session token, so several module calls can share one engine;
 * - every query is recorded (secret plaintext passed to setSecret is redacted to "***"), with
 *   timings; unknown fields are answered leniently and listed in `unknownFields`.
 */
import * as fs from "node:fs"
import * as http from "node:http"
import * as path from "node:path"
import type { AddressInfo } from "node:net"
import { createHash, randomBytes } from "node:crypto"
import { performance } from "node:perf_hooks"
import {
  Kind,
  parse,
  valueFromASTUntyped,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql"

// =============================================================================================
// Public types

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue }

/** One stored object: how it was made. */
export interface EngineObject {
  /** `Type:<12 hex>` (deterministic). */
  id: string
  type: string
  /** ID of the object the field was selected on (undefined for roots made by the test API). */
  parent?: string
  /** The field that produced it ("withExec", "container", "__fixtureDirectory", …). */
  field: string
  /** Arguments as received (setSecret's plaintext replaced by "***"). */
  args: Record<string, unknown>
  /** Label of the session that first created it. */
  session: string
  /** Sequence number of the query that first created it (0 for the test API). */
  seq: number
}

export interface MountView {
  kind: "cache" | "secret" | "directory" | "file" | "tmpfs"
  path: string
  /** Cache volume key (cache mounts). */
  cacheKey?: string
  cacheId?: string
  sharing?: string
  /** Secret/directory/file ID. */
  sourceId?: string
  secretName?: string
}

export interface ExecView {
  /** ID of the container object produced by this withExec. */
  id: string
  argv: string[]
  /** Environment at the time of the exec (plain variables only). */
  env: Record<string, string>
  /** Secret variables at the time of the exec: name → secret name. */
  secretEnv: Record<string, string>
  workdir?: string
  user?: string
  mounts: MountView[]
  /** "native" when the container has no explicit platform. */
  platform: string
  /** The remaining withExec options (expect, useEntrypoint, …). */
  opts: Record<string, unknown>
}

export interface FileEntryView {
  /** Absolute path in the container. */
  path: string
  kind: "file" | "directory" | "newFile"
  sourceId?: string
  contents?: string
  opts?: Record<string, unknown>
}

export interface RegistryAuthView {
  address: string
  username: string
  secretId: string
  secretName?: string
}

export interface ContainerView {
  id: string
  /** Explicit platform (container(platform:), dockerBuild(platform:)) or "native". */
  platform: string
  from?: string
  env: Record<string, string>
  /** Secret variables: name → secret name (never the plaintext). */
  secretEnv: Record<string, string>
  mounts: MountView[]
  execs: ExecView[]
  files: FileEntryView[]
  labels: Record<string, string>
  annotations: Record<string, string>
  entrypoint?: string[]
  defaultArgs?: string[]
  user?: string
  workdir?: string
  registryAuth: RegistryAuthView[]
  /** withRootfs directory ID. */
  rootfs?: string
  /** import_ source file ID. */
  importedFrom?: string
  /** Set when the chain starts at Directory.dockerBuild. */
  dockerBuild?: { contextId: string; dockerfile?: string; target?: string; buildArgs?: unknown; secrets?: unknown; platform?: string }
  /** False for a scratch container without rootfs (filtered out of multi-platform outputs, like Dagger). */
  hasRootfs: boolean
  /** Every field of the chain, root first. */
  ops: Array<{ field: string; args: Record<string, unknown>; id: string }>
}

export interface RecordedQuery {
  seq: number
  /** Label of the session (token) that sent it: "main" for engine.token. */
  session: string
  /** The query text, trimmed; setSecret plaintext replaced by "***". */
  text: string
  /** Every field name selected in the document, in document order (with duplicates). */
  fields: string[]
  rootFields: string[]
  /** Epoch ms when received. */
  receivedAt: number
  /** ms since the engine started (high resolution) when received / answered. */
  start: number
  end?: number
  durationMs?: number
  error?: { message: string; extensions?: Record<string, unknown> }
}

export type EngineEvent =
  | { kind: "exec"; seq: number; session: string; containerId: string; argv: string[]; exitCode: number; ok: boolean; stdout: string; stderr: string; platform: string; view: ContainerView }
  | { kind: "publish"; seq: number; session: string; address: string; ref: string; digest: string; receiverId: string; receiverIncluded: boolean; variants: ContainerView[]; platforms: string[]; forcedCompression?: string; mediaTypes?: string }
  | { kind: "export"; seq: number; session: string; path: string; receiverId: string; receiverIncluded: boolean; variants: ContainerView[]; platforms: string[]; forcedCompression?: string; mediaTypes?: string }
  | { kind: "tarball"; seq: number; session: string; fileId: string; receiverId: string; receiverIncluded: boolean; variants: ContainerView[]; platforms: string[]; digest: string; exportPath?: string; forcedCompression?: string; mediaTypes?: string }
  | { kind: "file-export" | "directory-export"; seq: number; session: string; id: string; path: string }
  | { kind: "plaintext"; seq: number; session: string; secretId: string; name: string }
  | { kind: "return-value"; seq: number; session: string; value: string }
  | { kind: "return-error"; seq: number; session: string; errorId: string; message: string; values: Record<string, string> }

export interface UnknownField {
  seq: number
  session: string
  type: string
  field: string
  args: Record<string, unknown>
  /** What the engine answered with. */
  answered: "object" | "null" | "skipped-fragment" | "placeholder-object"
  note?: string
}

export type ExecMatcher = string | RegExp | ((argv: string[], container: ContainerView) => boolean)

export interface FailExecRule {
  /** string: substring of argv.join(" "); RegExp: tested on argv.join(" "); function: full control. */
  match: ExecMatcher
  exitCode?: number
  stderr?: string
  stdout?: string
  /** Fail only the first N matching evaluations (then the exec succeeds). Default: always. */
  times?: number
}

export interface FailExecHandle {
  /** Matching evaluations that failed so far. */
  readonly hits: number
  /** Failures left (undefined: unlimited). */
  readonly remaining: number | undefined
  remove(): void
}

export interface FailFieldRule {
  /** Object type ("Container", "Query", …); any type when omitted. */
  type?: string
  field: string
  match?: (args: Record<string, unknown>, obj: EngineObject) => boolean
  message: string
  extensions?: Record<string, unknown>
  times?: number
}

export type ExecOutput = string | { stdout?: string; stderr?: string } | ((argv: string[], container: ContainerView) => string | { stdout?: string; stderr?: string })

export interface FunctionCallContext {
  /** "" for registration. */
  parentName: string
  /** Function name ("" for the constructor / registration). */
  name: string
  /** Parent object state (JSON value); sent JSON-encoded. Default {}. */
  parent?: unknown
  /** Argument values as JS values (JSON-encoded on the wire), in order. */
  inputArgs?: Record<string, unknown> | Array<[string, unknown]>
}

export interface SessionOutcome {
  /** Raw JSON string passed to returnValue. */
  returnValue?: string
  returnError?: { errorId: string; message: string; values: Record<string, string> }
}

export interface Session {
  readonly label: string
  readonly token: string
  readonly env: { DAGGER_SESSION_PORT: string; DAGGER_SESSION_TOKEN: string }
  readonly call?: FunctionCallContext
  readonly moduleName: string
  /** Queries sent with this session's token (live array). */
  readonly queries: RecordedQuery[]
  readonly outcome: SessionOutcome
  /** Revoke the token. */
  close(): void
}

export interface RecordingEngineOptions {
  /** Engine platform returned by defaultPlatform and by Container.platform for "native". */
  defaultPlatform?: string
  /** Fixed delay per query, ms. */
  latencyMs?: number
  /** currentModule.name. Default "multiarch". */
  moduleName?: string
  /** Base for Host.directory/file relative paths. Default process.cwd(). */
  hostRoot?: string
  /** Plaintexts for Query.secret(uri). */
  secretUris?: Record<string, string>
  /** Answer of Query.version. */
  version?: string
  /** Cache successful exec results like Dagger (a second evaluation of the same exec does not re-run). Default true. */
  cacheExecs?: boolean
  /** Print each query (redacted) to this function. */
  log?: (line: string) => void
}

export class EngineError extends Error {
  constructor(message: string, readonly extensions?: Record<string, unknown>) {
    super(message)
    this.name = "EngineError"
  }
}

// =============================================================================================
// Small helpers

const QUERY_ID = "Query"

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical)
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v as object).sort()) out[k] = canonical((v as Record<string, unknown>)[k])
    return out
  }
  return v
}

function hex(s: string, n: number): string {
  return createHash("sha256").update(s).digest("hex").slice(0, n)
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function pascal(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined
}

function strArray(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map(String) : undefined
}

function matchExec(m: ExecMatcher, argv: string[], view: ContainerView): boolean {
  if (typeof m === "function") return m(argv, view)
  const line = argv.join(" ")
  if (typeof m === "string") return line.includes(m)
  return m.test(line)
}

/** Glob → RegExp: `**` any depth, `*` within a segment, `?`, `{a,b}`, character classes. */
export function globToRegExp(pattern: string): RegExp {
  let re = ""
  let i = 0
  let braces = 0
  const p = pattern.replace(/^\.\//, "")
  while (i < p.length) {
    const c = p[i]
    if (c === "*") {
      if (p[i + 1] === "*") {
        const slashAfter = p[i + 2] === "/"
        re += slashAfter ? "(?:.*/)?" : ".*"
        i += slashAfter ? 3 : 2
        continue
      }
      re += "[^/]*"
    } else if (c === "?") re += "[^/]"
    else if (c === "{") {
      braces++
      re += "(?:"
    } else if (c === "}" && braces > 0) {
      braces--
      re += ")"
    } else if (c === "," && braces > 0) re += "|"
    else if (c === "[") {
      const end = p.indexOf("]", i + 1)
      if (end < 0) re += "\\["
      else {
        re += "[" + p.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\") + "]"
        i = end
      }
    } else re += c.replace(/[.+^$()|\\]/g, "\\$&")
    i++
  }
  return new RegExp(`^${re}$`)
}

/** BuildKit-like include/exclude: a path is selected if it or an ancestor directory matches. */
function pathFilter(include?: string[], exclude?: string[]): (rel: string) => boolean {
  const mk = (ps?: string[]) => (ps ?? []).filter((p) => !p.startsWith("!")).map((p) => globToRegExp(p.replace(/\/+$/, "")))
  const inc = mk(include)
  const exc = mk(exclude)
  const anyAncestor = (rel: string, res: RegExp[]) => {
    const parts = rel.split("/")
    for (let i = 1; i <= parts.length; i++) if (res.some((r) => r.test(parts.slice(0, i).join("/")))) return true
    return false
  }
  return (rel) => {
    if (exc.length && anyAncestor(rel, exc)) return false
    if (inc.length && !anyAncestor(rel, inc)) return false
    return true
  }
}

// ---------------------------------------------------------------------------------------------
// In-memory trees for Directory/File contents

type TreeNode = { kind: "dir" } | { kind: "file"; read: () => string }
/** Relative posix paths (no leading slash) → node. Parent directories are implied. */
type Tree = Map<string, TreeNode>

function normRel(p: string): string {
  return path.posix.normalize("/" + p).replace(/^\/+/, "").replace(/\/+$/, "")
}

function subtree(tree: Tree, rel: string): Tree | undefined {
  const r = normRel(rel)
  if (r === "") return new Map(tree)
  const out: Tree = new Map()
  let found = tree.get(r)?.kind === "dir"
  for (const [k, v] of tree) {
    if (k.startsWith(r + "/")) {
      out.set(k.slice(r.length + 1), v)
      found = true
    }
  }
  return found ? out : undefined
}

function removePath(tree: Tree, rel: string): void {
  const r = normRel(rel)
  for (const k of [...tree.keys()]) if (k === r || k.startsWith(r + "/")) tree.delete(k)
}

function mergeAt(tree: Tree, rel: string, src: Tree, filter?: (rel: string) => boolean): void {
  const base = normRel(rel)
  if (base) tree.set(base, { kind: "dir" })
  for (const [k, v] of src) {
    if (filter && !filter(k)) continue
    tree.set(base ? `${base}/${k}` : k, v)
  }
}

function treeHasDir(tree: Tree, rel: string): boolean {
  const r = normRel(rel)
  if (r === "") return true
  if (tree.get(r)?.kind === "dir") return true
  for (const k of tree.keys()) if (k.startsWith(r + "/")) return true
  return false
}

function listEntries(tree: Tree, rel = ""): string[] {
  const r = normRel(rel)
  const names = new Set<string>()
  for (const [k, v] of tree) {
    const inner = r === "" ? k : k.startsWith(r + "/") ? k.slice(r.length + 1) : undefined
    if (inner === undefined || inner === "") continue
    const slash = inner.indexOf("/")
    if (slash >= 0) names.add(inner.slice(0, slash) + "/")
    else names.add(v.kind === "dir" ? inner + "/" : inner)
  }
  return [...names].sort()
}

const MAX_DISK_ENTRIES = 20000

function readDiskTree(root: string, filter?: (rel: string) => boolean): Tree {
  const tree: Tree = new Map()
  let count = 0
  const walk = (dir: string, rel: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const abs = path.join(dir, name)
      const r = rel ? `${rel}/${name}` : name
      if (filter && !filter(r)) continue
      if (++count > MAX_DISK_ENTRIES) throw new EngineError(`recording engine: ${root} has more than ${MAX_DISK_ENTRIES} entries; pass exclude patterns`)
      const st = fs.statSync(abs)
      if (st.isDirectory()) {
        tree.set(r, { kind: "dir" })
        walk(abs, r)
      } else if (st.isFile()) tree.set(r, { kind: "file", read: () => fs.readFileSync(abs, "utf8") })
    }
  }
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new EngineError(`${root}: no such directory`)
  walk(root, "")
  return tree
}

interface FileData {
  name: string
  read: () => string
}

// Result of resolving one field.
type Resolved = { leaf: unknown } | { obj: EngineObject } | { list: Resolved[] }

interface ExecCtx {
  seq: number
  session: SessionImpl
}

// Fields we model, per type (anything else is recorded in unknownFields).
const CONTAINER_LEAVES = new Set([
  "id", "sync", "platform", "stdout", "stderr", "exitCode", "combinedOutput", "publish", "export", "exportImage",
  "envVariable", "label", "entrypoint", "defaultArgs", "user", "workdir", "mounts", "imageRef",
])
const CONTAINER_OBJECT_FIELDS = new Set([
  "from", "withExec", "withEnvVariable", "withoutEnvVariable", "withMountedCache", "withMountedSecret",
  "withMountedDirectory", "withMountedFile", "withMountedTemp", "withoutMount", "withSecretVariable",
  "withoutSecretVariable", "withDirectory", "withFile", "withFiles", "withNewFile", "withoutFile", "withoutFiles",
  "withoutDirectory", "withWorkdir", "withoutWorkdir", "withLabel", "withoutLabel", "withAnnotation",
  "withoutAnnotation", "withEntrypoint", "withoutEntrypoint", "withDefaultArgs", "withoutDefaultArgs", "withUser",
  "withoutUser", "withRegistryAuth", "withoutRegistryAuth", "withRootfs", "rootfs", "file", "directory", "import",
  "asTarball",
])
const REGISTRATION_TYPES = new Set(["Module", "TypeDef", "Function", "FunctionArg", "SourceMap", "ObjectTypeDef", "EnumTypeDef"])
/** Names for object fields we don't model (still recorded as unknown). */
const GUESSED_TYPES: Record<string, string> = {
  git: "GitRepository", http: "File", address: "Address", asService: "Service", envVariables: "EnvVariable",
  asGit: "GitRepository", llm: "LLM", cloud: "Cloud", engine: "Engine", env: "Env",
}

// =============================================================================================

class SessionImpl implements Session {
  readonly queries: RecordedQuery[] = []
  readonly outcome: SessionOutcome = {}
  constructor(
    private readonly engine: RecordingEngine,
    readonly label: string,
    readonly token: string,
    readonly moduleName: string,
    readonly call?: FunctionCallContext,
  ) {}
  get env() {
    return { DAGGER_SESSION_PORT: String(this.engine.port), DAGGER_SESSION_TOKEN: this.token }
  }
  close(): void {
    this.engine.closeSession(this.token)
  }
}

export class RecordingEngine {
  port = 0
  /** The main session's token (label "main"). */
  readonly token: string
  /** Every query, all sessions, in arrival order. */
  readonly queries: RecordedQuery[] = []
  readonly events: EngineEvent[] = []
  readonly unknownFields: UnknownField[] = []
  /** The object store. */
  readonly state = { objects: new Map<string, EngineObject>() }

  private server?: http.Server
  private readonly t0 = performance.now()
  private seq = 0
  private inFlight = 0
  private maxInFlight = 0
  private latencyMs: number
  private defaultPlatform: string
  private readonly sessions = new Map<string, SessionImpl>()
  private readonly mainSession: SessionImpl
  private readonly secretPlaintext = new Map<string, string>()
  private readonly failRules: Array<FailExecRule & { hits: number; remaining?: number; removed: boolean }> = []
  private readonly fieldRules: Array<FailFieldRule & { remaining?: number; removed: boolean }> = []
  private readonly execRules: Array<{ match: ExecMatcher; output: ExecOutput }> = []
  private readonly fileRules: Array<{ match: (path: string, container: ContainerView) => boolean; contents: string }> = []
  private readonly execResults = new Map<string, { stdout: string; stderr: string; exitCode: number }>()
  private readonly diskTrees = new Map<string, Tree>()
  private sessionCounter = 0

  constructor(private readonly opts: RecordingEngineOptions = {}) {
    this.latencyMs = opts.latencyMs ?? 0
    this.defaultPlatform = opts.defaultPlatform ?? "linux/amd64"
    this.token = randomBytes(16).toString("hex")
    this.mainSession = new SessionImpl(this, "main", this.token, opts.moduleName ?? "multiarch")
    this.sessions.set(this.token, this.mainSession)
    this.state.objects.set(QUERY_ID, { id: QUERY_ID, type: "Query", field: "", args: {}, session: "main", seq: 0 })
  }

  // ------------------------------------------------------------------------------------------
  // Lifecycle

  /** @internal use startRecordingEngine(). */
  async listen(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res))
    this.server.keepAliveTimeout = 60_000
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject)
      this.server!.listen(0, "127.0.0.1", () => resolve())
    })
    this.port = (this.server.address() as AddressInfo).port
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/query`
  }

  /** DAGGER_SESSION_PORT / DAGGER_SESSION_TOKEN of the main session. */
  get env(): { DAGGER_SESSION_PORT: string; DAGGER_SESSION_TOKEN: string } {
    return this.mainSession.env
  }

  async close(): Promise<void> {
    const s = this.server
    if (!s) return
    this.server = undefined
    await new Promise<void>((resolve) => {
      s.close(() => resolve())
      s.closeAllConnections()
    })
  }

  /** A new token with its own query log and, optionally, a module function call context. */
  openSession(o: { label?: string; call?: FunctionCallContext; moduleName?: string } = {}): Session {
    const token = randomBytes(16).toString("hex")
    const label = o.label ?? `session-${++this.sessionCounter}`
    const s = new SessionImpl(this, label, token, o.moduleName ?? this.opts.moduleName ?? "multiarch", o.call)
    this.sessions.set(token, s)
    return s
  }

  /** @internal */
  closeSession(token: string): void {
    if (token !== this.token) this.sessions.delete(token)
  }

  // ------------------------------------------------------------------------------------------
  // Configuration

  setLatency(ms: number): void {
    this.latencyMs = ms
  }

  setDefaultPlatform(p: string): void {
    this.defaultPlatform = p
  }

  getDefaultPlatform(): string {
    return this.defaultPlatform
  }

  /** Make matching execs fail with an EXEC_ERROR when evaluated. Rules are checked in order. */
  failExec(rule: FailExecRule): FailExecHandle {
    const r = { ...rule, hits: 0, remaining: rule.times, removed: false }
    this.failRules.push(r)
    return {
      get hits() {
        return r.hits
      },
      get remaining() {
        return r.remaining
      },
      remove: () => {
        r.removed = true
      },
    }
  }

  /** Make a field fail with a plain GraphQL error (e.g. publish → registry error). */
  failField(rule: FailFieldRule): { remove(): void } {
    const r = { ...rule, remaining: rule.times, removed: false }
    this.fieldRules.push(r)
    return { remove: () => void (r.removed = true) }
  }

  /** Output of matching execs (the most recently registered matching rule wins). Default "". */
  onExec(match: ExecMatcher, output: ExecOutput): void {
    this.execRules.push({ match, output })
  }

  /** Contents of a file read from a container (e.g. a build output) when the chain does not define it. */
  onContainerFile(match: string | RegExp | ((path: string, container: ContainerView) => boolean), contents: string): void {
    const m = typeof match === "function" ? match : typeof match === "string" ? (p: string) => p === match : (p: string) => match.test(p)
    this.fileRules.push({ match: m, contents })
  }

  // ------------------------------------------------------------------------------------------
  // Test-side object constructors (no query is sent, nothing secret is recorded)

  /** A Directory ID backed by a folder on disk. */
  fixtureDirectory(dir: string, o: { include?: string[]; exclude?: string[] } = {}): string {
    const abs = path.resolve(dir)
    if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) throw new Error(`fixtureDirectory: ${abs} is not a directory`)
    const args: Record<string, unknown> = { path: abs }
    if (o.include) args.include = o.include
    if (o.exclude) args.exclude = o.exclude
    return this.makeObject("Directory", undefined, "__fixtureDirectory", args, "test", 0).id
  }

  /**
   * A Workspace ID for the directory a CLI runs in (what the engine injects into a function's
   * Workspace argument): `dir` is the workspace directory, `root` its boundary (the git root;
   * default `dir`). `directory(".")` reads `dir`, `directory("/x")` reads `root/x`.
   */
  workspace(dir: string, root = dir): string {
    const abs = path.resolve(dir)
    if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) throw new Error(`workspace: ${abs} is not a directory`)
    return this.makeObject("Workspace", undefined, "__fixtureWorkspace", { path: abs, root: path.resolve(root) }, "test", 0).id
  }

  /** A File ID backed by a file on disk. */
  fixtureFile(file: string): string {
    const abs = path.resolve(file)
    if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw new Error(`fixtureFile: ${abs} is not a file`)
    return this.makeObject("File", undefined, "__fixtureFile", { path: abs }, "test", 0).id
  }

  /** A Secret ID for `plaintext` (same ID setSecret(name, plaintext) would return). The plaintext never enters the query log. */
  secret(name: string, plaintext: string): string {
    return this.makeSecret(name, plaintext, "test", 0).id
  }

  /** A CacheVolume ID. */
  cacheVolume(key: string): string {
    return this.makeObject("CacheVolume", QUERY_ID, "cacheVolume", { key }, "test", 0).id
  }

  // ------------------------------------------------------------------------------------------
  // Inspection

  /** All recorded query texts joined with newlines (redacted). */
  queryText(): string {
    return this.queries.map((q) => q.text).join("\n")
  }

  get queryCount(): number {
    return this.queries.length
  }

  stats(): { queries: number; maxInFlight: number; errors: number; firstStart?: number; lastEnd?: number } {
    const ends = this.queries.map((q) => q.end ?? q.start)
    return {
      queries: this.queries.length,
      maxInFlight: this.maxInFlight,
      errors: this.queries.filter((q) => q.error).length,
      firstStart: this.queries[0]?.start,
      lastEnd: ends.length ? Math.max(...ends) : undefined,
    }
  }

  /** Index for queriesSince(). */
  mark(): number {
    return this.queries.length
  }

  queriesSince(mark: number): RecordedQuery[] {
    return this.queries.slice(mark)
  }

  get execs(): Array<Extract<EngineEvent, { kind: "exec" }>> {
    return this.events.filter((e): e is Extract<EngineEvent, { kind: "exec" }> => e.kind === "exec")
  }

  get publishes(): Array<Extract<EngineEvent, { kind: "publish" }>> {
    return this.events.filter((e): e is Extract<EngineEvent, { kind: "publish" }> => e.kind === "publish")
  }

  object(id: string): EngineObject | undefined {
    return this.state.objects.get(id)
  }

  /** Objects from the chain's root (first object below Query) to `id`. */
  chain(id: string): EngineObject[] {
    const out: EngineObject[] = []
    let cur = this.state.objects.get(id)
    const seen = new Set<string>()
    while (cur && cur.id !== QUERY_ID && !seen.has(cur.id)) {
      seen.add(cur.id)
      out.unshift(cur)
      cur = cur.parent ? this.state.objects.get(cur.parent) : undefined
    }
    return out
  }

  /** Name of a secret by ID. */
  secretName(id: string): string | undefined {
    const o = this.state.objects.get(id)
    if (!o || o.type !== "Secret") return undefined
    return str(o.args.name) ?? str(o.args.uri)
  }

  /** The derived view of a container, computed by walking its chain. */
  containerView(id: string): ContainerView {
    const obj = this.state.objects.get(id)
    if (!obj) throw new Error(`containerView: unknown id ${id}`)
    if (obj.type !== "Container") throw new Error(`containerView: ${id} is a ${obj.type}`)
    const chain = this.chain(id)
    // the container part starts at the last object that is not a Container-to-Container step
    let start = 0
    for (let i = chain.length - 1; i >= 0; i--) {
      if (chain[i].type !== "Container") {
        start = i + 1
        break
      }
      const p = chain[i].parent ? this.state.objects.get(chain[i].parent!) : undefined
      if (!p || p.type !== "Container") {
        start = i
        break
      }
    }
    const v: ContainerView = {
      id,
      platform: "native",
      env: {},
      secretEnv: {},
      mounts: [],
      execs: [],
      files: [],
      labels: {},
      annotations: {},
      registryAuth: [],
      hasRootfs: false,
      ops: [],
    }
    for (const o of chain.slice(start)) {
      const a = o.args
      v.ops.push({ field: o.field, args: a, id: o.id })
      const absPath = (p: unknown) => {
        const s = String(p ?? "")
        return s.startsWith("/") ? path.posix.normalize(s) : path.posix.join(v.workdir ?? "/", s)
      }
      switch (o.field) {
        case "container":
          if (a.platform) v.platform = String(a.platform)
          break
        case "dockerBuild":
          if (a.platform) v.platform = String(a.platform)
          v.dockerBuild = {
            contextId: o.parent!,
            dockerfile: str(a.dockerfile),
            target: str(a.target),
            buildArgs: a.buildArgs,
            secrets: a.secrets,
            platform: str(a.platform),
          }
          v.hasRootfs = true
          break
        case "from":
          v.from = String(a.address)
          v.hasRootfs = true
          break
        case "withExec":
          v.execs.push({
            id: o.id,
            argv: strArray(a.args) ?? [],
            env: { ...v.env },
            secretEnv: { ...v.secretEnv },
            workdir: v.workdir,
            user: v.user,
            mounts: v.mounts.map((m) => ({ ...m })),
            platform: v.platform,
            opts: Object.fromEntries(Object.entries(a).filter(([k]) => k !== "args")),
          })
          break
        case "withEnvVariable":
          v.env[String(a.name)] = String(a.value)
          break
        case "withoutEnvVariable":
          delete v.env[String(a.name)]
          break
        case "withSecretVariable":
          v.secretEnv[String(a.name)] = this.secretName(String(a.secret)) ?? String(a.secret)
          break
        case "withoutSecretVariable":
          delete v.secretEnv[String(a.name)]
          break
        case "withMountedCache": {
          const cache = this.state.objects.get(String(a.cache))
          v.mounts = v.mounts.filter((m) => m.path !== absPath(a.path))
          v.mounts.push({
            kind: "cache",
            path: absPath(a.path),
            cacheKey: cache ? str(cache.args.key) : undefined,
            cacheId: String(a.cache),
            ...(a.sharing !== undefined ? { sharing: String(a.sharing) } : {}),
            ...(a.source !== undefined ? { sourceId: String(a.source) } : {}),
          })
          break
        }
        case "withMountedSecret":
          v.mounts = v.mounts.filter((m) => m.path !== absPath(a.path))
          v.mounts.push({ kind: "secret", path: absPath(a.path), sourceId: String(a.source), secretName: this.secretName(String(a.source)) })
          break
        case "withMountedDirectory":
          v.mounts = v.mounts.filter((m) => m.path !== absPath(a.path))
          v.mounts.push({ kind: "directory", path: absPath(a.path), sourceId: String(a.source) })
          break
        case "withMountedFile":
          v.mounts = v.mounts.filter((m) => m.path !== absPath(a.path))
          v.mounts.push({ kind: "file", path: absPath(a.path), sourceId: String(a.source) })
          break
        case "withMountedTemp":
          v.mounts = v.mounts.filter((m) => m.path !== absPath(a.path))
          v.mounts.push({ kind: "tmpfs", path: absPath(a.path) })
          break
        case "withoutMount":
          v.mounts = v.mounts.filter((m) => m.path !== absPath(a.path))
          break
        case "withDirectory":
          v.files.push({ path: absPath(a.path), kind: "directory", sourceId: String(a.source), opts: omit(a, ["path", "source"]) })
          v.hasRootfs = true
          break
        case "withFile":
          v.files.push({ path: absPath(a.path), kind: "file", sourceId: String(a.source), opts: omit(a, ["path", "source"]) })
          v.hasRootfs = true
          break
        case "withFiles":
          for (const src of strArray(a.sources) ?? []) {
            const f = this.fileDataOrUndefined(src)
            v.files.push({ path: path.posix.join(absPath(a.path), f?.name ?? src), kind: "file", sourceId: src, opts: omit(a, ["path", "sources"]) })
          }
          v.hasRootfs = true
          break
        case "withNewFile":
          v.files.push({ path: absPath(a.path), kind: "newFile", contents: String(a.contents ?? ""), opts: omit(a, ["path", "contents"]) })
          v.hasRootfs = true
          break
        case "withoutFile":
        case "withoutDirectory": {
          const p = absPath(a.path)
          v.files = v.files.filter((f) => f.path !== p && !f.path.startsWith(p + "/"))
          break
        }
        case "withoutFiles":
          for (const p0 of strArray(a.paths) ?? []) {
            const p = absPath(p0)
            v.files = v.files.filter((f) => f.path !== p)
          }
          break
        case "withWorkdir":
          v.workdir = absPath(a.path)
          break
        case "withoutWorkdir":
          v.workdir = undefined
          break
        case "withLabel":
          v.labels[String(a.name)] = String(a.value)
          break
        case "withoutLabel":
          delete v.labels[String(a.name)]
          break
        case "withAnnotation":
          v.annotations[String(a.name)] = String(a.value)
          break
        case "withoutAnnotation":
          delete v.annotations[String(a.name)]
          break
        case "withEntrypoint":
          v.entrypoint = strArray(a.args) ?? []
          if (!a.keepDefaultArgs) v.defaultArgs = undefined
          break
        case "withoutEntrypoint":
          v.entrypoint = undefined
          if (!a.keepDefaultArgs) v.defaultArgs = undefined
          break
        case "withDefaultArgs":
          v.defaultArgs = strArray(a.args) ?? []
          break
        case "withoutDefaultArgs":
          v.defaultArgs = undefined
          break
        case "withUser":
          v.user = String(a.name)
          break
        case "withoutUser":
          v.user = undefined
          break
        case "withRegistryAuth":
          v.registryAuth = v.registryAuth.filter((r) => r.address !== String(a.address))
          v.registryAuth.push({ address: String(a.address), username: String(a.username), secretId: String(a.secret), secretName: this.secretName(String(a.secret)) })
          break
        case "withoutRegistryAuth":
          v.registryAuth = v.registryAuth.filter((r) => r.address !== String(a.address))
          break
        case "withRootfs":
          v.rootfs = String(a.directory)
          v.hasRootfs = true
          break
        case "import":
          v.importedFrom = String(a.source)
          v.hasRootfs = true
          break
        default:
          break
      }
    }
    return v
  }

  /** The platform a container view runs as ("native" resolved to the engine's default platform). */
  resolvePlatform(v: ContainerView | string): string {
    const p = typeof v === "string" ? v : v.platform
    return p === "native" ? this.defaultPlatform : p
  }

  /** Entries of a directory object (for tests; no evaluation of execs). */
  directoryEntries(id: string, sub = ""): string[] {
    return listEntries(this.dirTree(id), sub)
  }

  /** Contents of a file object (for tests; no evaluation of execs). */
  fileContents(id: string): string {
    return this.fileData(id).read()
  }

  // ------------------------------------------------------------------------------------------
  // Registration decoding: what the module told the engine (from the recorded Module chain)

  /** Decode a Module ID (the registration's returnValue) into the API it registered. */
  registeredModule(moduleId: string): RegisteredModule {
    const mod: RegisteredModule = { objects: {}, enums: {} }
    for (const o of this.chain(moduleId)) {
      if (o.field === "withDescription" && o.type === "Module") mod.description = str(o.args.description)
      if (o.field === "withObject" && o.type === "Module") {
        const obj = this.decodeObjectTypeDef(String(o.args.object))
        if (obj) mod.objects[obj.name] = obj
      }
      if (o.field === "withEnum" && o.type === "Module") {
        const e = this.decodeEnumTypeDef(String(o.args.enum))
        if (e) mod.enums[e.name] = e
      }
    }
    return mod
  }

  /** "String", "[Platform]", "Directory", "Lang" (with "?" when optional). */
  decodeTypeDef(id: string): string {
    let t = "?unknown"
    let optional = false
    for (const o of this.chain(id)) {
      const a = o.args
      switch (o.field) {
        case "withKind":
          t = String(a.kind).replace(/_KIND$/, "").toLowerCase()
          break
        case "withScalar":
        case "withObject":
        case "withEnum":
        case "withInterface":
          t = String(a.name)
          break
        case "withListOf":
          t = `[${this.decodeTypeDef(String(a.elementType))}]`
          break
        case "withOptional":
          optional = !!a.optional
          break
      }
    }
    return optional ? `${t}?` : t
  }

  private decodeFunction(id: string): RegisteredFunction {
    const f: RegisteredFunction = { name: "", returnType: "", description: undefined, args: [] }
    for (const o of this.chain(id)) {
      const a = o.args
      if (o.field === "function") {
        f.name = String(a.name)
        f.returnType = this.decodeTypeDef(String(a.returnType))
      } else if (o.field === "withDescription") f.description = str(a.description)
      else if (o.field === "withCachePolicy") f.cachePolicy = String(a.policy) + (a.timeToLive ? `:${a.timeToLive}` : "")
      else if (o.field === "withArg") {
        f.args.push({
          name: String(a.name),
          type: this.decodeTypeDef(String(a.typeDef)),
          description: str(a.description),
          ...(a.defaultValue !== undefined ? { defaultValue: JSON.parse(String(a.defaultValue)) as JsonValue } : {}),
          ...(a.defaultPath !== undefined ? { defaultPath: String(a.defaultPath) } : {}),
          ...(a.defaultAddress !== undefined ? { defaultAddress: String(a.defaultAddress) } : {}),
          ...(a.ignore !== undefined ? { ignore: strArray(a.ignore) } : {}),
        })
      }
    }
    return f
  }

  private decodeObjectTypeDef(id: string): RegisteredObject | undefined {
    let obj: RegisteredObject | undefined
    for (const o of this.chain(id)) {
      const a = o.args
      if (o.field === "withObject") obj = { name: String(a.name), description: str(a.description), functions: {}, fields: {} }
      else if (!obj) continue
      else if (o.field === "withFunction") {
        const f = this.decodeFunction(String(a.function))
        obj.functions[f.name] = f
      } else if (o.field === "withField") obj.fields[String(a.name)] = { type: this.decodeTypeDef(String(a.typeDef)), description: str(a.description) }
      else if (o.field === "withConstructor") obj.constructorFn = this.decodeFunction(String(a.function))
    }
    return obj
  }

  private decodeEnumTypeDef(id: string): RegisteredEnum | undefined {
    let e: RegisteredEnum | undefined
    for (const o of this.chain(id)) {
      const a = o.args
      if (o.field === "withEnum") e = { name: String(a.name), description: str(a.description), members: {} }
      else if (e && o.field === "withEnumMember") e.members[String(a.name)] = { value: str(a.value), description: str(a.description) }
    }
    return e
  }

  // ------------------------------------------------------------------------------------------
  // Execution

  /** Execute a query in-process (same path as HTTP), as the main session or a given one. */
  async execute(query: string, session: Session = this.mainSession): Promise<{ data: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }> {
    return this.run(query, this.sessions.get(session.token) ?? this.mainSession)
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body)
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
      res.end(text)
    }
    try {
      const url = new URL(req.url ?? "/", "http://x")
      if (req.method !== "POST" || url.pathname !== "/query") return send(404, { errors: [{ message: `no route ${req.method} ${url.pathname}` }] })
      const auth = req.headers.authorization ?? ""
      const m = /^Basic\s+(.+)$/i.exec(auth)
      const token = m ? Buffer.from(m[1], "base64").toString("utf8").replace(/:$/, "") : ""
      const session = this.sessions.get(token)
      if (!session) return send(401, { errors: [{ message: "unauthorized: bad session token" }] })
      const chunks: Buffer[] = []
      for await (const c of req) chunks.push(c as Buffer)
      let body: { query?: string }
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"))
      } catch {
        return send(400, { errors: [{ message: "body is not JSON" }] })
      }
      if (typeof body.query !== "string") return send(400, { errors: [{ message: "missing query" }] })
      send(200, await this.run(body.query, session))
    } catch (e) {
      send(500, { errors: [{ message: `recording engine crashed: ${(e as Error).stack ?? e}` }] })
    }
  }

  private async run(query: string, session: SessionImpl) {
    const seq = ++this.seq
    const rec: RecordedQuery = {
      seq,
      session: session.label,
      text: "",
      fields: [],
      rootFields: [],
      receivedAt: Date.now(),
      start: performance.now() - this.t0,
    }
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    let doc: DocumentNode | undefined
    try {
      doc = parse(query)
      rec.text = redactQuery(query, doc)
      visit(doc, {
        Field: (n) => {
          rec.fields.push(n.name.value)
        },
      })
      const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
      rec.rootFields = op ? op.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD).map((s) => s.name.value) : []
    } catch (e) {
      rec.text = `<unparseable query of ${query.length} characters>`
      rec.error = { message: `syntax error: ${(e as Error).message}` }
    }
    this.queries.push(rec)
    session.queries.push(rec)
    this.opts.log?.(`#${seq} [${session.label}] ${rec.text}`)
    try {
      if (this.latencyMs > 0) await sleep(this.latencyMs)
      if (!doc) return { data: null, errors: [{ message: rec.error!.message }] }
      const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
      if (!op) throw new EngineError("no operation in document")
      if (op.operation !== "query") throw new EngineError(`unsupported operation ${op.operation}`)
      const fragments = new Map<string, FragmentDefinitionNode>()
      for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d)
      const ctx: ExecCtx & { fragments: Map<string, FragmentDefinitionNode> } = { seq, session, fragments }
      const data = await this.selectOn(this.state.objects.get(QUERY_ID)!, op.selectionSet, ctx)
      return { data }
    } catch (e) {
      const err = e instanceof EngineError ? e : new EngineError(`recording engine: ${(e as Error).stack ?? e}`)
      rec.error = { message: this.scrub(err.message), ...(err.extensions ? { extensions: err.extensions } : {}) }
      this.opts.log?.(`#${seq} error: ${rec.error.message}`)
      return { data: null, errors: [{ message: err.message, ...(err.extensions ? { extensions: err.extensions } : {}) }] }
    } finally {
      this.inFlight--
      rec.end = performance.now() - this.t0
      rec.durationMs = rec.end - rec.start
    }
  }

  /** Replace any known secret plaintext (for error messages the engine builds itself). */
  private scrub(s: string): string {
    let out = s
    for (const p of this.secretPlaintext.values()) if (p.length >= 3) out = out.split(p).join("***")
    return out
  }

  private async selectOn(
    obj: EngineObject,
    set: SelectionSetNode,
    ctx: ExecCtx & { fragments: Map<string, FragmentDefinitionNode> },
  ): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {}
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const key = sel.alias?.value ?? sel.name.value
        out[key] = await this.resolveField(obj, sel, ctx)
      } else {
        const frag = sel.kind === Kind.INLINE_FRAGMENT ? sel : ctx.fragments.get(sel.name.value)
        if (!frag) throw new EngineError(`unknown fragment ${sel.kind === Kind.FRAGMENT_SPREAD ? sel.name.value : ""}`)
        const cond = frag.typeCondition?.name.value
        if (cond && cond !== obj.type && !(cond === "Node")) {
          this.unknownFields.push({ seq: ctx.seq, session: ctx.session.label, type: obj.type, field: `... on ${cond}`, args: {}, answered: "skipped-fragment", note: `object ${obj.id} is a ${obj.type}` })
          continue
        }
        Object.assign(out, await this.selectOn(obj, frag.selectionSet, ctx))
      }
    }
    return out
  }

  private async resolveField(obj: EngineObject, node: FieldNode, ctx: ExecCtx & { fragments: Map<string, FragmentDefinitionNode> }): Promise<unknown> {
    const args: Record<string, unknown> = {}
    for (const a of node.arguments ?? []) args[a.name.value] = valueFromASTUntyped(a.value)
    const field = node.name.value
    this.checkFieldRules(obj, field, args)
    const r = await this.resolve(obj, field, args, !!node.selectionSet, ctx)
    const complete = async (v: Resolved): Promise<unknown> => {
      if ("leaf" in v) return v.leaf
      if ("list" in v) return Promise.all(v.list.map(complete))
      return node.selectionSet ? this.selectOn(v.obj, node.selectionSet, ctx) : v.obj.id
    }
    return complete(r)
  }

  private checkFieldRules(obj: EngineObject, field: string, args: Record<string, unknown>): void {
    for (const r of this.fieldRules) {
      if (r.removed || r.field !== field || (r.type && r.type !== obj.type)) continue
      if (r.remaining !== undefined && r.remaining <= 0) continue
      if (r.match && !r.match(args, obj)) continue
      if (r.remaining !== undefined) r.remaining--
      throw new EngineError(r.message, r.extensions)
    }
  }

  // ------------------------------------------------------------------------------------------
  // Object store

  private makeObject(type: string, parent: string | undefined, field: string, args: Record<string, unknown>, session: string, seq: number, idSalt = ""): EngineObject {
    const id = `${type}:${hex(JSON.stringify([type, parent ?? null, field, canonical(args), idSalt]), 12)}`
    const existing = this.state.objects.get(id)
    if (existing) return existing
    const o: EngineObject = { id, type, parent, field, args, session, seq }
    this.state.objects.set(id, o)
    return o
  }

  private makeSecret(name: string, plaintext: string, session: string, seq: number): EngineObject {
    const o = this.makeObject("Secret", QUERY_ID, "setSecret", { name, plaintext: "***" }, session, seq, hex(plaintext, 64))
    this.secretPlaintext.set(o.id, plaintext)
    return o
  }

  private lookup(id: unknown, ctx: ExecCtx, wantType?: string): EngineObject {
    if (typeof id !== "string") throw new EngineError(`invalid id ${JSON.stringify(id)}`)
    let o = this.state.objects.get(id)
    if (!o) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*):/.exec(id)
      if (!m) throw new EngineError(`invalid id ${JSON.stringify(id)}`)
      o = { id, type: m[1], field: "__unknownId", args: {}, session: ctx.session.label, seq: ctx.seq }
      this.state.objects.set(id, o)
      this.unknownFields.push({ seq: ctx.seq, session: ctx.session.label, type: "Query", field: "node", args: { id }, answered: "placeholder-object", note: "id was never issued by this engine" })
    }
    if (wantType && o.type !== wantType) throw new EngineError(`id ${id} is a ${o.type}, not a ${wantType}`)
    return o
  }

  private unknown(obj: EngineObject, field: string, args: Record<string, unknown>, hasSelection: boolean, ctx: ExecCtx, note?: string): Resolved {
    if (hasSelection) {
      const type = /^with(out)?[A-Z]/.test(field) ? obj.type : GUESSED_TYPES[field] ?? pascal(field)
      this.unknownFields.push({ seq: ctx.seq, session: ctx.session.label, type: obj.type, field, args, answered: "object", note })
      return { obj: this.makeObject(type, obj.id, field, args, ctx.session.label, ctx.seq) }
    }
    this.unknownFields.push({ seq: ctx.seq, session: ctx.session.label, type: obj.type, field, args, answered: "null", note })
    return { leaf: null }
  }

  private child(obj: EngineObject, type: string, field: string, args: Record<string, unknown>, ctx: ExecCtx): Resolved {
    return { obj: this.makeObject(type, obj.id, field, args, ctx.session.label, ctx.seq) }
  }

  // ------------------------------------------------------------------------------------------
  // Resolvers

  private async resolve(obj: EngineObject, field: string, args: Record<string, unknown>, hasSelection: boolean, ctx: ExecCtx): Promise<Resolved> {
    if (field === "id") return { leaf: obj.id }
    if (field === "__typename") return { leaf: obj.type }
    switch (obj.type) {
      case "Query":
        return this.resolveQuery(obj, field, args, hasSelection, ctx)
      case "Container":
        return this.resolveContainer(obj, field, args, hasSelection, ctx)
      case "Directory":
        return this.resolveDirectory(obj, field, args, hasSelection, ctx)
      case "File":
        return this.resolveFile(obj, field, args, hasSelection, ctx)
      case "Workspace":
        if (field === "directory") return this.child(obj, "Directory", field, args, ctx)
        if (field === "file") return this.child(obj, "File", field, args, ctx)
        if (field === "path") return { leaf: path.relative(String(obj.args.root), String(obj.args.path)) || "." }
        break
      case "Secret":
        // like the engine: only setSecret(name, plaintext) names a secret; secret(uri:) has name ""
        if (field === "name") return { leaf: obj.field === "secret" ? "" : this.secretName(obj.id) ?? null }
        if (field === "uri") return { leaf: str(obj.args.uri) ?? null }
        if (field === "plaintext") {
          const p = this.secretPlaintext.get(obj.id)
          if (p === undefined) throw new EngineError(`secret ${this.secretName(obj.id)}: no plaintext available (unknown secret provider)`)
          this.events.push({ kind: "plaintext", seq: ctx.seq, session: ctx.session.label, secretId: obj.id, name: this.secretName(obj.id) ?? "" })
          return { leaf: p }
        }
        break
      case "Host":
        if (field === "directory") return this.child(obj, "Directory", field, args, ctx)
        if (field === "file") return this.child(obj, "File", field, args, ctx)
        break
      case "CacheVolume":
        break
      case "CurrentModule":
        if (field === "name") return { leaf: ctx.session.moduleName }
        break
      case "FunctionCall":
        return this.resolveFunctionCall(obj, field, args, hasSelection, ctx)
      case "FunctionCallArgValue":
        if (field === "name") return { leaf: obj.args.name }
        if (field === "value") return { leaf: obj.args.value }
        break
      case "Error":
        if (field === "withValue") return this.child(obj, "Error", field, args, ctx)
        if (field === "message") return { leaf: this.chain(obj.id)[0]?.args.message ?? null }
        break
      default:
        if (REGISTRATION_TYPES.has(obj.type) && /^with[A-Z]/.test(field)) return this.child(obj, obj.type, field, args, ctx)
    }
    return this.unknown(obj, field, args, hasSelection, ctx)
  }

  private resolveQuery(obj: EngineObject, field: string, args: Record<string, unknown>, hasSelection: boolean, ctx: ExecCtx): Resolved {
    switch (field) {
      case "container":
        return this.child(obj, "Container", field, args, ctx)
      case "defaultPlatform":
        return { leaf: this.defaultPlatform }
      case "version":
        return { leaf: this.opts.version ?? "v0.21.9" }
      case "cacheVolume":
        return this.child(obj, "CacheVolume", field, args, ctx)
      case "setSecret": {
        const s = this.makeSecret(String(args.name), String(args.plaintext ?? ""), ctx.session.label, ctx.seq)
        return { obj: s }
      }
      case "secret": {
        const o = this.makeObject("Secret", obj.id, "secret", args, ctx.session.label, ctx.seq)
        const uri = String(args.uri)
        const known = this.opts.secretUris?.[uri]
        if (known !== undefined) this.secretPlaintext.set(o.id, known)
        else if (uri.startsWith("env://") || uri.startsWith("env:")) {
          const v = process.env[uri.replace(/^env:(\/\/)?/, "")]
          if (v !== undefined) this.secretPlaintext.set(o.id, v)
        }
        return { obj: o }
      }
      case "host":
        return this.child(obj, "Host", field, args, ctx)
      case "directory":
        return this.child(obj, "Directory", field, args, ctx)
      case "file":
        return this.child(obj, "File", field, args, ctx)
      case "node":
        return { obj: this.lookup(args.id, ctx) }
      case "currentModule":
        return this.child(obj, "CurrentModule", field, {}, ctx)
      case "currentFunctionCall": {
        if (!ctx.session.call) throw new EngineError("currentFunctionCall: this session is not running a module function")
        return { obj: this.makeObject("FunctionCall", obj.id, field, {}, ctx.session.label, ctx.seq, ctx.session.token) }
      }
      case "module":
        return this.child(obj, "Module", field, args, ctx)
      case "typeDef":
        return this.child(obj, "TypeDef", field, args, ctx)
      case "function":
        return this.child(obj, "Function", field, args, ctx)
      case "sourceMap":
        return this.child(obj, "SourceMap", field, args, ctx)
      case "error":
        return this.child(obj, "Error", field, args, ctx)
    }
    const load = /^load([A-Za-z0-9]+)FromID$/.exec(field)
    if (load) return { obj: this.lookup(args.id, ctx, load[1]) }
    return this.unknown(obj, field, args, hasSelection, ctx)
  }

  private resolveFunctionCall(obj: EngineObject, field: string, args: Record<string, unknown>, hasSelection: boolean, ctx: ExecCtx): Resolved {
    const call = ctx.session.call!
    switch (field) {
      case "parentName":
        return { leaf: call.parentName }
      case "name":
        return { leaf: call.name }
      case "parent":
        return { leaf: JSON.stringify(call.parent ?? {}) }
      case "inputArgs": {
        const entries = Array.isArray(call.inputArgs) ? call.inputArgs : Object.entries(call.inputArgs ?? {})
        return {
          list: entries.map(([name, value], i) => ({
            obj: this.makeObject("FunctionCallArgValue", obj.id, "inputArgs", { name, value: JSON.stringify(value), index: i }, ctx.session.label, ctx.seq),
          })),
        }
      }
      case "returnValue": {
        const value = String(args.value)
        ctx.session.outcome.returnValue = value
        this.events.push({ kind: "return-value", seq: ctx.seq, session: ctx.session.label, value })
        return { leaf: null }
      }
      case "returnError": {
        const errorId = String(args.error)
        const chain = this.chain(errorId)
        const message = String(chain[0]?.args.message ?? "")
        const values: Record<string, string> = {}
        for (const o of chain) if (o.field === "withValue") values[String(o.args.name)] = String(o.args.value)
        ctx.session.outcome.returnError = { errorId, message, values }
        this.events.push({ kind: "return-error", seq: ctx.seq, session: ctx.session.label, errorId, message, values })
        return { leaf: null }
      }
    }
    return this.unknown(obj, field, args, hasSelection, ctx)
  }

  private async resolveContainer(obj: EngineObject, field: string, args: Record<string, unknown>, hasSelection: boolean, ctx: ExecCtx): Promise<Resolved> {
    if (CONTAINER_OBJECT_FIELDS.has(field)) {
      const type = field === "file" || field === "asTarball" ? "File" : field === "directory" || field === "rootfs" ? "Directory" : "Container"
      return this.child(obj, type, field, args, ctx)
    }
    if (!CONTAINER_LEAVES.has(field)) {
      if (/^with(out)?[A-Z]/.test(field)) return this.unknown(obj, field, args, true, ctx, "modelled as a no-op Container step")
      return this.unknown(obj, field, args, hasSelection, ctx)
    }
    const view = () => this.containerView(obj.id)
    const lastExec = async () => {
      await this.evaluate(obj.id, ctx)
      const v = view()
      const last = v.execs[v.execs.length - 1]
      if (!last) throw new EngineError(`${field}: no command has been set for container ${obj.id}`)
      return this.execResults.get(last.id) ?? { stdout: "", stderr: "", exitCode: 0 }
    }
    switch (field) {
      case "sync":
        await this.evaluate(obj.id, ctx)
        return { leaf: obj.id }
      case "platform":
        return { leaf: this.resolvePlatform(view()) }
      case "stdout":
        return { leaf: (await lastExec()).stdout }
      case "stderr":
        return { leaf: (await lastExec()).stderr }
      case "combinedOutput": {
        const r = await lastExec()
        return { leaf: r.stdout + r.stderr }
      }
      case "exitCode":
        return { leaf: (await lastExec()).exitCode }
      case "envVariable":
        return { leaf: view().env[String(args.name)] ?? null }
      case "label":
        return { leaf: view().labels[String(args.name)] ?? null }
      case "entrypoint":
        return { leaf: view().entrypoint ?? [] }
      case "defaultArgs":
        return { leaf: view().defaultArgs ?? [] }
      case "user":
        return { leaf: view().user ?? "" }
      case "workdir":
        return { leaf: view().workdir ?? "" }
      case "mounts":
        return { leaf: view().mounts.map((m) => m.path) }
      case "imageRef": {
        const v = view()
        if (!v.from) throw new EngineError("imageRef: container was not created from an image")
        return { leaf: v.from.includes("@") ? v.from : `${v.from}@sha256:${hex("image|" + v.from, 64)}` }
      }
      case "publish": {
        const r = await this.multiPlatformOutput(obj, args, ctx)
        const address = String(args.address)
        const digest = `sha256:${hex(JSON.stringify(["publish", address, r.variants.map((v) => v.id), args.forcedCompression ?? null, args.mediaTypes ?? null]), 64)}`
        const ref = `${address}@${digest}`
        this.events.push({ kind: "publish", seq: ctx.seq, session: ctx.session.label, address, ref, digest, ...r.event })
        return { leaf: ref }
      }
      case "export": {
        const r = await this.multiPlatformOutput(obj, args, ctx)
        this.events.push({ kind: "export", seq: ctx.seq, session: ctx.session.label, path: String(args.path), ...r.event })
        return { leaf: String(args.path) }
      }
      case "exportImage": {
        await this.multiPlatformOutput(obj, args, ctx)
        return { leaf: null }
      }
    }
    return this.unknown(obj, field, args, hasSelection, ctx)
  }

  /** Variants of publish/export/asTarball: receiver + platformVariants, empty ones dropped, duplicates rejected. */
  private async multiPlatformOutput(receiver: EngineObject, args: Record<string, unknown>, ctx: ExecCtx) {
    const variantIds = strArray(args.platformVariants) ?? []
    await this.evaluate(receiver.id, ctx)
    for (const id of variantIds) {
      this.lookup(id, ctx, "Container")
      await this.evaluate(id, ctx)
    }
    const rv = this.containerView(receiver.id)
    const all = [rv, ...variantIds.map((id) => this.containerView(id))]
    const variants = all.filter((v) => v.hasRootfs)
    if (variants.length === 0) throw new EngineError("no containers to export: every variant is empty (no rootfs)")
    const platforms = variants.map((v) => this.resolvePlatform(v))
    const seen = new Set<string>()
    for (const p of platforms) {
      if (seen.has(p)) throw new EngineError(`duplicate platform "${p}"`)
      seen.add(p)
    }
    return {
      variants,
      event: {
        receiverId: receiver.id,
        receiverIncluded: rv.hasRootfs,
        variants,
        platforms,
        ...(args.forcedCompression !== undefined ? { forcedCompression: String(args.forcedCompression) } : {}),
        ...(args.mediaTypes !== undefined ? { mediaTypes: String(args.mediaTypes) } : {}),
      },
    }
  }

  private async resolveDirectory(obj: EngineObject, field: string, args: Record<string, unknown>, hasSelection: boolean, ctx: ExecCtx): Promise<Resolved> {
    switch (field) {
      case "file":
        return this.child(obj, "File", field, args, ctx)
      case "directory":
      case "withNewFile":
      case "withFile":
      case "withFiles":
      case "withDirectory":
      case "withNewDirectory":
      case "withoutFile":
      case "withoutFiles":
      case "withoutDirectory":
      case "filter":
        return this.child(obj, "Directory", field, args, ctx)
      case "dockerBuild": {
        // like the engine (core/container.go): each secret is mounted by its name
        const byName = new Map<string, string>()
        for (const id of strArray(args.secrets) ?? []) {
          const so = this.state.objects.get(id)
          const name = so && so.field !== "secret" ? (this.secretName(id) ?? "") : ""
          if (name === "") throw new EngineError("secret has no name and cannot be referenced from Dockerfile secret id")
          if (byName.has(name) && byName.get(name) !== id) throw new EngineError(`multiple secrets provided for dockerBuild secret id ${JSON.stringify(name)}`)
          byName.set(name, id)
        }
        return this.child(obj, "Container", field, args, ctx)
      }
      case "sync":
        await this.evaluate(obj.id, ctx)
        this.dirTree(obj.id)
        return { leaf: obj.id }
      case "entries": {
        await this.evaluate(obj.id, ctx)
        const tree = this.dirTree(obj.id)
        const sub = str(args.path) ?? ""
        if (!treeHasDir(tree, sub)) throw new EngineError(`${sub}: no such file or directory`)
        return { leaf: listEntries(tree, sub) }
      }
      case "glob": {
        await this.evaluate(obj.id, ctx)
        const re = globToRegExp(String(args.pattern))
        const tree = this.dirTree(obj.id)
        const all = new Set<string>()
        for (const [k, v] of tree) {
          const parts = k.split("/")
          for (let i = 1; i < parts.length; i++) all.add(parts.slice(0, i).join("/") + "/")
          all.add(v.kind === "dir" ? k + "/" : k)
        }
        return { leaf: [...all].filter((p) => re.test(p.replace(/\/$/, ""))).sort() }
      }
      case "export": {
        await this.evaluate(obj.id, ctx)
        this.dirTree(obj.id)
        this.events.push({ kind: "directory-export", seq: ctx.seq, session: ctx.session.label, id: obj.id, path: String(args.path) })
        return { leaf: String(args.path) }
      }
      case "digest":
        await this.evaluate(obj.id, ctx)
        return { leaf: `sha256:${hex(JSON.stringify([...this.dirTree(obj.id)].map(([k, v]) => [k, v.kind === "file" ? v.read() : "/"])), 64)}` }
    }
    return this.unknown(obj, field, args, hasSelection, ctx)
  }

  private async resolveFile(obj: EngineObject, field: string, args: Record<string, unknown>, hasSelection: boolean, ctx: ExecCtx): Promise<Resolved> {
    switch (field) {
      case "withName":
        return this.child(obj, "File", field, args, ctx)
      case "name":
        return { leaf: this.fileData(obj.id).name }
      case "contents":
        await this.evaluate(obj.id, ctx)
        this.recordTarball(obj, ctx)
        return { leaf: this.fileData(obj.id).read() }
      case "size":
        await this.evaluate(obj.id, ctx)
        return { leaf: Buffer.byteLength(this.fileData(obj.id).read()) }
      case "digest":
        await this.evaluate(obj.id, ctx)
        return { leaf: `sha256:${hex(this.fileData(obj.id).read(), 64)}` }
      case "sync":
        await this.evaluate(obj.id, ctx)
        this.fileData(obj.id).read()
        return { leaf: obj.id }
      case "export": {
        await this.evaluate(obj.id, ctx)
        this.fileData(obj.id).read()
        if (!this.recordTarball(obj, ctx, String(args.path)))
          this.events.push({ kind: "file-export", seq: ctx.seq, session: ctx.session.label, id: obj.id, path: String(args.path) })
        return { leaf: String(args.path) }
      }
    }
    return this.unknown(obj, field, args, hasSelection, ctx)
  }

  /** If `file` is (a rename of) an asTarball output, record a tarball event. */
  private recordTarball(file: EngineObject, ctx: ExecCtx, exportPath?: string): boolean {
    const chain = this.chain(file.id)
    const tb = [...chain].reverse().find((o) => o.field === "asTarball")
    if (!tb) return false
    const rv = this.containerView(tb.parent!)
    const variants = [rv, ...(strArray(tb.args.platformVariants) ?? []).map((id) => this.containerView(id))].filter((v) => v.hasRootfs)
    const platforms = variants.map((v) => this.resolvePlatform(v))
    const seen = new Set<string>()
    for (const p of platforms) {
      if (seen.has(p)) throw new EngineError(`duplicate platform "${p}"`)
      seen.add(p)
    }
    if (variants.length === 0) throw new EngineError("no containers to export: every variant is empty (no rootfs)")
    this.events.push({
      kind: "tarball",
      seq: ctx.seq,
      session: ctx.session.label,
      fileId: file.id,
      receiverId: tb.parent!,
      receiverIncluded: rv.hasRootfs,
      variants,
      platforms,
      digest: `sha256:${hex(JSON.stringify(["tarball", variants.map((v) => v.id)]), 64)}`,
      ...(exportPath !== undefined ? { exportPath } : {}),
      ...(tb.args.forcedCompression !== undefined ? { forcedCompression: String(tb.args.forcedCompression) } : {}),
      ...(tb.args.mediaTypes !== undefined ? { mediaTypes: String(tb.args.mediaTypes) } : {}),
    })
    return true
  }

  // ------------------------------------------------------------------------------------------
  // Evaluation

  /** Evaluate an object's chain and everything it references by ID; runs (and may fail) execs. */
  private async evaluate(id: string, ctx: ExecCtx, seen = new Set<string>()): Promise<void> {
    if (seen.has(id)) return
    seen.add(id)
    for (const o of this.chain(id)) {
      for (const ref of this.argRefs(o.args)) if (ref !== o.id) await this.evaluate(ref, ctx, seen)
      if (o.type === "Container" && o.field === "withExec") await this.runExec(o, ctx)
      if (o.type === "Container" && o.field === "dockerBuild") await this.runDockerfile(o, ctx)
    }
  }

  /**
   * BuildKit stand-in for Directory.dockerBuild: every RUN of the Dockerfile (continuations joined)
   * is evaluated as an exec `["/bin/sh", "-c", <command>]` on the build's platform, through the
   * same failure rules as withExec, so tests can make a RUN die (e.g. exit 139 under emulation).
   */
  private async runDockerfile(o: EngineObject, ctx: ExecCtx): Promise<void> {
    const cache = this.opts.cacheExecs ?? true
    if (cache && this.execResults.has(o.id)) return
    const view = this.containerView(o.id)
    const path = String(o.args.dockerfile ?? "Dockerfile")
    const node = o.parent ? this.dirTree(o.parent).get(path) : undefined
    const text = node && node.kind === "file" ? String(node.read()) : ""
    const runs = text
      .replace(/\\\r?\n/g, " ")
      .split(/\r?\n/)
      .map((l) => /^\s*RUN\s+(?:--\S+\s+)*(.*)$/i.exec(l)?.[1]?.trim())
      .filter((c): c is string => !!c)
    for (const cmd of runs) {
      const argv = ["/bin/sh", "-c", cmd]
      let exitCode = 0
      let stdout = ""
      let stderr = ""
      for (const r of this.failRules) {
        if (r.removed) continue
        if (r.remaining !== undefined && r.remaining <= 0) continue
        if (!matchExec(r.match, argv, view)) continue
        r.hits++
        if (r.remaining !== undefined) r.remaining--
        exitCode = r.exitCode ?? 1
        stderr = r.stderr ?? ""
        stdout = r.stdout ?? ""
        break
      }
      this.events.push({ kind: "exec", seq: ctx.seq, session: ctx.session.label, containerId: o.id, argv, exitCode, ok: exitCode === 0, stdout, stderr, platform: this.resolvePlatform(view), view })
      if (exitCode !== 0)
        throw new EngineError(`process "${argv.join(" ")}" did not complete successfully: exit code: ${exitCode}`, { _type: "EXEC_ERROR", exitCode, cmd: argv, stdout, stderr })
    }
    this.execResults.set(o.id, { stdout: "", stderr: "", exitCode: 0 })
  }

  private argRefs(v: unknown, out: string[] = []): string[] {
    if (typeof v === "string") {
      if (/^[A-Z][A-Za-z0-9]*:[0-9a-f]{12}$/.test(v) && this.state.objects.has(v)) out.push(v)
    } else if (Array.isArray(v)) for (const x of v) this.argRefs(x, out)
    else if (v && typeof v === "object") for (const x of Object.values(v)) this.argRefs(x, out)
    return out
  }

  private async runExec(o: EngineObject, ctx: ExecCtx): Promise<void> {
    const cache = this.opts.cacheExecs ?? true
    if (cache && this.execResults.has(o.id)) return
    const view = this.containerView(o.id)
    const exec = view.execs[view.execs.length - 1]
    const argv = exec.argv
    let stdout = ""
    let stderr = ""
    let exitCode = 0
    for (let i = this.execRules.length - 1; i >= 0; i--) {
      const r = this.execRules[i]
      if (!matchExec(r.match, argv, view)) continue
      const out = typeof r.output === "function" ? r.output(argv, view) : r.output
      if (typeof out === "string") stdout = out
      else {
        stdout = out.stdout ?? ""
        stderr = out.stderr ?? ""
      }
      break
    }
    for (const r of this.failRules) {
      if (r.removed) continue
      if (r.remaining !== undefined && r.remaining <= 0) continue
      if (!matchExec(r.match, argv, view)) continue
      r.hits++
      if (r.remaining !== undefined) r.remaining--
      exitCode = r.exitCode ?? 1
      if (r.stderr !== undefined) stderr = r.stderr
      if (r.stdout !== undefined) stdout = r.stdout
      break
    }
    const expect = String(exec.opts.expect ?? "SUCCESS")
    const ok = expect === "ANY" || (expect === "FAILURE" ? exitCode !== 0 : exitCode === 0)
    this.events.push({
      kind: "exec",
      seq: ctx.seq,
      session: ctx.session.label,
      containerId: o.id,
      argv,
      exitCode,
      ok,
      stdout,
      stderr,
      platform: this.resolvePlatform(view),
      view,
    })
    if (!ok) {
      const quoted = argv.join(" ")
      throw new EngineError(
        expect === "FAILURE"
          ? `process "${quoted}" did not complete as expected: exit code: 0 (expected failure)`
          : `process "${quoted}" did not complete successfully: exit code: ${exitCode}`,
        { _type: "EXEC_ERROR", exitCode, cmd: argv, stdout, stderr },
      )
    }
    this.execResults.set(o.id, { stdout, stderr, exitCode })
  }

  // ------------------------------------------------------------------------------------------
  // Directory / File contents

  private diskTree(abs: string, include?: string[], exclude?: string[]): Tree {
    const key = JSON.stringify([abs, include ?? null, exclude ?? null])
    let t = this.diskTrees.get(key)
    if (!t) {
      t = readDiskTree(abs, include || exclude ? pathFilter(include, exclude) : undefined)
      this.diskTrees.set(key, t)
    }
    return new Map(t)
  }

  /** Materialise a directory object's tree (file contents are read lazily). */
  private dirTree(id: string): Tree {
    const o = this.state.objects.get(id)
    if (!o) throw new EngineError(`unknown directory ${id}`)
    const a = o.args
    const parentTree = () => (o.parent && o.parent !== QUERY_ID ? this.dirTree(o.parent) : new Map<string, TreeNode>())
    switch (o.field) {
      case "__fixtureDirectory":
        return this.diskTree(String(a.path), strArray(a.include), strArray(a.exclude))
      case "directory": {
        const p = o.parent ? this.state.objects.get(o.parent) : undefined
        if (!p || p.type === "Query") return new Map()
        if (p.type === "Host") return this.diskTree(path.resolve(this.opts.hostRoot ?? process.cwd(), String(a.path)), strArray(a.include), strArray(a.exclude))
        if (p.type === "Workspace") return this.diskTree(this.workspacePath(p, String(a.path)), strArray(a.include), strArray(a.exclude))
        const base = p.type === "Container" ? this.containerTree(p.id) : this.dirTree(p.id)
        const rel = p.type === "Container" ? this.containerRel(p.id, String(a.path)) : String(a.path)
        const sub = subtree(base, rel)
        if (!sub) throw new EngineError(`${a.path}: no such file or directory`)
        return sub
      }
      case "rootfs":
        return this.containerTree(o.parent!)
      case "withNewFile": {
        const t = parentTree()
        const contents = String(a.contents ?? "")
        t.set(normRel(String(a.path)), { kind: "file", read: () => contents })
        return t
      }
      case "withFile": {
        const t = parentTree()
        const f = this.fileData(String(a.source))
        t.set(normRel(String(a.path)), { kind: "file", read: f.read })
        return t
      }
      case "withFiles": {
        const t = parentTree()
        for (const src of strArray(a.sources) ?? []) {
          const f = this.fileData(src)
          t.set(normRel(path.posix.join(String(a.path), f.name)), { kind: "file", read: f.read })
        }
        return t
      }
      case "withDirectory": {
        const t = parentTree()
        mergeAt(t, String(a.path), this.dirTree(String(a.source)), a.include || a.exclude ? pathFilter(strArray(a.include), strArray(a.exclude)) : undefined)
        return t
      }
      case "withNewDirectory": {
        const t = parentTree()
        t.set(normRel(String(a.path)), { kind: "dir" })
        return t
      }
      case "withoutFile":
      case "withoutDirectory": {
        const t = parentTree()
        removePath(t, String(a.path))
        return t
      }
      case "withoutFiles": {
        const t = parentTree()
        for (const p of strArray(a.paths) ?? []) removePath(t, p)
        return t
      }
      case "filter": {
        const f = pathFilter(strArray(a.include), strArray(a.exclude))
        return new Map([...parentTree()].filter(([k]) => f(k)))
      }
      default:
        return o.parent && this.state.objects.get(o.parent)?.type === "Directory" ? parentTree() : new Map()
    }
  }

  private containerRel(containerId: string, p: string): string {
    const v = this.containerView(containerId)
    return normRel(p.startsWith("/") ? p : path.posix.join(v.workdir ?? "/", p))
  }

  /** The container's filesystem as far as the chain defines it (rootfs + withFile/withDirectory/withNewFile). */
  private containerTree(containerId: string): Tree {
    const v = this.containerView(containerId)
    const t: Tree = v.rootfs ? this.dirTree(v.rootfs) : new Map()
    for (const f of v.files) {
      const rel = normRel(f.path)
      if (f.kind === "newFile") {
        const c = f.contents ?? ""
        t.set(rel, { kind: "file", read: () => c })
      } else if (f.kind === "file") {
        const src = f.sourceId!
        t.set(rel, { kind: "file", read: () => this.fileData(src).read() })
      } else {
        const o = f.opts ?? {}
        mergeAt(t, rel, this.dirTree(f.sourceId!), o.include || o.exclude ? pathFilter(strArray(o.include), strArray(o.exclude)) : undefined)
      }
    }
    return t
  }

  /** A Workspace path on disk: relative to the workspace directory, absolute from its boundary (never outside it). */
  private workspacePath(ws: EngineObject, p: string): string {
    const root = String(ws.args.root)
    const abs = p.startsWith("/") ? path.join(root, p) : path.resolve(String(ws.args.path), p)
    if (path.relative(root, abs).startsWith("..")) throw new EngineError(`workspace path ${JSON.stringify(p)} leaves the workspace boundary ${root}`)
    return abs
  }

  private fileDataOrUndefined(id: string): FileData | undefined {
    try {
      return this.fileData(id)
    } catch {
      return undefined
    }
  }

  private fileData(id: string): FileData {
    const o = this.state.objects.get(id)
    if (!o) throw new EngineError(`unknown file ${id}`)
    const a = o.args
    const p = o.parent ? this.state.objects.get(o.parent) : undefined
    switch (o.field) {
      case "__fixtureFile":
        return { name: path.basename(String(a.path)), read: () => fs.readFileSync(String(a.path), "utf8") }
      case "file": {
        if (!p || p.type === "Query") {
          const contents = String(a.contents ?? "")
          return { name: String(a.name), read: () => contents }
        }
        if (p.type === "Host" || p.type === "Workspace") {
          const abs = p.type === "Host" ? path.resolve(this.opts.hostRoot ?? process.cwd(), String(a.path)) : this.workspacePath(p, String(a.path))
          return { name: path.basename(abs), read: () => fs.readFileSync(abs, "utf8") }
        }
        const name = path.posix.basename(String(a.path))
        if (p.type === "Container") {
          const rel = this.containerRel(p.id, String(a.path))
          const view = this.containerView(p.id)
          for (let i = this.fileRules.length - 1; i >= 0; i--)
            if (this.fileRules[i].match("/" + rel, view)) {
              const c = this.fileRules[i].contents
              return { name, read: () => c }
            }
          const node = this.containerTree(p.id).get(rel)
          if (node?.kind === "file") return { name, read: node.read }
          return { name, read: () => `<recording-engine: ${"/" + rel} produced in ${p.id}>` }
        }
        const node = this.dirTree(p.id).get(normRel(String(a.path)))
        if (!node || node.kind !== "file") throw new EngineError(`${a.path}: no such file or directory`)
        return { name, read: node.read }
      }
      case "withName": {
        const f = this.fileData(o.parent!)
        return { name: String(a.name), read: f.read }
      }
      case "asTarball": {
        const digest = hex(JSON.stringify(["tarball", o.parent, a.platformVariants ?? []]), 64)
        return { name: "image.tar", read: () => `<recording-engine: OCI tarball sha256:${digest}>` }
      }
      default:
        return { name: o.field, read: () => "" }
    }
  }
}

function omit(a: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(a).filter(([k]) => !keys.includes(k)))
}

/** Replace setSecret's plaintext argument value with "***" in the original query text. */
function redactQuery(query: string, doc: DocumentNode): string {
  const ranges: Array<[number, number]> = []
  visit(doc, {
    Field: (n) => {
      if (n.name.value !== "setSecret") return
      for (const a of n.arguments ?? []) if (a.name.value === "plaintext" && a.value.loc) ranges.push([a.value.loc.start, a.value.loc.end])
    },
  })
  let out = query
  for (const [s, e] of ranges.sort((x, y) => y[0] - x[0])) out = out.slice(0, s) + '"***"' + out.slice(e)
  return out.trim()
}

// ---------------------------------------------------------------------------------------------
// Registration decoding types

export interface RegisteredArg {
  name: string
  /** "string", "[Platform]?", "Directory", … ("?" = optional). */
  type: string
  description?: string
  defaultValue?: JsonValue
  defaultPath?: string
  defaultAddress?: string
  ignore?: string[]
}

export interface RegisteredFunction {
  name: string
  returnType: string
  description?: string
  cachePolicy?: string
  args: RegisteredArg[]
}

export interface RegisteredObject {
  name: string
  description?: string
  functions: Record<string, RegisteredFunction>
  fields: Record<string, { type: string; description?: string }>
  /** The registered constructor ("" function), if any. */
  constructorFn?: RegisteredFunction
}

export interface RegisteredEnum {
  name: string
  description?: string
  members: Record<string, { value?: string; description?: string }>
}

export interface RegisteredModule {
  description?: string
  objects: Record<string, RegisteredObject>
  enums: Record<string, RegisteredEnum>
}

/** Start an engine on a random free port of 127.0.0.1. */
export async function startRecordingEngine(opts: RecordingEngineOptions = {}): Promise<RecordingEngine> {
  const e = new RecordingEngine(opts)
  await e.listen()
  return e
}
