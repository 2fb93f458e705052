/**
 * Self-tests of the recording engine, driven by the real SDK client (@dagger.io/dagger 0.21.9)
 * in-process through `connection()` with DAGGER_SESSION_PORT/TOKEN pointing at the engine.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import * as path from "node:path"
import {
  CacheSharingMode,
  connection,
  dag,
  ExecError,
  GraphQLRequestError,
  ImageLayerCompression,
  ImageMediaTypes,
  type Container,
  type DirectoryID,
  type Platform,
  type SecretID,
} from "@dagger.io/dagger"
import { startRecordingEngine, globToRegExp, type RecordingEngine } from "./recording-engine.js"
import { REPO_ROOT } from "./introspect.js"

const GO_HELLO = path.join(REPO_ROOT, "test/fixtures/go-hello")
const PLATFORMS = ["linux/amd64", "linux/arm64", "linux/arm/v7"]

let engine: RecordingEngine

beforeAll(async () => {
  engine = await startRecordingEngine()
  process.env.DAGGER_SESSION_PORT = String(engine.port)
  process.env.DAGGER_SESSION_TOKEN = engine.token
})

afterAll(async () => {
  await engine?.close()
})

beforeEach(() => {
  engine.setLatency(0)
})

/** Run `fn` with the SDK's global client connected to the recording engine. */
async function withDag<T>(fn: () => Promise<T>): Promise<T> {
  let out!: T
  await connection(async () => {
    out = await fn()
  })
  return out
}

/** The cookbook cross-compilation pattern: native Go builder per target, runtime image per platform. */
function crossVariants(sourceId: string, secretId: string): Container[] {
  const src = dag.loadDirectoryFromID(sourceId as DirectoryID)
  const auth = dag.loadSecretFromID(secretId as SecretID)
  return PLATFORMS.map((p) => {
    const [, arch, variant] = p.split("/")
    let builder = dag
      .container()
      .from("golang:1.23-alpine")
      .withMountedCache("/go/pkg/mod", dag.cacheVolume("go-mod"), { sharing: CacheSharingMode.Shared })
      .withDirectory("/src", src)
      .withWorkdir("/src")
      .withEnvVariable("CGO_ENABLED", "0")
      .withEnvVariable("GOOS", "linux")
      .withEnvVariable("GOARCH", arch)
    if (variant) builder = builder.withEnvVariable("GOARM", variant.replace(/^v/, ""))
    const bin = builder.withExec(["go", "build", "-o", "/out/app", "."]).file("/out/app")
    return dag
      .container({ platform: p as Platform })
      .from("alpine:3.20")
      .withFile("/usr/local/bin/app", bin)
      .withLabel("org.opencontainers.image.source", "https://example.invalid/repo")
      .withAnnotation("org.opencontainers.image.description", "demo")
      .withEntrypoint(["/usr/local/bin/app"])
      .withUser("65532")
      .withRegistryAuth("ghcr.io", "me", auth)
  })
}

