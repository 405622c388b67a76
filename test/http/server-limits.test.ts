import { once } from 'node:events'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { readBody, sendJson } from '../../src/http/respond.js'
import { startApiServer } from '../../src/http/server.js'
import { waitFor } from '../helpers/wait.js'
import type { ApiServer, ApiServerLimits } from '../../src/http/server.js'
import type { Route } from '../../src/http/route.js'
import type { Socket } from 'node:net'

const TOKENS = { apiToken: 'api-token', adminToken: 'admin-token' }
const AUTH = { authorization: 'Bearer api-token' }

/** Short limits so each behaviour shows in well under a second or two */
const LIMITS: Partial<ApiServerLimits> = {
  headersTimeoutMs: 600,
  connectionsCheckIntervalMs: 100,
  maxConnections: 8,
  bodyRateWindowMs: 300,
  minBodyBytesPerWindow: 1024
}

/** A raw connection and everything it received, with whether it closed */
interface Raw { socket: Socket, received: () => string, closed: () => boolean }

async function rawConnection (port: number): Promise<Raw> {
  const socket = connect(port, '127.0.0.1')
  let data = ''
  let closed = false
  socket.on('data', chunk => { data += chunk.toString() })
  socket.on('error', () => {})
  socket.on('close', () => { closed = true })
  await once(socket, 'connect')
  return { socket, received: () => data, closed: () => closed }
}

describe('local HTTP API limits on slow clients', () => {
  let api: ApiServer | undefined
  const sockets: Socket[] = []
  let release: () => void = () => {}

  afterEach(async () => {
    release()
    for (const socket of sockets.splice(0)) socket.destroy()
    await api?.close()
  })

  const routes: Route[] = [
    { method: 'GET', path: '/ping', auth: 'api', handle: async ({ res }) => { sendJson(res, 200, { ok: true }) } },
    {
      method: 'POST',
      path: '/upload',
      auth: 'api',
      handle: async ({ req, res }) => { sendJson(res, 200, { bytes: (await readBody(req, 16 * 1024 * 1024)).length }) }
    },
    {
      method: 'GET',
      path: '/hold',
      auth: 'api',
      handle: async ({ res }) => {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.write('held\n')
        await new Promise<void>(resolve => { const previous = release; release = () => { previous(); resolve() } })
        res.end('released\n')
      }
    },
    {
      method: 'GET',
      path: '/stream',
      auth: 'api',
      handle: async ({ res }) => {
        res.writeHead(200, { 'content-type': 'text/plain' })
        for (let i = 0; i < 12; i++) {
          res.write(`chunk ${i}\n`)
          await new Promise(resolve => setTimeout(resolve, 100))
        }
        res.end()
      }
    }
  ]

  const start = async (): Promise<ApiServer> => {
    api = await startApiServer({ host: '127.0.0.1', port: 0, tokens: TOKENS, routes: () => routes, limits: LIMITS })
    return api
  }

  it('closes a connection whose headers never finish (408)', async () => {
    const server = await start()
    const slow = await rawConnection(server.port)
    sockets.push(slow.socket)
    slow.socket.write(`GET /ping HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`)
    await waitFor('the unfinished request to be closed', () => slow.closed(), 5_000)
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/)
  })

  it('at the connection limit, a new connection closes the oldest one still sending headers', async () => {
    const server = await start()
    for (let i = 0; i < 8; i++) {
      const slow = await rawConnection(server.port)
      sockets.push(slow.socket)
      slow.socket.write('G')
    }
    await waitFor('8 open connections', () => server.connections().open === 8)
    const res = await fetch(`http://127.0.0.1:${server.port}/ping`, { headers: AUTH })
    expect(res.status).toBe(200)
    expect(server.connections().evicted).toBeGreaterThanOrEqual(1)
  })

  it('when every connection is answering a request, a new one is answered 503 at once', async () => {
    const server = await start()
    const held = await Promise.all(Array.from({ length: 8 }, async () => {
      const res = await fetch(`http://127.0.0.1:${server.port}/hold`, { headers: AUTH })
      expect(res.status).toBe(200)
      return res
    }))
    const refused = await rawConnection(server.port)
    sockets.push(refused.socket)
    refused.socket.write(`GET /ping HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer api-token\r\n\r\n`)
    await waitFor('the refusal', () => refused.closed(), 5_000)
    expect(refused.received()).toMatch(/^HTTP\/1\.1 503/)
    expect(refused.received()).toContain('"code":"too_many_connections"')
    expect(server.connections().refused).toBe(1)
    release()
    for (const res of held) expect(await res.text()).toBe('held\nreleased\n')
    const after = await fetch(`http://127.0.0.1:${server.port}/ping`, { headers: AUTH })
    expect(after.status).toBe(200)
  })

  it('closes a connection whose body trickles in below the minimum rate', async () => {
    const server = await start()
    const trickle = await rawConnection(server.port)
    sockets.push(trickle.socket)
    trickle.socket.write(`POST /upload HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer api-token\r\nContent-Length: 100000\r\n\r\n`)
    const timer = setInterval(() => { if (!trickle.closed()) trickle.socket.write('x'.repeat(10)) }, 50)
    try {
      await waitFor('the trickling upload to be closed', () => trickle.closed(), 5_000)
    } finally {
      clearInterval(timer)
    }
    expect(server.connections().slowBodies).toBe(1)
  })

  it('keeps a slow upload above the rate and a long streamed answer', async () => {
    const server = await start()
    const size = 64 * 1024
    const body = new ReadableStream<Uint8Array>({
      async start (controller) {
        // 4 KiB every 60 ms: about 5 times the minimum, over several windows
        for (let sent = 0; sent < size; sent += 4096) {
          controller.enqueue(new Uint8Array(4096))
          await new Promise(resolve => setTimeout(resolve, 60))
        }
        controller.close()
      }
    })
    const [upload, stream] = await Promise.all([
      fetch(`http://127.0.0.1:${server.port}/upload`, { method: 'POST', headers: AUTH, body, duplex: 'half' } as RequestInit),
      fetch(`http://127.0.0.1:${server.port}/stream`, { headers: AUTH })
    ])
    expect(await upload.json()).toEqual({ bytes: size })
    expect((await stream.text()).trim().split('\n')).toHaveLength(12)
    expect(server.connections().slowBodies).toBe(0)
  })
})
