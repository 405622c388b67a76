import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeTempDirs, startHubMesh } from '../helpers/mesh.js'
import { agentCommand, deliveryLog, HANDOFF_TIMING, pidsIn, waitUntilGone } from './fixtures.js'
import type { TestHubMesh, TestNode } from '../helpers/mesh.js'

describe('handoff and send over the node\'s HTTP API', () => {
  let mesh: TestHubMesh
  let caller: TestNode
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-handoff-http-'))
    mesh = await startHubMesh([
      { config: { nodeId: 'caller' } },
      {
        config: {
          nodeId: 'office',
          agents: [
            { id: 'coder', command: agentCommand('echo', '--', '{task}', '{context}') },
            { id: 'talker', command: agentCommand('chatty', '--every', '50', '--for', '30000', '--pid', join(dir, 'talker.pid')) },
            { id: 'failing', command: agentCommand('fail', '--code', '2', '--stderr', 'no such file') }
          ]
        }
      }
    ], { timing: HANDOFF_TIMING, hub: { agents: [{ id: 'hub-coder', command: agentCommand('echo', '--', '{task}') }] } })
    caller = mesh.members[0]
  })
  afterAll(async () => {
    await mesh?.stop()
    await removeTempDirs()
    await rm(dir, { recursive: true, force: true })
  })

  async function post (path: string, body: unknown, token = caller.tokens.adminToken, signal?: AbortSignal): Promise<Response> {
    return await fetch(`http://127.0.0.1:${caller.api.port}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...(signal != null ? { signal } : {})
    })
  }

  async function lines (res: Response): Promise<any[]> {
    return (await res.text()).split('\n').filter(l => l !== '').map(l => JSON.parse(l))
  }

  it('streams NDJSON: start, deltas, then the result', async () => {
    const res = await post('/clawmatrix/handoff', { target: 'coder', task: 'fix it', context: 'quickly', timeoutMs: 5000 })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-ndjson')
    const all = await lines(res)
    expect(all[0]).toMatchObject({ type: 'start', nodeId: 'office', agent: 'coder' })
    expect(all.filter(l => l.type === 'delta').map(l => l.text).join('')).toBe('fix it\nquickly\n')
    expect(all.at(-1)).toMatchObject({ type: 'result', success: true, nodeId: 'office', agent: 'coder', result: 'fix it\nquickly\n' })
  })

  it('says where the handoff went: node, peer, path and relay as status shows them, and the nodes tried', async () => {
    const office = mesh.members[1]
    const relayed = await lines(await post('/clawmatrix/handoff', { target: 'coder', task: 'relayed' }))
    expect(relayed[0]).toMatchObject({ type: 'start', nodeId: 'office', peerId: office.peerId, path: 'relayed', via: 'hub' })
    expect(relayed.at(-1)).toMatchObject({ type: 'result', success: true, nodeId: 'office', peerId: office.peerId, path: 'relayed', via: 'hub', attempts: 1 })
    expect(caller.peers().find(p => p.nodeId === 'office')).toMatchObject({ path: 'relayed', reachableVia: 'hub' })

    const direct = await lines(await post('/clawmatrix/handoff', { target: 'hub-coder', task: 'direct' }))
    expect(direct.at(-1)).toMatchObject({ type: 'result', success: true, nodeId: 'hub', peerId: mesh.hub.peerId, path: 'direct', via: null, attempts: 1 })
    expect(caller.peers().find(p => p.nodeId === 'hub')).toMatchObject({ path: 'direct', reachableVia: null })
  })

  it('ends with a failed result when the agent fails', async () => {
    const all = await lines(await post('/clawmatrix/handoff', { target: 'failing', task: 'go' }))
    expect(all.at(-1)).toMatchObject({ type: 'result', success: false, code: 'agent_failed', error: expect.stringMatching(/exited with code 2: no such file$/) })
  })

  it('answers HTTP errors for what fails before a node is chosen', async () => {
    expect((await post('/clawmatrix/handoff', { target: 'coder', task: 'x' }, caller.tokens.apiToken)).status).toBe(401)
    const unknown = await post('/clawmatrix/handoff', { target: 'designer', task: 'draw' })
    expect(unknown.status).toBe(404)
    const body = await unknown.json() as { error: Record<string, unknown> }
    expect(body.error).toMatchObject({ code: 'unknown_target', message: expect.stringMatching(/"designer".*on offer: .*coder/) })
    const missing = await post('/clawmatrix/handoff', { target: 'coder' })
    expect(missing.status).toBe(400)
    expect(((await missing.json()) as { error: { message: string } }).error.message).toBe('task must be a non-empty string')
    expect((await post('/clawmatrix/handoff', { target: 'coder', task: 'x', timeoutMs: -1 })).status).toBe(400)
    expect((await post('/clawmatrix/handoff', '{"target":')).status).toBe(400)
    const large = await post('/clawmatrix/handoff', { target: 'coder', task: 'x'.repeat(300_000) })
    expect(large.status).toBe(413)
    expect(((await large.json()) as { error: { code: string } }).error.code).toBe('task_too_large')
  })

  it('cancels the remote run when the HTTP client goes away', async () => {
    const client = new AbortController()
    const res = await post('/clawmatrix/handoff', { target: 'talker', task: 'go on' }, caller.tokens.adminToken, client.signal)
    const reader = res.body!.getReader()
    await reader.read()
    const [pid] = await pidsIn(join(dir, 'talker.pid'))
    client.abort()
    await waitUntilGone(pid)
  })

  it('delivers a message and answers the acknowledgement', async () => {
    const res = await post('/clawmatrix/send', { target: 'coder', message: 'hello' })
    expect(res.status).toBe(200)
    const ack = await res.json() as { deliveryId: string }
    expect(ack).toMatchObject({ accepted: true, nodeId: 'office', peerId: mesh.members[1].peerId, agent: 'coder', deliveryId: expect.any(String), path: 'relayed', via: 'hub', attempts: 1 })
    expect(await deliveryLog(mesh.members[1], 'coder', ack.deliveryId)).toMatch(/\nhello\n\n$/)
    const unknown = await post('/clawmatrix/send', { target: 'nobody', message: 'hello' })
    expect(unknown.status).toBe(404)
    expect((await post('/clawmatrix/send', { target: 'coder', message: 'x' }, caller.tokens.apiToken)).status).toBe(401)
  })
})
