import type { IncomingMessage, Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A loopback server speaking one vendor's native API, scripted by the test */
export interface FakeNativeServer<Request, Reply> {
  /** the base URL a client of that vendor is given */
  baseUrl: string
  /** how the next requests are answered */
  reply: (request: Request) => Reply
  requests: Request[]
  close(): Promise<void>
}

/** Listen on a free loopback port; `path` is added to the base URL (e.g. `/v1`) */
export async function listenOnLoopback (server: Server, path = ''): Promise<Pick<FakeNativeServer<unknown, unknown>, 'baseUrl' | 'close'>> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}

/** Call `handle` once the request's body is in: parsed as JSON, or `undefined` when it is not JSON */
export function onJsonBody (req: IncomingMessage, handle: (body: Record<string, any> | undefined) => void): void {
  const parts: Buffer[] = []
  req.on('data', (part: Buffer) => parts.push(part))
  req.on('end', () => {
    let body: Record<string, any> | undefined
    try {
      body = JSON.parse(Buffer.concat(parts).toString('utf8'))
    } catch {}
    handle(body)
  })
}
