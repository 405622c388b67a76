import { request } from 'node:http'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { HostCheck } from '../../src/http/host-check.js'
import { startApiServer } from '../../src/http/server.js'
import { sendJson } from '../../src/http/respond.js'
import type { ApiServer } from '../../src/http/server.js'
import type { Route } from '../../src/http/route.js'

/**
 * The API answers only requests whose Host is an address it serves: a page on another site whose
 * name was pointed at 127.0.0.1 (DNS rebinding) sends its own name and is refused.
 */

const TOKENS = { apiToken: 'api-token', adminToken: 'admin-token' }
const ROUTES: Route[] = [{ method: 'GET', path: '/ping', auth: 'none', handle: async ({ res }) => { sendJson(res, 200, { pong: true }) } }]

describe('which Host headers are served', () => {
  it('bound to loopback: the bound address and the loopback names, with the port', () => {
    const check = new HostCheck('127.0.0.1', 4100)
    for (const host of ['127.0.0.1:4100', 'localhost:4100', 'LocalHost:4100', '[::1]:4100']) expect(check.allows(host), host).toBe(true)
    for (const host of ['127.0.0.1:4101', '127.0.0.1', 'localhost', 'rebind.test:4100', 'evil.example:4100', '127.0.0.2:4100', '10.0.0.1:4100', 'localhost.:4100', '127.0.0.1:4100:1', '', undefined]) {
      expect(check.allows(host), String(host)).toBe(false)
    }
  })

  it('bound to ::1: the bracketed literal and the loopback names', () => {
    const check = new HostCheck('::1', 4100)
    for (const host of ['[::1]:4100', 'localhost:4100', '127.0.0.1:4100']) expect(check.allows(host), host).toBe(true)
    expect(check.allows('::1:4100')).toBe(false)
  })

  it('bound to a wildcard: any IP literal and localhost, never another name', () => {
    for (const bound of ['0.0.0.0', '::']) {
      const check = new HostCheck(bound, 80)
      for (const host of ['192.168.1.20', '192.168.1.20:80', '[fe80::1]:80', 'localhost:80', '127.0.0.1']) expect(check.allows(host), `${bound} ${host}`).toBe(true)
      for (const host of ['rebind.test', 'rebind.test:80', 'node.lan:80', '192.168.1.20:81']) expect(check.allows(host), `${bound} ${host}`).toBe(false)
    }
  })

  it('bound to one remote address: only that address', () => {
    const check = new HostCheck('192.168.1.20', 4100)
    expect(check.allows('192.168.1.20:4100')).toBe(true)
    for (const host of ['localhost:4100', '127.0.0.1:4100', '192.168.1.21:4100', 'node.lan:4100']) expect(check.allows(host), host).toBe(false)
  })
})

describe('the API server refuses a foreign Host', () => {
  let api: ApiServer | undefined
  afterEach(async () => { await api?.close() })

  async function get (port: number, host: string): Promise<{ status: number, body: any }> {
    return await new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/ping', headers: { host } }, res => {
        let text = ''
        res.on('data', (chunk: Buffer) => { text += chunk.toString() })
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }) })
      })
      req.on('error', reject)
      req.end()
    })
  }

  /** the whole answer to a raw request, as text */
  async function raw (port: number, head: string): Promise<string> {
    return await new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => { socket.write(head) })
      let text = ''
      socket.on('data', (chunk: Buffer) => { text += chunk.toString() })
      socket.on('end', () => { resolve(text) })
      socket.on('error', reject)
    })
  }

  it('answers 421 naming the Host, for a foreign name and for no Host at all', async () => {
    api = await startApiServer({ host: '127.0.0.1', port: 0, tokens: TOKENS, routes: () => ROUTES })
    expect((await get(api.port, `127.0.0.1:${api.port}`)).status).toBe(200)
    expect((await get(api.port, `localhost:${api.port}`)).status).toBe(200)
    const foreign = await get(api.port, `rebind.test:${api.port}`)
    expect(foreign.status).toBe(421)
    expect(foreign.body.error.code).toBe('misdirected_request')
    expect(foreign.body.error.message).toContain(`Host "rebind.test:${api.port}"`)
    // HTTP/1.0 may leave Host out; to HTTP/1.1 without one Node itself answers 400
    const none = await raw(api.port, 'GET /ping HTTP/1.0\r\n\r\n')
    expect(none).toMatch(/^HTTP\/1\.1 421/)
    expect(none).toMatch(/without a Host header/)
    expect(await raw(api.port, 'GET /ping HTTP/1.1\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/)
  })
})
