import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../src/cli/free-port.js'
import { removeTempDirs, startNode } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { TestNode } from '../helpers/mesh.js'

function wsUrl (node: TestNode): string {
  const [, host, port] = /\/ip4\/([^/]+)\/tcp\/(\d+)\/ws/.exec(node.dialAddr) ?? []
  return `ws://${host}:${port}`
}

describe('status lastError names why a configured peer is unreachable', () => {
  const nodes: TestNode[] = []

  beforeAll(async () => {
    const [hub, otherMesh] = await Promise.all([
      startNode({ nodeId: 'hub', listen: true }),
      startNode({ nodeId: 'other-mesh', listen: true, secret: 'another-cluster-secret-0123' })
    ])
    const otherKey = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const me = await startNode({
      nodeId: 'me',
      peers: [
        { nodeId: 'gone', url: `ws://127.0.0.1:${await freePort()}` },
        { nodeId: 'other-mesh', url: wsUrl(otherMesh) },
        { nodeId: 'hub', url: wsUrl(hub), peerId: otherKey }
      ]
    })
    nodes.push(hub, otherMesh, me)
  }, 30_000)

  afterAll(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await removeTempDirs()
  })

  /** every lastError `nodeId` showed, until one matches `expected` (a wrong cause on the way is kept for the assertions) */
  async function reasonsOf (nodeId: string, expected: RegExp): Promise<string[]> {
    const me = nodes[2]
    const seen = new Set<string>()
    await waitFor(`a lastError for ${nodeId} that matches ${String(expected)}`, () => {
      const reason = me.peers().find(p => p.nodeId === nodeId)?.lastError
      if (reason != null) seen.add(reason)
      return reason != null && expected.test(reason)
    }, 15_000).catch(err => { throw new Error(`${String(err.message)}; seen: ${JSON.stringify([...seen])}`) })
    return [...seen]
  }

  it('a closed port: the TCP step and its error code, not an empty reason', async () => {
    const reasons = await reasonsOf('gone', /^TCP to 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\)/)
    expect(reasons.filter(r => r.trim() === '')).toEqual([])
  })

  it('an unpinned peer with another secret: the secret', async () => {
    await reasonsOf('other-mesh', /the cluster secret differs/)
  })

  it('a pinned peer ID of another key: the pin, never the secret', async () => {
    const reasons = await reasonsOf('hub', /different key than the pinned peerId/)
    expect(reasons.filter(r => /secret/.test(r))).toEqual([])
  })
})
