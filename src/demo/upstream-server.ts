import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** How the server answers one request */
export interface UpstreamReply {
  status?: number
  contentType?: string
  /** body pieces, each written (and flushed) on its own, in order */
  chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>
  /** wait this long before each piece */
  delayMs?: number
  /** never send anything, not even headers */
  silent?: boolean
  /** after the pieces, keep the response open without ending it */
  stall?: boolean
  /** after the pieces, cut the connection instead of ending the response */
  cut?: boolean
}

/** One request the server received, and how it ended */
export interface ReceivedRequest {
  path: string
  headers: Record<string, string | string[] | undefined>
  body: any
  /** the body as it arrived */
  text: string
  /** true once the client went away before the reply was complete */
  aborted: boolean
  /** settles when the exchange is over: 'completed' or 'aborted' */
  ended: Promise<'completed' | 'aborted'>
}

export interface UpstreamServer {
  /** `http://127.0.0.1:<port>/v1` */
  readonly baseUrl: string
  readonly requests: ReceivedRequest[]
  close(): Promise<void>
}

export type ReplyScript = (request: ReceivedRequest) => UpstreamReply | Promise<UpstreamReply>

const MAX_BODY_BYTES = 64 * 1024 * 1024
const MAX_RECORDED = 1000

async function readText (req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new Error('request body too large')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

async function write (res: ServerResponse, piece: string | Uint8Array): Promise<void> {
  if (res.write(piece)) return
  await new Promise<void>(resolve => {
    const done = (): void => { res.off('drain', done); res.off('close', done); resolve() }
    res.on('drain', done)
    res.on('close', done)
  })
}

async function sendReply (res: ServerResponse, reply: UpstreamReply): Promise<void> {
  if (reply.silent === true) return
  res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json' })
  res.flushHeaders()
  for await (const piece of reply.chunks) {
    if (reply.delayMs != null) await new Promise(resolve => setTimeout(resolve, reply.delayMs))
    if (res.destroyed) return
    await write(res, piece)
  }
  if (reply.cut === true) res.socket?.end()
  else if (reply.stall !== true) res.end()
}

/**
 * A real OpenAI-compatible HTTP server on loopback (port 0) whose answers come from a script:
 * the demo's model, and the upstream tests and benchmarks talk to. It records each request and
 * whether its client went away early. `route` is the path it answers POSTs on (another API's,
 * such as Anthropic's `/v1/messages`, for a bench upstream of that API).
 */
export async function startUpstreamServer (script: ReplyScript, route = '/chat/completions'): Promise<UpstreamServer> {
  const requests: ReceivedRequest[] = []
  const server: Server = createServer((req, res) => {
    const ended = Promise.withResolvers<'completed' | 'aborted'>()
    const received: ReceivedRequest = { path: req.url ?? '/', headers: req.headers, body: undefined, text: '', aborted: false, ended: ended.promise }
    res.on('close', () => {
      received.aborted = !res.writableFinished
      ended.resolve(received.aborted ? 'aborted' : 'completed')
    })
    const answer = async (): Promise<void> => {
      received.text = await readText(req)
      received.body = received.text === '' ? undefined : JSON.parse(received.text)
      if (requests.length >= MAX_RECORDED) requests.shift()
      requests.push(received)
      if (req.method !== 'POST' || !(req.url ?? '').endsWith(route)) {
        res.writeHead(404, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: { message: `no route ${req.method ?? ''} ${req.url ?? ''}`, type: 'invalid_request_error', code: 'not_found' } }))
        return
      }
      await sendReply(res, await script(received))
    }
    answer().catch(err => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      res.writeHead(400, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { message: String(err.message), type: 'invalid_request_error', code: 'bad_request' } }))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => { resolve() })
  })
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => { server.close(() => { resolve() }) })
    }
  }
}
