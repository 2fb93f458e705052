/**
 * QEMU emulation failures (pure): recognise an exec that died the way user-mode QEMU dies, decide
 * whether to retry it (once), and say what to do instead of showing a bare ExecError.
 *
 * Background (shared/reference/users.md): under emulation, `qemu: uncaught target signal 11
 * (Segmentation fault)` and exit 139 are the common failure — libc-bin's post-install in
 * emulated arm64 `apt-get`, Node segfaults, Dagger's own release builds. Some are flaky (a retry
 * passes), some are QEMU regressions (a newer or older QEMU passes), and all of them disappear when
 * the step is cross-compiled on the build platform instead of emulated.
 */

/** The signal a QEMU signature points at. */
export type QemuSignal = "SIGSEGV" | "SIGILL" | "SIGABRT" | "SIGBUS"

export interface QemuSignature {
  /** True when the failure looks like QEMU user emulation dying rather than the program failing. */
  qemu: boolean
  signal?: QemuSignal
  /** The stderr line that gave it away, if any. */
  marker?: string
  /** One-phrase explanation ("exit 139 (SIGSEGV)", "qemu: uncaught target signal 4 (Illegal instruction)"). */
  reason: string
}

const SIGNALS: Record<number, QemuSignal> = { 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 11: "SIGSEGV" }
/** exit status 128+N of a shell whose child died of signal N. */
const EXIT_SIGNALS: Record<number, QemuSignal> = { 132: "SIGILL", 134: "SIGABRT", 135: "SIGBUS", 139: "SIGSEGV" }

/** stderr markers that only QEMU prints. */
const QEMU_MARKERS: RegExp[] = [
  /qemu: uncaught target signal (\d+)[^\n]*/i,
  /qemu(?:-[a-z0-9_]+)?(?:-static)?: (?:unhandled|unsupported|unknown|fatal|Unexpected)[^\n]*/i,
  /QEMU internal SIG(?:SEGV|BUS|ILL)[^\n]*/,
]
/** stderr markers any crashing program prints; QEMU-ish only together with a signal exit or under emulation. */
const CRASH_MARKERS: [RegExp, QemuSignal][] = [
  [/Segmentation fault[^\n]*/i, "SIGSEGV"],
  [/Illegal instruction[^\n]*/i, "SIGILL"],
  [/Bus error[^\n]*/i, "SIGBUS"],
  // dpkg/apt report a maintainer script killed by SIGSEGV this way (the libc-bin case)
  [/(?:returned error )?exit (?:status|code) 139[^\n]*/i, "SIGSEGV"],
]

/**
 * Classify an exec failure that happened under emulation. QEMU signatures:
 *  - any exit code with a QEMU-only stderr marker (`qemu: uncaught target signal N`, `qemu: unhandled
 *    CPU exception`, `QEMU internal SIGSEGV`);
 *  - exit 139 (SIGSEGV) on its own — a segfault under emulation is presumed to be QEMU's;
 *  - exit 132/134/135 (SIGILL/SIGABRT/SIGBUS), or a non-zero exit from a wrapper (dpkg, sh), when
 *    stderr shows the crash ("Illegal instruction", "Segmentation fault", "exit status 139").
 * Exit 137 (SIGKILL: the OOM killer), ordinary non-zero exits and successes are not.
 */
export function classifyExecFailure(exitCode: number, stderr = ""): QemuSignature {
  const text = typeof stderr === "string" ? stderr : ""
  if (!Number.isInteger(exitCode) || exitCode === 0) return { qemu: false, reason: `exit ${exitCode}` }
  for (const re of QEMU_MARKERS) {
    const m = re.exec(text)
    if (m) {
      const sig = m[1] !== undefined ? SIGNALS[Number(m[1])] : EXIT_SIGNALS[exitCode]
      return { qemu: true, ...(sig ? { signal: sig } : {}), marker: m[0].trim(), reason: m[0].trim() }
    }
  }
  const exitSig = EXIT_SIGNALS[exitCode]
  if (exitCode === 139) {
    const m = CRASH_MARKERS.map(([re]) => re.exec(text)).find(Boolean)
    return { qemu: true, signal: "SIGSEGV", ...(m ? { marker: m[0].trim() } : {}), reason: "exit 139 (SIGSEGV)" }
  }
  if (exitCode === 137) return { qemu: false, reason: "exit 137 (SIGKILL: out of memory or killed)" }
  for (const [re, sig] of CRASH_MARKERS) {
    const m = re.exec(text)
    if (!m) continue
    // a signal exit must agree with the marker; a wrapper's plain non-zero exit (dpkg: 1, make: 2) is fine
    if (exitSig && exitSig !== sig) continue
    return { qemu: true, signal: sig, marker: m[0].trim(), reason: `exit ${exitCode}${exitSig ? ` (${exitSig})` : ""}: ${m[0].trim()}` }
  }
  return { qemu: false, reason: exitSig ? `exit ${exitCode} (${exitSig})` : `exit ${exitCode}` }
}

