import { createLibp2p } from 'libp2p'
import { multiaddr } from '@multiformats/multiaddr'
import { meshBaseServices, meshLibp2pOptions } from '../mesh/libp2p-options.js'
import { probePnet } from '../mesh/pnet-probe.js'
import { pskFromSecret } from '../mesh/psk.js'
import { openCertificate } from './certificate.js'
import { peerIdOfAddr } from './invite.js'
import { JOIN_DIAL_TIMEOUT_MS, REDEEM_PROTOCOL, REDEEM_TIMEOUT_MS } from './invite-constants.js'
import { REDEEM_REASONS, RedeemError } from './invite-errors.js'
import { requestRedeem } from './redeem.js'
import type { Invite } from './invite.js'
import type { RedeemErrorCode } from './invite-errors.js'
import type { Connection, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface Redeemed {
  /** the joiner's certificate envelope first, then those above it */
  certificates: Uint8Array[]
  /** multiaddrs with /p2p/ of members to keep as peers: the issuer's as dialed first */
  addrs: string[]
}

const CODES = new Set(Object.keys(REDEEM_REASONS))

/**
 * Redeem `invite` at its issuer for a certificate of `privateKey`'s peer ID as `nodeId`: a
 * short-lived node with the invite's secret (listening nowhere) dials the issuer, runs
 * `REDEEM_PROTOCOL` once and stops. Throws `RedeemError` with the issuer's reason,
 * `invite_rotated` when the issuer answers on another cluster key (the secret was rotated since),
 * or `issuer_offline` when the issuer cannot be reached at the invite's addresses.
 */
export async function redeemInvite (invite: Invite, privateKey: PrivateKey, nodeId: string): Promise<Redeemed> {
  const issuerAddrs = invite.addrs.filter(a => peerIdOfAddr(a) === invite.issuer).map(a => multiaddr(a))
  if (issuerAddrs.length === 0) throw new RedeemError('issuer_offline', `${REDEEM_REASONS.issuer_offline} (the invite holds no address of the issuer ${invite.issuer})`)
  const psk = await pskFromSecret(invite.secret)
  const node = await createLibp2p({ ...meshLibp2pOptions({ privateKey, psk, listen: false }, { ...meshBaseServices({ listen: false }) }), addresses: { listen: [] } })
  try {
    let connection: Connection
    try {
      connection = await node.dial(issuerAddrs, { signal: AbortSignal.timeout(JOIN_DIAL_TIMEOUT_MS) })
    } catch (err: any) {
      // an issuer that answers the pnet step on another key has rotated the secret since the invite
      if (await answersOnAnotherKey(issuerAddrs, psk)) throw new RedeemError('invite_rotated', `${REDEEM_REASONS.invite_rotated} (the issuer at ${issuerAddrs[0].toString()} answers, but not with the invite's secret)`)
      throw new RedeemError('issuer_offline', `${REDEEM_REASONS.issuer_offline} (dialing ${issuerAddrs.map(a => a.toString()).join(', ')}: ${dialFailure(err)})`)
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
    const issuerAddr = dialed.includes('/p2p/') ? dialed : `${dialed}/p2p/${invite.issuer}`
    const others = answer.addrs.map(bytes => multiaddr(bytes).toString()).filter(a => peerIdOfAddr(a) !== invite.issuer)
    return { certificates: answer.certificates, addrs: [issuerAddr, ...others] }
  } finally {
    await node.stop()
  }
}

/** whether an issuer address (a direct WebSocket one) answers the pnet step with another key than `psk` */
async function answersOnAnotherKey (addrs: Multiaddr[], psk: Uint8Array): Promise<boolean> {
  const direct = addrs.find(a => { const names = a.getComponents().map(c => c.name); return names.includes('ws') && !names.includes('p2p-circuit') })
  if (direct == null) return false
  return (await probePnet(direct, psk)).result === 'differs'
}

/** the first cause of a failed dial that says something (libp2p wraps each address's failure) */
function dialFailure (err: any): string {
  const causes: any[] = Array.isArray(err?.errors) && err.errors.length > 0 ? err.errors : [err]
  const first = causes.find(e => typeof e?.message === 'string' && e.message !== '') ?? causes[0]
  return first?.message !== '' && first?.message != null ? String(first.message) : String(first?.name ?? err?.name ?? 'failed')
}
