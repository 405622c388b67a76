import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toolRoutes } from '../../src/http/routes/tool.js'
import { startApiServer } from '../../src/http/server.js'
import { loadApiTokens } from '../../src/http/tokens.js'
import { waitFor } from '../helpers/wait.js'
import { isRunning } from './processes.js'
import { ToolTestMesh } from './tool-nodes.js'
import type { ToolCallingNode } from '../../src/http/routes/tool.js'
import type { ApiServer } from '../../src/http/server.js'
import type { ApiTokens } from '../../src/http/tokens.js'
import type { ToolNode } from './tool-nodes.js'

describe('POST /clawmatrix/tool', () => {
  const mesh = new ToolTestMesh()
  let caller: ToolNode
  let api: ApiServer
  let tokens: ApiTokens
  let work: string

  beforeAll(async () => {
    await mesh.start()
    work = await mesh.tempDir('cm-http-')
    caller = await mesh.node('caller')
    const [runner, off] = await Promise.all([
      mesh.node('runner', { toolProxy: { enabled: true, allow: ['exec'] } }),
      mesh.node('off')
    ])
    await mesh.relay(caller, runner)
    await mesh.relay(caller, off)
    // node ids resolved through the test mesh's directory of names
    const node: ToolCallingNode = {
      invokeTool: async (target, tool, args, options) => {
        const peerId = [...mesh.names].find(([, name]) => name === target)?.[0]
        if (peerId == null) throw new Error(`no node ${target}`)
        const result = await caller.services.tool.call(peerIdFromString(peerId), { tool, args, ...(options.timeoutMs != null ? { timeoutMs: options.timeoutMs } : {}) }, options)
        return { ...result, nodeId: target, peerId }
      }
    }
    tokens = await loadApiTokens(join(work, 'api'))
    api = await startApiServer({ host: '127.0.0.1', port: 0, tokens, routes: () => toolRoutes(node) })
  })
  afterAll(async () => {
    await api?.close()
    await mesh.stop()
  })

  const post = async (body: unknown, token = tokens.adminToken, signal?: AbortSignal): Promise<Response> =>
    await fetch(`http://127.0.0.1:${api.port}/clawmatrix/tool`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      ...(signal != null ? { signal } : {})
    })

  const lines = async (res: Response): Promise<any[]> => (await res.text()).trim().split('\n').map(l => JSON.parse(l))

  it('streams output as NDJSON (bytes in base64), then the result', async () => {
    const res = await post({ node: 'runner', tool: 'exec', args: { command: 'printf "a\\001b"; printf oops >&2; exit 4' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-ndjson')
    const all = await lines(res)
    const bytes = (channel: string): string => Buffer.concat(all.filter(l => l.type === 'output' && l.channel === channel).map(l => Buffer.from(l.data, 'base64'))).toString('latin1')
    expect(bytes('stdout')).toBe('a\u0001b')
    expect(bytes('stderr')).toBe('oops')
    expect(all.at(-1)).toMatchObject({ type: 'result', ok: false, truncated: false, nodeId: 'runner', details: { exitCode: 4, stderr: 'oops' } })
  })

  it('answers a refusal before any output as an HTTP error with the code', async () => {
    const res = await post({ node: 'off', tool: 'exec', args: { command: 'true' } })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ error: { code: 'disabled', message: 'tool proxy disabled on off', type: 'invalid_request_error' } })
  })

  it('names what is wrong with the body, and wants the admin token', async () => {
    const bad = await post({ node: '', tool: 'exec', args: [] })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as any).error.message).toBe('node: must not be empty; args: must be a JSON object')
    const weak = await post({ node: 'runner', tool: 'exec', args: { command: 'true' } }, tokens.apiToken)
    expect(weak.status).toBe(401)
  })

  it('stops the remote command when the HTTP client goes away', async () => {
    const pidFile = join(work, 'http.pid')
    const controller = new AbortController()
    const res = await post({ node: 'runner', tool: 'exec', args: { command: `sleep 300 & echo $! > ${pidFile}; echo started; wait` } }, tokens.adminToken, controller.signal)
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    await reader.read()
    const pid = Number((await readFile(pidFile, 'utf8')).trim())
    expect(isRunning(pid)).toBe(true)
    controller.abort()
    await waitFor('the remote command to be gone', () => !isRunning(pid))
  })
})
