/**
 * The module entrypoint of runner/module-entrypoint.ts, kept alive across calls: one process runs
 * the SDK's `entrypoint()` once per call, in order, each time against that call's session
 * (DAGGER_SESSION_PORT/TOKEN). Everything a call does is what a fresh process does — connect, read
 * the call, `scan` the module's files, `load` them, invoke, return — except that node, tsx, the SDK
 * and the module's files are imported once. That start-up was ~5 s of CPU per call, the bulk of
 * rung 2's cost.
 *
 * Protocol (one JSON object per line): stdin receives {"id", "env"}; the worker adds `env` (the
 * session) to its environment for the call and restores the environment after it (a variable the
 * module set does not reach the next call), runs `entrypoint(files)` and writes
 * {"id", "exitCode", "stdout", "stderr"} on fd 3. What the module writes to stdout/stderr during the
 * call is captured for that call. `process.exit(code)` inside a call (the SDK does it after
 * returnError) ends the call with that code, not the process. An uncaught error ends the process
 * (exit code 1, as node exits on an uncaught error) so the harness reports the call as crashed, as a fresh process would.
 */
import { entrypoint } from "@dagger.io/dagger"
import * as fs from "node:fs"
import * as readline from "node:readline"
import { moduleFiles } from "./module-files.js"

const files = moduleFiles("module-worker")

class ExitCall {
  constructor(readonly code: number) {}
}

const control = fs.createWriteStream("", { fd: 3 })
let out = ""
let err = ""
/** Everything written to `stream` during a call goes to that call's output, not to the pipe. */
function capture(stream: NodeJS.WriteStream, append: (s: string) => void): void {
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    append(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString())
    ;(rest.find((r) => typeof r === "function") as (() => void) | undefined)?.()
    return true
  }) as typeof stream.write
}
capture(process.stdout, (s) => (out += s))
capture(process.stderr, (s) => (err += s))
const realExit = process.exit.bind(process)
process.exit = ((code?: number) => {
  throw new ExitCall(code ?? 0)
}) as typeof process.exit
const crash = (e: unknown) => {
  if (e instanceof ExitCall) return
  control.write(JSON.stringify({ crash: true, stdout: out, stderr: err + `\n${e instanceof Error ? e.stack : String(e)}` }) + "\n", () => realExit(1))
}
process.on("uncaughtException", crash)
process.on("unhandledRejection", crash)

const lines = readline.createInterface({ input: process.stdin })
const queue: string[] = []
let busy = false
lines.on("line", (l) => {
  queue.push(l)
  void next()
})
let inputClosed = false
lines.on("close", () => {
  inputClosed = true
  if (!busy && !queue.length) realExit(0)
})

async function next(): Promise<void> {
  if (busy) return
  const line = queue.shift()
  if (line === undefined) return
  busy = true
  const req = JSON.parse(line) as { id: number; env: Record<string, string> }
  // the call's environment: this worker's, plus the session; whatever the call changes is undone after it
  const saved = { ...process.env }
  Object.assign(process.env, req.env)
  out = ""
  err = ""
  let exitCode = 0
  try {
    await entrypoint(files)
  } catch (e) {
    if (e instanceof ExitCall) exitCode = e.code
    else {
      err += `\n${e instanceof Error ? e.stack : String(e)}`
      exitCode = 1
    }
  }
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k]
  Object.assign(process.env, saved)
  control.write(JSON.stringify({ id: req.id, exitCode, stdout: out, stderr: err }) + "\n")
  busy = false
  if (queue.length) void next()
  else if (inputClosed) realExit(0)
}
