import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

export interface ConnectionLimits {
  maxConnections: number
  bodyRateWindowMs: number
  minBodyBytesPerWindow: number
}

interface Tracked {
  /** the request being answered on this connection, if any */
  req?: IncomingMessage
  /** body rate window: when it started and socket.bytesRead then */
  windowStart: number
  bytesAtWindowStart: number
}

export interface ConnectionCounts {
  open: number
  /** connections closed to make room for a new one */
  evicted: number
  /** new connections answered 503 because every connection was answering a request */
  refused: number
  /** connections closed for a request body arriving below the minimum rate */
  slowBodies: number
}

const REFUSAL_BODY = JSON.stringify({
  error: { message: 'the node\'s HTTP API is at its connection limit, every connection answering a request; try again shortly', type: 'server_error', code: 'too_many_connections' }
})
const REFUSAL = `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(REFUSAL_BODY)}\r\nretry-after: 1\r\nconnection: close\r\n\r\n${REFUSAL_BODY}`
/** A refused connection gets this long to take its 503 before it is destroyed */
const REFUSAL_LINGER_MS = 1_000

/**
 * Keeps slow clients from holding the API: bounds open connections (evicting the oldest idle
 * or still-sending-headers one first) and closes connections whose request body trickles in.
 * Headers that never finish are Node's own headersTimeout.
 */
export class ConnectionGuard {
  private readonly sockets = new Map<Socket, Tracked>()
  private readonly refusedSockets = new WeakSet<Socket>()
  private readonly sweep: NodeJS.Timeout
  private readonly counts = { evicted: 0, refused: 0, slowBodies: 0 }

  constructor (server: Server, private readonly limits: ConnectionLimits) {
    server.on('connection', socket => { this.admit(socket) })
    this.sweep = setInterval(() => { this.closeSlowBodies() }, Math.min(1_000, limits.bodyRateWindowMs)).unref()
  }

  /** Whether the request arrived on a connection that was refused (and must not be answered) */
  refused (req: IncomingMessage): boolean {
    return this.refusedSockets.has(req.socket)
  }

  /** A request's headers arrived: the connection is busy until its response closes */
  requestStarted (req: IncomingMessage, res: ServerResponse): void {
    const tracked = this.sockets.get(req.socket)
    if (tracked == null) return
    tracked.req = req
    tracked.windowStart = Date.now()
    tracked.bytesAtWindowStart = req.socket.bytesRead
    res.once('close', () => { if (tracked.req === req) delete tracked.req })
  }

  stats (): ConnectionCounts {
    return { open: this.sockets.size, ...this.counts }
  }

  stop (): void {
    clearInterval(this.sweep)
  }

  private admit (socket: Socket): void {
    if (this.sockets.size >= this.limits.maxConnections && !this.evictOne()) {
      this.counts.refused++
      this.refusedSockets.add(socket)
      socket.end(REFUSAL)
      setTimeout(() => { socket.destroy() }, REFUSAL_LINGER_MS).unref()
      return
    }
    this.sockets.set(socket, { windowStart: Date.now(), bytesAtWindowStart: 0 })
    socket.once('close', () => { this.sockets.delete(socket) })
  }

  /** Close the oldest connection with no request in progress; false if there is none */
  private evictOne (): boolean {
    for (const [socket, tracked] of this.sockets) {
      if (tracked.req != null) continue
      this.sockets.delete(socket)
      this.counts.evicted++
      socket.destroy()
      return true
    }
    return false
  }

  private closeSlowBodies (): void {
    const now = Date.now()
    for (const [socket, tracked] of this.sockets) {
      const req = tracked.req
      if (req == null || now - tracked.windowStart < this.limits.bodyRateWindowMs) continue
      const arrived = socket.bytesRead - tracked.bytesAtWindowStart
      tracked.windowStart = now
      tracked.bytesAtWindowStart = socket.bytesRead
      // a body still arriving, none of it waiting unread on our side: the client is this slow
      if (req.complete || req.readableLength > 0 || arrived >= this.limits.minBodyBytesPerWindow) continue
      this.counts.slowBodies++
      socket.destroy()
    }
  }
}
