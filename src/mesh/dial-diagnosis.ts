import { lookup } from 'node:dns/promises'
import { request } from 'node:http'
import { connect } from 'node:net'
import { randomBytes } from 'node:crypto'
import { probePnet } from './pnet-probe.js'
import type { Multiaddr } from '@multiformats/multiaddr'

/** ms each step of a transport probe (resolve, TCP, WebSocket upgrade) may take */
export const PROBE_STEP_TIMEOUT_MS = 3000

/** Why a dial failed, as a cause a user can act on */
export type DialCause = 'pin-mismatch' | 'secret' | 'transport' | 'timeout' | 'other'

/** The messages of an error and everything it wraps (AggregateError's errors, causes) */
function messagesOf (err: any, depth = 0): string[] {
  if (err == null || depth > 4) return []
  const own = [String(err.name ?? ''), String(err.message ?? '')].filter(s => s !== '' && s !== 'undefined')
  const inner = [...(Array.isArray(err.errors) ? err.errors : []), ...(err.cause != null ? [err.cause] : [])]
  return [...own, ...inner.flatMap((e: any) => messagesOf(e, depth + 1))]
}

/**
 * The cause of a failed libp2p dial. Noise reports a pinned-key mismatch as
 * `EncryptionFailedError: Payload identity key X does not match expected remote identity key Y`,
 * so that is checked first. A peer with another cluster secret reads our Noise bytes as noise
 * after the pnet nonce exchange and drops the connection: the dialer sees the encryption step end
 * in an EOF. A WebSocket that never opens gives an empty ErrorEvent (no reason at all).
 */
export function classifyDialError (err: any): DialCause {
  const text = messagesOf(err).join(' ')
  if (/does not match expected remote identity key|UnexpectedPeer|unexpected peer/i.test(text)) return 'pin-mismatch'
  if (/EncryptionFailed/i.test(text)) return 'secret'
  if (/Timeout|aborted/i.test(text)) return 'timeout'
  if (text.replace(/ErrorEvent|AggregateError|All multiaddr dials failed|\s/g, '') === '') return 'transport'
  return 'other'
}

/** whether every address of a dial goes through a relay (`/p2p-circuit`) */
function onlyRelayed (addrs: Multiaddr[]): boolean {
  return addrs.length > 0 && addrs.every(a => a.getComponents().some(c => c.name === 'p2p-circuit'))
}

/**
 * Why a dial to `addrs` failed, in words a user can act on (the cause named, never an empty
 * string). A handshake that ends on a relayed dial says nothing of the secret: this node's
 * connection to the relay, and the peer's, already passed pnet with the relay's key.
 */
export function explainDialError (err: any, addrs: Multiaddr[] = []): string {
  const message = messagesOf(err).filter(m => !/^(ErrorEvent|AggregateError|Error)$/.test(m)).join(': ')
  switch (classifyDialError(err)) {
    case 'pin-mismatch':
      return `${message} (the peer there presents a different key than the pinned peerId: check peers[].peerId, or the peer's identity changed)`
    case 'secret':
      if (onlyRelayed(addrs)) return `${message} (the handshake through the relay did not complete: the peer has left the relay, is too slow to answer, or its end of the circuit closed; the cluster secret is not the cause, the connection to the relay already passed it)`
      return `${message} (the handshake failed after the connection opened: if the peer is up, the cluster secret likely differs, or the mesh rotated it while this node was offline)`
    case 'timeout':
      return `${message !== '' ? message : 'timed out'} (no answer in time: the peer is down, overloaded or a firewall drops packets)`
    case 'transport':
      return 'the WebSocket connection could not be opened'
    default:
      return message
  }
}

