import { afterAll, describe, expect, it } from 'vitest'
import { MAX_PENDING_INBOUND_PER_HOST } from '../../src/mesh/constants.js'
import { removeTempDirs, startNode, waitUntilReachable } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import { Outsider } from '../helpers/outsider-sockets.js'
import type { TestNode } from '../helpers/mesh.js'

/** idle WebSockets the outsider keeps open */
const SOCKETS = 100
/** the outsider's own loopback address; members dial from 127.0.0.1 */
const OUTSIDER_ADDRESS = '127.0.0.2'
/** an honest member must be connected this soon after it starts */
const JOIN_WITHIN_MS = 5000

describe('an outsider holding idle WebSockets to a listening node', () => {
  const nodes: TestNode[] = []
  let outsider: Outsider | undefined
  afterAll(async () => {
    outsider?.stop()
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await removeTempDirs()
  })

  it(`cannot keep a member from joining (${SOCKETS} sockets from one address)`, async () => {
    const hub = await startNode({ nodeId: 'hub', listen: true })
    nodes.push(hub)
    const port = Number(hub.libp2p.getMultiaddrs()[0].getComponents().find(c => c.name === 'tcp')?.value)
    outsider = new Outsider(port, { localAddress: OUTSIDER_ADDRESS })
    outsider.start(SOCKETS)
    await waitFor('the outsider to hold idle WebSockets', () => (outsider?.idle ?? 0) >= MAX_PENDING_INBOUND_PER_HOST, 10_000)

    const startedAt = Date.now()
    const member = await startNode({ nodeId: 'member', peers: [{ nodeId: 'hub', url: hub.dialAddr }] })
    nodes.push(member)
    await waitUntilReachable(member, ['hub'], 30_000)
    const joinMs = Date.now() - startedAt
    console.log(`member joined in ${joinMs} ms; the outsider held ${outsider.idle} idle WebSockets, at most ${outsider.peakHolding} of them in the node's handshake at once (${outsider.upgraded} WebSockets over its life)`)
    expect(joinMs).toBeLessThan(JOIN_WITHIN_MS)
    expect(outsider.peakHolding).toBeLessThanOrEqual(MAX_PENDING_INBOUND_PER_HOST)

    // the node still works for members: a second one joins too
    const second = await startNode({ nodeId: 'second', peers: [{ nodeId: 'hub', url: hub.dialAddr }] })
    nodes.push(second)
    await waitUntilReachable(second, ['hub', 'member'], 20_000)
  }, 90_000)
})
