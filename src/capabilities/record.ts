import { RecordEnvelope } from '@libp2p/peer-record'
import { peerIdFromMultihash, peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import * as Digest from 'multiformats/hashes/digest'
import { CapabilityRecord as RecordMessage } from '../../protocols/capabilities.js'
import { MAX_RECORD_BYTES, MAX_UNAVAILABLE_REASON_CHARS, MAX_UPSTREAM_API_CHARS, RECORD_CODEC, RECORD_DOMAIN, RECORD_LIMITS } from './constants.js'
import { InvalidRecordError } from './errors.js'
import type { CapabilityRecord, ModelCapability } from './types.js'
import type { ModelCapability as ModelMessage } from '../../protocols/capabilities.js'
import type { PrivateKey, Record } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

class CapabilityPayload implements Record {
  readonly domain = RECORD_DOMAIN
  readonly codec = RECORD_CODEC
  constructor (private readonly bytes: Uint8Array) {}
  marshal (): Uint8Array { return this.bytes }
  equals (other: Record): boolean { return other instanceof CapabilityPayload && Buffer.compare(other.bytes, this.bytes) === 0 }
}

const UPSTREAM_API = /^[a-z0-9][a-z0-9._-]*$/

function encodeModel ({ callers, ...model }: ModelCapability): ModelMessage {
  return {
    ...model,
    input: model.input ?? [],
    ...(callers != null ? { restricted: true } : {}),
    callers: (callers ?? []).map(c => peerIdFromString(c).toMultihash().bytes)
  }
}

/** A model entry as announced, its newer fields checked; throws naming the field */
function decodeModel ({ restricted, callers, upstreamApi, unavailableReason, ...model }: ModelMessage): ModelCapability {
  if (upstreamApi != null && (upstreamApi.length > MAX_UPSTREAM_API_CHARS || !UPSTREAM_API.test(upstreamApi))) {
    throw new Error(`model "${model.id}": upstreamApi must be at most ${MAX_UPSTREAM_API_CHARS} lower-case letters, digits and . _ -`)
  }
  if (unavailableReason != null && unavailableReason.length > MAX_UNAVAILABLE_REASON_CHARS) {
    throw new Error(`model "${model.id}": unavailableReason is over ${MAX_UNAVAILABLE_REASON_CHARS} characters`)
  }
  if (restricted !== true && callers.length > 0) throw new Error(`model "${model.id}": callers given without restricted`)
  return {
    ...model,
    ...(upstreamApi != null ? { upstreamApi } : {}),
    ...(unavailableReason != null ? { unavailableReason } : {}),
    ...(restricted === true ? { callers: callers.map(c => peerIdFromMultihash(Digest.decode(c)).toString()) } : {})
  }
}

export function encodeRecord (record: CapabilityRecord): Uint8Array {
  return RecordMessage.encode({
    nodeId: record.nodeId,
    peerId: peerIdFromString(record.peerId).toMultihash().bytes,
    agents: record.agents,
    models: record.models.map(encodeModel),
    tags: record.tags,
    toolProxy: record.toolProxy,
    addrs: record.addrs.map(a => multiaddr(a).bytes),
    version: record.version,
    loadPermille: Math.min(Math.round(record.load * 1000), 0xffffffff),
    seq: record.seq,
    issuedAt: BigInt(record.issuedAt)
  })
}

export function decodeRecord (bytes: Uint8Array | Uint8ArrayList): CapabilityRecord {
  const msg = RecordMessage.decode(bytes, { limits: RECORD_LIMITS })
  const peerId = peerIdFromMultihash(Digest.decode(msg.peerId)).toString()
  return {
    nodeId: msg.nodeId,
    peerId,
    agents: msg.agents,
    models: msg.models.map(decodeModel),
    tags: msg.tags,
    toolProxy: msg.toolProxy,
    addrs: msg.addrs.map(a => multiaddr(a).toString()),
    version: msg.version,
    load: msg.loadPermille / 1000,
    seq: msg.seq,
    issuedAt: Number(msg.issuedAt)
  }
}

/** Sign a record with the node's key: the envelope bytes are what travels */
export async function sealRecord (record: CapabilityRecord, privateKey: PrivateKey): Promise<Uint8Array> {
  const envelope = await RecordEnvelope.seal(new CapabilityPayload(encodeRecord(record)), privateKey)
  return envelope.marshal()
}

/**
 * Check an envelope's signature and that the record names its own signer; throws
 * `InvalidRecordError` otherwise. Which relay carried it does not matter.
 */
export async function openRecord (bytes: Uint8Array): Promise<CapabilityRecord> {
  if (bytes.byteLength > MAX_RECORD_BYTES) throw new InvalidRecordError('malformed', `record of ${bytes.byteLength} bytes is over ${MAX_RECORD_BYTES}`)
  let envelope: RecordEnvelope
  try {
    envelope = RecordEnvelope.createFromProtobuf(bytes)
  } catch (err: any) {
    throw new InvalidRecordError('malformed', `not a signed envelope: ${String(err.message)}`)
  }
  if (Buffer.compare(envelope.payloadType, RECORD_CODEC) !== 0) throw new InvalidRecordError('malformed', 'not a capability record')
  let valid = false
  try {
    valid = await envelope.validate(RECORD_DOMAIN)
  } catch {}
  if (!valid) throw new InvalidRecordError('signature', 'bad signature')
  let record: CapabilityRecord
  try {
    record = decodeRecord(envelope.payload)
  } catch (err: any) {
    throw new InvalidRecordError('malformed', `bad record: ${String(err.message)}`)
  }
  const signer = peerIdFromPublicKey(envelope.publicKey).toString()
  if (signer !== record.peerId) throw new InvalidRecordError('signature', `record names ${record.peerId} but is signed by ${signer}`)
  if (record.nodeId === '' || record.nodeId.includes('/')) throw new InvalidRecordError('malformed', 'record has no valid node id')
  return record
}

/**
 * The signer and seq a record claims, read WITHOUT checking the signature: only for dropping a
 * record that could not change anything anyway (a stale seq) before paying for verification.
 */
export function peekRecord (bytes: Uint8Array): { peerId: string, seq: bigint } | undefined {
  try {
    if (bytes.byteLength > MAX_RECORD_BYTES) return undefined
    const envelope = RecordEnvelope.createFromProtobuf(bytes)
    const msg = RecordMessage.decode(envelope.payload, { limits: RECORD_LIMITS })
    return { peerId: peerIdFromMultihash(Digest.decode(msg.peerId)).toString(), seq: msg.seq }
  } catch {
    return undefined
  }
}