function hostAndPort (addr: Multiaddr): { host: string, port: number, secure: boolean } | undefined {
  const parts = addr.getComponents()
  const host = parts.find(c => ['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(c.name))?.value
  const port = parts.find(c => c.name === 'tcp')?.value
  if (host == null || port == null) return undefined
  return { host, port: Number(port), secure: parts.some(c => c.name === 'tls' || c.name === 'wss') }
}

export interface ProbeStep {
  step: 'resolve' | 'tcp' | 'websocket'
  ok: boolean
  detail: string
  /** what to do, when the step failed */
  fix?: string
}

/**
 * The steps below libp2p, one at a time: the host resolves, TCP connects, the WebSocket upgrade
 * is answered with 101. Stops at the first failed step. `wss` addresses stop after TCP (the
 * upgrade needs TLS; libp2p's own dial covers it).
 */
export async function probeTransport (addr: Multiaddr): Promise<ProbeStep[]> {
  const target = hostAndPort(addr)
  if (target == null) return []
  const steps: ProbeStep[] = []
  let ip: string
  try {
    ip = (await lookup(target.host)).address
    steps.push({ step: 'resolve', ok: true, detail: `${target.host} is ${ip}` })
  } catch (err: any) {
    steps.push({ step: 'resolve', ok: false, detail: `${target.host} does not resolve (${String(err.code ?? err.message)})`, fix: 'check the host name in peers[].url' })
    return steps
  }
  const tcp = await tcpConnect(ip, target.port)
  if (tcp != null) {
    steps.push({ step: 'tcp', ok: false, detail: `TCP to ${target.host}:${target.port} failed (${tcp})`, fix: 'start the peer with listen: true on that port, check the port in peers[].url, and let a firewall pass it' })
    return steps
  }
  steps.push({ step: 'tcp', ok: true, detail: `TCP to ${target.host}:${target.port} connects` })
  if (target.secure) return steps
  const ws = await websocketUpgrade(ip, target.host, target.port)
  steps.push(ws == null
    ? { step: 'websocket', ok: true, detail: `WebSocket upgrade at ${target.host}:${target.port} accepted` }
    : { step: 'websocket', ok: false, detail: `WebSocket upgrade at ${target.host}:${target.port} refused (${ws}): the port answers, but it is not a ClawMatrix listen port`, fix: 'point peers[].url at the peer\'s listen port (the "listen:" line `clawmatrix start` prints), not its API port' })
  return steps
}

/** undefined when TCP connects, else the reason */
async function tcpConnect (ip: string, port: number): Promise<string | undefined> {
  return await new Promise(resolve => {
    const socket = connect({ host: ip, port, timeout: PROBE_STEP_TIMEOUT_MS })
    socket.once('connect', () => { socket.destroy(); resolve(undefined) })
    socket.once('timeout', () => { socket.destroy(); resolve(`no answer in ${PROBE_STEP_TIMEOUT_MS} ms`) })
    socket.once('error', (err: any) => { socket.destroy(); resolve(String(err.code ?? err.message)) })
  })
}

/** undefined when the server answers 101 Switching Protocols, else what it did */
async function websocketUpgrade (ip: string, host: string, port: number): Promise<string | undefined> {
  return await new Promise(resolve => {
    const req = request({
      host: ip,
      port,
      path: '/',
      headers: { Host: `${host}:${port}`, Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') },
      timeout: PROBE_STEP_TIMEOUT_MS
    })
    req.once('upgrade', (_res, socket) => { socket.destroy(); resolve(undefined) })
    req.once('response', res => { res.resume(); req.destroy(); resolve(`HTTP ${res.statusCode ?? '?'}`) })
    req.once('timeout', () => { req.destroy(); resolve(`no answer in ${PROBE_STEP_TIMEOUT_MS} ms`) })
    req.once('error', (err: any) => { resolve(String(err.code ?? err.message)) })
    req.end()
  })
}

/** what a pnet probe that saw another key reports */
export const SECRET_DIFFERS = 'the peer answered the pnet nonce exchange, then could not read our bytes: the cluster secret differs (set the same "secret" as on that peer; if the mesh rotated its secret while this node was offline, this node needs a new invite: `clawmatrix invite` on an admin, `clawmatrix join` here)'

/**
 * explainDialError, made definite by probing the first direct address step by step when libp2p's
 * error leaves the cause open: resolve, TCP, the WebSocket upgrade, then (given the PSK) the pnet
 * step alone, which tells a different secret apart for certain. A pin mismatch needs no probe.
 */
export async function describeDialFailure (err: any, addrs: Multiaddr[], psk?: Uint8Array): Promise<string> {
  const reason = explainDialError(err, addrs)
  const cause = classifyDialError(err)
  const direct = addrs.find(a => !a.getComponents().some(c => c.name === 'p2p-circuit') && hostAndPort(a) != null)
  if (cause === 'pin-mismatch' || direct == null) return reason
  try {
    const failed = (await probeTransport(direct)).find(s => !s.ok)
    if (failed != null) return `${failed.detail}: ${failed.fix ?? ''}`
    if (psk == null) return reason
    const pnet = await probePnet(direct, psk)
    if (pnet.result === 'differs') return SECRET_DIFFERS
    if (pnet.result === 'no-nonce') return pnet.detail
    return cause === 'transport' ? `${reason} (resolve, TCP, the upgrade and pnet all pass now: try again)` : reason
  } catch {
    return reason
  }
}
