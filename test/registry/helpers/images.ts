/**
 * Build tiny multi-platform images with buildah FROM scratch (no pulls, no RUN, so no runtime or
 * emulation needed), push them to a local registry, and read registries back with skopeo: the
 * independent reader the registry tests compare our client against.
 *
 * buildah uses its own storage (vfs driver under a temp dir), so tests neither see nor touch the
 * machine's containers storage.
 */
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface Creds {
  username: string
  password: string
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string }
    throw new Error(`${cmd} ${args.join(" ")} failed: ${err.stderr || err.stdout || err.message}`)
  }
}

function splitPlatform(p: string): { os: string; arch: string; variant?: string } {
  const [os, arch, variant] = p.split("/")
  return variant ? { os, arch, variant } : { os, arch }
}

export class ImageFactory {
  readonly dir: string
  private readonly root: string
  private readonly runroot: string
  private n = 0

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "multiarch-buildah-"))
    this.root = join(this.dir, "root")
    this.runroot = join(this.dir, "run")
  }

  buildah(args: string[]): string {
    return run("buildah", ["--root", this.root, "--runroot", this.runroot, "--storage-driver", "vfs", ...args])
  }

  /**
   * Build a one-file image for `platform` ("os/arch[/variant]"); returns its local name.
   * `os`/`arch` may be "unknown" to make an attestation-like manifest.
   */
  build(name: string, platform: string, content = `${name} for ${platform}\n`): string {
    const { os, arch, variant } = splitPlatform(platform)
    const ctx = join(this.dir, `ctx-${++this.n}`)
    mkdirSync(ctx)
    writeFileSync(join(ctx, "payload.txt"), content)
    const fromArgs = ["from", "--name", `wc-${this.n}`]
    if (os !== "unknown") fromArgs.push("--os", os, "--arch", arch, ...(variant ? ["--variant", variant] : []))
    const c = this.buildah([...fromArgs, "scratch"]).trim()
    this.buildah(["copy", c, join(ctx, "payload.txt"), "/payload.txt"])
    this.buildah(["config", "--os", os, "--arch", arch, ...(variant ? ["--variant", variant] : []), "--label", `test.platform=${platform}`, c])
    const image = `localhost/${name}`
    this.buildah(["commit", "-q", "--rm", c, image])
    return image
  }

  /** Push one local image; returns the manifest digest the registry got. */
  push(image: string, dest: string, opts: { format?: "oci" | "v2s2"; creds?: Creds } = {}): string {
    const digestFile = join(this.dir, `digest-${++this.n}`)
    this.buildah([
      "push", "-q", "--tls-verify=false", "--format", opts.format ?? "oci", "--digestfile", digestFile,
      ...(opts.creds ? ["--creds", `${opts.creds.username}:${opts.creds.password}`] : []),
      image, `docker://${dest}`,
    ])
    return readFileSync(digestFile, "utf8").trim()
  }

  /** `buildah manifest create` + add each local image + `manifest push --all` as an OCI index. */
  pushIndex(images: string[], dest: string, opts: { creds?: Creds } = {}): void {
    const list = `localhost/list-${++this.n}`
    this.buildah(["manifest", "create", list])
    for (const img of images) this.buildah(["manifest", "add", list, img])
    this.buildah([
      "manifest", "push", "--all", "--format", "oci", "--tls-verify=false",
      ...(opts.creds ? ["--creds", `${opts.creds.username}:${opts.creds.password}`] : []),
      list, `docker://${dest}`,
    ])
  }

  /**
   * Compose an index from manifests already in the registry (by digest, so their digests are
   * kept), with per-entry platform overrides and annotations, and push it to `dest`.
   */
  composeIndex(
    entries: { ref: string; os?: string; arch?: string; annotations?: Record<string, string> }[],
    dest: string,
    opts: { creds?: Creds } = {},
  ): void {
    const list = `localhost/list-${++this.n}`
    const creds = opts.creds ? ["--creds", `${opts.creds.username}:${opts.creds.password}`] : []
    this.buildah(["manifest", "create", list])
    for (const e of entries) {
      const out = this.buildah([
        "manifest", "add", "--tls-verify=false", ...creds,
        ...(e.os ? ["--os", e.os] : []), ...(e.arch ? ["--arch", e.arch] : []),
        list, `docker://${e.ref}`,
      ])
      const digest = out.trim().split(/\s+/).pop()!
      if (e.annotations && Object.keys(e.annotations).length)
        this.buildah([
          "manifest", "annotate",
          ...Object.entries(e.annotations).flatMap(([k, v]) => ["--annotation", `${k}=${v}`]),
          list, digest,
        ])
    }
    this.buildah(["manifest", "push", "--all", "--format", "oci", "--tls-verify=false", ...creds, list, `docker://${dest}`])
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }
}

export interface RawManifest {
  bytes: Buffer
  digest: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any
}

function credsArgs(creds?: Creds): string[] {
  return creds ? ["--creds", `${creds.username}:${creds.password}`] : []
}

/** `skopeo inspect --raw --tls-verify=false`: the manifest bytes exactly as the registry serves them. */
export function skopeoRaw(ref: string, creds?: Creds): RawManifest {
  let bytes: Buffer
  try {
    bytes = execFileSync("skopeo", ["inspect", "--raw", "--tls-verify=false", ...credsArgs(creds), `docker://${ref}`], { stdio: ["ignore", "pipe", "pipe"] })
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string }
    throw new Error(`skopeo inspect --raw ${ref} failed: ${err.stderr?.toString() || err.message}`)
  }
  return { bytes, digest: "sha256:" + createHash("sha256").update(bytes).digest("hex"), json: JSON.parse(bytes.toString("utf8")) }
}

/** `skopeo inspect --config`: the image config (for one platform). */
export function skopeoConfig(ref: string, creds?: Creds, overrideArch?: { arch: string; variant?: string }): Record<string, unknown> {
  const extra = overrideArch ? ["--override-arch", overrideArch.arch, ...(overrideArch.variant ? ["--override-variant", overrideArch.variant] : [])] : []
  return JSON.parse(run("skopeo", ["inspect", "--config", "--tls-verify=false", ...extra, ...credsArgs(creds), `docker://${ref}`]))
}

/** `skopeo copy --all` from the registry into an OCI layout: succeeds only if every blob is there. */
export function skopeoCopyAll(ref: string, layoutDir: string, creds?: Creds): void {
  run("skopeo", ["copy", "--all", "--src-tls-verify=false", ...(creds ? ["--src-creds", `${creds.username}:${creds.password}`] : []), `docker://${ref}`, `oci:${layoutDir}:copy`])
}

/** Platforms of an index as `os/arch[/variant]`, attestation entries left out. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function indexPlatforms(index: any): string[] {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (index.manifests ?? [])
    .filter((m: any) => m.annotations?.["vnd.docker.reference.type"] !== "attestation-manifest" && m.platform?.os !== "unknown")
    .map((m: any) => [m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join("/"))
}
