/**
 * Engine glue for compiled plans (Go, Rust): the builder container (native or emulated platform,
 * caches, setup, env, steps) and the runtime image of each platform. Everything is lazy: nothing
 * here awaits, so N platforms are composed and resolved together. Called from apply.ts.
 */
import { dag, type Container, type Directory, type File, type Platform } from "@dagger.io/dagger"
import type { BuildPlan } from "../../modules/core/plan.js"

/** Builder container for a plan: native (or emulated) platform, caches, setup, source, env, steps. */
export function builderFor(plan: BuildPlan, source: Directory): Container {
  let c =
    plan.builder.platform === "native"
      ? dag.container()
      : dag.container({ platform: plan.builder.platform as Platform })
  c = c.from(plan.builder.image)
  for (const m of plan.caches) c = c.withMountedCache(m.path, dag.cacheVolume(m.key))
  // setup first: package installs stay cached across source changes
  for (const s of plan.builder.setup) c = c.withExec(s.argv)
  c = c.withDirectory(plan.workdir, source).withWorkdir(plan.workdir)
  for (const [k, v] of Object.entries(plan.env)) c = c.withEnvVariable(k, v)
  for (const s of plan.steps) c = c.withExec(s.argv)
  return c
}

/** The built (and already verified) artifact of a plan. */
export function binaryFor(plan: BuildPlan, source: Directory): File {
  return builderFor(plan, source).file(plan.output.path)
}

/** Every binary a plan builds (the entrypoint first), from one builder. */
export function binariesFor(plan: BuildPlan, source: Directory): { name: string; file: File }[] {
  const builder = builderFor(plan, source)
  return [plan.output, ...(plan.extraOutputs ?? [])].map((o) => ({ name: o.name, file: builder.file(o.path) }))
}

/** passwd/group of the scratch runtime: root and nonroot (65532, as in distroless). */
const PASSWD = "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
const GROUP = "root:x:0:\nnonroot:x:65532:\n"

/** Minimal static-runtime rootfs: passwd/group with a nonroot user, /tmp, home, CA bundle. */
export function scratchRootfs(caBundle?: File): Directory {
  let d = dag
    .directory()
    .withNewFile("etc/passwd", PASSWD)
    .withNewFile("etc/group", GROUP)
    .withNewDirectory("tmp", { permissions: 0o1777 })
    .withNewDirectory("home/nonroot", { permissions: 0o755 })
  if (caBundle) d = d.withFile("etc/ssl/certs/ca-certificates.crt", caBundle)
  return d
}

export interface RuntimeOptions {
  labels?: Record<string, string>
  annotations?: Record<string, string>
  /** CA bundle for scratch runtimes (taken from the builder: it is architecture independent). */
  caBundle?: File

  /** The plan's other binaries (extraOutputs), copied next to the entrypoint's. */
  extraBinaries?: { name: string; file: File }[]
}

/** The runtime image of one platform: base (or scratch rootfs) + binaries + entrypoint + user + labels. */
export function runtimeImage(plan: BuildPlan, binary: File, opts: RuntimeOptions = {}): Container {
  let c = dag.container({ platform: plan.platform as Platform })
  c = plan.runtime.base === "scratch" ? c.withDirectory("/", scratchRootfs(opts.caBundle)) : c.from(plan.runtime.base)
  c = c.withFile(plan.runtime.binaryPath, binary, { permissions: 0o755 })
  const dir = plan.runtime.binaryPath.replace(/\/[^/]*$/, "")
  for (const b of opts.extraBinaries ?? []) c = c.withFile(`${dir}/${b.name}`, b.file, { permissions: 0o755 })
  c = c.withEntrypoint(plan.runtime.entrypoint)
  if (plan.runtime.user) c = c.withUser(plan.runtime.user)
  for (const [k, v] of Object.entries(opts.labels ?? {})) c = c.withLabel(k, v)
  for (const [k, v] of Object.entries(opts.annotations ?? {})) c = c.withAnnotation(k, v)
  return c
}

/** Builder + runtime for one plan. */
export function imageFor(plan: BuildPlan, source: Directory, opts: RuntimeOptions = {}): Container {
  const builder = builderFor(plan, source)
  const caBundle = plan.runtime.base === "scratch" ? builder.file("/etc/ssl/certs/ca-certificates.crt") : undefined
  const extraBinaries = (plan.extraOutputs ?? []).map((o) => ({ name: o.name, file: builder.file(o.path) }))
  return runtimeImage(plan, builder.file(plan.output.path), { ...opts, caBundle, ...(extraBinaries.length ? { extraBinaries } : {}) })
}
