import { afterEach, describe, expect, it } from 'vitest'
import { StartedNodes, everyRecordHeld } from '../helpers/hub-and-spokes.js'
import { waitFor } from '../helpers/wait.js'
import type { TestNode } from '../helpers/mesh.js'

const nodes = new StartedNodes()

afterEach(async () => { await nodes.stopAll() })

describe('a mesh of 30 nodes behind one hub', () => {
  it('forms, and every node reaches every other through the hub, dialing on demand', async () => {
    const { hub, spokes } = await nodes.hubAndSpokes(29, { timing: { announceIntervalMs: 1000, recordTtlMs: 10_000, pingIntervalMs: 1000, silentAfterMs: 10_000 } })
    const all = [hub, ...spokes]
    await waitFor('every node to hold every record', () => everyRecordHeld(all), 120_000, 100)
    await waitFor('every node to have a route to every other', () => all.every(n => n.peers().filter(p => p.reachable).length === all.length - 1), 60_000, 100)
    // the hub carries one connection per spoke, not one per pair
    expect(hub.libp2p.getConnections().filter(c => c.status === 'open').length).toBe(spokes.length)

    // a ping from every node to every other: a spoke has no connection to another spoke, so each
    // ping dials it through the hub (six nodes at a time: one process makes all 870 dials)
    const unreached: string[] = []
    const pingAll = async (from: TestNode): Promise<void> => {
      for (const to of all) {
        if (to === from) continue
        try {
          await waitFor(`${from.nodeId} to ping ${to.nodeId}`, async () => {
            try {
              const [candidate] = from.router.nodes(to.nodeId)
              await from.libp2p.services.ping.ping(candidate.peerId, { signal: AbortSignal.timeout(10_000) })
              return true
            } catch {
              return undefined
            }
          }, 30_000, 200)
        } catch (err: any) {
          unreached.push(String(err?.message ?? err))
        }
      }
    }
    const queue = [...all]
    await Promise.all(Array.from({ length: 6 }, async () => {
      for (let from = queue.shift(); from != null; from = queue.shift()) await pingAll(from)
    }))
    expect(unreached).toEqual([])
    expect(hub.libp2p.getConnections().filter(c => c.status === 'open').length).toBe(spokes.length)
  }, 900_000)
})
