import { repeatingTask } from '@libp2p/utils'
import type { RepeatingTask } from '@libp2p/utils'
import type { ComponentLogger, Connection, Libp2pEvents, Logger, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'

/** ms between checks of relayed connections that still carried a request when a direct one opened */
export const RELAYED_CLOSE_CHECK_MS = 5000
/** ms a relayed connection may take to close gracefully before it is aborted */
const CLOSE_TIMEOUT_MS = 5000

export interface RelayedConnectionCloserInit {
  /** whether a stream of this protocol is a request in flight, which closing the connection would cut */
  isRequest: (protocol: string) => boolean
  checkIntervalMs?: number
}

export interface RelayedConnectionCloserComponents {
  events: TypedEventTarget<Libp2pEvents>
  connectionManager: { getConnections(peer?: PeerId): Connection[] }
  logger: ComponentLogger
}

export function isRelayed (conn: Connection): boolean {
  return conn.remoteAddr.getComponents().some(c => c.name === 'p2p-circuit')
}

/**
 * Moves a peer's traffic off the relay once a direct connection to it is open (found on the LAN,
 * hole-punched, or dialed from its record). libp2p already opens new streams on the direct
 * connection; this closes the relayed one, so the hub stops carrying the pair's bytes and status
 * shows one path. A relayed connection still carrying a request (model, handoff, tool) is left
 * until the request ends, checked every RELAYED_CLOSE_CHECK_MS; its other streams (gossip, pings)
 * are opened again on the direct connection.
 */
export class RelayedConnectionCloser implements Startable {
  private readonly log: Logger
  private readonly check: RepeatingTask
  /** peers with a direct connection and a relayed one still busy; bounded by the open connections */
  private readonly pending = new Map<string, PeerId>()

  constructor (private readonly components: RelayedConnectionCloserComponents, private readonly init: RelayedConnectionCloserInit) {
    this.log = components.logger.forComponent('clawmatrix:mesh:relayed-connection-closer')
    this.onOpen = this.onOpen.bind(this)
    this.check = repeatingTask(() => { for (const peer of [...this.pending.values()]) this.closeRelayed(peer) }, init.checkIntervalMs ?? RELAYED_CLOSE_CHECK_MS)
  }

  readonly [Symbol.toStringTag] = 'clawmatrix:relayed-connection-closer'

  start (): void {
    this.components.events.addEventListener('connection:open', this.onOpen)
    this.check.start()
  }

  stop (): void {
    this.components.events.removeEventListener('connection:open', this.onOpen)
    this.check.stop()
    this.pending.clear()
  }

  private onOpen (evt: CustomEvent<Connection>): void {
    this.closeRelayed(evt.detail.remotePeer)
  }

  private closeRelayed (peer: PeerId): void {
    const open = this.components.connectionManager.getConnections(peer).filter(c => c.status === 'open')
    const direct = open.find(c => !isRelayed(c) && c.limits == null)
    if (direct == null) {
      this.pending.delete(peer.toString())
      return
    }
    let busy = false
    for (const relayed of open.filter(isRelayed)) {
      if (relayed.streams.some(s => s.protocol != null && this.init.isRequest(s.protocol))) {
        busy = true
        continue
      }
      this.log('%p is reachable directly at %a: closing the relayed connection %a', peer, direct.remoteAddr, relayed.remoteAddr)
      relayed.close({ signal: AbortSignal.timeout(CLOSE_TIMEOUT_MS) }).catch((err: Error) => { relayed.abort(err) })
    }
    if (busy) this.pending.set(peer.toString(), peer)
    else this.pending.delete(peer.toString())
  }
}

export function relayedConnectionCloser (init: RelayedConnectionCloserInit): (components: RelayedConnectionCloserComponents) => RelayedConnectionCloser {
  return (components) => new RelayedConnectionCloser(components, init)
}
