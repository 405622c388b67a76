import { RecordEnvelope } from '@libp2p/peer-record'
import { peerIdFromMultihash, peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { MembershipRevocation as RevocationMessage } from '../../protocols/membership.js'
import { MAX_REASON_CHARS, MAX_REVOCATION_BYTES, REVOCATION_CODEC, REVOCATION_DOMAIN } from './constants.js'
import { InvalidRevocationError } from './errors.js'
import type { PrivateKey, Record } from '@libp2p/interface'

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

class RevocationPayload implements Record {
  readonly domain = REVOCATION_DOMAIN
  readonly codec = REVOCATION_CODEC
  constructor (private readonly bytes: Uint8Array) {}
  marshal (): Uint8Array { return this.bytes }
  equals (other: Record): boolean { return other instanceof RevocationPayload && Buffer.compare(other.bytes, this.bytes) === 0 }
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

/** Sign a revocation with the issuer's key; the revocation must name that key as its issuer */
export async function sealRevocation (revocation: Revocation, privateKey: PrivateKey): Promise<Uint8Array> {
  const envelope = await RecordEnvelope.seal(new RevocationPayload(encodeRevocation(revocation)), privateKey)
  return envelope.marshal()
}

/**
 * Check an envelope's size, payload type, signature and that the revocation names its signer as
 * issuer; throws `InvalidRevocationError` otherwise. Whether the issuer may revoke the subject is
 * the revocation list's check (`RevocationList`).
 */
export async function openRevocation (bytes: Uint8Array): Promise<SignedRevocation> {
  if (bytes.byteLength > MAX_REVOCATION_BYTES) throw new InvalidRevocationError('malformed', `revocation of ${bytes.byteLength} bytes is over ${MAX_REVOCATION_BYTES}`)
  let envelope: RecordEnvelope
  try {
    envelope = RecordEnvelope.createFromProtobuf(bytes)
  } catch (err: any) {
    throw new InvalidRevocationError('malformed', `not a signed envelope: ${String(err.message)}`)
  }
  if (Buffer.compare(envelope.payloadType, REVOCATION_CODEC) !== 0) throw new InvalidRevocationError('malformed', 'not a membership revocation')
  let valid = false
  try {
    valid = await envelope.validate(REVOCATION_DOMAIN)
  } catch {}
  if (!valid) throw new InvalidRevocationError('signature', 'bad signature')
  let revocation: Revocation
  try {
    revocation = decodeRevocation(envelope.payload)
  } catch (err: any) {
    throw new InvalidRevocationError('malformed', `bad revocation: ${String(err.message)}`)
  }
  const signer = peerIdFromPublicKey(envelope.publicKey).toString()
  if (signer !== revocation.issuer) throw new InvalidRevocationError('issuer', `revocation names issuer ${revocation.issuer} but is signed by ${signer}`)
  return { revocation, envelope: bytes }
}
