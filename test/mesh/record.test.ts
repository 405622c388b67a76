import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { readFile } from 'node:fs/promises'
import { ModelCapability as ModelMessage } from '../../protocols/capabilities.js'
import { InvalidRecordError } from '../../src/capabilities/errors.js'
import { encodeRecord, decodeRecord, openRecord, sealRecord } from '../../src/capabilities/record.js'
import type { CapabilityRecord, ModelCapability } from '../../src/capabilities/types.js'

// The vectors published in protocols/PROTOCOL.md (Ed25519 key from a seed of 32 bytes 0x07)
const RECORD_HEX = '0a066f66666963651226002408011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c1a1c0a05636f646572120b77726974657320636f64651a06636f64696e6722080a047177656e18012a0367707530013a33047f000001064a38dd03a50326002408011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c4205302e322e3048fa015080a0c092fd9091035880d48e94ac33'
// a model entry with the fields a serving node adds: upstream API, unavailable reason, callers
const MODEL_HEX = '0a06636c6175646522126f70656e61692d636f6d706c6574696f6e735212616e7468726f7069632d6d657373616765735a066e6f206b657960016a26002408011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c'
const ENVELOPE_HEX = '0a2408011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c12082f636d2f636170731aae010a066f66666963651226002408011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c1a1c0a05636f646572120b77726974657320636f64651a06636f64696e6722080a047177656e18012a0367707530013a33047f000001064a38dd03a50326002408011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c4205302e322e3048fa015080a0c092fd9091035880d48e94ac332a40a91ce09a63f3e10c5b2cd6ff1b6dda160bc67a5b841e08389919802a523bbdd836e4ca49e16ed0ee62c1d1d36656500dd8f48a4393b662ddf91ef51742fe9201'

describe('capability record', async () => {
  const key = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(7))
  const peerId = peerIdFromPrivateKey(key).toString()
  const record: CapabilityRecord = {
    nodeId: 'office',
    peerId,
    agents: [{ id: 'coder', description: 'writes code', tags: ['coding'] }],
    models: [{ id: 'qwen', available: true, input: [] }],
    tags: ['gpu'],
    toolProxy: true,
    addrs: [`/ip4/127.0.0.1/tcp/19000/ws/p2p/${peerId}`],
    version: '0.2.0',
    load: 0.25,
    seq: 1764200000000000n,
    issuedAt: 1764200000000
  }

  it('encodes and signs to the published bytes', async () => {
    expect(peerId).toBe('12D3KooWRawPbxPtP1eZaJpumGnyWX2DcUyd3RQnydr3eAto4Az7')
    expect(Buffer.from(encodeRecord(record)).toString('hex')).toBe(RECORD_HEX)
    expect(Buffer.from(await sealRecord(record, key)).toString('hex')).toBe(ENVELOPE_HEX)
  })

  it('opens the published envelope back into the record', async () => {
    expect(await openRecord(Buffer.from(ENVELOPE_HEX, 'hex'))).toEqual(record)
  })

  it('refuses a flipped byte, a foreign signer and garbage', async () => {
    const flipped = Buffer.from(ENVELOPE_HEX, 'hex')
    flipped[60] ^= 1
    await expect(openRecord(flipped)).rejects.toMatchObject({ reason: 'signature' })
    const other = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(8))
    await expect(openRecord(await sealRecord(record, other))).rejects.toThrow(/signed by/)
    await expect(openRecord(new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(InvalidRecordError)
    await expect(openRecord(new Uint8Array(70 * 1024))).rejects.toMatchObject({ reason: 'malformed' })
  })

  it('carries a model\'s upstream API, unavailable reason and callers, published in PROTOCOL.md', async () => {
    const model: ModelCapability = { id: 'claude', available: false, api: 'openai-completions', input: [], upstreamApi: 'anthropic-messages', unavailableReason: 'no key', callers: [peerId] }
    const encoded = Buffer.from(encodeRecord({ ...record, models: [model] }))
    const modelBytes = Buffer.from(ModelMessage.encode({ id: 'claude', available: false, api: 'openai-completions', input: [], upstreamApi: 'anthropic-messages', unavailableReason: 'no key', restricted: true, callers: [peerIdFromPrivateKey(key).toMultihash().bytes] }))
    expect(modelBytes.toString('hex')).toBe(MODEL_HEX)
    expect(encoded.toString('hex')).toContain(MODEL_HEX)
    expect((await readFile(new URL('../../protocols/PROTOCOL.md', import.meta.url), 'utf8')).replace(/\s+/g, '')).toContain(MODEL_HEX)
    expect(decodeRecord(encoded).models).toEqual([model])
    // restricted to nobody (models[].peers naming only unpinned node ids) stays restricted
    expect(decodeRecord(encodeRecord({ ...record, models: [{ ...model, callers: [] }] })).models[0].callers).toEqual([])
    // a model without callers is open to every member, as before the field existed
    expect(decodeRecord(encodeRecord(record)).models[0]).not.toHaveProperty('callers')
  })

  it('refuses a model entry whose new fields are out of bounds, naming the field', async () => {
    // field 4 (models) appended to a record without models
    const withModel = (model: Partial<ModelMessage>): Uint8Array =>
      Buffer.concat([Buffer.from(encodeRecord({ ...record, models: [] })), Buffer.from([0x22]), lengthPrefixed(ModelMessage.encode({ id: 'm', available: true, input: [], callers: [], ...model }))])
    expect(() => decodeRecord(withModel({ upstreamApi: 'Anthropic Messages' }))).toThrow(/upstreamApi/)
    expect(() => decodeRecord(withModel({ upstreamApi: 'a'.repeat(65) }))).toThrow(/upstreamApi/)
    expect(() => decodeRecord(withModel({ unavailableReason: 'x'.repeat(501) }))).toThrow(/unavailableReason/)
    expect(() => decodeRecord(withModel({ callers: [peerIdFromPrivateKey(key).toMultihash().bytes] }))).toThrow(/without restricted/)
    expect(() => decodeRecord(withModel({ restricted: true, callers: [new Uint8Array([1, 2, 3])] }))).toThrow()
    expect(() => decodeRecord(withModel({ restricted: true, callers: Array.from({ length: 65 }, () => peerIdFromPrivateKey(key).toMultihash().bytes) }))).toThrow(/callers/)
    const sealed = await sealRecord({ ...record, models: [{ id: 'm', available: false, unavailableReason: 'y'.repeat(501) }] }, key)
    await expect(openRecord(sealed)).rejects.toMatchObject({ reason: 'malformed' })
  })
})

/** protobuf length prefix (varint) and bytes */
function lengthPrefixed (bytes: Uint8Array): Buffer {
  const prefix: number[] = []
  let n = bytes.length
  while (n > 0x7f) {
    prefix.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  prefix.push(n)
  return Buffer.concat([Buffer.from(prefix), Buffer.from(bytes)])
}
