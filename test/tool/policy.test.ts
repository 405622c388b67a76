import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ToolError } from '../../src/tool/index.js'
import { auditLines, rejection, ToolTestMesh } from './tool-nodes.js'
import type { ToolNode } from './tool-nodes.js'

const ECHO = { command: 'echo hi' }
const UNUSED_URL = '/ip4/127.0.0.1/tcp/9/ws'

describe('tool policy on the serving node, called through a relay', () => {
  const mesh = new ToolTestMesh()
  let caller: ToolNode
  let off: ToolNode
  let listed: ToolNode
  let byPeerId: ToolNode
  let byPinnedNodeId: ToolNode
  let byUnpinnedNodeId: ToolNode

  beforeAll(async () => {
    await mesh.start()
    caller = await mesh.node('caller-node')
    const callerPeerId = caller.peerId.toString()
    ;[off, listed, byPeerId, byPinnedNodeId, byUnpinnedNodeId] = await Promise.all([
      mesh.node('off'),
      mesh.node('listed', { toolProxy: { enabled: true, allow: ['exec', 'ls'], deny: ['ls'] } }),
      mesh.node('by-peer-id', { toolProxy: { enabled: true, peers: [callerPeerId] } }),
      mesh.node('by-pinned', {
        peers: [{ nodeId: 'caller-node', url: UNUSED_URL, peerId: callerPeerId }],
        toolProxy: { enabled: true, peers: ['caller-node'] }
      }),
      mesh.node('by-unpinned', { toolProxy: { enabled: true, peers: ['caller-node'] } })
    ])
    for (const server of [off, listed, byPeerId, byPinnedNodeId, byUnpinnedNodeId]) await mesh.relay(caller, server)
  })
  afterAll(async () => { await mesh.stop() })

  const call = async (server: ToolNode, tool: string, args: Record<string, unknown>): Promise<any> =>
    await caller.services.tool.call(server.peerId, { tool, args })

  it('refuses everything while toolProxy.enabled is left at its default', async () => {
    const err = await rejection(call(off, 'exec', ECHO))
    expect(err).toBeInstanceOf(ToolError)
    expect(err.code).toBe('disabled')
    expect(err.message).toBe('tool proxy disabled on off')
    const [line] = await auditLines(off)
    expect(line).toMatchObject({
      caller: { peerId: caller.peerId.toString(), nodeId: 'caller-node' },
      tool: 'exec',
      args: ECHO,
      decision: 'refused',
      outcome: 'disabled',
      bytesOut: 0
    })
  })

  it('runs an allowed tool and refuses one missing from allow', async () => {
    const result = await call(listed, 'exec', ECHO)
    expect(result).toMatchObject({ ok: true, content: 'hi\n', details: { exitCode: 0 } })
    const err = await rejection(call(listed, 'read', { path: '/etc/hostname' }))
    expect(err.code).toBe('denied')
    expect(err.message).toContain('not in toolProxy.allow on listed')
  })

  it('lets deny win over allow', async () => {
    const err = await rejection(call(listed, 'ls', { path: '/' }))
    expect(err.code).toBe('denied')
    expect(err.message).toBe('tool "ls" is in toolProxy.deny on listed')
  })

  it('answers not_found for a tool nobody offers, naming what is available', async () => {
    const open = byPeerId
    const err = await rejection(call(open, 'teleport', {}))
    expect(err.code).toBe('not_found')
    expect(err.message).toContain('no tool "teleport" on by-peer-id; available: exec, read, write, edit, ls')
  })

  it('admits a caller listed by peer ID, and by a node id that peers[] pins to that peer ID', async () => {
    expect(await call(byPeerId, 'exec', ECHO)).toMatchObject({ ok: true, content: 'hi\n' })
    expect(await call(byPinnedNodeId, 'exec', ECHO)).toMatchObject({ ok: true, content: 'hi\n' })
  })

  it('refuses a caller whose node id is listed but not pinned: a node id alone is only a claim', async () => {
    const err = await rejection(call(byUnpinnedNodeId, 'exec', ECHO))
    expect(err.code).toBe('denied')
    expect(err.message).toBe(`peer ${caller.peerId.toString()} (node id "caller-node") is not in toolProxy.peers on by-unpinned`)
  })

  it('leaves one audit line per call, allowed and refused alike', async () => {
    const decisions = async (node: ToolNode): Promise<string[]> => (await auditLines(node)).map(l => `${l.tool}:${l.decision}:${l.outcome}`)
    expect(await decisions(listed)).toEqual(['exec:allowed:ok', 'read:refused:denied', 'ls:refused:denied'])
    expect(await decisions(byPeerId)).toEqual(['teleport:refused:not_found', 'exec:allowed:ok'])
    expect(await decisions(byPinnedNodeId)).toEqual(['exec:allowed:ok'])
    expect(await decisions(byUnpinnedNodeId)).toEqual(['exec:refused:denied'])
    const [allowed] = await auditLines(listed)
    expect(allowed.bytesOut).toBe(3)
    expect(allowed.durationMs).toBeGreaterThanOrEqual(0)
    expect(Date.parse(allowed.time)).not.toBeNaN()
  })
})
