import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { CAPABILITIES_TOPIC } from '../../src/capabilities/constants.js'
import { sealRecord } from '../../src/capabilities/record.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { removeTempDirs, startNode, TEST_SECRET } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import { identityIn } from '../helpers/identity.js'
import type { TestNode } from '../helpers/mesh.js'
import type { Libp2p } from '@libp2p/interface'

const running: Array<{ stop(): Promise<void> }> = []
async function node (...args: Parameters<typeof startNode>): Promise<TestNode> {
  const n = await startNode(...args)
  running.push(n)
  return n
}

afterEach(async () => {
  await Promise.all(running.splice(0).map(async n => { await n.stop().catch(() => {}) }))
  await removeTempDirs()
})

describe('who may join', () => {
  it('never connects a node with a different secret, and says the cluster secret differs', async () => {
    const hub = await node({ nodeId: 'hub', listen: true })
    const outsider = await node({ nodeId: 'outsider', secret: 'a-different-secret-42', peers: [{ nodeId: 'hub', url: hub.dialAddr }] })
    const entry = await waitFor('a dial failure', () => outsider.peers().find(p => p.nodeId === 'hub' && p.lastError != null), 20_000)
    expect(entry).toMatchObject({ path: 'unreachable', connected: false })
    expect(entry.lastError).toMatch(/the cluster secret differs/)
    expect(hub.libp2p.getConnections().length).toBe(0)
    expect(hub.peers()).toEqual([])
  })

  it('keeps non-members out even with the secret, and rejects their records', async () => {
    const hubId = await identityIn()
    const aId = await identityIn()
    const members = [hubId.peerId, aId.peerId]
    const hub = await node({ nodeId: 'hub', listen: true, members }, { dataDir: hubId.dataDir })
    const a = await node({ nodeId: 'a', members, peers: [{ url: hub.dialAddr }] }, { dataDir: aId.dataDir })
    const b = await node({ nodeId: 'b', peers: [{ url: hub.dialAddr }] })
    await waitFor('a to join', () => hub.peers().some(p => p.nodeId === 'a' && p.reachable))
    await waitFor('b to be refused', () => b.peers().find(p => p.lastError != null))
    expect(hub.peers().map(p => p.nodeId)).toEqual(['a'])
    expect(hub.libp2p.getConnections(b.libp2p.peerId)).toHaveLength(0)

    // a non-member's record reaching a member through a hub that has no members list
    const openHub = await node({ nodeId: 'open-hub', listen: true })
    const member = await node({ nodeId: 'member', members: [openHub.peerId, (await identityIn()).peerId], peers: [{ url: openHub.dialAddr }] })
    await node({ nodeId: 'stranger', peers: [{ url: openHub.dialAddr }] })
    await waitFor('the stranger\'s record to be refused', () => member.status().rejectedRecords.nonMember > 0)
    expect(member.peers().map(p => p.nodeId)).toEqual(['open-hub'])
  })

  it('refuses a peer that answers with another peer ID than the pinned one', async () => {
    const hub = await node({ nodeId: 'hub', listen: true })
    const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const url = hub.dialAddr.slice(0, hub.dialAddr.lastIndexOf('/p2p/'))
    const a = await node({ nodeId: 'a', peers: [{ nodeId: 'hub', url, peerId: other }] })
    const entry = await waitFor('a dial failure', () => a.peers().find(p => p.nodeId === 'hub' && p.lastError != null))
    expect(entry.peerId).toBe(other)
    expect(a.libp2p.getConnections(hub.libp2p.peerId)).toHaveLength(0)
  })
})

describe('what announcements are believed', () => {
  let raw: Libp2p<any> | undefined
  afterEach(async () => { await raw?.stop() })

  it('rejects malformed and forged records in the topic validator and counts them', async () => {
    const hub = await node({ nodeId: 'hub', listen: true })
    raw = await startTestLibp2p({ listen: false, secret: TEST_SECRET })
    await raw.dial(hub.libp2p.getMultiaddrs()[0])
    raw.services.pubsub.subscribe(CAPABILITIES_TOPIC)
    await waitFor('the hub to see the subscription', () => raw?.services.pubsub.getSubscribers(CAPABILITIES_TOPIC).some((p: any) => p.equals(hub.libp2p.peerId)))

    await raw.services.pubsub.publish(CAPABILITIES_TOPIC, new TextEncoder().encode('not a record'))
    const victim = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const forged = await sealRecord({
      nodeId: 'victim', peerId: victim, agents: [], models: [], tags: [], toolProxy: false, addrs: [], version: 'x', load: 0, seq: 1n, issuedAt: Date.now()
    }, await generateKeyPair('Ed25519'))
    await raw.services.pubsub.publish(CAPABILITIES_TOPIC, forged)

    await waitFor('both to be counted', () => hub.status().rejectedRecords.malformed >= 1 && hub.status().rejectedRecords.signature >= 1)
    expect(hub.peers().map(p => p.nodeId)).toEqual([])
  })

  it('shows a node id claimed by two peers as a conflict and routes to neither', async () => {
    const hub = await node({ nodeId: 'hub', listen: true })
    await node({ nodeId: 'twin', agents: [{ id: 'x' }], peers: [{ url: hub.dialAddr }] })
    await node({ nodeId: 'twin', agents: [{ id: 'x' }], peers: [{ url: hub.dialAddr }] })
    await waitFor('both twins', () => hub.peers().filter(p => p.nodeId === 'twin').length === 2)
    expect(hub.peers().map(p => p.standing)).toEqual(['conflict', 'conflict'])
    expect(() => hub.router.nodes('twin')).toThrow(/no node matches "twin"/)
    expect(() => hub.router.agents('x')).toThrow(/no agent, tag or node matches "x"/)
  })

  it('resolves a pinned node id to its pinned peer and flags other claimants as impostors', async () => {
    const hub = await node({ nodeId: 'hub', listen: true, agents: [{ id: 'real' }] })
    const a = await node({ nodeId: 'a', peers: [{ nodeId: 'hub', url: hub.dialAddr, peerId: hub.peerId }] })
    const fake = await node({ nodeId: 'hub', agents: [{ id: 'fake' }], peers: [{ url: hub.dialAddr }] })
    await waitFor('the impostor', () => a.peers().find(p => p.peerId === fake.peerId))
    expect(a.peers().find(p => p.peerId === fake.peerId)?.standing).toBe('impostor')
    expect(a.peers().find(p => p.peerId === hub.peerId)?.standing).toBe('ok')
    expect(a.router.nodes('hub').map(c => c.peerId.toString())).toEqual([hub.peerId])
    expect(a.router.agents('hub').map(c => c.agent)).toEqual(['real'])
  })
})
