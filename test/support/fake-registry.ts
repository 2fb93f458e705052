/**
 * A tiny scripted HTTP server on 127.0.0.1 for client unit tests (retries, auth challenges,
 * error mapping). Each request is recorded; a handler decides the answer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"

export interface RecordedRequest {
  method: string
  url: string
  headers: IncomingMessage["headers"]
  body: Buffer
}

export type Handler = (req: RecordedRequest, res: ServerResponse, n: number) => void

export interface FakeServer {
  host: string
  port: number
  requests: RecordedRequest[]
  setHandler(h: Handler): void
  close(): Promise<void>
}

export async function startFakeServer(handler: Handler): Promise<FakeServer> {
  let current = handler
  const requests: RecordedRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const r: RecordedRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) }
      requests.push(r)
      try {
        current(r, res, requests.length)
      } catch (e) {
        res.statusCode = 500
        res.end(String(e))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const addr = server.address()
  const port = typeof addr === "object" && addr ? addr.port : 0
  return {
    host: `127.0.0.1:${port}`,
    port,
    requests,
    setHandler: (h) => {
      current = h
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Send a JSON body with a status and headers. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(typeof body === "string" ? body : JSON.stringify(body))
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": String(bytes.length), ...headers })
  res.end(bytes)
}

export function registryError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  json(res, status, { errors: [{ code, message }] }, headers)
}
