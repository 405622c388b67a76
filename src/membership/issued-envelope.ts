import { RecordEnvelope } from '@libp2p/peer-record'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import type { PrivateKey, Record } from '@libp2p/interface'

/**
 * One kind of statement an admin signs about a peer (a certificate, a revocation): a signed
 * envelope of its own domain and payload type, so no kind can be replayed as another.
 */
export interface IssuedKind<T extends { issuer: string }> {
  /** as messages name it: `certificate`, `revocation` */
  name: string
  domain: string
  codec: Uint8Array
  maxBytes: number
  encode(statement: T): Uint8Array
  /** throws naming what is wrong */
  decode(payload: Uint8Array): T
  /** the kind's error for a rejected envelope */
  reject(reason: 'malformed' | 'signature' | 'issuer', message: string): Error
}

class IssuedPayload implements Record {
  constructor (readonly domain: string, readonly codec: Uint8Array, private readonly bytes: Uint8Array) {}
  marshal (): Uint8Array { return this.bytes }
  equals (other: Record): boolean { return other instanceof IssuedPayload && other.domain === this.domain && Buffer.compare(other.bytes, this.bytes) === 0 }
}

/** Sign a statement with the issuer's key; the statement must name that key as its issuer */
export async function sealIssued<T extends { issuer: string }> (kind: IssuedKind<T>, statement: T, privateKey: PrivateKey): Promise<Uint8Array> {
  const envelope = await RecordEnvelope.seal(new IssuedPayload(kind.domain, kind.codec, kind.encode(statement)), privateKey)
  return envelope.marshal()
}

/**
 * Check an envelope's size, payload type, signature and that the statement names its signer as
 * issuer; throws the kind's error otherwise. Whether the issuer may say it is the caller's check.
 */
export async function openIssued<T extends { issuer: string }> (kind: IssuedKind<T>, bytes: Uint8Array): Promise<T> {
  const { name } = kind
  if (bytes.byteLength > kind.maxBytes) throw kind.reject('malformed', `${name} of ${bytes.byteLength} bytes is over ${kind.maxBytes}`)
  let envelope: RecordEnvelope
  try {
    envelope = RecordEnvelope.createFromProtobuf(bytes)
  } catch (err: any) {
    throw kind.reject('malformed', `not a signed envelope: ${String(err.message)}`)
  }
  if (Buffer.compare(envelope.payloadType, kind.codec) !== 0) throw kind.reject('malformed', `not a membership ${name}`)
  let valid = false
  try {
    valid = await envelope.validate(kind.domain)
  } catch {}
  if (!valid) throw kind.reject('signature', 'bad signature')
  let statement: T
  try {
    statement = kind.decode(envelope.payload)
  } catch (err: any) {
    throw kind.reject('malformed', `bad ${name}: ${String(err.message)}`)
  }
  const signer = peerIdFromPublicKey(envelope.publicKey).toString()
  if (signer !== statement.issuer) throw kind.reject('issuer', `${name} names issuer ${statement.issuer} but is signed by ${signer}`)
  return statement
}
