/**
 * Engine glue for `publish`: push every platform variant as one index (the engine pushes, with
 * registry auth from a Secret), then — when the module itself must talk to the registry —
 * annotate the index, point the other tags at it, and verify it. A PublishRequest
 * (modules/core/publish.ts) comes in, already checked.
 */
import { dag, ExecError, ImageLayerCompression, ImageMediaTypes, type Container, type Secret } from "@dagger.io/dagger"
import type { Compression, PublishRequest } from "../../modules/core/publish.js"
import {
  checkPublishAccess,
  dockerConfigCredentials,
  dockerConfigHint,
  finishPublish,
  type PublishFollowUps,
  type RegistryCredentials,
  type RegistryOptions,
} from "../../modules/registry/index.js"
import { credentialsOf, dockerConfigOf } from "./credentials.js"

export function daggerCompression(c?: Compression): ImageLayerCompression {
  switch (c ?? "gzip") {
    case "zstd":
      return ImageLayerCompression.Zstd
    case "uncompressed":
      return ImageLayerCompression.Uncompressed
    case "estargz":
      return ImageLayerCompression.Estargz
    default:
      return ImageLayerCompression.Gzip
  }
}

export function daggerMediaTypes(m?: "oci" | "docker"): ImageMediaTypes {
  return m === "docker" ? ImageMediaTypes.Docker : ImageMediaTypes.Oci
}

/**
 * Turn a failed build step into an error that says which platform and what went wrong: our own
 * checks print one "multiarch: …" line naming the platform; otherwise the step and its exit code.
 */
export function explainBuildError(e: unknown): unknown {
  if (!(e instanceof ExecError)) return e
  const own = `${e.stderr ?? ""}\n${e.stdout ?? ""}`.split("\n").find((l) => l.startsWith("multiarch: "))
  if (own) return new Error(own.replace(/^multiarch: /, ""))
  return e
}

/** The variants of a multi-platform image, in the order of their platforms. */
export interface Variants {
  variants: Container[]
  platforms: string[]
}

/**
 * The engine's push failed because the registry speaks plain http: say what the engine needs.
 * The module cannot switch the engine's push to http (Container.publish has no such option);
 * the engine decides per registry from its own config (engine/server/registryhosts.go: a
 * `registries.<host>.http` entry, or a loopback host).
 */
export function explainPushError(e: unknown, registry: string, plainHttp: boolean): unknown {
  const text = e instanceof Error ? e.message : String(e)
  // Go's net/http error when TLS is spoken to a plain-http server
  if (!/server gave HTTP response to HTTPS client/i.test(text)) return e
  return new Error(
    `the Dagger engine could not push to ${registry}: the registry speaks plain http, and the engine pushes over https unless its own configuration names the registry` +
      `${plainHttp ? " (--plain-http only reaches the module's own registry client, not the engine)" : ""}. ` +
      `Add {"registries": {"${registry}": {"http": true}}} to ~/.config/dagger/engine.json (or [registry."${registry}"] http = true in engine.toml), ` +
      `then restart the engine (docker rm -f $(docker ps -q --filter "name=dagger-engine-")). Engine error: ${text.split("\n")[0]}`,
  )
}

/** More publish inputs (besides the request and the password): the user's docker config. */
export interface PublishAuth {
  /** A docker config.json (the user's own login), for the engine's push and the module's own client. */
  registryConfig?: Secret
}

/**
 * Push `image` as `req` says; returns `ref@sha256:…` of the index.
 *
 * Registry auth, for the engine's push: `req.username` with `password`; else the entry for the
 * registry in `auth.registryConfig` (handed to the engine with `withRegistryAuth` and a secret
 * made with `setSecret`, see the README for the trade-off); else nothing — the engine then uses
 * the login of the host that runs `dagger` (its `docker login`, credential helpers included).
 *
 * Anything the module's own client must do after the push (annotations, extra tags with
 * credentials, --verify) is checked first (checkPublishAccess), so a publish never fails half-way
 * for want of credentials or push rights.
 */
export async function publishImage(image: Variants, req: PublishRequest, password?: Secret, auth: PublishAuth = {}): Promise<string> {
  const { username } = req
  const indexAnnotations = req.annotations
  const rest = req.otherTags
  const needClient = rest.length > 0 || !!indexAnnotations || req.verify
  // the secrets' plaintext is read only when the module itself must talk to the registry, or to
  // take the user's config apart for the engine
  const explicit = needClient ? await credentialsOf(username, password) : undefined
  const config = await dockerConfigOf(auth.registryConfig)
  let fromConfig: RegistryCredentials | undefined
  try {
    fromConfig = explicit || (username !== undefined && password !== undefined) ? undefined : config ? dockerConfigCredentials(config, req.registry) : undefined
  } catch (e) {
    // an entry that needs a credential helper: fatal only when the module's own client needs it;
    // the engine's push still has the login of the host that runs `dagger`
    if (needClient) throw e
  }
  const credentials = explicit ?? fromConfig

  let base = dag.container()
  if (username !== undefined && password !== undefined) base = base.withRegistryAuth(req.repository, username, password)
  else if (fromConfig && fromConfig.password && !fromConfig.identityToken)
    base = base.withRegistryAuth(req.repository, fromConfig.username, dag.setSecret(`multiarch-registry-config:${req.registry}`, fromConfig.password))
  const opts = {
    platformVariants: image.variants,
    forcedCompression: daggerCompression(req.compression),
    mediaTypes: daggerMediaTypes(req.mediaTypes),
  }
  const ropts: RegistryOptions = { ...(credentials ? { credentials } : {}), ...(req.plainHttp ? { plainHttp: true } : {}) }
  if (config && !credentials) ropts.credentialsHintFor = (r) => dockerConfigHint(config, r)
  // the module's own client writes annotations and the other tags when it has credentials (or
  // must anyway, for annotations); without credentials the engine pushes every tag itself
  const clientPushes = !!indexAnnotations || (rest.length > 0 && !!credentials)
  const followUps: PublishFollowUps = {
    ...(indexAnnotations ? { annotations: indexAnnotations } : {}),
    ...(clientPushes && rest.length ? { tags: rest } : {}),
    ...(req.verify ? { verify: image.platforms } : {}),
  }
  // before anything is pushed: can the module's own client do its part?
  await checkPublishAccess(req.first, followUps, ropts)

  const push = (ref: string) => base.publish(ref, opts).catch((e) => Promise.reject(explainPushError(explainBuildError(e), req.registry, req.plainHttp)))
  let published = ""
  if (clientPushes) published = await push(req.first)
  else
    // one tag after the other: the SDK resolves the shared variant IDs in place, and concurrent
    // publishes of the same variants race on that; the engine has the image cached after the first
    for (const r of req.refs) {
      const p = await push(r)
      published ||= p
    }
  return finishPublish(published, followUps, ropts)
}
