import { peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { MembershipRevocation as RevocationMessage } from '../../protocols/membership.js'
import { MAX_REASON_CHARS, MAX_REVOCATION_BYTES, REVOCATION_CODEC, REVOCATION_DOMAIN } from './constants.js'
import { InvalidRevocationError } from './errors.js'
import { openIssued, sealIssued } from './issued-envelope.js'
import type { IssuedKind } from './issued-envelope.js'
import type { PrivateKey } from '@libp2p/interface'

/** What an admin states about a peer that is no longer a member */
export interface Revocation {
  /** the revoked peer ID */
  subject: string
  /** the signer's peer ID */
  issuer: string
  /** ms since the epoch when signed */
  revokedAt: number
  /** why, for the operators (at most MAX_REASON_CHARS characters; may be empty) */
  reason: string
}

/** A revocation that opened, with the envelope it came in (what travels and is stored) */
export interface SignedRevocation {
  revocation: Revocation
  envelope: Uint8Array
}

export function encodeRevocation (revocation: Revocation): Uint8Array {
  if ([...revocation.reason].length > MAX_REASON_CHARS) throw new Error(`reason must be at most ${MAX_REASON_CHARS} characters`)
  return RevocationMessage.encode({
    subject: peerIdFromString(revocation.subject).toMultihash().bytes,
    issuer: peerIdFromString(revocation.issuer).toMultihash().bytes,
    revokedAt: BigInt(revocation.revokedAt),
    reason: revocation.reason
  })
}

/** The revocation in `bytes`; throws naming the field at fault */
export function decodeRevocation (bytes: Uint8Array): Revocation {
  const msg = RevocationMessage.decode(bytes)
  if ([...msg.reason].length > MAX_REASON_CHARS) throw new Error(`reason is over ${MAX_REASON_CHARS} characters`)
  return {
    subject: peerIdFromMultihash(Digest.decode(msg.subject)).toString(),
    issuer: peerIdFromMultihash(Digest.decode(msg.issuer)).toString(),
    revokedAt: Number(msg.revokedAt),
    reason: msg.reason
  }
}

const REVOCATION_KIND: IssuedKind<Revocation> = {
  name: 'revocation',
  domain: REVOCATION_DOMAIN,
  codec: REVOCATION_CODEC,
  maxBytes: MAX_REVOCATION_BYTES,
  encode: encodeRevocation,
  decode: decodeRevocation,
  reject: (reason, message) => new InvalidRevocationError(reason, message)
}

/** Sign a revocation with the issuer's key; the revocation must name that key as its issuer */
export async function sealRevocation (revocation: Revocation, privateKey: PrivateKey): Promise<Uint8Array> {
  return await sealIssued(REVOCATION_KIND, revocation, privateKey)
}

/**
 * Check an envelope's size, payload type, signature and that the revocation names its signer as
 * issuer; throws `InvalidRevocationError` otherwise. Whether the issuer may revoke the subject is
 * the revocation list's check (`RevocationList`).
 */
export async function openRevocation (bytes: Uint8Array): Promise<SignedRevocation> {
  return { revocation: await openIssued(REVOCATION_KIND, bytes), envelope: bytes }
}
