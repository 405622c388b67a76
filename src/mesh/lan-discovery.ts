import { BlockList, isIP } from 'node:net'
import { networkInterfaces } from 'node:os'
import { mdns } from '@libp2p/mdns'
import type { MulticastDNSComponents } from '@libp2p/mdns'
import type { Connection, Logger, PeerDiscovery, PeerId, PeerInfo, Startable } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

/** ms between mDNS queries (the library's default, 10 s) */
export const MDNS_QUERY_INTERVAL_MS = 10_000
/** peers found on the LAN that are remembered; the least recently heard is forgotten first */
export const MAX_LAN_PEERS = 64
/** addresses taken from one peer's mDNS answer */
export const MAX_LAN_ADDRS_PER_PEER = 8
/** dials to LAN peers at once; a peer heard while they run waits for its next answer */
export const MAX_LAN_DIALS = 4
/** ms before a LAN peer is dialed again after a dial to it */
export const LAN_REDIAL_MS = 30_000
/** ms one dial to a LAN peer may take */
export const LAN_DIAL_TIMEOUT_MS = 5000

/** what may follow `<ip>/tcp/<port>` in a LAN address: the transports the mesh runs */
const TRANSPORT_TAILS = new Set(['', 'ws'])

export interface LanDiscoveryInit {
  /** whether `peerId` may be dialed at all (the members list); the gater and pnet still apply */
  allowed?: (peerId: string) => boolean
  /** the subnets this host is on (default: its non-internal interfaces); tests give their own */
  subnets?: () => Subnet[]
  queryIntervalMs?: number
}

export interface Subnet {
  address: string
  prefix: number
  family: 'ipv4' | 'ipv6'
}

export type LanDiscoveryComponents = MulticastDNSComponents & {
  peerId: PeerId
  connectionManager: ConnectionManager
}

interface LanPeer {
  /** the hosts its mDNS answer named, inside our subnets */
  hosts: Set<string>
  addrs: Multiaddr[]
  lastDialAt: number
}

/**
 * LAN discovery: `@libp2p/mdns` finds members on the local network, and this node dials them
 * directly. mDNS answers are unauthenticated, so the library's peer events are not handed to
 * libp2p (which would store their addresses for any later dial): only `<ip>/tcp/<port>` (and
 * `/ws`) addresses inside a subnet this host is itself on are kept, at most MAX_LAN_PEERS peers
 * and MAX_LAN_ADDRS_PER_PEER addresses each, dialed MAX_LAN_DIALS at a time and a peer at most
 * once per LAN_REDIAL_MS. The connection still needs the cluster secret (pnet) and passes the
 * members list and the membership gater like any other.
 */
export class LanDiscovery implements Startable {
  private readonly mdns: PeerDiscovery & Startable
  private readonly peers = new Map<string, LanPeer>()
  private readonly log: Logger
  private dialing = 0

  constructor (private readonly components: LanDiscoveryComponents, private readonly init: LanDiscoveryInit = {}) {
    this.log = components.logger.forComponent('clawmatrix:mesh:lan-discovery')
    this.mdns = mdns({ interval: init.queryIntervalMs ?? MDNS_QUERY_INTERVAL_MS })(components) as PeerDiscovery & Startable
    this.onPeer = this.onPeer.bind(this)
  }

  readonly [Symbol.toStringTag] = 'clawmatrix:lan-discovery'

  async start (): Promise<void> {
    this.mdns.addEventListener('peer', this.onPeer)
    await this.mdns.start()
  }

  async stop (): Promise<void> {
    this.mdns.removeEventListener('peer', this.onPeer)
    await this.mdns.stop()
    this.peers.clear()
  }

  /** whether `conn` goes straight to an address `peer` answered mDNS with */
  isLan (conn: Connection): boolean {
    const found = this.peers.get(conn.remotePeer.toString())
    if (found == null) return false
    const host = conn.remoteAddr.getComponents()[0]
    return host?.value != null && found.hosts.has(host.value)
  }

