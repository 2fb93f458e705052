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
import * as path from "node:path"
import * as readline from "node:readline"

const srcDir = process.env.MULTIARCH_HARNESS_SRC
const clientGen = process.env.MULTIARCH_HARNESS_CLIENT_GEN
if (!srcDir || !clientGen) {
  console.error("module-worker: MULTIARCH_HARNESS_SRC and MULTIARCH_HARNESS_CLIENT_GEN must be set")
  process.exit(2)
}

function listTsFilesInModule(dir: string): string[] {
  const res = fs.readdirSync(dir).map((file) => {
    const filepath = path.join(dir, file)
    if (fs.statSync(filepath).isDirectory()) return listTsFilesInModule(filepath)
    return [".ts", ".mts"].includes(path.extname(filepath)) ? [filepath] : []
  })
  return res.reduce((p, c) => [...c, ...p], [] as string[])
}

class ExitCall {
  constructor(readonly code: number) {}
}

const control = fs.createWriteStream("", { fd: 3 })
let out = ""
let err = ""
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  out += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString()
  const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined
  cb?.()
  return true
}) as typeof process.stdout.write
process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  err += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString()
  const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined
  cb?.()
  return true
}) as typeof process.stderr.write
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
    await entrypoint([...listTsFilesInModule(srcDir!), clientGen!])
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