describe("recording engine: wire protocol", () => {
  it("answers POST /query with Basic auth and rejects a wrong token", async () => {
    const ok = await fetch(engine.url, {
      method: "POST",
      headers: { authorization: "Basic " + Buffer.from(engine.token + ":").toString("base64"), "content-type": "application/json" },
      body: JSON.stringify({ query: "{ defaultPlatform }" }),
    })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ data: { defaultPlatform: "linux/amd64" } })

    const bad = await fetch(engine.url, {
      method: "POST",
      headers: { authorization: "Basic " + Buffer.from("nope:").toString("base64") },
      body: JSON.stringify({ query: "{ defaultPlatform }" }),
    })
    expect(bad.status).toBe(401)
    const get = await fetch(engine.url.replace("/query", "/other"), { method: "GET" })
    expect(get.status).toBe(404)
  })

  it("records the SDK's exact query text, with field names, for id and sync", async () => {
    const m = engine.mark()
    const id = await withDag(() => dag.container().from("alpine:3.20").withEnvVariable("A", "1").withExec(["echo", "hi"]).id())
    const qs = engine.queriesSince(m)
    expect(qs).toHaveLength(1)
    expect(qs[0].text).toBe('{ container  { from (address: "alpine:3.20") { withEnvVariable (name: "A",value: "1") { withExec (args: ["echo","hi"]) { id  } } } } }')
    expect(qs[0].fields).toEqual(["container", "from", "withEnvVariable", "withExec", "id"])
    expect(qs[0].session).toBe("main")
    expect(id).toMatch(/^Container:[0-9a-f]{12}$/)
    // deterministic: the same chain is the same object
    const again = await withDag(() => dag.container().from("alpine:3.20").withEnvVariable("A", "1").withExec(["echo", "hi"]).id())
    expect(again).toBe(id)
    const o = engine.object(id)!
    expect(o).toMatchObject({ type: "Container", field: "withExec", args: { args: ["echo", "hi"] } })
    expect(engine.chain(id).map((x) => x.field)).toEqual(["container", "from", "withEnvVariable", "withExec"])
  })
})