  private onPeer (evt: CustomEvent<PeerInfo>): void {
    const peer = evt.detail.id
    const key = peer.toString()
    if (peer.equals(this.components.peerId)) return
    if (this.init.allowed != null && !this.init.allowed(key)) {
      this.log('%p answered mDNS but is not a member: not dialed', peer)
      return
    }
    const kept = lanDialAddresses(evt.detail.multiaddrs, this.init.subnets?.() ?? ownSubnets())
      .map(({ host, addr }) => ({ host, addr: addr.encapsulate(`/p2p/${key}`) }))
    if (kept.length === 0) {
      this.log('%p answered mDNS with no address on our subnets: not dialed', peer)
      return
    }
    const earlier = this.peers.get(key)
    this.peers.delete(key)
    this.peers.set(key, { hosts: new Set(kept.map(k => k.host)), addrs: kept.map(k => k.addr), lastDialAt: earlier?.lastDialAt ?? 0 })
    if (this.peers.size > MAX_LAN_PEERS) this.peers.delete(this.peers.keys().next().value as string)
    this.maybeDial(key)
  }

  private maybeDial (key: string): void {
    const found = this.peers.get(key)
    if (found == null || this.dialing >= MAX_LAN_DIALS || Date.now() - found.lastDialAt < LAN_REDIAL_MS) return
    if (this.components.connectionManager.getConnections().some(c => c.remotePeer.toString() === key && c.status === 'open' && this.isLan(c))) return
    found.lastDialAt = Date.now()
    this.dialing++
    this.log('dialing %s on the LAN at %a', key, found.addrs)
    this.components.connectionManager.openConnection(found.addrs, { signal: AbortSignal.timeout(LAN_DIAL_TIMEOUT_MS) })
      .then(conn => {
        if (this.isLan(conn)) {
          this.log('connected to %p on the LAN at %a', conn.remotePeer, conn.remoteAddr)
          return
        }
        // libp2p joins a dial to a peer already being dialed (e.g. through the relay) and answers
        // with that connection: the LAN address was not tried, so the next answer may dial again
        this.log('dial to %p on the LAN joined another dial, which ended at %a', conn.remotePeer, conn.remoteAddr)
        found.lastDialAt = 0
      })
      .catch((err: Error) => { this.log('dial to %s on the LAN failed - %e', key, err) })
      .finally(() => { this.dialing-- })
  }
}

/** the subnets of this host's non-internal interfaces */
export function ownSubnets (): Subnet[] {
  return Object.values(networkInterfaces()).flatMap(list => (list ?? [])
    .filter(i => !i.internal && i.cidr != null)
    .map(i => ({ address: i.address, prefix: Number(i.cidr?.split('/')[1]), family: i.family === 'IPv4' ? 'ipv4' as const : 'ipv6' as const })))
}

/**
 * The addresses of an mDNS answer this node dials, with their hosts: `<ip>/tcp/<port>` or
 * `<ip>/tcp/<port>/ws` on one of `subnets` and not this host's own, at most
 * MAX_LAN_ADDRS_PER_PEER
 */
export function lanDialAddresses (multiaddrs: Multiaddr[], subnets: Subnet[]): Array<{ host: string, addr: Multiaddr }> {
  const lan = lanSubnets(subnets)
  return multiaddrs.flatMap(ma => {
    const host = lanHost(ma, lan)
    return host != null ? [{ host, addr: ma }] : []
  }).slice(0, MAX_LAN_ADDRS_PER_PEER)
}

function lanSubnets (subnets: Subnet[]): { list: BlockList, own: Set<string> } {
  const list = new BlockList()
  const own = new Set<string>()
  for (const s of subnets) {
    list.addSubnet(s.address, s.prefix, s.family)
    own.add(s.address)
  }
  return { list, own }
}

/** the host of `<ip>/tcp/<port>[/ws]` when it lies in one of `subnets` and is not this host */
function lanHost (ma: Multiaddr, subnets: { list: BlockList, own: Set<string> }): string | undefined {
  const [host, tcp, ...rest] = ma.getComponents()
  if (host?.value == null || (host.name !== 'ip4' && host.name !== 'ip6')) return undefined
  if (tcp?.name !== 'tcp' || !(Number(tcp.value) > 0) || !TRANSPORT_TAILS.has(rest.map(p => p.name).join('/'))) return undefined
  const family = isIP(host.value) === 6 ? 'ipv6' : 'ipv4'
  if (subnets.own.has(host.value) || !subnets.list.check(host.value, family)) return undefined
  return host.value
}

export function lanDiscovery (init: LanDiscoveryInit = {}): (components: LanDiscoveryComponents) => LanDiscovery {
  return (components) => new LanDiscovery(components, init)
}
