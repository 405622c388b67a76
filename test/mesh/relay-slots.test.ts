import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import { removeTempDirs, startNode, waitUntilReachable } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { FakeUpstream } from '../helpers/fake-upstream.js'
import type { TestNode } from '../helpers/mesh.js'
import type { ConfigInput } from '../../src/config/schema.js'

/** Real hubs and dial-out nodes on loopback: how relay slots are held, refused, freed and spread */

const started: TestNode[] = []

async function node (config: ConfigInput, warnings?: string[]): Promise<TestNode> {
  const n = await startNode(config, warnings != null ? { onWarning: (message) => { warnings.push(message) } } : {})
  started.push(n)
  return n
}

async function stopNode (n: TestNode): Promise<void> {
  started.splice(started.indexOf(n), 1)
  await n.stop()
}

/** the hubs `n` holds a relay slot on, by node id, sorted */
function heldOn (n: TestNode): string[] {
  return n.status().relays.filter(r => r.state === 'held').map(r => r.hub).sort()
}

/** the peer IDs holding a reservation on `hub`'s relay */
function holders (hub: TestNode): string[] {
  const relay = hub.libp2p.services.relay
  if (relay == null) throw new Error(`${hub.nodeId} runs no relay`)
  return [...relay.reservations.keys()].map(p => p.toString()).sort()
}

afterEach(async () => {
  await Promise.all(started.splice(0).map(async n => { await n.stop().catch(() => {}) }))
})

afterAll(async () => {
  await removeTempDirs()
})

describe('relay slots', () => {
  it('a full hub serves a third node once a holder leaves: the slot is freed on disconnect', async () => {
    const hub = await node({ nodeId: 'hub', listen: true, relay: { maxReservations: 2 } })
    const peers = [{ nodeId: 'hub', url: hub.dialAddr }]
    const a = await node({ nodeId: 'a', peers })
    const b = await node({ nodeId: 'b', peers })
    await waitFor('a and b to hold a slot on hub', () => heldOn(a).join() === 'hub' && heldOn(b).join() === 'hub', 20_000)
    expect(holders(hub)).toEqual([a.peerId, b.peerId].sort())

    const warnings: string[] = []
    const c = await node({ nodeId: 'c', peers }, warnings)
    const refusal = await waitFor('c to be told hub has no free relay slot', () => warnings.find(w => w.includes('no free relay slot')), 20_000)
    expect(refusal).toContain(`relay hub hub (${hub.peerId}) has no free relay slot`)
    expect(c.status().relays).toMatchObject([{ hub: 'hub', peerId: hub.peerId, state: 'no free relay slot' }])
    expect(holders(hub)).not.toContain(c.peerId)

    await stopNode(a)
    await waitFor('hub to free the slot a held', () => !holders(hub).includes(a.peerId), 10_000)
    await waitFor('c to hold the freed slot', () => heldOn(c).join() === 'hub', 40_000)
    expect(holders(hub)).toEqual([b.peerId, c.peerId].sort())
    await waitUntilReachable(b, ['c'])
    expect(b.peers().find(p => p.nodeId === 'c')).toMatchObject({ path: 'relayed', reachableVia: 'hub' })
  })

  it('a node refused by a full hub says why and reserves on the second hub', async () => {
    const full = await node({ nodeId: 'full', listen: true, relay: { maxReservations: 1 } })
    const spare = await node({ nodeId: 'spare', listen: true })
    const a = await node({ nodeId: 'a', peers: [{ nodeId: 'full', url: full.dialAddr }] })
    await waitFor('a to hold the one slot on full', () => heldOn(a).includes('full'), 20_000)

    const warnings: string[] = []
    const b = await node({ nodeId: 'b', peers: [{ nodeId: 'full', url: full.dialAddr }, { nodeId: 'spare', url: spare.dialAddr }] }, warnings)
    await waitFor('b to hold a slot on spare', () => heldOn(b).join() === 'spare', 20_000)
    const refusal = await waitFor('b to be told full has no free relay slot', () => warnings.find(w => w.includes('no free relay slot')), 20_000)
    expect(refusal).toMatch(new RegExp(`^relay hub full \\(${full.peerId}\\) has no free relay slot for this node`))
    expect(b.status().relays.find(r => r.hub === 'full')).toMatchObject({ state: 'no free relay slot' })
    expect(b.libp2p.getMultiaddrs().map(String).some(addr => addr.includes(`/p2p/${spare.peerId}/p2p-circuit`))).toBe(true)
    await waitUntilReachable(a, ['b'])
  })

  describe('two hubs, three dial-out nodes', () => {
    let upstream: FakeUpstream | undefined

    afterAll(async () => {
      await upstream?.close()
    })

    it('every node holds a slot on both hubs, and stays reachable through one when the other stops', async () => {
      upstream = await startFakeUpstream(() => replies.answer('hello'))
      const hub1 = await node({ nodeId: 'hub1', listen: true })
      const hub2 = await node({ nodeId: 'hub2', listen: true })
      const peers = [{ nodeId: 'hub1', url: hub1.dialAddr }, { nodeId: 'hub2', url: hub2.dialAddr }]
      const ids = ['a', 'b', 'c']
      const members = await Promise.all(ids.map(async id => await node({ nodeId: id, peers, models: [{ id: `model-${id}`, upstream: { baseUrl: upstream!.baseUrl } }] })))
      await Promise.all(members.map(async m => { await waitFor(`${m.nodeId} to hold a slot on both hubs`, () => heldOn(m).join() === 'hub1,hub2', 30_000) }))
      expect(holders(hub1)).toEqual(members.map(m => m.peerId).sort())
      expect(holders(hub2)).toEqual(members.map(m => m.peerId).sort())
      await Promise.all(members.map(async m => { await waitUntilReachable(m, ids.filter(id => id !== m.nodeId), 30_000) }))

      /** one chat completion from `from` to the model only `to` serves; the headers say where it went */
      const call = async (from: TestNode, to: string): Promise<{ node: string | null, via: string | null } | undefined> => {
        const res = await fetch(`http://127.0.0.1:${from.api.port}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${from.tokens.apiToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: `model-${to}`, messages: [{ role: 'user', content: 'hi' }] }),
          signal: AbortSignal.timeout(10_000)
        })
        await res.arrayBuffer()
        return res.ok ? { node: res.headers.get('x-clawmatrix-node'), via: res.headers.get('x-clawmatrix-via') } : undefined
      }

      const stoppedAt = Date.now()
      await stopNode(hub1)
      const reachedAt = new Map<string, number>()
      await Promise.all(members.flatMap(from => ids.filter(id => id !== from.nodeId).map(async to => {
        const answer = await waitFor(`${from.nodeId} to call ${to} through hub2`, async () => {
          const reply = await call(from, to)
          return reply?.via === 'hub2' ? reply : undefined
        }, 30_000, 100)
        expect(answer.node).toBe(to)
        reachedAt.set(`${from.nodeId}->${to}`, Date.now() - stoppedAt)
      })))
      const slowest = Math.max(...reachedAt.values())
      console.log(`every node reachable through hub2 ${slowest} ms after hub1 stopped (per pair: ${[...reachedAt].map(([pair, ms]) => `${pair} ${ms} ms`).join(', ')})`)
      for (const m of members) expect(heldOn(m)).toEqual(['hub2'])
    })
  })
})
