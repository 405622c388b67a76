import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeTempDirs, startHubMesh } from '../helpers/mesh.js'
import type { TestHubMesh, TestNode } from '../helpers/mesh.js'

/** Real nodes: "caller" reaches the listening hub directly and "runner" only through the hub's relay */
describe('where a tool call went', () => {
  let mesh: TestHubMesh
  let caller: TestNode
  let runner: TestNode
  const toolProxy = { enabled: true, allow: ['exec'] }

  beforeAll(async () => {
    mesh = await startHubMesh([
      { config: { nodeId: 'caller' } },
      { config: { nodeId: 'runner', toolProxy } }
    ], { hub: { toolProxy } })
    ;[caller, runner] = mesh.members
  }, 60_000)
  afterAll(async () => {
    await mesh?.stop()
    await removeTempDirs()
  })

  async function resultLine (node: string): Promise<Record<string, unknown>> {
    const res = await fetch(`http://127.0.0.1:${caller.api.port}/clawmatrix/tool`, {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.tokens.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ node, tool: 'exec', args: { command: 'echo hi' } })
    })
    expect(res.status).toBe(200)
    const lines = (await res.text()).trim().split('\n').map(l => JSON.parse(l))
    return lines.at(-1)
  }

  it('names a node reached through the relay hub, and the hub as the relay, as status does', async () => {
    expect(await resultLine('runner')).toMatchObject({ type: 'result', ok: true, nodeId: 'runner', peerId: runner.peerId, path: 'relayed', via: 'hub', attempts: 1 })
    expect(caller.peers().find(p => p.nodeId === 'runner')).toMatchObject({ path: 'relayed', reachableVia: 'hub' })
  })

  it('names a node reached directly, with no relay', async () => {
    expect(await resultLine('hub')).toMatchObject({ type: 'result', ok: true, nodeId: 'hub', peerId: mesh.hub.peerId, path: 'direct', via: null, attempts: 1 })
    expect(caller.peers().find(p => p.nodeId === 'hub')).toMatchObject({ path: 'direct', reachableVia: null })
  })

  it('gives library callers the same fields', async () => {
    const result = await caller.invokeTool('runner', 'exec', { command: 'echo hi' })
    expect(result).toMatchObject({ nodeId: 'runner', peerId: runner.peerId, path: 'relayed', via: 'hub', attempts: 1 })
  })
})