describe("recording engine: containers", () => {
  it("records a cross-compile chain and a multi-platform publish with derived views", async () => {
    const sourceId = engine.fixtureDirectory(GO_HELLO)
    const secretId = engine.secret("ghcr-token", "ghp_not-a-real-token-1234")
    const execsBefore = engine.execs.length
    const ref = await withDag(() =>
      dag.container().publish("ttl.sh/multiarch-test:1h", {
        platformVariants: crossVariants(sourceId, secretId),
        forcedCompression: ImageLayerCompression.Gzip,
        mediaTypes: ImageMediaTypes.Oci,
      }),
    )
    expect(ref).toMatch(/^ttl\.sh\/multiarch-test:1h@sha256:[0-9a-f]{64}$/)

    const pub = engine.publishes.at(-1)!
    expect(pub.ref).toBe(ref)
    expect(pub.address).toBe("ttl.sh/multiarch-test:1h")
    expect(pub.platforms).toEqual(PLATFORMS)
    expect(pub.receiverIncluded).toBe(false) // dag.container() is empty: filtered out like Dagger does
    expect(pub.forcedCompression).toBe("Gzip") // enums travel unquoted, by name
    expect(pub.mediaTypes).toBe("OCI")
    expect(engine.queriesSince(0).some((q) => q.text.includes("forcedCompression: Gzip,mediaTypes: OCI") || q.text.includes("mediaTypes: OCI"))).toBe(true)

    for (const [i, v] of pub.variants.entries()) {
      expect(v.platform).toBe(PLATFORMS[i])
      expect(v.from).toBe("alpine:3.20")
      expect(v.entrypoint).toEqual(["/usr/local/bin/app"])
      expect(v.user).toBe("65532")
      expect(v.labels).toEqual({ "org.opencontainers.image.source": "https://example.invalid/repo" })
      expect(v.annotations).toEqual({ "org.opencontainers.image.description": "demo" })
      expect(v.registryAuth).toEqual([{ address: "ghcr.io", username: "me", secretId, secretName: "ghcr-token" }])
      expect(v.files).toHaveLength(1)
      expect(v.files[0]).toMatchObject({ path: "/usr/local/bin/app", kind: "file" })
      // the binary comes from a native builder (no explicit platform) with the target's GOARCH
      const bin = engine.object(v.files[0].sourceId!)!
      expect(bin).toMatchObject({ type: "File", field: "file", args: { path: "/out/app" } })
      const builder = engine.containerView(bin.parent!)
      expect(builder.platform).toBe("native")
      expect(engine.resolvePlatform(builder)).toBe("linux/amd64")
      expect(builder.mounts).toEqual([expect.objectContaining({ kind: "cache", path: "/go/pkg/mod", cacheKey: "go-mod", sharing: "SHARED" })])
      expect(builder.files).toEqual([expect.objectContaining({ path: "/src", kind: "directory", sourceId })])
      const exec = builder.execs.at(-1)!
      expect(exec.argv).toEqual(["go", "build", "-o", "/out/app", "."])
      expect(exec.workdir).toBe("/src")
      const arch = PLATFORMS[i].split("/")[1]
      expect(exec.env).toMatchObject({ CGO_ENABLED: "0", GOOS: "linux", GOARCH: arch })
      expect(exec.env.GOARM).toBe(PLATFORMS[i] === "linux/arm/v7" ? "7" : undefined)
    }
    // publish evaluated the chain: one go build per platform actually ran, natively
    const builds = engine.execs.slice(execsBefore).filter((e) => e.argv[0] === "go")
    expect(builds.map((b) => b.view.execs.at(-1)!.env.GOARCH).sort()).toEqual(["amd64", "arm", "arm64"])
    expect(builds.every((b) => b.platform === "linux/amd64" && b.ok)).toBe(true)

    // the same publish is deterministic
    const ref2 = await withDag(() =>
      dag.container().publish("ttl.sh/multiarch-test:1h", {
        platformVariants: crossVariants(sourceId, secretId),
        forcedCompression: ImageLayerCompression.Gzip,
        mediaTypes: ImageMediaTypes.Oci,
      }),
    )
    expect(ref2).toBe(ref)
    expect(engine.queryText()).not.toContain("ghp_not-a-real-token-1234")
  })

  it("is lazy like Dagger: id() runs nothing, sync()/stdout() evaluate the chain once", async () => {
    engine.onExec(["uname", "-m"].join(" "), "x86_64\n")
    const before = engine.execs.length
    const ctr = () => dag.container().from("alpine:3.20").withExec(["uname", "-m"])
    await withDag(() => ctr().id())
    expect(engine.execs.length).toBe(before)
    const out = await withDag(async () => {
      const synced = await ctr().sync()
      return synced.stdout()
    })
    expect(out).toBe("x86_64\n")
    // sync re-hydrates through node(id:) with an inline fragment, as the SDK does
    expect(engine.queries.at(-1)!.text).toMatch(/^\{ node \(id: "Container:[0-9a-f]{12}"\) \{ \.\.\. on Container \{ stdout {2}\} \} \}$/)
    expect(engine.execs.length).toBe(before + 1) // cached after the first successful evaluation
  })

  it("reports platform: explicit, or the engine's (configurable) default", async () => {
    const [explicit, native] = await withDag(() =>
      Promise.all([dag.container({ platform: "linux/arm64" as Platform }).platform(), dag.container().platform()]),
    )
    expect(explicit).toBe("linux/arm64")
    expect(native).toBe("linux/amd64")
    engine.setDefaultPlatform("linux/arm64")
    try {
      expect(await withDag(() => dag.defaultPlatform())).toBe("linux/arm64")
      expect(await withDag(() => dag.container().platform())).toBe("linux/arm64")
    } finally {
      engine.setDefaultPlatform("linux/amd64")
    }
  })

  it("rejects two variants of the same platform like Dagger's publish", async () => {
    const v = (p: string) => dag.container({ platform: p as Platform }).from("alpine:3.20")
    const err = await withDag(() => dag.container().publish("ttl.sh/dup:1", { platformVariants: [v("linux/arm64"), v("linux/arm64")] })).catch((e) => e)
    expect(err).toBeInstanceOf(GraphQLRequestError)
    expect((err as Error).message).toContain('duplicate platform "linux/arm64"')
  })

  it("records asTarball and export events with variants", async () => {
    const v = (p: string) => dag.container({ platform: p as Platform }).from("alpine:3.20").withNewFile("/etc/motd", `hi ${p}`)
    await withDag(() => dag.container().asTarball({ platformVariants: [v("linux/amd64"), v("linux/arm64")] }).export("out/image.tar"))
    const tb = engine.events.filter((e) => e.kind === "tarball").at(-1)
    expect(tb).toMatchObject({ kind: "tarball", exportPath: "out/image.tar", platforms: ["linux/amd64", "linux/arm64"] })
    await withDag(() => v("linux/arm64").export("out/one.tar"))
    expect(engine.events.filter((e) => e.kind === "export").at(-1)).toMatchObject({ path: "out/one.tar", platforms: ["linux/arm64"], receiverIncluded: true })
  })

  it("starts a container chain at Directory.dockerBuild with its platform and options", async () => {
    const ctx = engine.fixtureDirectory(GO_HELLO)
    const id = await withDag(() =>
      dag
        .loadDirectoryFromID(ctx as DirectoryID)
        .dockerBuild({ platform: "linux/arm64" as Platform, dockerfile: "Dockerfile", target: "runtime", buildArgs: [{ name: "VERSION", value: "1.2.3" }] })
        .id(),
    )
    const v = engine.containerView(id)
    expect(v.platform).toBe("linux/arm64")
    expect(v.dockerBuild).toMatchObject({ contextId: ctx, dockerfile: "Dockerfile", target: "runtime", buildArgs: [{ name: "VERSION", value: "1.2.3" }] })
    expect(engine.queries.at(-1)!.text).toContain('buildArgs: [{name:"VERSION",value:"1.2.3"}]')
  })
})

