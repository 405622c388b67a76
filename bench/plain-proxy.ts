import { createServer } from 'node:http'
import { Agent, request } from 'undici'
import type { AddressInfo } from 'node:net'

export interface PlainProxy {
  /** `http://127.0.0.1:<port>/v1` */
  baseUrl: string
  close(): Promise<void>
}

/**
 * The bench's yardstick: one plain Node HTTP proxy hop to the upstream (node:http in, undici out,
 * keep-alive, the body streamed back as it arrives), with no mesh, framing or encryption.
 */
export async function startPlainProxy (upstreamBaseUrl: string): Promise<PlainProxy> {
  const agent = new Agent()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = upstreamBaseUrl + (req.url ?? '').replace(/^\/v1/, '')
      request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks), dispatcher: agent })
        .then(async answer => {
          res.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'application/json') })
          for await (const chunk of answer.body) res.write(chunk)
          res.end()
        })
        .catch((err: Error) => { res.destroy(err) })
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: async () => {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
      await agent.close()
    }
  }
}
