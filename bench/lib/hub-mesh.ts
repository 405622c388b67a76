import { CAPABILITIES_TOPIC } from '../../src/capabilities/index.js'
import { dialAddr } from './node-group.js'
import { waitUntil } from './wait.js'
import type { NodeGroup } from './node-group.js'
import type { ClawMatrixNode } from '../../src/node/clawmatrix.js'
import type { GossipSub } from '@libp2p/gossipsub'

export interface HubMesh {
  hub: ClawMatrixNode
  /** nodes that only dial out: they reach each other through the hub's relay */
  spokes: ClawMatrixNode[]
  all: ClawMatrixNode[]
}

function capabilitySubscribers (node: ClawMatrixNode): number {
  return (node.libp2p.services.pubsub as GossipSub).getSubscribers(CAPABILITIES_TOPIC).length
}

/** every node holds every other record, can reach it (over a connection or through the hub) and has a gossip peer */
export function meshFormed (nodes: ClawMatrixNode[]): boolean {
  const others = nodes.length - 1
  return nodes.every(n => n.peers().filter(p => p.reachable).length === others && capabilitySubscribers(n) > 0)
}

/**
 * One listening hub and `spokes` nodes that only dial out (the NAT case). Resolves once the mesh
 * has formed (see `meshFormed`).
 */
export async function startHubMesh (group: NodeGroup, spokes: number, formTimeoutMs = 60_000): Promise<HubMesh> {
  const hub = await group.start({ nodeId: 'hub', listen: true })
  const peers = [{ nodeId: 'hub', url: dialAddr(hub) }]
  const dialOut = await Promise.all(Array.from({ length: spokes }, async (_, i) => await group.start({ nodeId: `spoke-${i + 1}`, peers })))
  const all = [hub, ...dialOut]
  await waitUntil(`a ${all.length}-node mesh to form`, () => meshFormed(all), { timeoutMs: formTimeoutMs, intervalMs: 50 })
  return { hub, spokes: dialOut, all }
}