describe("recording engine: exec failures", () => {
  it("raises the SDK's ExecError with the injected exit code, at evaluation time only", async () => {
    const rule = engine.failExec({ match: (argv, c) => argv[0] === "go" && c.env.GOARCH === "arm64", exitCode: 2, stderr: "cannot find package", stdout: "partial" })
    try {
      const build = (arch: string) =>
        dag.container().from("golang:1.23").withEnvVariable("GOARCH", arch).withExec(["go", "build", "./..."]).file("/out/app")
      // building the chain and taking IDs does not evaluate anything
      await withDag(() => build("arm64").id())
      expect(rule.hits).toBe(0)
      const err = await withDag(() => build("arm64").contents()).catch((e) => e)
      expect(err).toBeInstanceOf(ExecError)
      const ex = err as ExecError
      expect(ex.exitCode).toBe(2)
      expect(ex.stderr).toBe("cannot find package")
      expect(ex.stdout).toBe("partial")
      expect(ex.cmd).toEqual(["go", "build", "./..."])
      expect(ex.message).toContain("exit code: 2")
      expect(rule.hits).toBe(1)
      // an amd64 build is not matched
      await expect(withDag(() => build("amd64").contents())).resolves.toContain("/out/app")
      const failed = engine.execs.filter((e) => !e.ok).at(-1)!
      expect(failed).toMatchObject({ argv: ["go", "build", "./..."], exitCode: 2, ok: false })
    } finally {
      rule.remove()
    }
  })

  it("surfaces a failure of a container referenced by ID (withFile source) when the consumer is evaluated", async () => {
    const rule = engine.failExec({ match: "make dist", exitCode: 7 })
    try {
      const artifact = () => dag.container().from("debian").withExec(["make", "dist"]).file("/dist/app")
      const runtime = () => dag.container({ platform: "linux/arm64" as Platform }).from("alpine:3.20").withFile("/app", artifact())
      await withDag(() => runtime().id()) // lazy
      const err = await withDag(() => runtime().sync()).catch((e) => e)
      expect(err).toBeInstanceOf(ExecError)
      expect((err as ExecError).exitCode).toBe(7)
    } finally {
      rule.remove()
    }
  })

  it("fails only the first N evaluations with `times` (retry tests)", async () => {
    const rule = engine.failExec({ match: /^curl -f https:\/\/flaky/, exitCode: 22, times: 2 })
    const attempt = () => withDag(() => dag.container().from("alpine:3.20").withExec(["curl", "-f", "https://flaky.example/x"]).sync())
    const results: Array<number | "ok"> = []
    for (let i = 0; i < 3; i++) results.push(await attempt().then(() => "ok" as const, (e: ExecError) => e.exitCode))
    expect(results).toEqual([22, 22, "ok"])
    expect(rule.hits).toBe(2)
    expect(rule.remaining).toBe(0)
  })

  it("honours withExec expect: ANY", async () => {
    const rule = engine.failExec({ match: "false", exitCode: 1 })
    try {
      const code = await withDag(() => dag.container().from("alpine:3.20").withExec(["false"], { expect: "ANY" as never }).exitCode())
      expect(code).toBe(1)
    } finally {
      rule.remove()
    }
  })

  it("fails arbitrary fields with failField (e.g. a registry error on publish)", async () => {
    const r = engine.failField({ type: "Container", field: "publish", message: "unauthorized: authentication required", times: 1 })
    try {
      const pub = () => withDag(() => dag.container({ platform: "linux/amd64" as Platform }).from("alpine:3.20").publish("ghcr.io/o/app:1"))
      const err = await pub().catch((e) => e)
      expect(err).toBeInstanceOf(GraphQLRequestError)
      expect((err as Error).message).toBe("unauthorized: authentication required")
      await expect(pub()).resolves.toMatch(/^ghcr\.io\/o\/app:1@sha256:/)
    } finally {
      r.remove()
    }
  })
})

