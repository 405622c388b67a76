import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeTempDirs, startMesh } from '../helpers/mesh.js'
import type { TestMesh } from '../helpers/mesh.js'

describe('a hub and two dial-out nodes', () => {
  let mesh: TestMesh

  beforeAll(async () => {
    mesh = await startMesh({
      hub: { tags: ['public'] },
      a: { tags: ['home'], agents: [{ id: 'assistant', tags: ['chat'] }] },
      b: { tags: ['office', 'gpu'], agents: [{ id: 'coder', description: 'writes code', tags: ['coding'] }] }
    })
  })
  afterAll(async () => {
    await mesh?.stop()
    await removeTempDirs()
  })

  it('converges: every node holds the other two records', () => {
    for (const node of [mesh.hub, mesh.a, mesh.b]) {
      const others = node.peers().map(p => p.nodeId).sort()
      expect(others).toEqual(['a', 'b', 'hub'].filter(n => n !== node.nodeId))
    }
    const coder = mesh.a.peers().find(p => p.nodeId === 'b')
    expect(coder?.agents).toEqual([{ id: 'coder', description: 'writes code', tags: ['coding'] }])
    expect(coder?.tags).toEqual(['office', 'gpu'])
    expect(coder?.peerId).toBe(mesh.b.peerId)
  })

  it('reaches the other dial-out node through the hub, and the hub directly', () => {
    const viaA = mesh.a.peers()
    expect(viaA.find(p => p.nodeId === 'b')).toMatchObject({ path: 'relayed', reachable: true, reachableVia: 'hub' })
    expect(viaA.find(p => p.nodeId === 'hub')).toMatchObject({ path: 'direct', connected: true, reachableVia: null })
  })

  it('status carries the seed fields', () => {
    const status = mesh.a.status()
    expect(status).toMatchObject({ nodeId: 'a', listen: false, tags: ['home'], agents: [{ id: 'assistant', description: '', tags: ['chat'] }] })
    expect(typeof status.proxyPort).toBe('number')
    for (const peer of status.peers) expect(peer.reachable).toBe(peer.path !== 'unreachable')
  })
})
