/**
 * Read the platforms an OCI image layout (directory or tarball) holds, following nested indexes
 * the way a registry client does. Attestation manifests (platform unknown/unknown, or the
 * vnd.docker.reference.type=attestation-manifest annotation) are not platforms.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

interface Descriptor {
  mediaType?: string
  digest: string
  platform?: { os?: string; architecture?: string; variant?: string }
  annotations?: Record<string, string>
}

const INDEX_TYPES = new Set(["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"])

function blobPath(layout: string, digest: string): string {
  const [alg, hex] = digest.split(":")
  if (!alg || !hex || !/^[a-f0-9]+$/.test(hex)) throw new Error(`bad digest ${digest}`)
  return path.join(layout, "blobs", alg, hex)
}

/** Platforms (os/arch[/variant]) of the image layout in `layout`, in index order. */
export function layoutPlatforms(layout: string): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  const walk = (indexFile: string, depth: number) => {
    if (depth > 4) throw new Error("OCI index nesting deeper than 4")
    const index = JSON.parse(fs.readFileSync(indexFile, "utf8")) as { manifests?: Descriptor[] }
    for (const d of index.manifests ?? []) {
      if (d.mediaType && INDEX_TYPES.has(d.mediaType)) {
        if (!seen.has(d.digest)) {
          seen.add(d.digest)
          walk(blobPath(layout, d.digest), depth + 1)
        }
        continue
      }
      if (d.annotations?.["vnd.docker.reference.type"] === "attestation-manifest") continue
      const p = d.platform
      if (!p?.os || !p.architecture || (p.os === "unknown" && p.architecture === "unknown")) continue
      out.push([p.os, p.architecture, p.variant].filter((x) => !!x).join("/"))
    }
  }
  walk(path.join(layout, "index.json"), 0)
  return out
}

/** Platforms of an OCI layout tarball (extracted with tar into a temporary directory). */
export function tarballPlatforms(tarball: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "multiarch-oci-"))
  try {
    execFileSync("tar", ["-xf", tarball, "-C", dir])
    return layoutPlatforms(dir)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
