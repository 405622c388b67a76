import { randomBytes } from 'node:crypto'
import { peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { SecretRotation as RotationMessage } from '../../protocols/membership.js'
import { KEY_FINGERPRINT_BYTES } from '../mesh/cluster-key.js'
import { MAX_ROTATION_BYTES, ROTATION_CODEC, ROTATION_DOMAIN } from './constants.js'
import { InvalidRotationError } from './errors.js'
import { openIssued, sealIssued } from './issued-envelope.js'
import type { IssuedKind } from './issued-envelope.js'
import type { PrivateKey } from '@libp2p/interface'

/** What an admin states when it replaces the cluster key */
export interface Rotation {
  /** the new cluster secret (ROTATION_SECRET: 32 random bytes, base64url) */
  secret: string
  /** hex fingerprint (`keyFingerprint`) of the key it replaces */
  previous: string
  /** ms since the epoch when every node switches */
  switchAt: number
  /** ms since the epoch when signed */
  issuedAt: number
  /** the signer's peer ID */
  issuer: string
  /** the new key's generation (the replaced key's plus one) */
  generation: number
}

/** A rotation that opened, with the envelope it came in (what travels and is stored) */
export interface SignedRotation {
  rotation: Rotation
  envelope: Uint8Array
}

/** a rotation's secret: 32 bytes in base64url without padding */
export const ROTATION_SECRET = /^[A-Za-z0-9_-]{43}$/

/** a new random cluster secret for a rotation */
export function newRotationSecret (): string {
  return randomBytes(32).toString('base64url')
}

export function encodeRotation (rotation: Rotation): Uint8Array {
  if (!ROTATION_SECRET.test(rotation.secret)) throw new Error('secret must be 32 bytes in base64url (43 characters)')
  const previous = Buffer.from(rotation.previous, 'hex')
  if (previous.byteLength !== KEY_FINGERPRINT_BYTES) throw new Error(`previous must be a ${KEY_FINGERPRINT_BYTES}-byte fingerprint`)
  return RotationMessage.encode({
    secret: rotation.secret,
    previous,
    switchAt: BigInt(rotation.switchAt),
    issuedAt: BigInt(rotation.issuedAt),
    issuer: peerIdFromString(rotation.issuer).toMultihash().bytes,
    generation: rotation.generation
  })
}

/** The rotation in `bytes`; throws naming the field at fault */
export function decodeRotation (bytes: Uint8Array): Rotation {
  const msg = RotationMessage.decode(bytes)
  if (!ROTATION_SECRET.test(msg.secret)) throw new Error('secret is not 32 bytes in base64url')
  if (msg.previous.byteLength !== KEY_FINGERPRINT_BYTES) throw new Error(`previous is not a ${KEY_FINGERPRINT_BYTES}-byte fingerprint`)
  return {
    secret: msg.secret,
    previous: Buffer.from(msg.previous).toString('hex'),
    switchAt: Number(msg.switchAt),
    issuedAt: Number(msg.issuedAt),
    issuer: peerIdFromMultihash(Digest.decode(msg.issuer)).toString(),
    generation: msg.generation
  }
}

const ROTATION_KIND: IssuedKind<Rotation> = {
  name: 'rotation',
  domain: ROTATION_DOMAIN,
  codec: ROTATION_CODEC,
  maxBytes: MAX_ROTATION_BYTES,
  encode: encodeRotation,
  decode: decodeRotation,
  reject: (reason, message) => new InvalidRotationError(reason, message)
}

/** Sign a rotation with the issuer's key; the rotation must name that key as its issuer */
export async function sealRotation (rotation: Rotation, privateKey: PrivateKey): Promise<Uint8Array> {
  return await sealIssued(ROTATION_KIND, rotation, privateKey)
}

/**
 * Check an envelope's size, payload type, signature and that the rotation names its signer as
 * issuer; throws `InvalidRotationError` otherwise. Whether the issuer may rotate, and whether the
 * rotation replaces this node's key, are `SecretRotations`' checks.
 */
export async function openRotation (bytes: Uint8Array): Promise<SignedRotation> {
  return { rotation: await openIssued(ROTATION_KIND, bytes), envelope: bytes }
}

/**
 * Of two rotations of the same key, the one every node keeps: the later `issuedAt`, on a tie the
 * envelope whose bytes compare greater. Negative when `a` loses to `b`.
 */
export function compareRotations (a: SignedRotation, b: SignedRotation): number {
  if (a.rotation.issuedAt !== b.rotation.issuedAt) return a.rotation.issuedAt - b.rotation.issuedAt
  return Buffer.compare(a.envelope, b.envelope)
}
