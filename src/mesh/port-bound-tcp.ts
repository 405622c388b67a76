import { serviceCapabilities, transportSymbol } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import type { TCPComponents } from '@libp2p/tcp'
import type { Connection, CreateListenerOptions, DialTransportOptions, Listener, MultiaddrConnection, Transport, Upgrader } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { ResponderDials } from './patches/dcutr-responder-dial.js'

/** the errors of a dial whose local port is taken for that destination (a lingering socket to the same host and port) */
const BOUND_PORT_ERRORS = new Set(['EADDRINUSE', 'EADDRNOTAVAIL'])

export interface PortBoundTcpInit {
  /** the local port every outbound TCP connection is dialed from */
  localPort: number
  /** addresses to dial as the responder of a simultaneous open (DCUtR; see the patch) */
  responders?: ResponderDials
}

/**
 * `@libp2p/tcp` whose outbound connections all leave from one local port. A NAT that keeps
 * source ports then maps every one of them to the same public port: the hub observes it, and
 * two NATed peers that dial each other's public port at the same moment (DCUtR) open one TCP
 * connection through both NATs (a simultaneous open). Linux lets several connected sockets share
 * a local port as long as their destinations differ; a dial whose destination still holds a
 * socket from that port (a connection just closed) is dialed again from any port. The node does
 * not listen on this port: a listening socket would keep the others from binding it.
 */
export function portBoundTcp (init: PortBoundTcpInit): (components: TCPComponents) => Transport {
  // `dialOpts` is spread into `net.connect`; the library's type names only some of its options
  const bound = tcp({ dialOpts: { localPort: init.localPort } as Record<string, unknown> })
  const any = tcp()
  return (components) => new PortBoundTcp(bound(components), any(components), init.responders)
}

/**
 * An upgrader that upgrades an outbound socket as the responder of a simultaneous open: the
 * handshakes as listener (`initiator: false`) and the connection, and so its muxer's stream ids,
 * inbound (see patches/dcutr-responder-dial.ts)
 */
function asResponder (upgrader: Upgrader): Upgrader {
  return new Proxy(upgrader, {
    get (target, key) {
      if (key !== 'upgradeOutbound') return (target as any)[key]
      return async (maConn: MultiaddrConnection, opts: Parameters<Upgrader['upgradeOutbound']>[1]) => {
        (maConn as { direction: 'inbound' | 'outbound' }).direction = 'inbound'
        return await target.upgradeOutbound(maConn, { ...opts, initiator: false } as Parameters<Upgrader['upgradeOutbound']>[1])
      }
    }
  })
}

class PortBoundTcp implements Transport {
  readonly [transportSymbol] = true
  readonly [Symbol.toStringTag] = '@libp2p/tcp'
  readonly [serviceCapabilities] = ['@libp2p/transport']

  constructor (private readonly bound: Transport, private readonly any: Transport, private readonly responders?: ResponderDials) {}

  async dial (ma: Multiaddr, options: DialTransportOptions): Promise<Connection> {
    if (this.responders?.has(ma) === true) options = { ...options, upgrader: asResponder(options.upgrader) }
    try {
      return await this.bound.dial(ma, { ...options })
    } catch (err: any) {
      if (!BOUND_PORT_ERRORS.has(err?.code) || options.signal.aborted) throw err
      return await this.any.dial(ma, options)
    }
  }

  createListener (options: CreateListenerOptions): Listener {
    return this.any.createListener(options)
  }

  listenFilter (multiaddrs: Multiaddr[]): Multiaddr[] {
    return this.any.listenFilter(multiaddrs)
  }

  dialFilter (multiaddrs: Multiaddr[]): Multiaddr[] {
    return this.any.dialFilter(multiaddrs)
  }
}
