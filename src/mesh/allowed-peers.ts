import { isPeerId, parsePeerAddress } from './peer-address.js'
import type { PeerConfig } from '../config/schema.js'

/** node id -> peer ID, where `peers[]` binds a node id to a key */
export function pinnedNodeIds (peers: readonly PeerConfig[]): Map<string, string> {
  const pinned = new Map<string, string>()
  for (const peer of peers) {
    if (peer.nodeId == null) continue
    const peerId = peer.peerId ?? parsePeerAddress(peer.url).peerId
    if (peerId != null) pinned.set(peer.nodeId, peerId)
  }
  return pinned
}

/**
 * The peer IDs an allow list (`toolProxy.peers`, `models[].peers`) lets in, or null for every
 * member when it is empty. A node id counts only where `peers[]` pins it to a peer ID: node ids
 * are claims, peer IDs are keys.
 */
export function allowedPeerIds (entries: readonly string[] | undefined, peers: readonly PeerConfig[]): Set<string> | null {
  if (entries == null || entries.length === 0) return null
  const pinned = pinnedNodeIds(peers)
  const allowed = new Set<string>()
  for (const entry of entries) {
    const peerId = isPeerId(entry) ? entry : pinned.get(entry)
    if (peerId != null) allowed.add(peerId)
  }
  return allowed
}

/** entries of an allow list that match nobody: neither a peer ID nor a pinned node id */
export function unpinnedEntries (entries: readonly string[] | undefined, peers: readonly PeerConfig[]): string[] {
  const pinned = pinnedNodeIds(peers)
  return (entries ?? []).filter(entry => !isPeerId(entry) && !pinned.has(entry))
}
