import { dcutr } from '@libp2p/dcutr'
import { isPrivate } from '@libp2p/utils'
import { serviceDependencies } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { DCUtRServiceComponents } from '@libp2p/dcutr'
import type { Connection, IdentifyResult, Libp2pEvents, Logger, PeerId, Startable, StreamHandler, StreamHandlerOptions, Topology, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, Registrar } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { ResponderDials } from './patches/dcutr-responder-dial.js'
import type { ConnectionManager } from '@libp2p/interface-internal'

/** ms one hole punch attempt may take (DCUtR's exchange, then the simultaneous dial) */
export const HOLE_PUNCH_TIMEOUT_MS = 5000

export interface HolePunchInit {
  /** the local port every outbound TCP dial leaves from (`portBoundTcp`) */
  localPort: number
  /** where DCUtR's responder dials are marked for the TCP transport (see the patch) */
  responders: ResponderDials
}

export type HolePunchComponents = DCUtRServiceComponents & { peerId: PeerId, events: TypedEventTarget<Libp2pEvents> }

/** What status shows of this node's hole punching */
export interface HolePunchView {
  localPort: number
  /** the public address a peer punches to: what a directly connected peer saw our `localPort` dial come from */
  publicAddr: string | null
  /** the last address a directly connected peer saw our TCP connection come from */
  lastObservedAddr: string | null
  /** why there is no public address to punch to, when there is none */
  reason: string | null
}

/**
 * TCP hole punching between NATed members: `@libp2p/dcutr`, given the one address it can punch to.
 * js-libp2p leaves a node's observed TCP address out of its addresses (each socket would show
 * another port), and dcutr only sends public addresses of the node's own. Here every outbound TCP
 * dial leaves from `localPort`: when a peer reached directly (the hub) reports in identify that
 * it saw us at `<public ip>/tcp/<localPort>`, the NAT kept the port, and that address is what
 * DCUtR's CONNECT carries. It is told only there, not in identify or records: nobody can dial it
 * except in a simultaneous dial. A NAT that picks another port (`--random-fully`, symmetric
 * NATs) gives no address, and relayed peers stay relayed; `view().reason` says why.
 */
export class HolePunch implements Startable {
  private readonly dcutr: Startable
  private readonly log: Logger
  private publicAddr: Multiaddr | undefined
  private lastObserved: Multiaddr | undefined
  private reason: string = 'no peer reached directly over TCP has reported our address yet'

  constructor (private readonly components: HolePunchComponents, private readonly init: HolePunchInit) {
    this.log = components.logger.forComponent('clawmatrix:mesh:hole-punch')
    this.onIdentify = this.onIdentify.bind(this)
    const addressManager = this.punchingAddressManager(components.addressManager)
    const connectionManager = markingResponderDials(components.connectionManager, init.responders)
    const registrar = relayedLeftOpen(components.registrar, this.log)
    const withPunchAddress = new Proxy(components, {
      get: (target, key) => key === 'addressManager' ? addressManager : key === 'connectionManager' ? connectionManager : key === 'registrar' ? registrar : (target as any)[key]
    })
    this.dcutr = dcutr({ timeout: HOLE_PUNCH_TIMEOUT_MS })(withPunchAddress) as Startable
  }

  readonly [Symbol.toStringTag] = 'clawmatrix:hole-punch'
  readonly [serviceDependencies] = ['@libp2p/identify']

  async start (): Promise<void> {
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    await this.dcutr.start()
  }

  async stop (): Promise<void> {
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    await this.dcutr.stop()
  }

  view (): HolePunchView {
    return {
      localPort: this.init.localPort,
      publicAddr: this.publicAddr?.toString() ?? null,
      lastObservedAddr: this.lastObserved?.toString() ?? null,
      reason: this.publicAddr != null ? null : this.reason
    }
  }

  /** the node's own addresses plus the punch address, for DCUtR's CONNECT message only */
  private punchingAddressManager (base: AddressManager): AddressManager {
    const self = this
    return new Proxy(base, {
      get (target, key) {
        if (key !== 'getAddresses') return (target as any)[key]
        return () => {
          const own = target.getAddresses()
          if (self.publicAddr == null) return own
          return [...own, self.publicAddr.encapsulate(`/p2p/${self.components.peerId.toString()}`)]
        }
      }
    })
  }

