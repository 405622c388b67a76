import { repeatingTask } from '@libp2p/utils'
import { isRelayed } from './relayed-connection-closer.js'
import type { Connection, Libp2p, Logger } from '@libp2p/interface'
import type { RepeatingTask } from '@libp2p/utils'

/** the fewest ms between two looks at the connections */
const MIN_CHECK_MS = 100

export interface IdleRelayedConnectionsInit {
  libp2p: Pick<Libp2p, 'getConnections'>
  /** a connection that carried no request for this long is closed */
  idleMs: number
  /** the protocols whose streams count as use (the planes'; gossip and pings do not) */
  protocols: ReadonlySet<string>
  /** when this node last began or ended a request to a peer, if it remembers */
  lastRequestAt: (peerId: string) => number | undefined
  log: Logger
}

/**
 * Closes the relayed connections this node dialed once they have carried no request for
 * `idleMs`: a peer reached through a relay is dialed when a request needs it (connect on demand)
 * and its connection is not kept for ever. Use is a plane stream seen open at a look, or a request
 * this node began or ended since. Only the dialing side closes, so a peer that keeps calling this
 * node over its own connection is never cut off by this node's view of it.
 */
export class IdleRelayedConnections {
  private readonly usedAt = new WeakMap<Connection, number>()
  private readonly task: RepeatingTask

  constructor (private readonly init: IdleRelayedConnectionsInit) {
    this.task = repeatingTask(() => { this.check() }, Math.max(MIN_CHECK_MS, Math.floor(init.idleMs / 4)))
  }

  start (): void {
    this.task.start()
  }

  stop (): void {
    this.task.stop()
  }

  /** one look: note the connections in use, close the idle ones */
  check (now = Date.now()): void {
    for (const conn of this.init.libp2p.getConnections()) {
      if (conn.status !== 'open' || conn.direction !== 'outbound' || !isRelayed(conn)) continue
      if (conn.streams.some(s => s.protocol != null && this.init.protocols.has(s.protocol))) {
        this.usedAt.set(conn, now)
        continue
      }
      const last = Math.max(this.usedAt.get(conn) ?? conn.timeline.open, this.init.lastRequestAt(conn.remotePeer.toString()) ?? 0)
      if (now - last < this.init.idleMs) continue
      this.init.log('closing the relayed connection to %p: no request for %d ms', conn.remotePeer, now - last)
      conn.close().catch(err => { conn.abort(err) })
    }
  }
}