describe("recording engine: secrets", () => {
  it("never records secret plaintext: setSecret is redacted, engine.secret sends none", async () => {
    const plain = "hunter2-super-secret-value"
    const m = engine.mark()
    const read = await withDag(async () => {
      const s = dag.setSecret("npm-token", plain)
      await dag.container().from("node:20").withSecretVariable("NPM_TOKEN", s).withMountedSecret("/run/secrets/npm", s).id()
      return s.plaintext()
    })
    expect(read).toBe(plain) // the engine does know it
    const text = engine.queriesSince(m).map((q) => q.text).join("\n")
    expect(text).toContain('setSecret (name: "npm-token",plaintext: "***")')
    expect(engine.queryText()).not.toContain(plain)
    expect(JSON.stringify([...engine.state.objects.values()])).not.toContain(plain)
    expect(engine.events.filter((e) => e.kind === "plaintext").at(-1)).toMatchObject({ name: "npm-token" })

    const id = engine.secret("reg", "pa55-w0rd-xyz")
    const ctrId = await withDag(() => dag.container().from("alpine").withSecretVariable("T", dag.loadSecretFromID(id as SecretID)).id())
    expect(engine.containerView(ctrId).secretEnv).toEqual({ T: "reg" })
    expect(engine.queryText()).not.toContain("pa55-w0rd-xyz")
  })

  it("the plaintext check can fail: a leaked value shows up in queryText()", async () => {
    const id = engine.secret("leaky", "leaked-value-123")
    await withDag(async () => {
      const p = await dag.loadSecretFromID(id as SecretID).plaintext()
      await dag.container().from("alpine").withEnvVariable("TOKEN", p).id() // the anti-pattern
    })
    expect(engine.queryText()).toContain("leaked-value-123")
  })
})

