/**
 * Test-ladder guard. A rung whose tools are missing may skip on a developer's machine, loudly, but
 * under CI (CI=true) it fails: .ci/run installs everything rungs 1–6 need, so a skip there means
 * a broken install step. Only rung 7 (a real Dagger engine) may skip in CI.
 */
import { execFileSync } from "node:child_process"

export const IN_CI = process.env.CI === "true" || process.env.CI === "1"

/** True when `cmd` is on PATH (or an absolute path that exists and runs). */
export function hasCommand(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${JSON.stringify(cmd)}`], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

/**
 * Returns true when every requirement is met. Otherwise: in CI it throws (the suite fails); on a
 * developer machine it prints why the rung is skipped and returns false (use with describe.skipIf).
 */
export function rungAvailable(rung: string, requirements: Record<string, boolean>, mayskipInCI = false): boolean {
  const missing = Object.entries(requirements).filter(([, ok]) => !ok).map(([name]) => name)
  if (missing.length === 0) return true
  const msg =
    `[${rung}] missing: ${missing.join(", ")}` +
    (mayskipInCI ? "" : " — `npm test` runs this rung in the disposable root; on a disposable machine `sudo bash test/setup.sh` installs it here")
  if (IN_CI && !mayskipInCI) throw new Error(`${msg}. CI must not skip this rung.`)
  console.warn(`\n!!! SKIPPING ${msg}\n`)
  return false
}
