import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, describe, expect, it } from 'vitest'
import { MAX_PENDING_INBOUND_PER_HOST } from '../../src/mesh/constants.js'
import { removeTempDirs, startNode } from '../helpers/mesh.js'
import { Outsider } from '../helpers/outsider-sockets.js'
import { waitFor } from '../helpers/wait.js'
import type { TestNode } from '../helpers/mesh.js'

describe('inbound connections from an address whose upgrade places are all taken', () => {
  const nodes: TestNode[] = []
  let outsider: Outsider | undefined
  afterAll(async () => {
    outsider?.stop()
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await removeTempDirs()
  })

  it('wait for a place and get in instead of being refused (members behind one NAT address)', async () => {
    const hub = await startNode({ nodeId: 'hub', listen: true })
    nodes.push(hub)
    const port = Number(hub.libp2p.getMultiaddrs()[0].getComponents().find(c => c.name === 'tcp')?.value)
    // idle sockets from the address the member dials from take every place until the pnet nonce timeout frees them
    outsider = new Outsider(port, { localAddress: '127.0.0.1', reopen: false })
    outsider.start(MAX_PENDING_INBOUND_PER_HOST)
    await waitFor('idle sockets to hold every upgrade place of 127.0.0.1', () => outsider!.held >= MAX_PENDING_INBOUND_PER_HOST, 10_000)

    const member = await startNode({ nodeId: 'member' })
    nodes.push(member)
    const connection = await member.libp2p.dial(multiaddr(hub.dialAddr), { signal: AbortSignal.timeout(20_000) })
    expect(connection.status).toBe('open')
    expect(connection.remotePeer.toString()).toBe(hub.peerId)
    expect(outsider.peakHolding).toBeLessThanOrEqual(MAX_PENDING_INBOUND_PER_HOST)
  }, 30_000)
})
