/**
 * QEMU failure classification, the retry-once rule and the message that replaces a bare ExecError.
 * The stderr samples are the shapes users report (shared/reference/users.md): emulated apt-get's
 * libc-bin post-install dying with exit 139, Node segfaults, SIGILL from an unsupported instruction.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  classifyExecFailure,
  EmulationFailure,
  emulationFailureMessage,
  isQemuSignature,
  MAX_EMULATED_ATTEMPTS,
  shouldRetry,
} from "../../../modules/core/emulation.js"

const LIBC_BIN = [
  "Setting up libc-bin (2.36-9+deb12u4) ...",
  "qemu: uncaught target signal 11 (Segmentation fault) - core dumped",
  "Segmentation fault (core dumped)",
  "dpkg: error processing package libc-bin (--configure):",
  " installed libc-bin package post-installation script subprocess returned error exit status 139",
  "Errors were encountered while processing:",
  " libc-bin",
  "E: Sub-process /usr/bin/dpkg returned an error code (1)",
].join("\n")

describe("classifyExecFailure", () => {
  it("QEMU's own marker wins, whatever the exit code, and names the signal", () => {
    expect(classifyExecFailure(100, LIBC_BIN)).toMatchObject({
      qemu: true,
      signal: "SIGSEGV",
      marker: "qemu: uncaught target signal 11 (Segmentation fault) - core dumped",
    })
    expect(classifyExecFailure(132, "qemu: uncaught target signal 4 (Illegal instruction) - core dumped")).toMatchObject({ qemu: true, signal: "SIGILL" })
    expect(classifyExecFailure(134, "qemu: uncaught target signal 6 (Aborted) - core dumped")).toMatchObject({ qemu: true, signal: "SIGABRT" })
    expect(classifyExecFailure(1, "qemu: unhandled CPU exception 0x8 - aborting")).toMatchObject({ qemu: true })
    expect(classifyExecFailure(1, "QEMU internal SIGSEGV {code=MAPERR, addr=0x20}")).toMatchObject({ qemu: true })
  })

  it("exit 139 on its own is a segfault under emulation", () => {
    expect(classifyExecFailure(139, "")).toEqual({ qemu: true, signal: "SIGSEGV", reason: "exit 139 (SIGSEGV)" })
    expect(classifyExecFailure(139, "node[1]: Segmentation fault")).toMatchObject({ qemu: true, marker: "Segmentation fault" })
  })

  it("132/134/135 need a crash marker that agrees with the signal", () => {
    expect(classifyExecFailure(132, "Illegal instruction (core dumped)")).toMatchObject({ qemu: true, signal: "SIGILL" })
    expect(classifyExecFailure(135, "Bus error")).toMatchObject({ qemu: true, signal: "SIGBUS" })
    expect(classifyExecFailure(132, "")).toMatchObject({ qemu: false, reason: "exit 132 (SIGILL)" })
    expect(classifyExecFailure(134, "Aborted (core dumped)")).toMatchObject({ qemu: false })
    // a marker for another signal does not make a 132 a QEMU crash
    expect(classifyExecFailure(132, "Segmentation fault")).toMatchObject({ qemu: false })
  })

  it("a wrapper's plain exit (dpkg 1, make 2) with the crash in stderr", () => {
    expect(classifyExecFailure(1, "post-installation script subprocess returned error exit status 139")).toMatchObject({ qemu: true, signal: "SIGSEGV" })
    expect(classifyExecFailure(2, "gcc: internal compiler error: Segmentation fault signal terminated program cc1\nmake: *** [Makefile:4: x.o] Error 1")).toMatchObject({ qemu: true, signal: "SIGSEGV" })
  })

  it("ordinary failures, OOM kills and successes are not QEMU signatures", () => {
    expect(classifyExecFailure(1, "main.go:3:1: syntax error: non-declaration statement outside function body")).toMatchObject({ qemu: false })
    expect(classifyExecFailure(2, "make: *** No rule to make target 'all'.  Stop.")).toMatchObject({ qemu: false })
    expect(classifyExecFailure(137, "Killed")).toMatchObject({ qemu: false, reason: expect.stringContaining("SIGKILL") })
    expect(classifyExecFailure(0, LIBC_BIN)).toMatchObject({ qemu: false })
    expect(classifyExecFailure(Number.NaN, "")).toMatchObject({ qemu: false })
    expect(isQemuSignature(3, "")).toBe(false)
  })
})

describe("shouldRetry: once", () => {
  it("retries the first QEMU-signature failure, not the second", () => {
    expect(MAX_EMULATED_ATTEMPTS).toBe(2)
    expect(shouldRetry(139, "", 1)).toBe(true)
    expect(shouldRetry(139, "", 2)).toBe(false)
    expect(shouldRetry(100, LIBC_BIN, 1)).toBe(true)
    expect(shouldRetry(100, LIBC_BIN, 2)).toBe(false)
  })

  it("never retries ordinary failures or nonsense attempt numbers", () => {
    expect(shouldRetry(1, "compile error", 1)).toBe(false)
    expect(shouldRetry(137, "Killed", 1)).toBe(false)
    expect(shouldRetry(139, "", 0)).toBe(false)
    expect(shouldRetry(139, "", 1.5)).toBe(false)
    expect(shouldRetry(139, "", Number.NaN)).toBe(false)
  })

  it("property: at most one retry, whatever the failure", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1, max: 300 }), fc.string({ maxLength: 200 }), fc.integer({ min: 2, max: 50 }), (code, err, attempt) => {
        expect(shouldRetry(code, err, attempt)).toBe(false)
        expect(shouldRetry(code, err, 1)).toBe(isQemuSignature(code, err))
      }),
    )
  })

  it("property: classification never throws and is consistent", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double()), fc.string({ maxLength: 400, unit: "binary" }), (code, err) => {
        const c = classifyExecFailure(code, err)
        expect(typeof c.reason).toBe("string")
        if (c.marker !== undefined) expect(err).toContain(c.marker)
        if (code === 0) expect(c.qemu).toBe(false)
      }),
    )
  })
})

describe("emulationFailureMessage", () => {
  it("names the platform, the step, the exit code and the Dockerfile fix (BUILDPLATFORM)", () => {
    const m = emulationFailureMessage({ platform: "linux/arm64", step: "RUN apt-get install -y curl (Dockerfile line 4)", exitCode: 100, stderr: LIBC_BIN, toolchain: "dockerfile" })
    expect(m).toMatch(/^linux\/arm64: step "RUN apt-get install -y curl \(Dockerfile line 4\)" died under QEMU emulation: qemu: uncaught target signal 11/)
    expect(m).toContain("on all 2 attempts (retried once")
    expect(m).toContain("FROM --platform=$BUILDPLATFORM")
    expect(m).toContain("ARG TARGETOS TARGETARCH")
    expect(m).toContain("libc-bin")
    expect(m).toContain("newer QEMU")
    // the tail of stderr, not all of it
    expect(m).toContain("E: Sub-process /usr/bin/dpkg returned an error code (1)")
    expect(m).not.toContain("Setting up libc-bin")
  })

  it("for Go/Rust: drop --emulate (cross-compile on the native platform)", () => {
    const m = emulationFailureMessage({ platform: "linux/riscv64", step: "go build", exitCode: 139, nativePlatform: "linux/amd64", toolchain: "go", attempts: 2 })
    expect(m).toContain('linux/riscv64: step "go build" died under QEMU emulation: exit 139 (SIGSEGV)')
    expect(m).toContain("drop --emulate")
    expect(m).toContain("native platform (linux/amd64)")
    expect(m).not.toContain("libc-bin")
    expect(m).not.toContain("stderr")
  })

  it("a non-QEMU failure on the retry is not blamed on the emulator", () => {
    const m = emulationFailureMessage({ platform: "linux/arm64", step: "go build", exitCode: 1, stderr: "main.go:1: syntax error" })
    expect(m).toContain("failed under QEMU emulation: exit 1")
    expect(m).not.toContain("emulator crashing")
  })

  it("EmulationFailure carries the fields and the message", () => {
    const e = new EmulationFailure({ platform: "linux/arm/v7", step: "npm ci", exitCode: 132, stderr: "Illegal instruction (core dumped)" })
    expect(e).toBeInstanceOf(Error)
    expect(e.name).toBe("EmulationFailure")
    expect(e).toMatchObject({ platform: "linux/arm/v7", step: "npm ci", exitCode: 132, signature: { qemu: true, signal: "SIGILL" } })
    expect(e.message).toContain("linux/arm/v7")
    expect(e.message).toContain("npm ci")
  })

  it("property: every message names its platform and step", () => {
    fc.assert(
      fc.property(fc.constantFrom("linux/arm64", "linux/arm/v7", "linux/s390x"), fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 255 }), fc.string({ maxLength: 300 }), (platform, step, code, err) => {
        const m = emulationFailureMessage({ platform, step, exitCode: code, stderr: err })
        expect(m.startsWith(`${platform}: step "${step}"`)).toBe(true)
        expect(m).toContain("fix:")
      }),
    )
  })
})
