import { peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { MembershipCertificate as CertificateMessage } from '../../protocols/membership.js'
import { CERTIFICATE_CODEC, CERTIFICATE_DOMAIN, CLOCK_SKEW_MS, MAX_CERTIFICATE_BYTES, MAX_ROLE_CHARS, MAX_ROLES } from './constants.js'
import { InvalidCertificateError } from './errors.js'
import { openIssued, sealIssued } from './issued-envelope.js'
import { NODE_ID_PATTERN } from './constants.js'
import type { IssuedKind } from './issued-envelope.js'
import type { PrivateKey } from '@libp2p/interface'

/** What an admin states about a member, as this node reads it */
export interface Certificate {
  /** the member's peer ID */
  subject: string
  /** the node id the member may announce */
  nodeId: string
  roles: string[]
  /** ms since the epoch when signed */
  issuedAt: number
  /** ms since the epoch after which it is no longer valid; absent: never */
  expiresAt?: number
  /** the signer's peer ID */
  issuer: string
}

/** A certificate that opened, with the envelope it came in (what travels and is stored) */
export interface SignedCertificate {
  certificate: Certificate
  envelope: Uint8Array
}

const ROLE = new RegExp(`^[a-z][a-z0-9-]{0,${MAX_ROLE_CHARS - 1}}$`)

export function encodeCertificate (certificate: Certificate): Uint8Array {
  return CertificateMessage.encode({
    subject: peerIdFromString(certificate.subject).toMultihash().bytes,
    nodeId: certificate.nodeId,
    roles: certificate.roles,
    issuedAt: BigInt(certificate.issuedAt),
    ...(certificate.expiresAt != null ? { expiresAt: BigInt(certificate.expiresAt) } : {}),
    issuer: peerIdFromString(certificate.issuer).toMultihash().bytes
  })
}

/** The certificate in `bytes`; throws naming the field at fault */
export function decodeCertificate (bytes: Uint8Array): Certificate {
  const msg = CertificateMessage.decode(bytes, { limits: { roles: MAX_ROLES } })
  if (!NODE_ID_PATTERN.test(msg.nodeId)) throw new Error('nodeId must be 1 to 128 letters, digits and . _ : @ -')
  for (const role of msg.roles) {
    if (!ROLE.test(role)) throw new Error(`role "${role.slice(0, MAX_ROLE_CHARS)}" must be at most ${MAX_ROLE_CHARS} lower-case letters, digits and -`)
  }
  return {
    subject: peerIdFromMultihash(Digest.decode(msg.subject)).toString(),
    nodeId: msg.nodeId,
    roles: msg.roles,
    issuedAt: Number(msg.issuedAt),
    ...(msg.expiresAt != null ? { expiresAt: Number(msg.expiresAt) } : {}),
    issuer: peerIdFromMultihash(Digest.decode(msg.issuer)).toString()
  }
}

const CERTIFICATE_KIND: IssuedKind<Certificate> = {
  name: 'certificate',
  domain: CERTIFICATE_DOMAIN,
  codec: CERTIFICATE_CODEC,
  maxBytes: MAX_CERTIFICATE_BYTES,
  encode: encodeCertificate,
  decode: decodeCertificate,
  reject: (reason, message) => new InvalidCertificateError(reason, message)
}

/** Sign a certificate with the issuer's key; the certificate must name that key as its issuer */
export async function sealCertificate (certificate: Certificate, privateKey: PrivateKey): Promise<Uint8Array> {
  return await sealIssued(CERTIFICATE_KIND, certificate, privateKey)
}

/**
 * Check an envelope's size, payload type, signature and that the certificate names its signer as
 * issuer; throws `InvalidCertificateError` otherwise. Whether the issuer may certify (the chain
 * to a root admin) and expiry are the store's checks (`MembershipStore`).
 */
export async function openCertificate (bytes: Uint8Array): Promise<SignedCertificate> {
  return { certificate: await openIssued(CERTIFICATE_KIND, bytes), envelope: bytes }
}

/** whether the certificate is past its expiry at `now`, beyond the clock skew allowance */
export function isExpired (certificate: Certificate, now = Date.now()): boolean {
  return certificate.expiresAt != null && certificate.expiresAt + CLOCK_SKEW_MS < now
}
