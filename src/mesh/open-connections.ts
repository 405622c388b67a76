import type { Connection, Libp2p, PeerId } from '@libp2p/interface'

/** the connections to `peer` that can carry streams now (not opening, closing or closed) */
export function openConnections (libp2p: Libp2p, peer: PeerId): Connection[] {
  return libp2p.getConnections(peer).filter(c => c.status === 'open')
}
