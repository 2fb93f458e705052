/**
 * Emulated builds (Dockerfile RUN on a foreign platform, go/rust --emulate): evaluate the variant
 * now, retry once when the exec dies with a QEMU signature (exit 139, "qemu: uncaught target
 * signal"…), then fail with a message naming the platform, the step and the fix instead of a bare
 * ExecError. Variants are synced concurrently by the caller (Promise.all), never one by one.
 */
import { ExecError, type Container } from "@dagger.io/dagger"
import { EmulationFailure, MAX_EMULATED_ATTEMPTS, shouldRetry } from "../../modules/core/emulation.js"
import type { PlanStep } from "../../modules/core/plan.js"

export interface EmulatedVariant {
  platform: string
  toolchain: string
  nativePlatform?: string
  /** Named steps of the plan, to name the failing one. */
  steps?: PlanStep[]
  /** Toolchain-specific naming of a failed command (e.g. "RUN … (Dockerfile line 12)"). */
  nameStep?: (cmd: string[] | undefined) => string | undefined
}

function stepName(cmd: string[] | undefined, steps: PlanStep[] = []): string {
  const argv = cmd ?? []
  const known = steps.find((s) => s.argv.length === argv.length && s.argv.every((a, i) => a === argv[i]))
  if (known) return known.name
  const text = argv.join(" ")
  const shown = /^\/bin\/sh -c /.test(text) ? `RUN ${text.slice("/bin/sh -c ".length)}` : text
  return shown.length > 160 ? shown.slice(0, 157) + "..." : shown || "(unknown step)"
}

export async function syncEmulated(c: Container, v: EmulatedVariant): Promise<Container> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await c.sync()
    } catch (e) {
      if (!(e instanceof ExecError)) throw e
      if (shouldRetry(e.exitCode, e.stderr, attempt)) continue
      const step = v.nameStep?.(e.cmd) ?? stepName(e.cmd, v.steps)
      const sig = { platform: v.platform, step, exitCode: e.exitCode, stderr: e.stderr, attempts: attempt, nativePlatform: v.nativePlatform, toolchain: v.toolchain }
      // a plain build failure (not QEMU's signature) keeps the tool's own error
      if (attempt < MAX_EMULATED_ATTEMPTS && !shouldRetry(e.exitCode, e.stderr, 1)) throw e
      throw new EmulationFailure(sig)
    }
  }
}
