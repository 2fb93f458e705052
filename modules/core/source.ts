/**
 * What never goes into a build's source upload (pure data): the module's `source` argument carries
 * it as its ignore list (applied by the engine to a `--source` directory) and the default source —
 * the directory `dagger` is called from — is read with it; ci/pipeline.ts excludes the same paths
 * (plus the env file it read).
 *
 *  - `.git`: history and the checkout's credentials (`.git/config` may hold an auth header);
 *  - `**\/node_modules`, `target` (Rust's output at the root; the Rust builds use a cache volume
 *    for it): build outputs, large, and never an input of these builds;
 *  - `**\/.env`, `**\/.env.*`, `**\/.multiarch.env`: env files hold credentials (Dagger reads `.env` as
 *    default arguments; ci/pipeline.ts reads `.multiarch.env`); a Dockerfile that needs a value
 *    from one gets it as a build arg or a secret instead;
 *  - `.multiarch`: this module itself, where the CI templates expect it as a git submodule.
 *
 * Dockerfile builds also honour the context's `.dockerignore` in BuildKit as usual.
 */
export const SOURCE_IGNORE = [".git", "**/node_modules", "target", "**/.env", "**/.env.*", "**/.multiarch.env", ".multiarch"]
