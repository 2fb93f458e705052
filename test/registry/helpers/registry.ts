/**
 * Start and stop Debian's `docker-registry` (distribution 2.8) on 127.0.0.1 for tests: a free
 * port, a temp config and storage dir, optionally htpasswd (bcrypt) Basic auth. Every process is
 * started here and stopped by `stop()` (by its own pid), so no daemon outlives the test file.
 *
 * The registry's log (access log and errors, e.g. the error detail behind an HTTP 500) lives in
 * the temp dir, removed by `stop()`; with $REGISTRY_LOG_DIR set (test/run-all.sh sets
 * test/.out/registry-logs) it is copied there first, as registry-<port>.log.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, openSync, closeSync, readFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface LocalRegistry {
  /** "127.0.0.1:<port>" */
  host: string
  port: number
  dir: string
  auth?: { username: string; password: string }
  /** The registry's log so far (for failure messages). */
  log(): string
  stop(): Promise<void>
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address()
      const port = typeof addr === "object" && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

async function waitReady(port: number, child: ChildProcess, logFile: string, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}):\n${readFileSync(logFile, "utf8")}`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1000) })
      await res.body?.cancel()
      if (res.status === 200 || res.status === 401) return
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`docker-registry did not answer on 127.0.0.1:${port} within ${timeoutMs} ms:\n${readFileSync(logFile, "utf8")}`)
}

export async function startRegistry(opts: { auth?: { username: string; password: string } } = {}): Promise<LocalRegistry> {
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), "multiarch-registry-"))
    const port = await freePort()
    const lines = [
      "version: 0.1",
      "log:",
      "  level: info",
      "  accesslog:",
      "    disabled: false",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dir, "storage")}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      `  secret: multiarch-test-${port}`,
    ]
    if (opts.auth) {
      const htpasswd = execFileSync("htpasswd", ["-Bbn", opts.auth.username, opts.auth.password], { encoding: "utf8" })
      writeFileSync(join(dir, "htpasswd"), htpasswd)
      lines.push("auth:", "  htpasswd:", "    realm: multiarch-test", `    path: ${join(dir, "htpasswd")}`)
    }
    const config = join(dir, "config.yml")
    writeFileSync(config, lines.join("\n") + "\n")
    const logFile = join(dir, "registry.log")
    const fd = openSync(logFile, "a")
    const child = spawn("docker-registry", ["serve", config], { stdio: ["ignore", fd, fd] })
    closeSync(fd)
    const exited = new Promise<void>((r) => child.once("exit", () => r()))
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM")
        const t = setTimeout(() => child.kill("SIGKILL"), 3000)
        await exited
        clearTimeout(t)
      }
      if (process.env.REGISTRY_LOG_DIR) {
        try {
          mkdirSync(process.env.REGISTRY_LOG_DIR, { recursive: true })
          copyFileSync(logFile, join(process.env.REGISTRY_LOG_DIR, `registry-${port}.log`))
        } catch {
          /* a log we cannot keep is no reason to fail the test */
        }
      }
      rmSync(dir, { recursive: true, force: true })
    }
    try {
      await waitReady(port, child, logFile)
    } catch (e) {
      lastError = e
      await stop()
      continue // port taken between freePort() and listen: try another
    }
    return {
      host: `127.0.0.1:${port}`,
      port,
      dir,
      auth: opts.auth,
      log: () => readFileSync(logFile, "utf8"),
      stop,
    }
  }
  throw lastError
}
