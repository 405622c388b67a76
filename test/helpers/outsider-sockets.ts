import { connect } from 'node:net'
import type { Socket } from 'node:net'

/** the outsider reopens a socket the node closed after this long */
const REOPEN_AFTER_MS = 100

export interface OutsiderInit {
  /** the loopback address the sockets come from */
  localAddress: string
  /** open a new socket whenever the node closes one (default true) */
  reopen?: boolean
}

/**
 * Someone without the secret: opens WebSockets to the node (the HTTP upgrade done, so each is a
 * libp2p connection being upgraded), never sends a byte on them, and (`reopen`) opens a new one
 * whenever the node closes one.
 */
export class Outsider {
  private readonly sockets = new Set<Socket>()
  private stopped = false
  /** sockets whose WebSocket upgrade the node accepted, over the outsider's life */
  upgraded = 0
  /** sockets the node has taken into its pnet handshake (it sent its nonce) and not yet closed */
  private holding = new Set<Socket>()
  /** the most upgrade slots the outsider held at once */
  peakHolding = 0

  constructor (private readonly port: number, private readonly init: OutsiderInit) {}

  start (count: number): void {
    for (let i = 0; i < count; i++) this.open()
  }

  /** sockets the node has taken into its pnet handshake now */
  get held (): number {
    return this.holding.size
  }

  /** sockets open now whose WebSocket upgrade was accepted */
  get idle (): number {
    return [...this.sockets].filter(s => (s as any).upgraded === true).length
  }

  stop (): void {
    this.stopped = true
    for (const s of this.sockets) s.destroy()
  }

  private open (): void {
    if (this.stopped) return
    const socket = connect({ host: '127.0.0.1', port: this.port, localAddress: this.init.localAddress })
    this.sockets.add(socket)
    let received = Buffer.alloc(0)
    socket.on('connect', () => {
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`)
    })
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data])
      if ((socket as any).upgraded !== true) {
        const end = received.indexOf('\r\n\r\n')
        if (end < 0) return
        if (received.subarray(0, 12).toString() !== 'HTTP/1.1 101') { socket.destroy(); return }
        ;(socket as any).upgraded = true
        this.upgraded++
        received = received.subarray(end + 4)
      }
      // the node's frames (unmasked, short): its nonce, then a close frame when it gives up
      while (received.length >= 2 && received.length >= 2 + (received[1] & 0x7f)) {
        if ((received[0] & 0x0f) === 0x8) { socket.destroy(); return }
        this.holding.add(socket)
        this.peakHolding = Math.max(this.peakHolding, this.holding.size)
        received = received.subarray(2 + (received[1] & 0x7f))
      }
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      this.sockets.delete(socket)
      this.holding.delete(socket)
      if (!this.stopped && this.init.reopen !== false) setTimeout(() => { this.open() }, REOPEN_AFTER_MS).unref()
    })
  }
}
