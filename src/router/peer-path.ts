import { openConnections } from '../mesh/open-connections.js'
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'

export type PeerPathKind = 'direct' | 'relayed' | 'unreachable'

export interface PeerPath {
  path: PeerPathKind
  /** the relay's peer ID when the path goes through one */
  relayPeerId: string | null
  /** ping round trip on the connection in use, when measured */
  latencyMs: number | null
  /**
   * an open connection carries the path; false for a peer reached on demand: no connection yet,
   * but one of its relay addresses goes through a relay this node is connected to
   */
  connected: boolean
  /** direct, to an address the peer gave on the local network (mDNS) */
  lan: boolean
}

const UNREACHABLE: PeerPath = { path: 'unreachable', relayPeerId: null, latencyMs: null, connected: false, lan: false }

type Components = ReturnType<Connection['remoteAddr']['getComponents']>

/** the relay's peer ID in a `<relay>/p2p/<relay id>/p2p-circuit/...` address, or null */
export function relayOfAddr (components: Components): string | null {
  const circuit = components.findIndex(c => c.name === 'p2p-circuit')
  if (circuit < 0) return null
  return components.slice(0, circuit).reverse().find(c => c.name === 'p2p')?.value ?? null
}

/** a peer without an open connection: the relays its dialable addresses go through, and whether this node is connected to one */
export interface OnDemand {
  relays: Iterable<string>
  isConnected: (relayPeerId: string) => boolean
}

export interface PeerPathOptions {
  /** tells a direct connection to an address found on the local network */
  isLan?: (conn: Connection) => boolean
  /** how to reach the peer when no connection is open */
  onDemand?: OnDemand
}

/**
 * How this node reaches `peer` right now: over its open connections (direct first), else through
 * one of the relays its record names that this node has a direct connection to (`onDemand`): the
 * relayed connection is dialed when a request needs it.
 */
export function peerPath (libp2p: Libp2p, peer: PeerId, { isLan, onDemand }: PeerPathOptions = {}): PeerPath {
  const open = openConnections(libp2p, peer)
  const direct = open.filter(c => c.direct)
  const chosen = direct.length > 0 ? direct : open
  if (chosen.length === 0) return onDemand != null ? throughRelay(onDemand) : UNREACHABLE
  const rtts = chosen.map(c => c.rtt).filter((r): r is number => typeof r === 'number')
  return {
    path: direct.length > 0 ? 'direct' : 'relayed',
    relayPeerId: direct.length > 0 ? null : relayOfAddr(chosen[0].remoteAddr.getComponents()),
    latencyMs: rtts.length > 0 ? Math.min(...rtts) : null,
    connected: true,
    lan: isLan != null && direct.some(isLan)
  }
}

function throughRelay ({ relays, isConnected }: OnDemand): PeerPath {
  for (const relay of relays) {
    if (isConnected(relay)) return { path: 'relayed', relayPeerId: relay, latencyMs: null, connected: false, lan: false }
  }
  return UNREACHABLE
}
