import { classifyExecFailure, emulationFailureMessage, type EmulationFailureInput, type QemuSignature } from "../emulation.js"

/** The error the shell throws instead of a bare ExecError once the retry is spent. */
export class EmulationFailure extends Error {
  readonly platform: string
  readonly step: string
  readonly exitCode: number
  readonly signature: QemuSignature
  constructor(i: EmulationFailureInput) {
    super(emulationFailureMessage(i))
    this.name = "EmulationFailure"
    this.platform = i.platform
    this.step = i.step
    this.exitCode = i.exitCode
    this.signature = classifyExecFailure(i.exitCode, i.stderr ?? "")
  }
}
