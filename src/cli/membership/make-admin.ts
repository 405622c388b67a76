import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ADMIN_ROLE, CERTIFICATES_FILE, readCertificateFile, sealCertificate, writeCertificateFile } from '../../membership/index.js'
import { loadOrCreateIdentity } from '../../mesh/identity.js'
import type { ClawMatrixConfig } from '../../config/resolve.js'

/** bytes of randomness in a generated cluster secret (base64url: 43 characters) */
const SECRET_BYTES = 32

export function newClusterSecret (): string {
  return randomBytes(SECRET_BYTES).toString('base64url')
}

export interface AdminConfig {
  /** `raw` with membership "certificates", this node among the admins and its node id written out */
  written: Record<string, unknown>
  config: ClawMatrixConfig
  peerId: string
  certificatesFile: string
}

/** the node's identity (created if new) and a self-signed admin certificate kept in its dataDir */
async function selfCertify (config: ClawMatrixConfig): Promise<{ peerId: string, certificatesFile: string }> {
  const key = await loadOrCreateIdentity(config.dataDir)
  const peerId = peerIdFromPrivateKey(key).toString()
  const envelope = await sealCertificate({ subject: peerId, nodeId: config.nodeId, roles: [ADMIN_ROLE], issuedAt: Date.now(), issuer: peerId }, key)
  const certificatesFile = join(config.dataDir, CERTIFICATES_FILE)
  await writeCertificateFile(certificatesFile, [...await readCertificateFile(certificatesFile), envelope])
  return { peerId, certificatesFile }
}

/**
 * Make the node `raw` configures the root admin of a mesh with membership certificates: its
 * identity (in the dataDir `raw` resolves to) and a self-signed admin certificate, and the config
 * to write. `resolve` throws ConfigError naming a bad field.
 */
export async function makeAdmin (raw: Record<string, unknown>, resolve: (raw: Record<string, unknown>) => ClawMatrixConfig): Promise<AdminConfig> {
  // the identity lives in the dataDir the config resolves to
  const draft = resolve({ ...raw, membership: 'open' })
  const { peerId, certificatesFile } = await selfCertify(draft)
  const admins = [...new Set([...(Array.isArray(raw.admins) ? raw.admins as string[] : []), peerId])]
  // the node id is written out: the certificate binds it
  const written = { ...raw, nodeId: draft.nodeId, membership: 'certificates', admins }
  return { written, config: resolve(written), peerId, certificatesFile }
}
