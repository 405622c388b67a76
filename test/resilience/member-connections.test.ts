import { afterAll, describe, expect, it } from 'vitest'
import { MAX_INBOUND_CONNECTIONS_PER_PEER } from '../../src/mesh/constants.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { removeTempDirs, startMesh } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { TestMesh } from '../helpers/mesh.js'

/** connections a member holding the secret tries to open to the hub */
const ATTEMPTS = 12

function inboundFrom (node: Libp2p<any>, peer: PeerId): number {
  return node.getConnections(peer).filter(c => c.direction === 'inbound' && c.status === 'open').length
}

describe('connections one member holds to a node', () => {
  let mesh: TestMesh
  const others: Array<Libp2p<any>> = []
  afterAll(async () => {
    await Promise.all(others.map(async n => { await n.stop() }))
    await mesh?.stop()
    await removeTempDirs()
  })

  it(`are at most ${MAX_INBOUND_CONNECTIONS_PER_PEER}; the newest stays, and relayed and honest reconnecting members are unaffected`, async () => {
    mesh = await startMesh()
    const hub = mesh.hub.libp2p
    const addr = hub.getMultiaddrs().find(a => !a.toString().includes('p2p-circuit'))
    if (addr == null) throw new Error('the hub has no direct address')

    // a member with the secret opening connection after connection
    const hostile = await startTestLibp2p({ listen: false })
    others.push(hostile)
    let newest
    for (let i = 0; i < ATTEMPTS; i++) {
      newest = await hostile.dial(addr, { force: true, signal: AbortSignal.timeout(10_000) })
    }
    await waitFor(`the hub to hold at most ${MAX_INBOUND_CONNECTIONS_PER_PEER} connections from the hostile member`,
      () => inboundFrom(hub, hostile.peerId) <= MAX_INBOUND_CONNECTIONS_PER_PEER, 10_000)
    console.log(`after ${ATTEMPTS} connections the hub holds ${inboundFrom(hub, hostile.peerId)} from that member`)
    expect(inboundFrom(hub, hostile.peerId)).toBeGreaterThan(0)
    // the newest connection is one that stays
    expect(newest?.status).toBe('open')
    await hostile.services.ping.ping(hub.peerId, { signal: AbortSignal.timeout(10_000) })

    // an honest node that reconnects again and again gets in every time
    const honest = await startTestLibp2p({ listen: false })
    others.push(honest)
    for (let i = 0; i < 10; i++) {
      const conn = await honest.dial(addr, { signal: AbortSignal.timeout(10_000) })
      await honest.services.ping.ping(hub.peerId, { signal: AbortSignal.timeout(10_000) })
      await conn.close().catch((err: Error) => { conn.abort(err) })
    }

    // members that reach each other only through the hub's relay still do
    expect(mesh.a.peers().find(p => p.nodeId === 'b')).toMatchObject({ path: 'relayed', reachable: true })
    await mesh.a.libp2p.services.ping.ping(mesh.b.libp2p.peerId, { signal: AbortSignal.timeout(10_000) })
  }, 90_000)
})
