import type { Connection, PeerId } from '@libp2p/interface'

/** the connections to `peer` that can carry streams now (not opening, closing or closed) */
export function openConnections (node: { getConnections(peer?: PeerId): Connection[] }, peer: PeerId): Connection[] {
  return node.getConnections(peer).filter(c => c.status === 'open')
}
