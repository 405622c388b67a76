import { relayOfAddr } from '../router/peer-path.js'
import type { AnnouncedDialPolicy } from '../capabilities/dial-policy.js'
import type { CapabilitiesService, CapabilityRecord } from '../capabilities/index.js'
import type { ConnectionKeeper } from '../mesh/connection-keeper.js'
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** peers whose last dialable addresses are remembered, to tell a change from a refresh */
const MAX_REMEMBERED = 1024

export interface AnnouncedPeersInit {
  libp2p: Libp2p
  capabilities: CapabilitiesService
  keeper: ConnectionKeeper
  policy: AnnouncedDialPolicy
  /** `members`: records of other peers are not followed */
  members?: ReadonlySet<string>
}

/**
 * Connect on demand: what a node does with the addresses the records it holds announce.
 * - A peer with a direct address (a listening member, a hub) is kept connected, within the
 *   keeper's per-peer dial budget. Every node keeps such connections, so the hubs carry O(N)
 *   connections and gossip reaches everyone over them.
 * - Every peer's dialable addresses (direct and through relays, never through this node itself)
 *   go into the peer store, so a plane's stream to a peer reached only through a relay dials it
 *   when a request needs it; the idle closer (`IdleRelayedConnections`) ends that connection once
 *   it has carried no request for a while. No node keeps a connection to every other.
 * - When a record expires, a peer with no open connection leaves the peer store.
 */
export function followAnnouncedPeers ({ libp2p, capabilities, keeper, policy, members }: AnnouncedPeersInit): void {
  const self = libp2p.peerId.toString()
  // a record is renewed every few seconds with the same addresses: they are parsed and filtered once
  const parsed = new Map<string, ParsedAddrs>()
  const addrsOf = (peerId: string): ParsedAddrs => {
    const entry = capabilities.table.get(peerId)
    if (entry == null || entry.expired) return NO_ADDRS
    const announced = entry.record.addrs.join(' ')
    const cached = parsed.get(peerId)
    if (cached?.announced === announced) return cached
    const dialable = policy.filter(peerId, entry.record.addrs).allowed.filter(a => !throughRelay(a, self))
    const addrs = { announced, dialable, key: dialable.join(' '), direct: dialable.filter(a => !isCircuitAddr(a)) }
    parsed.delete(peerId)
    parsed.set(peerId, addrs)
    if (parsed.size > MAX_REMEMBERED) parsed.delete(parsed.keys().next().value as string)
    return addrs
  }
  const direct = (peerId: string): Multiaddr[] => addrsOf(peerId).direct
  /** the dialable addresses last put in the peer store, to tell a change from a refresh */
  const lastAddrs = new Map<string, string>()

  capabilities.addEventListener('record', (evt: CustomEvent<CapabilityRecord>) => {
    const { peerId, nodeId } = evt.detail
    if (peerId === self || (members != null && !members.has(peerId))) return
    const addrs = addrsOf(peerId)
    const addrsChanged = lastAddrs.get(peerId) !== addrs.key
    lastAddrs.delete(peerId)
    lastAddrs.set(peerId, addrs.key)
    if (lastAddrs.size > MAX_REMEMBERED) lastAddrs.delete(lastAddrs.keys().next().value as string)
    const entry = capabilities.table.get(peerId)
    if (addrsChanged && entry != null) libp2p.peerStore.patch(entry.peer, { multiaddrs: addrs.dialable }).catch(() => {})
    if (addrs.direct.length === 0) return
    keeper.keep({
      key: peerId,
      peerId,
      label: `${nodeId} (${peerId})`,
      addrs: () => direct(peerId),
      wanted: () => direct(peerId).length > 0,
      budgeted: true
    }, { restart: addrsChanged })
  })

  capabilities.addEventListener('expired', (evt: CustomEvent<string>) => {
    const peerId = evt.detail
    lastAddrs.delete(peerId)
    parsed.delete(peerId)
    const entry = capabilities.table.get(peerId)
    if (entry == null || libp2p.getConnections(entry.peer).length > 0) return
    libp2p.peerStore.delete(entry.peer).catch(() => {})
  })
}

interface ParsedAddrs {
  /** the record's addresses as announced */
  announced: string
  /** those this node dials */
  dialable: Multiaddr[]
  /** `dialable` as one string */
  key: string
  /** the dialable ones not through a relay */
  direct: Multiaddr[]
}

const NO_ADDRS: ParsedAddrs = { announced: '', dialable: [], key: '', direct: [] }

function isCircuitAddr (addr: Multiaddr): boolean {
  return addr.getComponents().some(c => c.name === 'p2p-circuit')
}

/** a circuit address whose relay is `relay` */
function throughRelay (addr: Multiaddr, relay: string): boolean {
  return relayOfAddr(addr.getComponents()) === relay
}
