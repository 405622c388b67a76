import { openConnections } from '../mesh/open-connections.js'
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'

export type PeerPathKind = 'direct' | 'relayed' | 'unreachable'

export interface PeerPath {
  path: PeerPathKind
  /** the relay's peer ID when the only open connections are relayed */
  relayPeerId: string | null
  /** ping round trip on the connection in use, when measured */
  latencyMs: number | null
  /** direct, to an address the peer gave on the local network (mDNS) */
  lan: boolean
}

function relayOf (conn: Connection): string | null {
  const components = conn.remoteAddr.getComponents()
  const circuit = components.findIndex(c => c.name === 'p2p-circuit')
  const relay = components.slice(0, circuit).reverse().find(c => c.name === 'p2p')
  return relay?.value ?? null
}

/**
 * How this node reaches `peer` right now, from its open connections. `isLan` tells a direct
 * connection to an address found on the local network.
 */
export function peerPath (libp2p: Libp2p, peer: PeerId, isLan?: (conn: Connection) => boolean): PeerPath {
  const open = openConnections(libp2p, peer)
  const direct = open.filter(c => c.direct)
  const chosen = direct.length > 0 ? direct : open
  if (chosen.length === 0) return { path: 'unreachable', relayPeerId: null, latencyMs: null, lan: false }
  const rtts = chosen.map(c => c.rtt).filter((r): r is number => typeof r === 'number')
  return {
    path: direct.length > 0 ? 'direct' : 'relayed',
    relayPeerId: direct.length > 0 ? null : relayOf(chosen[0]),
    latencyMs: rtts.length > 0 ? Math.min(...rtts) : null,
    lan: isLan != null && direct.some(isLan)
  }
}
