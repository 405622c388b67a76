import type { PeerEntry } from '../capabilities/peer-table.js'

export type Standing = 'ok' | 'conflict' | 'impostor'

/**
 * Which peer answers to which node id. Node ids are claims; peer IDs are keys: a node id pinned
 * by `peers[].peerId` always means that peer (other claimants are impostors), and an unpinned node
 * id claimed by two live peers means neither (a conflict).
 */
export function standings (live: PeerEntry[], pinned: ReadonlyMap<string, string>): Map<string, Standing> {
  const claimants = new Map<string, string[]>()
  for (const entry of live) {
    const list = claimants.get(entry.record.nodeId) ?? []
    list.push(entry.record.peerId)
    claimants.set(entry.record.nodeId, list)
  }
  const result = new Map<string, Standing>()
  for (const [nodeId, peers] of claimants) {
    const pinnedPeer = pinned.get(nodeId)
    for (const peerId of peers) {
      if (pinnedPeer != null) result.set(peerId, peerId === pinnedPeer ? 'ok' : 'impostor')
      else result.set(peerId, peers.length > 1 ? 'conflict' : 'ok')
    }
  }
  return result
}
