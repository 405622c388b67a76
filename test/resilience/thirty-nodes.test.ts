import { afterEach, describe, expect, it } from 'vitest'
import { removeTempDirs, startNode } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { TestNode } from '../helpers/mesh.js'
import type { ClawMatrixOptions } from '../../src/node/clawmatrix.js'

const started: TestNode[] = []

afterEach(async () => {
  await Promise.all(started.splice(0).map(async n => { await n.stop().catch(() => {}) }))
  await removeTempDirs()
})

async function start (...args: Parameters<typeof startNode>): Promise<TestNode> {
  const node = await startNode(...args)
  started.push(node)
  return node
}

/** a listening hub and `count` nodes that only dial out to it */
async function hubAndSpokes (count: number, options: ClawMatrixOptions): Promise<{ hub: TestNode, spokes: TestNode[] }> {
  const hub = await start({ nodeId: 'hub', listen: true }, options)
  const peers = [{ nodeId: 'hub', url: hub.dialAddr }]
  const spokes = await Promise.all(Array.from({ length: count }, async (_, i) => await start({ nodeId: `spoke-${i + 1}`, peers }, options)))
  return { hub, spokes }
}

function everyRecordHeld (nodes: TestNode[]): boolean {
  return nodes.every(holder => {
    const live = new Set(holder.capabilities.table.live().map(e => e.record.peerId))
    return nodes.every(n => n === holder || live.has(n.peerId))
  })
}

describe('a mesh of 30 nodes behind one hub', () => {
  it('forms, and every node reaches every other through the hub, dialing on demand', async () => {
    const { hub, spokes } = await hubAndSpokes(29, { timing: { announceIntervalMs: 1000, recordTtlMs: 10_000, pingIntervalMs: 1000, silentAfterMs: 10_000 } })
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
