/**
 * Emulated builds: run a plan's steps inside the arm64 Debian rootfs made by bench/setup.sh, so the
 * toolchain itself (go, cargo, rustc, the linker) runs under qemu-user through binfmt_misc (F flag).
 *
 * The plan's exact env and argv are run by test/support/hostplan.ts `runPlanOnHost`, unchanged;
 * each step's argv is only prefixed with a wrapper that, in a private mount namespace (so nothing
 * stays mounted when the step ends), bind-mounts the bench work folder at the same absolute path
 * inside the rootfs, mounts /proc, chroots and cds to the step's working directory. The host paths
 * runPlanOnHost maps the plan's container paths to are therefore valid inside the chroot too.
 */
import { existsSync, readFileSync } from "node:fs"
import type { BuildPlan, PlanStep } from "../modules/core/plan.js"
import { BENCH_CACHE } from "./lib.js"

export const ARM64_ROOT = `${BENCH_CACHE}/arm64root`
const MARK = `${ARM64_ROOT}/.multiarch-bench-rootfs`

/** Why the emulated builds cannot run, or undefined when they can. */
export function emulationUnavailable(): string | undefined {
  if (!existsSync(MARK)) return `no arm64 rootfs at ${ARM64_ROOT}: run bench/setup.sh`
  let handler = ""
  try {
    handler = readFileSync("/proc/sys/fs/binfmt_misc/qemu-aarch64", "utf8")
  } catch {
    return "binfmt_misc is not mounted or qemu-aarch64 is not registered: run bench/setup.sh"
  }
  if (!/^enabled/m.test(handler)) return "the qemu-aarch64 binfmt handler is disabled: run bench/setup.sh"
  if (!/^flags: .*F/m.test(handler)) return "the qemu-aarch64 binfmt handler lacks the F flag (needed inside a chroot)"
  return undefined
}

/**
 * The wrapper: `unshare -m sh -c '<mount + chroot>' ROOTFS WORK <argv…>`. The script carries no
 * path the plan maps (/src/, /out/, cache paths), so runPlanOnHost's mapper leaves it alone.
 */
const WRAP_SCRIPT =
  'r=$0; w=$1; shift; /bin/mkdir -p "$r$w" && /bin/mount --bind "$w" "$r$w" && /bin/mount -t proc proc "$r/proc" && ' +
  `exec /usr/sbin/chroot "$r" /bin/sh -c 'cd "$0" && exec "$@"' "$PWD" "$@"`

export function chrootArgv(work: string, argv: string[]): string[] {
  return ["/usr/bin/unshare", "--mount", "--propagation", "private", "sh", "-c", WRAP_SCRIPT, ARM64_ROOT, work, ...argv]
}

/** The plan's steps, each wrapped to run in the arm64 rootfs (`work` must hold every host dir used). */
export function emulatedSteps(plan: BuildPlan, work: string): PlanStep[] {
  return plan.steps.map((s) => ({ name: s.name, argv: chrootArgv(work, s.argv) }))
}

/** How RESULTS.md shows the wrapper. */
export const WRAPPER_DISPLAY = `unshare --mount --propagation private sh -c '<bind-mount WORK at ROOTFS/WORK; mount proc; chroot ROOTFS; cd $PWD>' ${ARM64_ROOT} WORK`
