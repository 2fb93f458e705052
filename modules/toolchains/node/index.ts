/**
 * Node toolchain: node_modules installed for every target on the engine's native platform (npm's
 * --os/--cpu/--libc for platform packages, native addons cross-compiled with the target's Debian
 * compiler), emulation only for install scripts that must run on the target (package-lock.json).
 */
import type { Toolchain } from "../toolchain.js"
import { describeNode, nodeStepOf } from "./describe.js"
import { checkNodeOptions, nodeOptions, type NodeOptions } from "./options.js"
import { LOCK_FILE, planNode, type NodePlan } from "./plan.js"

export const nodeToolchain = {
  name: "node",
  // package.json alone does not make a Node build: the install needs the lock (see plan.ts)
  marker: () => LOCK_FILE,
  factFiles: () => ["package.json", LOCK_FILE, ".nvmrc", ".node-version"],
  flags: ["nodeVersion", "libc", "base", "entrypoint", "emulate"],
  options: nodeOptions,
  check: checkNodeOptions,
  plan: planNode,
  describe: describeNode,
  stepOf: nodeStepOf,
  binaries: false,
} satisfies Toolchain<"node", NodeOptions, NodePlan>

export { planNode, nodeSource, nodeImage, APP_DIR, NPM_CACHE, NODE_DIR, LOCK_FILE, type NodePlan, type NodePackages } from "./plan.js"
export { parseLock, targetPackages, admits, admitsValue, deniedByPolicy, NATIVE_BUILD_DEPS, type NpmLock, type LockEntry, type NpmPlatform, type NodeLibc, type PackageDecision, type TargetPackages } from "./lock.js"
export { resolveNodeVersion, satisfies, NODE_LINES, DEFAULT_NODE_MAJOR, type NodeVersion, type NodeLine } from "./versions.js"
export { resolveEntrypoint, type PackageJson, type Entrypoint } from "./entrypoint.js"
export { classifyStep, elfTreeStep, platformCheckStep, npmVersionStep, MIN_NPM } from "./scripts.js"
export * from "./options.js"