  private onIdentify (evt: CustomEvent<IdentifyResult>): void {
    const { connection, observedAddr } = evt.detail
    if (observedAddr == null || connection.limits != null || connection.remoteAddr.getComponents().some(c => c.name === 'p2p-circuit')) return
    const observed = bareTcpAddress(observedAddr)
    if (observed == null) return
    this.lastObserved = observed.addr
    if (isPrivate(observed.addr)) {
      this.reason = `${connection.remotePeer.toString()} sees us at a private address (${observed.addr.toString()}): it is on our side of the NAT`
      return
    }
    if (observed.port !== this.init.localPort) {
      // a connection made before the port was bound, or a NAT that does not keep ports
      if (this.publicAddr == null) this.reason = `the NAT changed our TCP port: dialed from ${this.init.localPort}, seen at ${observed.addr.toString()} by ${connection.remotePeer.toString()}, so no peer can punch to a known port`
      return
    }
    if (this.publicAddr?.equals(observed.addr) !== true) this.log('peers see our TCP port %d at %a: hole punching to it', this.init.localPort, observed.addr)
    this.publicAddr = observed.addr
  }
}

/** a connection manager whose `openConnection(addrs, { initiator: false })` marks `addrs` as responder dials while it runs */
function markingResponderDials (base: ConnectionManager, responders: ResponderDials): ConnectionManager {
  return new Proxy(base, {
    get (target, key) {
      if (key !== 'openConnection') return (target as any)[key]
      return async (peer: Parameters<ConnectionManager['openConnection']>[0], options?: Parameters<ConnectionManager['openConnection']>[1] & { initiator?: boolean }) => {
        if (options?.initiator !== false) return await target.openConnection(peer, options)
        const addrs = (Array.isArray(peer) ? peer : [peer]).filter((p): p is Multiaddr => typeof (p as Multiaddr).decapsulateCode === 'function')
        const unmark = responders.mark(addrs)
        try {
          return await target.openConnection(peer, options)
        } finally {
          unmark()
        }
      }
    }
  })
}

/** `/ip4|ip6/<host>/tcp/<port>` of an observed address, or nothing for another form */
function bareTcpAddress (addr: Multiaddr): { addr: Multiaddr, port: number } | undefined {
  const [host, tcp] = addr.getComponents()
  if (host == null || (host.name !== 'ip4' && host.name !== 'ip6') || tcp?.name !== 'tcp' || host.value == null || tcp.value == null) return undefined
  return { addr: multiaddr(`/${host.name}/${host.value}/tcp/${tcp.value}`), port: Number(tcp.value) }
}

/**
 * The registrar DCUtR sees: the relayed connections its topology is told of do not close when
 * DCUtR asks. DCUtR closes the relayed connection the moment the punched one opens, and with
 * connect on demand that relayed connection was dialed for a request still running on it, whose
 * answer would break off. The relayed-connection closer (on whenever hole punching is) closes it
 * instead, once the direct connection is open and no request runs on the relayed one.
 */
function relayedLeftOpen (registrar: Registrar, log: Logger): Registrar {
  const leftOpen = (peerId: PeerId, conn: Connection): Connection => new Proxy(conn, {
    get (c, k) {
      if (k === 'close') {
        return async () => { log('DCUtR asked to close the relayed connection to %p: left to the relayed-connection closer', peerId) }
      }
      const value = (c as any)[k]
      return typeof value === 'function' ? value.bind(c) : value
    }
  })
  return new Proxy(registrar, {
    get (target, key) {
      if (key === 'register') {
        return async (protocol: string, topology: Topology) => await target.register(protocol, {
          ...topology,
          onConnect: (peerId: PeerId, conn: Connection) => topology.onConnect?.(peerId, leftOpen(peerId, conn))
        })
      }
      if (key === 'handle') {
        return async (protocol: string, handler: StreamHandler, options?: StreamHandlerOptions) =>
          await target.handle(protocol, async (stream, conn) => { await handler(stream, leftOpen(conn.remotePeer, conn)) }, options)
      }
      const value = (target as any)[key]
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

export function holePunch (init: HolePunchInit): (components: HolePunchComponents) => HolePunch {
  return (components) => new HolePunch(components, init)
}
