import { MAX_INBOUND_CONNECTIONS_PER_PEER } from './constants.js'
import type { ComponentLogger, Connection, Libp2pEvents, Logger, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'

export interface PeerConnectionLimitInit {
  /** open inbound connections one peer may hold (default MAX_INBOUND_CONNECTIONS_PER_PEER) */
  maxInboundPerPeer?: number
}

export interface PeerConnectionLimitComponents {
  events: TypedEventTarget<Libp2pEvents>
  connectionManager: { getConnections(peer?: PeerId): Connection[] }
  logger: ComponentLogger
}

/** how long a connection closed for the limit may take to close gracefully before it is aborted */
const CLOSE_TIMEOUT_MS = 5000

/**
 * Bounds the inbound connections one peer holds to this node, direct and relayed together. A
 * member holds the secret but may still be hostile: without a bound it can open connections until
 * the node runs out. When a peer opens one more than the limit, its oldest inbound connections are
 * closed, so a member that reconnects while its old connections linger is never shut out.
 */
export class PeerConnectionLimit implements Startable {
  readonly maxInboundPerPeer: number
  private readonly log: Logger

  constructor (private readonly components: PeerConnectionLimitComponents, init: PeerConnectionLimitInit = {}) {
    this.maxInboundPerPeer = init.maxInboundPerPeer ?? MAX_INBOUND_CONNECTIONS_PER_PEER
    this.log = components.logger.forComponent('clawmatrix:mesh:peer-connection-limit')
    this.onOpen = this.onOpen.bind(this)
  }

  readonly [Symbol.toStringTag] = 'clawmatrix:peer-connection-limit'

  start (): void {
    this.components.events.addEventListener('connection:open', this.onOpen)
  }

  stop (): void {
    this.components.events.removeEventListener('connection:open', this.onOpen)
  }

  private onOpen (evt: CustomEvent<Connection>): void {
    const conn = evt.detail
    if (conn.direction !== 'inbound') return
    const inbound = new Map<string, Connection>([[conn.id, conn]])
    for (const c of this.components.connectionManager.getConnections(conn.remotePeer)) {
      if (c.direction === 'inbound' && c.status === 'open') inbound.set(c.id, c)
    }
    const excess = inbound.size - this.maxInboundPerPeer
    if (excess <= 0) return
    const oldest = [...inbound.values()].sort((a, b) => a.timeline.open - b.timeline.open).slice(0, excess)
    for (const c of oldest) {
      this.log('peer %p holds %d inbound connections (limit %d): closing the one from %a', conn.remotePeer, inbound.size, this.maxInboundPerPeer, c.remoteAddr)
      c.close({ signal: AbortSignal.timeout(CLOSE_TIMEOUT_MS) }).catch((err: Error) => { c.abort(err) })
    }
  }
}

export function peerConnectionLimit (init: PeerConnectionLimitInit = {}): (components: PeerConnectionLimitComponents) => PeerConnectionLimit {
  return (components) => new PeerConnectionLimit(components, init)
}
