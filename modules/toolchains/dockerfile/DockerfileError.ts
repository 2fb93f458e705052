import { MultiarchInputError } from "../../core/errors/index.js"

/** A malformed Dockerfile: names the line, the problem and the fix. */
export class DockerfileError extends MultiarchInputError {
  /** 1-based line of the offending instruction (its first physical line). */
  readonly line: number
  constructor(line: number, lineText: string, problem: string, fix: string, path = "Dockerfile") {
    const shown = lineText.trim()
    super("dockerfile", shown.length > 160 ? shown.slice(0, 157) + "..." : shown, `${path} line ${line}: ${problem}`, fix)
    this.line = line
  }
}
