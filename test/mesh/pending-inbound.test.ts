import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_PENDING_INBOUND_PER_HOST } from '../../src/mesh/constants.js'
import { StartedNodes } from '../helpers/hub-and-spokes.js'
import { Outsider } from '../helpers/outsider-sockets.js'
import { waitFor } from '../helpers/wait.js'

describe('inbound connections from an address whose upgrade places are all taken', () => {
  const nodes = new StartedNodes()
  let outsider: Outsider | undefined
  afterEach(async () => {
    outsider?.stop()
    await nodes.stopAll()
  })

  it('wait for a place and get in instead of being refused (members behind one NAT address)', async () => {
    const hub = await nodes.start({ nodeId: 'hub', listen: true })
    const port = Number(hub.libp2p.getMultiaddrs()[0].getComponents().find(c => c.name === 'tcp')?.value)
    // idle sockets from the address the member dials from take every place until the pnet nonce timeout frees them
    outsider = new Outsider(port, { localAddress: '127.0.0.1', reopen: false })
    outsider.start(MAX_PENDING_INBOUND_PER_HOST)
    await waitFor('idle sockets to hold every upgrade place of 127.0.0.1', () => outsider!.held >= MAX_PENDING_INBOUND_PER_HOST, 10_000)

    const member = await nodes.start({ nodeId: 'member' })
    const connection = await member.libp2p.dial(multiaddr(hub.dialAddr), { signal: AbortSignal.timeout(20_000) })
    expect(connection.status).toBe('open')
    expect(connection.remotePeer.toString()).toBe(hub.peerId)
    expect(outsider.peakHolding).toBeLessThanOrEqual(MAX_PENDING_INBOUND_PER_HOST)
  }, 30_000)
})
