import { BlockList, isIP } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Address blocks a record may only name when this node's own configuration names the same host */
const LOCAL = new BlockList()
LOCAL.addSubnet('127.0.0.0', 8, 'ipv4')
LOCAL.addSubnet('169.254.0.0', 16, 'ipv4')
LOCAL.addAddress('::1', 'ipv6')
LOCAL.addSubnet('fe80::', 10, 'ipv6')

/** Address blocks never dialed for a record: wildcards (0.0.0.0 reaches this host), multicast, broadcast */
const NEVER = new BlockList()
NEVER.addSubnet('0.0.0.0', 8, 'ipv4')
NEVER.addSubnet('224.0.0.0', 3, 'ipv4')
NEVER.addAddress('::', 'ipv6')
NEVER.addSubnet('ff00::', 8, 'ipv6')

const HOST_PROTOCOLS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6'])
/** what may follow `<host>/tcp/<port>`: the transports the mesh runs */
const TRANSPORT_TAILS = new Set(['', 'ws', 'wss', 'tls/ws', 'tls/sni/ws'])

export interface RefusedAddress {
  addr: string
  reason: string
}

/**
 * Which addresses of a signed record this node dials. A record can name any address, and dialing
 * it from every member would turn the mesh into a port scanner, so only the forms the mesh uses
 * are dialed (`<host>/tcp/<port>` bare, `/ws`, `/wss`, `/tls/ws`, and `<relay>/p2p-circuit` through
 * such a relay), each ending in the signer's own `/p2p/` part when it has one; never a wildcard,
 * multicast or broadcast address; and loopback or link-local hosts only when this node's own
 * configuration names that very host (its listen host or a `peers[]` url: a mesh run on one
 * machine keeps working, other local services stay out of reach). `localhost` (and `*.localhost`)
 * counts as 127.0.0.1 and ::1. Private LAN ranges are dialed like public ones. Names other than
 * localhost are passed on unresolved.
 */
export class AnnouncedDialPolicy {
  private readonly localHosts = new Set<string>()

  /** `configuredHosts`: hosts (IP, bracketed IPv6 or name) this node's configuration names */
  constructor (configuredHosts: Iterable<string>) {
    for (const host of configuredHosts) {
      const bare = normalizeHost(host)
      if (isLocalName(bare)) {
        this.localHosts.add('127.0.0.1')
        this.localHosts.add('::1')
      }
      this.localHosts.add(bare)
    }
  }

  /** the addresses of `signer`'s record to dial, each ending in `/p2p/<signer>`, and why the others are not */
  filter (signer: string, addrs: string[]): { allowed: Multiaddr[], refused: RefusedAddress[] } {
    const allowed: Multiaddr[] = []
    const refused: RefusedAddress[] = []
    for (const addr of addrs) {
      const reason = this.refusal(signer, addr)
      if (reason != null) refused.push({ addr, reason })
      else allowed.push(withPeer(multiaddr(addr), signer))
    }
    return { allowed, refused }
  }

  /** why `addr` is not dialed for `signer`, or undefined when it is */
  refusal (signer: string, addr: string): string | undefined {
    let ma: Multiaddr
    try {
      ma = multiaddr(addr)
    } catch {
      return 'not a multiaddr'
    }
    const parts = ma.getComponents()
    const last = parts.at(-1)
    if (last?.name === 'p2p') {
      if (last.value !== signer) return 'ends in another peer ID than the signer\'s'
      parts.pop()
    }
    const circuit = parts.findIndex(p => p.name === 'p2p-circuit')
    if (circuit === -1) return this.directRefusal(parts)
    if (circuit !== parts.length - 1) return 'has parts after /p2p-circuit'
    const relay = parts.slice(0, circuit)
    if (relay.at(-1)?.name !== 'p2p') return 'names no relay peer before /p2p-circuit'
    if (relay.length === 1) return undefined
    return this.directRefusal(relay.slice(0, -1))
  }

  private directRefusal (parts: Array<{ name: string, value?: string }>): string | undefined {
    const [host, tcp, ...rest] = parts
    if (host == null || !HOST_PROTOCOLS.has(host.name) || host.value == null) return 'is not an IP or DNS address'
    if (tcp?.name !== 'tcp' || tcp.value == null || !(Number(tcp.value) > 0)) return 'has no TCP port'
    if (!TRANSPORT_TAILS.has(rest.map(p => p.name).join('/'))) return `uses a transport the mesh does not (${rest.map(p => p.name).join('/')})`
    return this.hostRefusal(normalizeHost(host.value))
  }

  private hostRefusal (host: string): string | undefined {
    const family = isIP(host)
    if (family === 0) {
      if (isLocalName(host) && !this.localHosts.has(host)) return 'is a local host name this node\'s configuration does not use'
      return undefined
    }
    const [ip, type] = unmapped(host, family)
    if (NEVER.check(ip, type)) return 'is a wildcard, multicast or broadcast address'
    if (LOCAL.check(ip, type) && !this.localHosts.has(ip)) return 'is a loopback or link-local address this node\'s configuration does not use'
    return undefined
  }
}

function withPeer (ma: Multiaddr, signer: string): Multiaddr {
  return ma.getComponents().at(-1)?.name === 'p2p' ? ma : ma.encapsulate(`/p2p/${signer}`)
}

function normalizeHost (host: string): string {
  return host.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase()
}

function isLocalName (host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost')
}

/** an IPv4-mapped IPv6 address (::ffff:127.0.0.1) is checked as the IPv4 address it is */
function unmapped (ip: string, family: number): [string, 'ipv4' | 'ipv6'] {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped != null) return [mapped[1], 'ipv4']
  return [ip, family === 4 ? 'ipv4' : 'ipv6']
}
