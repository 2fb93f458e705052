/**
 * Engine glue for emulated builds (Dockerfile RUN on a foreign platform, go/rust --emulate):
 * evaluate the variant now, retry once when the exec dies with a QEMU signature (exit 139, "qemu:
 * uncaught target signal"…), then fail with a message naming the platform, the step and the fix
 * instead of a bare ExecError. Variants are synced concurrently by the caller (Promise.all).
 */
import { ExecError, type Container } from "@dagger.io/dagger"
import { EmulationFailure, MAX_EMULATED_ATTEMPTS, shouldRetry } from "../../modules/core/emulation.js"

export interface EmulatedVariant {
  platform: string
  toolchain: string
  nativePlatform?: string
  /** The toolchain's name for a failed command (a plan step, "RUN … (Dockerfile line 12)"), if it knows it. */
  stepOf?: (argv: readonly string[] | undefined) => string | undefined
}

/** A readable name for a command no plan step matches: shell-form RUNs shown as `RUN …`. */
function commandName(cmd: readonly string[] | undefined): string {
  const text = (cmd ?? []).join(" ")
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
      const step = v.stepOf?.(e.cmd) ?? commandName(e.cmd)
      const sig = { platform: v.platform, step, exitCode: e.exitCode, stderr: e.stderr, attempts: attempt, nativePlatform: v.nativePlatform, toolchain: v.toolchain }
      // a plain build failure (not QEMU's signature) keeps the tool's own error
      if (attempt < MAX_EMULATED_ATTEMPTS && !shouldRetry(e.exitCode, e.stderr, 1)) throw e
      throw new EmulationFailure(sig)
    }
  }
}
