import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeTempDirs, startMesh } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { TestMesh, TestNode } from '../helpers/mesh.js'

const IDLE_MS = 1500

function relayedConnections (from: TestNode, to: TestNode): number {
  return from.libp2p.getConnections().filter(c => c.remotePeer.toString() === to.peerId && c.status === 'open' && c.remoteAddr.toString().includes('/p2p-circuit')).length
}

function connectionsBetween (x: TestNode, y: TestNode): number {
  return x.libp2p.getConnections().filter(c => c.remotePeer.toString() === y.peerId && c.status === 'open').length
}

describe('connect on demand: dial-out nodes keep only their hub connection', () => {
  let mesh: TestMesh
  let root: string

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cm-on-demand-'))
    mesh = await startMesh({ b: { toolProxy: { enabled: true, allow: ['exec'], roots: [root] } } }, { timing: { idleConnectionMs: IDLE_MS } })
  })
  afterAll(async () => {
    await mesh?.stop()
    await removeTempDirs()
    await rm(root, { recursive: true, force: true })
  })

  it('a and b hold each other\'s records and reach each other through the hub without a connection between them', async () => {
    // the test helper resolves once a and b are reachable; a connection opened by the state exchange or a
    // simultaneous start is closed by the idle closer, so wait for none to be left
    await waitFor('no connection between a and b', () => connectionsBetween(mesh.a, mesh.b) === 0 && connectionsBetween(mesh.b, mesh.a) === 0, 10_000)
    const b = mesh.a.peers().find(p => p.nodeId === 'b')
    expect(b).toMatchObject({ reachable: true, connected: false, path: 'relayed', reachableVia: 'hub' })
    expect(mesh.hub.libp2p.getConnections().filter(c => c.status === 'open').map(c => c.remotePeer.toString()).sort()).toEqual([mesh.a.peerId, mesh.b.peerId].sort())
  })

  it('a request dials b through the hub, and the relayed connection closes once idle', async () => {
    const result = await mesh.a.invokeTool('b', 'exec', { command: 'echo on demand' })
    expect(result).toMatchObject({ ok: true, content: 'on demand\n', nodeId: 'b' })
    expect(relayedConnections(mesh.a, mesh.b)).toBe(1)
    expect(mesh.a.peers().find(p => p.nodeId === 'b')).toMatchObject({ reachable: true, connected: true, path: 'relayed' })
    await waitFor('the idle relayed connection to close', () => connectionsBetween(mesh.a, mesh.b) === 0, IDLE_MS * 4 + 5000)
    expect(mesh.a.peers().find(p => p.nodeId === 'b')).toMatchObject({ reachable: true, connected: false })
  })

  it('a connection in use is not closed: requests keep it open past the idle time', async () => {
    const deadline = Date.now() + IDLE_MS * 3
    let first: string | undefined
    while (Date.now() < deadline) {
      await mesh.a.invokeTool('b', 'exec', { command: 'true' })
      const ids = mesh.a.libp2p.getConnections(mesh.b.libp2p.peerId).filter(c => c.status === 'open').map(c => c.id)
      first ??= ids[0]
      expect(ids).toContain(first)
      await new Promise(resolve => setTimeout(resolve, IDLE_MS / 5))
    }
  })
})