describe("recording engine: directories and files", () => {
  it("serves a fixture folder: entries, file contents, glob, sub-directories", async () => {
    const id = engine.fixtureDirectory(path.join(REPO_ROOT, "test/fixtures"))
    const r = await withDag(async () => {
      const d = dag.loadDirectoryFromID(id as DirectoryID)
      return {
        entries: await d.entries(),
        sub: await d.directory("go-hello").entries(),
        gomod: await d.directory("go-hello").file("go.mod").contents(),
        glob: await d.glob("**/*.go"),
        size: await d.file("go-hello/main.go").size(),
      }
    })
    expect(r.entries).toEqual(expect.arrayContaining(["go-hello/", "go-cgo/"]))
    expect(r.sub).toEqual(["go.mod", "main.go"])
    expect(r.gomod).toContain("module example.com/hello")
    expect(r.glob).toEqual(expect.arrayContaining(["go-hello/main.go", "go-cgo/main.go"]))
    expect(r.glob.every((g) => g.endsWith(".go"))).toBe(true)
    expect(r.size).toBeGreaterThan(100)
    const missing = await withDag(() => dag.loadDirectoryFromID(id as DirectoryID).file("nope.txt").contents()).catch((e) => e)
    expect((missing as Error).message).toContain("no such file or directory")
  })

  it("models withNewFile/withFile/withDirectory and container files", async () => {
    const r = await withDag(async () => {
      const d = dag.directory().withNewFile("a/b.txt", "B").withNewFile("c.txt", "C")
      const f = dag.file("x.txt", "X")
      const d2 = d.withFile("x/y.txt", f).withoutFile("c.txt")
      const ctr = dag.container().from("alpine").withDirectory("/work", d2).withWorkdir("/work").withNewFile("rel.txt", "R")
      return {
        entries: await d2.entries(),
        y: await d2.file("x/y.txt").contents(),
        fromCtr: await ctr.file("/work/a/b.txt").contents(),
        rel: await ctr.file("/work/rel.txt").contents(),
        ctrDir: await ctr.directory("/work").entries(),
      }
    })
    expect(r).toEqual({ entries: ["a/", "x/"], y: "X", fromCtr: "B", rel: "R", ctrDir: ["a/", "rel.txt", "x/"] })
  })

  it("globToRegExp follows the usual glob rules", () => {
    expect(globToRegExp("**/*.go").test("a/b/c.go")).toBe(true)
    expect(globToRegExp("**/*.go").test("c.go")).toBe(true)
    expect(globToRegExp("*.go").test("a/c.go")).toBe(false)
    expect(globToRegExp("src/{a,b}.ts").test("src/b.ts")).toBe(true)
  })
})

describe("recording engine: unknown fields and timing", () => {
  it("answers unknown fields leniently and lists them", async () => {
    const before = engine.unknownFields.length
    const res = await engine.execute('{ git(url: "https://example.invalid/r") { head { tree { id } } } }')
    expect(res.errors).toBeUndefined()
    expect(JSON.stringify(res.data)).toMatch(/"id":"Directory:[0-9a-f]{12}"|"id":"Tree:[0-9a-f]{12}"/)
    const leaf = await engine.execute("{ container { someNewLeaf } }")
    expect(leaf.data).toEqual({ container: { someNewLeaf: null } })
    const names = engine.unknownFields.slice(before).map((u) => `${u.type}.${u.field}`)
    expect(names).toEqual(["Query.git", "GitRepository.head", "Head.tree", "Container.someNewLeaf"])
  })

  it("applies a fixed latency per query and records concurrency", async () => {
    engine.setLatency(60)
    const t0 = performance.now()
    await withDag(async () => {
      for (let i = 0; i < 4; i++) await dag.defaultPlatform()
    })
    const sequential = performance.now() - t0
    expect(sequential).toBeGreaterThanOrEqual(4 * 60 - 5)

    const m = engine.mark()
    const t1 = performance.now()
    await withDag(() => Promise.all(Array.from({ length: 8 }, (_, i) => dag.container().withEnvVariable("I", String(i)).id())))
    const parallel = performance.now() - t1
    const qs = engine.queriesSince(m)
    expect(qs).toHaveLength(8)
    expect(qs.every((q) => (q.durationMs ?? 0) >= 55)).toBe(true)
    expect(parallel).toBeLessThan(8 * 60) // overlapped, not serialised
    expect(engine.stats().maxInFlight).toBeGreaterThan(1)
    expect(qs.every((q) => q.receivedAt > 0 && q.end! >= q.start)).toBe(true)
  })
})