/** Shorthand: does this failure look like QEMU? */
export function isQemuSignature(exitCode: number, stderr = ""): boolean {
  return classifyExecFailure(exitCode, stderr).qemu
}

/** How many attempts an emulated exec gets in total (the first run plus one retry). */
export const MAX_EMULATED_ATTEMPTS = 2

/**
 * Whether to run an emulated exec again. `attempt` is the 1-based number of the attempt that just
 * failed: the first failure with a QEMU signature is retried once; a second one is final. Call it
 * only for execs that ran under emulation (a native segfault is the program's own bug).
 */
export function shouldRetry(exitCode: number, stderr: string, attempt: number): boolean {
  return Number.isInteger(attempt) && attempt >= 1 && attempt < MAX_EMULATED_ATTEMPTS && isQemuSignature(exitCode, stderr)
}

export interface EmulationFailureInput {
  /** The emulated platform, e.g. "linux/arm64". */
  platform: string
  /** The step, e.g. "go build" or "RUN npm ci (Dockerfile line 12)". */
  step: string
  exitCode: number
  stderr?: string
  /** Attempts made (default 2: the run and its retry). */
  attempts?: number
  /** The engine's native platform, if known, to say what cross-compiling would run on. */
  nativePlatform?: string
  /** "dockerfile" words the fix as the BUILDPLATFORM pattern; other toolchains as dropping --emulate. */
  toolchain?: "go" | "rust" | "dockerfile" | string
}

function tail(stderr: string, lines = 6): string {
  const l = stderr.replace(/\s+$/, "").split(/\r?\n/).filter((x) => x.trim() !== "")
  return l.slice(-lines).map((x) => (x.length > 200 ? x.slice(0, 197) + "..." : x)).join("\n    ")
}

/**
 * The message for an emulated step that failed with a QEMU signature on every attempt: names the
 * platform, the step, what happened and the fix (cross-compile via BUILDPLATFORM / drop --emulate
 * / pin a newer QEMU in the engine).
 */
export function emulationFailureMessage(i: EmulationFailureInput): string {
  const sig = classifyExecFailure(i.exitCode, i.stderr ?? "")
  const attempts = i.attempts ?? MAX_EMULATED_ATTEMPTS
  const native = i.nativePlatform ? ` (${i.nativePlatform})` : ""
  const what = sig.qemu
    ? `died under QEMU emulation: ${sig.reason}${sig.marker && sig.marker !== sig.reason ? ` — ${sig.marker}` : ""}`
    : `failed under QEMU emulation: ${sig.reason}`
  const times = attempts > 1 ? `, on all ${attempts} attempts (retried once: not a one-off flake)` : ""
  const isPkg = /\b(apt-get|apt|dpkg|apk|libc-bin|ldconfig)\b/.test(`${i.step}\n${i.stderr ?? ""}`)
  const fixes: string[] = []
  if (i.toolchain === "dockerfile")
    fixes.push(
      `run the heavy step on the build platform and cross-compile: \`FROM --platform=$BUILDPLATFORM … AS build\` + \`ARG TARGETOS TARGETARCH\` (Go: GOOS=$TARGETOS GOARCH=$TARGETARCH; Rust: --target <triple>), then \`COPY --from=build\` the result into the ${i.platform} stage`,
    )
  else
    fixes.push(
      `drop --emulate so multiarch cross-compiles for ${i.platform} on the engine's native platform${native} (nothing foreign runs)`,
    )
  if (isPkg)
    fixes.push(
      "package maintainer scripts (libc-bin's ldconfig) are a known QEMU crash site: install fewer packages in the emulated stage, or use a base image that already has them",
    )
  fixes.push("or pin a newer QEMU in the engine (the binfmt/QEMU build it bundles): QEMU regressions come and go between releases")
  return (
    `${i.platform}: step "${i.step}" ${what}${times}.${sig.qemu ? " This is the emulator crashing, not a bug in your build." : ""}\n` +
    `  fix: ${fixes.join(";\n       ")}` +
    (i.stderr && i.stderr.trim() ? `\n  stderr (last lines):\n    ${tail(i.stderr)}` : "")
  )
}

/** The error the shell throws instead of a bare ExecError once the retry is spent (errors/EmulationFailure.ts). */
export { EmulationFailure } from "./errors/EmulationFailure.js"
