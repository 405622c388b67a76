import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { CERTIFICATES_FILE, MembershipStore, openCertificate, openRevocation, readCertificateFile, REVOCATIONS_FILE } from '../membership/index.js'
import { readRevocationFile } from '../membership/envelope-file.js'
import { IDENTITY_FILE } from '../mesh/identity.js'
import { CERTIFICATE_RENEW_MS } from './constants.js'
import type { DoctorCheck } from './index.js'
import type { ClawMatrixConfig } from '../config/resolve.js'
import type { Revocation, SignedCertificate } from '../membership/index.js'

/** how an admin gives this node a (new) certificate */
export function certifyFix (peerId: string, nodeId: string): string {
  return `on an admin: \`clawmatrix certify ${peerId} --name ${nodeId}\` (this node receives it at its next connection to that admin), or join again with a new invite (\`clawmatrix invite\` there, \`clawmatrix join <invite> --config <new file>\` here)`
}

async function openAll<T> (envelopes: Uint8Array[], open: (bytes: Uint8Array) => Promise<T>): Promise<T[]> {
  const opened = await Promise.all(envelopes.map(async e => await open(e).catch(() => undefined)))
  return opened.filter((o): o is Awaited<T> => o != null)
}

function day (ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/**
 * In `certificates` mode: this node is a root admin or holds a valid certificate (from its
 * dataDir), and is not revoked; a certificate that expired, expires within CERTIFICATE_RENEW_MS,
 * or whose issuer is revoked, is named with its fix.
 */
export async function checkMembership (config: ClawMatrixConfig, checks: DoctorCheck[]): Promise<void> {
  if (config.membership !== 'certificates') return
  let peerId: string
  try {
    peerId = peerIdFromPrivateKey(privateKeyFromProtobuf(await readFile(join(config.dataDir, IDENTITY_FILE)))).toString()
  } catch {
    return // the identity check says why
  }
  const name = 'membership'
  let certificates: SignedCertificate[]
  let revocations: Revocation[]
  try {
    certificates = await openAll(await readCertificateFile(join(config.dataDir, CERTIFICATES_FILE)), openCertificate)
    revocations = (await openAll(await readRevocationFile(join(config.dataDir, REVOCATIONS_FILE)), openRevocation)).map(r => r.revocation)
  } catch (err: any) {
    checks.push({ name, status: 'fail', message: String(err.message), fix: `move the damaged file away; ${certifyFix(peerId, config.nodeId)}` })
    return
  }
  const revoked = new Map(revocations.map(r => [r.subject, r]))
  const own = revoked.get(peerId)
  if (own != null) {
    checks.push({
      name,
      status: 'fail',
      message: `this node (${peerId}) is revoked: ${own.issuer} revoked it on ${day(own.revokedAt)}${own.reason !== '' ? ` (${own.reason})` : ''}; every member refuses it`,
      fix: 'a revoked identity cannot come back: on an admin `clawmatrix invite`, then here `clawmatrix join <invite> --config <new file>` with a fresh dataDir (a new identity; it may keep the node id)'
    })
    return
  }
  const admins = config.admins ?? []
  if (admins.includes(peerId)) {
    checks.push({ name, status: 'ok', message: `this node is a root admin (config admins): it needs no certificate` })
    return
  }
  const store = new MembershipStore({ roots: admins, self: peerId, isRevoked: p => revoked.has(p) })
  store.addAll(certificates)
  const now = Date.now()
  const valid = store.validFor(peerId, now)?.certificate
  if (valid != null) {
    const left = valid.expiresAt != null ? valid.expiresAt - now : Infinity
    checks.push(left < CERTIFICATE_RENEW_MS
      ? { name, status: 'warn', message: `this node's certificate (as ${valid.nodeId}, from ${valid.issuer}) expires on ${day(valid.expiresAt ?? 0)}, in ${Math.max(1, Math.ceil(left / 86_400_000))} day(s): members refuse it from then`, fix: certifyFix(peerId, valid.nodeId) }
      : { name, status: 'ok', message: `this node holds a valid certificate as ${valid.nodeId} from ${valid.issuer}${valid.expiresAt != null ? `, until ${day(valid.expiresAt)}` : ''}` })
    return
  }
  const held = store.list().filter(c => c.subject === peerId)
  const fix = certifyFix(peerId, config.nodeId)
  const byIssuerRevoked = held.find(c => c.problem === 'issuerRevoked')
  const expired = held.find(c => c.problem === 'expired')
  if (byIssuerRevoked != null) {
    checks.push({ name, status: 'fail', message: `this node's certificate was issued by ${byIssuerRevoked.issuer}, an admin that is revoked: members no longer take it`, fix: `ask another admin. ${fix}` })
  } else if (expired != null) {
    checks.push({ name, status: 'fail', message: `this node's certificate (as ${expired.nodeId}) expired on ${day(expired.expiresAt ?? 0)}: members refuse it`, fix })
  } else if (held.length > 0) {
    checks.push({ name, status: 'fail', message: `this node's certificate is not valid here: its issuer ${held[0].issuer} is no root admin of this config and holds no valid admin certificate`, fix: `check "admins" in this config; ${fix}` })
  } else {
    checks.push({ name, status: 'fail', message: `this node (${peerId}) holds no certificate: in "certificates" mode members refuse it`, fix })
  }
}
