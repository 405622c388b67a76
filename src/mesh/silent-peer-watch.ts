import { PING_PROTOCOL } from '@libp2p/ping'
import { byteStream, repeatingTask } from '@libp2p/utils'
import { PING_INTERVAL_MS, SILENT_AFTER_MS } from './constants.js'
import { openConnections } from './open-connections.js'
import type { ComponentLogger, Connection, Logger, PeerId, Startable } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { RepeatingTask } from '@libp2p/utils'

const PING_BYTES = 32
/** a timer this late means this process was stalled, not that the peer was silent */
const STALL_MS = 1000

export interface SilentPeerWatchInit {
  /** ms between pings to each watched peer (default PING_INTERVAL_MS) */
  intervalMs?: number
  /** a peer that answers no ping for this long has its connections closed (default SILENT_AFTER_MS) */
  silentAfterMs?: number
  /**
   * the peers to watch; only those with open connections are pinged. Default: every connected
   * peer (in a private mesh every peer runs the mesh stack, ping included); a ClawMatrix node
   * watches the peers with a live record.
   */
  peers?: () => PeerId[]
  /** where closed connections are logged (default the `clawmatrix:mesh:silent-peers` logger) */
  log?: Logger
}

export interface SilentPeerWatchComponents {
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

interface Watched {
  conn: Connection
  /** the last ping answer, or when a stall or the start of watching gave the benefit of the doubt */
  lastHeardAt: number
  answeredAt?: number
  deadline?: NodeJS.Timeout
  pinging: boolean
}

/**
 * Notices peers that stop answering while their connections stay open (a frozen process, a
 * machine gone without a FIN): every open connection to a watched peer is pinged every
 * `intervalMs` (the round trip becomes the connection's `rtt`, the latency routing uses), and one
 * that has answered nothing for `silentAfterMs` is closed, so the peer shows as unreachable (or
 * keeps only its working path) and the router passes it over well before its record expires.
 * It takes the place of libp2p's connection monitor, which either ignores failed pings or aborts
 * on the first one and reports nothing either way; the two cannot run side by side, as the ping
 * protocol allows one outbound stream per connection.
 *
 * When this process itself was stalled (a late timer), nobody is judged: answers may be waiting
 * unread, and the connection gets a fresh `silentAfterMs`.
 */
export class SilentPeerWatch implements Startable {
  readonly [Symbol.toStringTag] = 'clawmatrix:silent-peer-watch'
  private readonly watched = new Map<string, Watched>()
  private readonly intervalMs: number
  private readonly silentAfterMs: number
  private readonly peers: () => PeerId[]
  private readonly log: Logger
  private readonly rounds: RepeatingTask
  private started = false
  private nextRoundAt = 0

  constructor (private readonly components: SilentPeerWatchComponents, init: SilentPeerWatchInit = {}) {
    this.intervalMs = init.intervalMs ?? PING_INTERVAL_MS
    this.silentAfterMs = init.silentAfterMs ?? SILENT_AFTER_MS
    this.peers = init.peers ?? (() => connectedPeers(components.connectionManager))
    this.log = init.log ?? components.logger.forComponent('clawmatrix:mesh:silent-peers')
    this.rounds = repeatingTask(() => { this.round() }, this.intervalMs)
  }

  start (): void {
    if (this.started) return
    this.started = true
    this.nextRoundAt = Date.now() + this.intervalMs
    this.rounds.start()
  }

  isStarted (): boolean {
    return this.started
  }

  stop (): void {
    this.started = false
    this.rounds.stop()
    for (const w of this.watched.values()) clearTimeout(w.deadline)
    this.watched.clear()
  }

  /** local clock ms of the last ping answer on a watched connection */
  lastAnswer (connectionId: string): number | undefined {
    return this.watched.get(connectionId)?.answeredAt
  }

  private round (): void {
    const now = Date.now()
    const stalled = now - this.nextRoundAt > STALL_MS
    this.nextRoundAt = now + this.intervalMs
    const current = new Set<string>()
    for (const conn of this.peers().flatMap(peer => openConnections(this.components.connectionManager, peer))) {
      current.add(conn.id)
      let w = this.watched.get(conn.id)
      if (w == null) {
        w = { conn, lastHeardAt: now, pinging: false }
        this.watched.set(conn.id, w)
        this.arm(w)
      } else if (stalled) {
        this.heard(w, now)
      }
      if (!w.pinging) void this.ping(w)
    }
    for (const [key, w] of this.watched) {
      if (current.has(key)) continue
      clearTimeout(w.deadline)
      this.watched.delete(key)
    }
  }

  private heard (w: Watched, at = Date.now()): void {
    w.lastHeardAt = at
    this.arm(w)
  }

  private arm (w: Watched): void {
    clearTimeout(w.deadline)
    w.deadline = setTimeout(() => { this.judge(w) }, Math.max(0, w.lastHeardAt + this.silentAfterMs - Date.now()))
    w.deadline.unref()
  }

  private judge (w: Watched): void {
    if (this.watched.get(w.conn.id) !== w) return
    const now = Date.now()
    if (now - (w.lastHeardAt + this.silentAfterMs) > STALL_MS) {
      this.heard(w, now)
      return
    }
    this.watched.delete(w.conn.id)
    if (w.conn.status !== 'open') return
    const silentMs = now - w.lastHeardAt
    this.log('peer %p answered no ping for %d ms on %a: closing that connection', w.conn.remotePeer, silentMs, w.conn.remoteAddr)
    // a graceful close: aborting a WebSocket connection leaves its socket open (libp2p sends close
    // code 1006, which WebSocket implementations refuse), while a close frame ends it at once when
    // the peer comes back, and the WebSocket's own close timeout ends it if it never does
    const closing = AbortSignal.timeout(this.silentAfterMs)
    w.conn.close({ signal: closing }).catch(err => { w.conn.abort(err) })
  }

  private async ping (w: Watched): Promise<void> {
    w.pinging = true
    const signal = AbortSignal.timeout(this.silentAfterMs)
    let stream
    try {
      stream = await w.conn.newStream(PING_PROTOCOL, { signal, runOnLimitedConnection: true })
      const bytes = byteStream(stream)
      const sent = crypto.getRandomValues(new Uint8Array(PING_BYTES))
      const sentAt = Date.now()
      const [, answer] = await Promise.all([bytes.write(sent, { signal }), bytes.read({ bytes: PING_BYTES, signal })])
      if (Buffer.compare(answer.subarray(), sent) !== 0) throw new Error('ping answer differs from the ping')
      w.conn.rtt = Date.now() - sentAt
      if (this.watched.get(w.conn.id) === w) {
        w.answeredAt = Date.now()
        this.heard(w, w.answeredAt)
      }
      await stream.close({ signal })
    } catch (err: any) {
      stream?.abort(err)
      this.log.trace('ping to %p failed - %s', w.conn.remotePeer, err.message)
    } finally {
      w.pinging = false
    }
  }
}

/** every peer with a connection, once */
function connectedPeers (connectionManager: ConnectionManager): PeerId[] {
  const peers = new Map<string, PeerId>()
  for (const conn of connectionManager.getConnections()) peers.set(conn.remotePeer.toString(), conn.remotePeer)
  return [...peers.values()]
}

/**
 * The silent-peer watch as a libp2p service, what `meshLibp2pOptions` adds in place of libp2p's
 * connection monitor
 */
export function silentPeerWatch (init: SilentPeerWatchInit = {}): (components: SilentPeerWatchComponents) => SilentPeerWatch {
  return (components) => new SilentPeerWatch(components, init)
}
