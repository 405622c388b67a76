import { connect } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { MAX_PENDING_INBOUND_PER_HOST } from '../../src/mesh/constants.js'
import { removeTempDirs, startNode, waitUntilReachable } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { Socket } from 'node:net'
import type { TestNode } from '../helpers/mesh.js'

/** idle WebSockets the outsider keeps open */
const SOCKETS = 100
/** the outsider's own loopback address; members dial from 127.0.0.1 */
const OUTSIDER_ADDRESS = '127.0.0.2'
/** an honest member must be connected this soon after it starts */
const JOIN_WITHIN_MS = 5000
/** the outsider reopens a socket the node closed after this long */
const REOPEN_AFTER_MS = 100

/**
 * Someone without the secret: opens WebSockets to the node (the HTTP upgrade done, so each is a
 * libp2p connection being upgraded), never sends a byte on them, and opens a new one whenever the
 * node closes one.
 */
class Outsider {
  private readonly sockets = new Set<Socket>()
  private stopped = false
  /** sockets whose WebSocket upgrade the node accepted, over the outsider's life */
  upgraded = 0
  /** sockets the node has taken into its pnet handshake (it sent its nonce) and not yet closed */
  private holding = new Set<Socket>()
  /** the most upgrade slots the outsider held at once */
  peakHolding = 0

  constructor (private readonly port: number) {}

  start (count: number): void {
    for (let i = 0; i < count; i++) this.open()
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
    const socket = connect({ host: '127.0.0.1', port: this.port, localAddress: OUTSIDER_ADDRESS })
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
      if (!this.stopped) setTimeout(() => { this.open() }, REOPEN_AFTER_MS).unref()
    })
  }
}

describe('an outsider holding idle WebSockets to a listening node', () => {
  const nodes: TestNode[] = []
  let outsider: Outsider | undefined
  afterAll(async () => {
    outsider?.stop()
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await removeTempDirs()
  })

  it(`cannot keep a member from joining (${SOCKETS} sockets from one address)`, async () => {
    const hub = await startNode({ nodeId: 'hub', listen: true })
    nodes.push(hub)
    const port = Number(hub.libp2p.getMultiaddrs()[0].getComponents().find(c => c.name === 'tcp')?.value)
    outsider = new Outsider(port)
    outsider.start(SOCKETS)
    await waitFor('the outsider to hold idle WebSockets', () => (outsider?.idle ?? 0) >= MAX_PENDING_INBOUND_PER_HOST, 10_000)

    const startedAt = Date.now()
    const member = await startNode({ nodeId: 'member', peers: [{ nodeId: 'hub', url: hub.dialAddr }] })
    nodes.push(member)
    await waitUntilReachable(member, ['hub'], 30_000)
    const joinMs = Date.now() - startedAt
    console.log(`member joined in ${joinMs} ms; the outsider held ${outsider.idle} idle WebSockets, at most ${outsider.peakHolding} of them in the node's handshake at once (${outsider.upgraded} WebSockets over its life)`)
    expect(joinMs).toBeLessThan(JOIN_WITHIN_MS)
    expect(outsider.peakHolding).toBeLessThanOrEqual(MAX_PENDING_INBOUND_PER_HOST)

    // the node still works for members: a second one joins too
    const second = await startNode({ nodeId: 'second', peers: [{ nodeId: 'hub', url: hub.dialAddr }] })
    nodes.push(second)
    await waitUntilReachable(second, ['hub', 'member'], 20_000)
  }, 90_000)
})
