import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { meshBaseServices, meshLibp2pOptions } from '../mesh/libp2p-options.js'
import { probePnet } from '../mesh/pnet-probe.js'
import { pskFromSecret } from '../mesh/psk.js'
import { openCertificate } from './certificate.js'
import { EXCHANGE_TIMEOUT_MS, MEMBERSHIP_PROTOCOL } from './constants.js'
import { requestCertificates } from './exchange.js'
import { peerIdOfAddr } from './invite.js'
import { JOIN_DIAL_TIMEOUT_MS, REDEEM_PROTOCOL, REDEEM_TIMEOUT_MS } from './invite-constants.js'
import { REDEEM_REASONS, RedeemError } from './invite-errors.js'
import { requestRedeem } from './redeem.js'
import type { Invite } from './invite.js'
import type { RedeemErrorCode } from './invite-errors.js'
import type { Connection, Libp2p, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface Redeemed {
  /** the joiner's certificate envelope first, then those above it */
  certificates: Uint8Array[]
  /**
   * multiaddrs with /p2p/ of members to keep as peers: first the one that worked, the issuer's
   * as dialed, or the relay's when the issuer was reached through it (not the circuit itself)
   */
  addrs: string[]
}

/** one way to the issuer: its own addresses, or circuits through one listed member */
interface Route {
  what: string
  addrs: Multiaddr[]
}

/** the issuer's direct addresses first, then a circuit through each other member the invite lists */
export function routesOf (invite: Invite): Route[] {
  const direct = invite.addrs.filter(a => peerIdOfAddr(a) === invite.issuer)
  const relays = new Map<string, string[]>()
  for (const addr of invite.addrs) {
    const peer = peerIdOfAddr(addr)
    if (peer == null || peer === invite.issuer || addr.includes('/p2p-circuit')) continue
    relays.set(peer, [...relays.get(peer) ?? [], `${addr}/p2p-circuit/p2p/${invite.issuer}`])
  }
  return [
    ...(direct.length > 0 ? [{ what: `directly at ${direct.join(', ')}`, addrs: direct.map(a => multiaddr(a)) }] : []),
    ...[...relays].map(([peer, list]) => ({ what: `through ${peer}`, addrs: list.map(a => multiaddr(a)) }))
  ]
}

const CODES = new Set(Object.keys(REDEEM_REASONS))
/** most addresses probed for another cluster key after every way to the issuer failed */
const MAX_ROTATION_PROBES = 4

/**
 * Redeem `invite` at its issuer for a certificate of `privateKey`'s peer ID as `nodeId`: a
 * short-lived node with the invite's secret (listening nowhere) dials the issuer, directly or
 * through the relay of a member the invite lists, runs `REDEEM_PROTOCOL` once and stops. Throws
 * `RedeemError` with the issuer's reason, `invite_rotated` when the mesh answers on another
 * cluster key (the secret was rotated since), or `issuer_offline` naming each way tried.
 */
export async function redeemInvite (invite: Invite, privateKey: PrivateKey, nodeId: string): Promise<Redeemed> {
  const routes = routesOf(invite)
  if (routes.length === 0) throw new RedeemError('issuer_offline', `${REDEEM_REASONS.issuer_offline} (the invite holds no address of the issuer ${invite.issuer} nor of a member)`)
  const psk = await pskFromSecret(invite.secret)
  const node = await createLibp2p({ ...meshLibp2pOptions({ privateKey, psk, listen: false }, { ...meshBaseServices({ listen: false }) }), addresses: { listen: [] } })
  try {
    let connection: Connection | undefined
    const tried: string[] = []
    for (const route of routes) {
      try {
        connection = await node.dial(route.addrs, { signal: AbortSignal.timeout(JOIN_DIAL_TIMEOUT_MS) })
        break
      } catch (err: any) {
        tried.push(`${route.what}: ${dialFailure(err)}`)
      }
    }
    if (connection == null) {
      // a member that answers the pnet step on another key: the secret was rotated since the invite
      const rotatedAt = await answerOnAnotherKey(routes.flatMap(r => r.addrs), psk)
      if (rotatedAt != null) throw new RedeemError('invite_rotated', `${REDEEM_REASONS.invite_rotated} (${rotatedAt.toString()} answers, but not with the invite's secret)`)
      throw new RedeemError('issuer_offline', `${REDEEM_REASONS.issuer_offline} (tried ${invite.issuer} ${tried.join('; ')})`)
    }
    const signal = AbortSignal.timeout(REDEEM_TIMEOUT_MS)
    const stream = await connection.newStream(REDEEM_PROTOCOL, { signal, runOnLimitedConnection: true })
    const answer = await requestRedeem(stream, { token: invite.token as Uint8Array<ArrayBuffer>, nodeId }, signal)
    if (answer.code !== '') {
      const code = (CODES.has(answer.code) ? answer.code : 'bad_request') as RedeemErrorCode
      throw new RedeemError(code, code === 'node_id_taken' || code === 'bad_request' ? answer.message : REDEEM_REASONS[code])
    }
    const self = node.peerId.toString()
    const own = answer.certificates[0] != null ? (await openCertificate(answer.certificates[0])).certificate : undefined
    if (own?.subject !== self || own.nodeId !== nodeId) throw new Error('the issuer answered without a certificate for this node')
    const dialed = connection.remoteAddr.toString()
    // through a relay: the relay is the peer to keep; the issuer is found through it
    const relayed = dialed.includes('/p2p-circuit')
    const first = relayed ? dialed.slice(0, dialed.indexOf('/p2p-circuit')) : dialed.includes('/p2p/') ? dialed : `${dialed}/p2p/${invite.issuer}`
    if (relayed) await showRelay(node, peerIdOfAddr(first), answer.certificates)
    const others = answer.addrs.map(bytes => multiaddr(bytes).toString()).filter(a => peerIdOfAddr(a) !== invite.issuer && a !== first)
    return { certificates: answer.certificates, addrs: [first, ...others] }
  } finally {
    await node.stop()
  }
}

/**
 * Hand the new certificate to the relay over the connection to it, as a member's exchange would:
 * the relay admits this peer now, rather than refusing it for a while once the probation of this
 * connection runs out (the node may start well after the join). A failure only costs that wait.
 */
async function showRelay (node: Libp2p, relay: string | undefined, certificates: Uint8Array[]): Promise<void> {
  const connection = relay != null ? node.getConnections(peerIdFromString(relay)).find(c => c.status === 'open') : undefined
  if (connection == null) return
  try {
    const signal = AbortSignal.timeout(EXCHANGE_TIMEOUT_MS)
    const stream = await connection.newStream(MEMBERSHIP_PROTOCOL, { signal })
    await requestCertificates(stream, { certificates: certificates as Array<Uint8Array<ArrayBuffer>>, wanted: [], revocations: [] }, signal)
  } catch {}
}

/**
 * The first direct WebSocket address among `addrs` (a circuit stands for its relay's address)
 * that answers the pnet step with another key than `psk`, if any
 */
async function answerOnAnotherKey (addrs: Multiaddr[], psk: Uint8Array): Promise<Multiaddr | undefined> {
  const direct = new Map<string, Multiaddr>()
  for (const addr of addrs) {
    const text = addr.toString()
    const base = text.includes('/p2p-circuit') ? multiaddr(text.slice(0, text.indexOf('/p2p-circuit'))) : addr
    if (base.getComponents().some(c => c.name === 'ws')) direct.set(base.toString(), base)
  }
  for (const addr of [...direct.values()].slice(0, MAX_ROTATION_PROBES)) {
    if ((await probePnet(addr, psk)).result === 'differs') return addr
  }
  return undefined
}

/** the first cause of a failed dial that says something (libp2p wraps each address's failure) */
function dialFailure (err: any): string {
  const causes: any[] = Array.isArray(err?.errors) && err.errors.length > 0 ? err.errors : [err]
  const first = causes.find(e => typeof e?.message === 'string' && e.message !== '') ?? causes[0]
  return first?.message !== '' && first?.message != null ? String(first.message) : String(first?.name ?? err?.name ?? 'failed')
}
