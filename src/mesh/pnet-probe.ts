import { decodePskFile, PSK_NONCE_BYTES } from './patches/psk-protector.js'
import { XSalsa20Stream } from './patches/xsalsa20-stream.js'
import type { Multiaddr } from '@multiformats/multiaddr'

/** ms the pnet probe waits for the peer's nonce, then for its first encrypted answer */
export const PNET_PROBE_TIMEOUT_MS = 3000

/** multistream-select's header, length-prefixed: the first bytes libp2p sends inside pnet */
const MSS_HEADER = new Uint8Array([19, ...new TextEncoder().encode('/multistream/1.0.0\n')])

/**
 * `match`: the peer's first bytes inside pnet decrypt, with our key, to multistream-select's header.
 * `differs`: it sent its nonce, then answered bytes that do not decrypt, or closed, or went silent:
 * it holds another key (it reads our header as noise). `no-nonce`: it never sent a pnet nonce.
 */
export type PnetProbeResult = { result: 'match' | 'differs' } | { result: 'no-nonce', detail: string }

function wsUrl (addr: Multiaddr): string {
  const parts = addr.getComponents()
  const host = parts.find(c => ['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(c.name))
  const port = parts.find(c => c.name === 'tcp')?.value
  const secure = parts.some(c => c.name === 'tls' || c.name === 'wss')
  const name = host?.name === 'ip6' ? `[${host.value}]` : host?.value
  return `${secure ? 'wss' : 'ws'}://${name ?? ''}:${port ?? ''}`
}

/**
 * The pnet step alone, over a WebSocket of its own: send our nonce and, encrypted with the
 * cluster key, multistream-select's header (as libp2p's upgrader does next); a peer with the
 * same key answers with the same header. This tells a different secret apart from everything
 * else deterministically: a listener with another key may drop the connection, answer noise or
 * wait for more bytes, depending on how it reads our bytes.
 */
export async function probePnet (addr: Multiaddr, psk: Uint8Array, timeoutMs = PNET_PROBE_TIMEOUT_MS): Promise<PnetProbeResult> {
  const key = decodePskFile(psk)
  const localNonce = crypto.getRandomValues(new Uint8Array(PSK_NONCE_BYTES))
  const received: number[] = []
  const socket = new WebSocket(wsUrl(addr))
  socket.binaryType = 'arraybuffer'
  return await new Promise<PnetProbeResult>(resolve => {
    let opened = false
    const finish = (result: PnetProbeResult): void => {
      clearTimeout(timer)
      try { socket.close() } catch {}
      resolve(result)
    }
    const afterNonce = (how: string): PnetProbeResult => received.length >= PSK_NONCE_BYTES
      ? { result: 'differs' }
      : { result: 'no-nonce', detail: opened ? `the peer ${how} without sending a pnet nonce: it is not a ClawMatrix listener, or it is overloaded` : `the WebSocket did not open (${how})` }
    const timer = setTimeout(() => { finish(afterNonce(`waited ${timeoutMs} ms`)) }, timeoutMs)
    socket.addEventListener('open', () => {
      opened = true
      socket.send(localNonce)
      socket.send(new XSalsa20Stream(key, localNonce).update(MSS_HEADER))
    })
    socket.addEventListener('message', (evt: MessageEvent) => {
      received.push(...new Uint8Array(evt.data as ArrayBuffer))
      if (received.length < PSK_NONCE_BYTES + MSS_HEADER.byteLength) return
      const remoteNonce = new Uint8Array(received.slice(0, PSK_NONCE_BYTES))
      const answer = new XSalsa20Stream(key, remoteNonce).update(new Uint8Array(received.slice(PSK_NONCE_BYTES, PSK_NONCE_BYTES + MSS_HEADER.byteLength)))
      finish({ result: answer.every((b, i) => b === MSS_HEADER[i]) ? 'match' : 'differs' })
    })
    socket.addEventListener('close', () => { finish(afterNonce('closed the connection')) })
    socket.addEventListener('error', () => { finish(afterNonce('failed')) })
  })
}
