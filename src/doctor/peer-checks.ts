import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2'
import { pbStream } from '@libp2p/utils'
import { createLibp2p } from 'libp2p'
import { hopMessageCodec } from '../mesh/relay-server.js'
import { SYNC_PROTOCOL, SYNC_TIMEOUT_MS } from '../capabilities/constants.js'
import { openRecord } from '../capabilities/record.js'
import { exchangeBatches } from '../capabilities/sync.js'
import { IDENTITY_FILE } from '../mesh/identity.js'
import { meshBaseServices, meshLibp2pOptions } from '../mesh/libp2p-options.js'
import { classifyDialError, explainDialError, probeTransport, SECRET_DIFFERS } from '../mesh/dial-diagnosis.js'
import { probePnet } from '../mesh/pnet-probe.js'
import { parsePeerAddress } from '../mesh/peer-address.js'
import { CERTIFICATES_FILE, MEMBERSHIP_PROTOCOL, readCertificateFile } from '../membership/index.js'
import { requestCertificates } from '../membership/exchange.js'
import { logger } from '@libp2p/logger'
import { ROTATIONS_FILE } from '../membership/constants.js'
import { SecretRotations } from '../membership/secret-rotations.js'
import { CLOCK_SKEW_TOLERANCE_MS, DOCTOR_DIAL_TIMEOUT_MS, DOCTOR_PING_TIMEOUT_MS } from './constants.js'
import { certifyFix } from './membership-checks.js'
import type { DoctorCheck } from './index.js'
import type { ClawMatrixConfig } from '../config/resolve.js'
import type { PeerConfig } from '../config/schema.js'
import type { Connection, Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'

type DoctorNode = Libp2p<{ ping: Ping }>

/** This node's own key (so members lists and pins see who `start` would be), else a throwaway one */
async function identityOf (config: ClawMatrixConfig): Promise<{ key: PrivateKey, own: boolean }> {
  try {
    return { key: privateKeyFromProtobuf(await readFile(join(config.dataDir, IDENTITY_FILE))), own: true }
  } catch {
    return { key: await generateKeyPair('Ed25519'), own: false }
  }
}

/** A short-lived node with the mesh stack and the config's secret, that listens nowhere */
async function startDoctorNode (psk: Uint8Array, key: PrivateKey): Promise<DoctorNode> {
  const options = meshLibp2pOptions({ privateKey: key, psk, listen: false }, { ...meshBaseServices({ listen: false }) })
  return await createLibp2p({ ...options, addresses: { listen: [] } }) as unknown as DoctorNode
}

/**
 * Each configured peer, step by step: resolve, TCP, WebSocket, pnet, Noise/peer ID, members, and
 * for a node that dials out (`relay`), a relay reservation and its limits. The reservation is
 * taken with this node's key, so it is not tried while the node runs (the live view shows it).
 */
export async function checkPeers (config: ClawMatrixConfig, checks: DoctorCheck[], options: { relay: boolean }): Promise<void> {
  if (config.peers.length === 0 || config.secret == null) return
  const { key, own } = await identityOf(config)
  if (!own) checks.push({ name: 'peers', status: 'warn', message: 'no identity yet: peers are dialed with a throwaway key, so members refusals cannot be seen', fix: 'run `clawmatrix start` once, then doctor again' })
  // the key in use: the configured secret's, or a rotation's this node took
  const psk = (await SecretRotations.load({ secret: config.secret, file: join(config.dataDir, ROTATIONS_FILE), log: logger('clawmatrix:doctor') })).key.psk
  const node = await startDoctorNode(psk, key)
  // in certificates mode each peer is shown this node's certificates first, as the node would
  const membership = config.membership === 'certificates' && own
    ? { nodeId: config.nodeId, certificates: await readCertificateFile(join(config.dataDir, CERTIFICATES_FILE)).catch(() => []) }
    : undefined
  try {
    for (const peer of config.peers) await checkPeer(node, psk, peer, checks, options.relay, membership)
  } finally {
    await node.stop()
  }
}

/** what a node in certificates mode shows a peer: its certificates (the membership exchange) */
interface OwnMembership {
  nodeId: string
  certificates: Uint8Array[]
}

/** the membership exchange with our certificates, as the node runs it on each connection; errors are the checks' to find */
async function offerCertificates (connection: Connection, certificates: Uint8Array[]): Promise<void> {
  const signal = AbortSignal.timeout(DOCTOR_PING_TIMEOUT_MS)
  try {
    const stream = await connection.newStream(MEMBERSHIP_PROTOCOL, { signal, runOnLimitedConnection: true })
    await requestCertificates(stream, { certificates: certificates as Array<Uint8Array<ArrayBuffer>>, wanted: [], revocations: [] }, signal)
  } catch {}
}

/** the peer refuses this node in certificates mode */
function notCertifiedThere (node: DoctorNode, remoteId: string, name: string, membership: OwnMembership, how: string): DoctorCheck {
  return {
    name: `${name}: membership`,
    status: 'fail',
    message: `refused by ${remoteId}: this node is not certified there (${how}: it holds no valid certificate of ${node.peerId.toString()}, or a revocation of it)`,
    fix: certifyFix(node.peerId.toString(), membership.nodeId)
  }
}

async function checkPeer (node: DoctorNode, psk: Uint8Array, peer: PeerConfig, checks: DoctorCheck[], relay: boolean, membership?: OwnMembership): Promise<void> {
  const name = `peer ${peer.nodeId ?? peer.url}`
  const { addr, peerId } = parsePeerAddress(peer.url, peer.peerId)
  for (const step of await probeTransport(addr)) {
    checks.push({ name: `${name}: ${step.step}`, status: step.ok ? 'ok' : 'fail', message: step.detail, ...(step.fix != null ? { fix: step.fix } : {}) })
    if (!step.ok) return
  }
  if (!addr.getComponents().some(c => c.name === 'p2p-circuit' || c.name === 'tls')) {
    const pnet = await probePnet(addr, psk)
    if (pnet.result === 'differs') {
      checks.push({ name: `${name}: pnet`, status: 'fail', message: SECRET_DIFFERS, fix: 'set "secret" to the same value as on that peer (every node of a mesh shares one); after a secret rotation this node missed, join again with a new invite' })
      return
    }
    if (pnet.result === 'no-nonce') {
      checks.push({ name: `${name}: pnet`, status: 'fail', message: pnet.detail, fix: 'point peers[].url at the peer\'s listen port (the "listen:" line `clawmatrix start` prints)' })
      return
    }
    checks.push({ name: `${name}: pnet`, status: 'ok', message: 'the cluster secret matches' })
  }
  const target = peerId != null ? addr.encapsulate(`/p2p/${peerId}`) : addr
  let remote
  try {
    remote = await node.dial(target, { signal: AbortSignal.timeout(DOCTOR_DIAL_TIMEOUT_MS) })
  } catch (err: any) {
    const cause = classifyDialError(err)
    if (cause === 'pin-mismatch') {
      checks.push({ name: `${name}: peer ID`, status: 'fail', message: `pinned peer ID mismatch: ${explainDialError(err)}`, fix: 'ask that node for its peer ID (`clawmatrix id`) and correct peers[].peerId, or find out why its identity changed' })
    } else {
      checks.push({ name: `${name}: handshake`, status: 'fail', message: explainDialError(err), fix: 'check that node\'s log; run doctor there too' })
    }
    return
  }
  const remoteId = remote.remotePeer.toString()
  checks.push(peerId != null
    ? { name: `${name}: peer ID`, status: 'ok', message: `${remoteId} matches the pin` }
    : { name: `${name}: peer ID`, status: 'warn', message: `answered as ${remoteId}, not pinned`, fix: `pin it: "peerId": "${remoteId}" in this peers entry` })
  if (membership != null) await offerCertificates(remote, membership.certificates)
  try {
    await node.services.ping.ping(remote.remotePeer, { signal: AbortSignal.timeout(DOCTOR_PING_TIMEOUT_MS) })
    checks.push({ name: `${name}: members`, status: 'ok', message: 'the peer accepts this node' })
    const clock = await checkClock(node, remote.remotePeer, name)
    // in certificates mode the state exchange is refused to a peer on probation
    const refusedSync = membership != null && clock.message.startsWith(RECORD_MISSING)
    checks.push(refusedSync ? notCertifiedThere(node, remoteId, name, membership, 'it keeps this node on probation: its state exchange was refused') : clock)
    if (relay) checks.push(await checkReservation(node, remote.remotePeer, name))
  } catch {
    if (membership != null) {
      checks.push(notCertifiedThere(node, remoteId, name, membership, 'the connection closed right after the handshake'))
      return
    }
    checks.push({
      name: `${name}: members`,
      status: 'fail',
      message: `the peer closed the connection right after the handshake: this node (${node.peerId.toString()}) is not in its members list`,
      fix: `add "${node.peerId.toString()}" to "members" on that node`
    })
  } finally {
    await remote.close().catch(() => {})
  }
}

function describeLimit (limit?: { duration?: number, data?: bigint }): string {
  const parts = []
  if (limit?.duration != null) parts.push(`${limit.duration} s per relayed connection`)
  if (limit?.data != null) parts.push(`${String(limit.data)} bytes per relayed connection`)
  return parts.length > 0 ? parts.join(', ') : 'no data or duration limit'
}

/** One RESERVE on the hop protocol (what the relay transport sends when this node dials out) */
async function checkReservation (node: DoctorNode, relay: PeerId, name: string): Promise<DoctorCheck> {
  const signal = AbortSignal.timeout(DOCTOR_PING_TIMEOUT_MS)
  let answer: { status?: string, reservation?: { expire?: bigint }, limit?: { duration?: number, data?: bigint } }
  try {
    const stream = await node.dialProtocol(relay, RELAY_V2_HOP_CODEC, { signal })
    const hop = pbStream(stream).pb(await hopMessageCodec())
    await hop.write({ type: 'RESERVE' }, { signal })
    answer = await hop.read({ signal }) as typeof answer
    await stream.close({ signal }).catch(() => { stream.abort(new Error('closed')) })
  } catch (err: any) {
    return { name: `${name}: relay`, status: 'warn', message: `no relay reservation: ${String(err.message)} (this peer may not relay)`, fix: 'dial out to a node with listen: true, which relays for members' }
  }
  if (answer.status === 'OK') {
    const expire = answer.reservation?.expire
    const ttl = expire != null ? `, held for ${Math.round(Number(expire) - Date.now() / 1000)} s` : ''
    return { name: `${name}: relay`, status: 'ok', message: `relay reservation held (${describeLimit(answer.limit)}${ttl})` }
  }
  if (answer.status === 'RESERVATION_REFUSED') {
    return { name: `${name}: relay`, status: 'fail', message: 'the peer refused a relay reservation: its relay slots are full (or it refuses this node)', fix: 'add another listening node to "peers", or raise relay.maxReservations there (its holders free their slots when they disconnect); other nodes cannot reach this one until it holds a slot' }
  }
  return { name: `${name}: relay`, status: 'fail', message: `the relay answered ${String(answer.status)} to a reservation`, fix: 'see that node\'s log' }
}

const RECORD_MISSING = 'the peer\'s record did not arrive'

/** The peer's own record through the state exchange (we send none): its `issuedAt` against our clock */
async function checkClock (node: DoctorNode, peer: PeerId, name: string): Promise<DoctorCheck> {
  const signal = AbortSignal.timeout(SYNC_TIMEOUT_MS)
  let issuedAt: number | undefined
  try {
    const stream = await node.dialProtocol(peer, SYNC_PROTOCOL, { signal })
    for (const envelope of await exchangeBatches(stream, [], signal)) {
      const record = await openRecord(envelope).catch(() => undefined)
      if (record?.peerId === peer.toString()) issuedAt = record.issuedAt
    }
  } catch (err: any) {
    return { name: `${name}: clock`, status: 'warn', message: `${RECORD_MISSING}: ${String(err.message)}`, fix: 'run doctor again; if it persists, see that node\'s log' }
  }
  if (issuedAt == null) return { name: `${name}: clock`, status: 'warn', message: 'the peer sent no record of its own yet', fix: 'run doctor again in a few seconds' }
  const skew = Date.now() - issuedAt
  if (Math.abs(skew) <= CLOCK_SKEW_TOLERANCE_MS) return { name: `${name}: clock`, status: 'ok', message: `its record was issued ${Math.round(skew / 1000)} s ago by this clock` }
  return {
    name: `${name}: clock`,
    status: 'warn',
    message: `its clock is about ${Math.round(Math.abs(skew) / 1000)} s ${skew < 0 ? 'ahead of' : 'behind'} this one (its newest record says so)`,
    fix: 'run NTP (e.g. systemd-timesyncd or chrony) on both machines: records and tokens carry times'
  }
}
