import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { encodeRecord, InvalidRecordError, openRecord, sealRecord } from '../../src/capabilities/record.js'
import type { CapabilityRecord } from '../../src/capabilities/types.js'

// The vectors published in protocols/PROTOCOL.md (Ed25519 key from a seed of 32 bytes 0x07)
const RECORD_HEX = '0a066f66666963651226002408011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c1a1c0a05636f646572120b77726974657320636f64651a06636f64696e6722080a047177656e18012a0367707530013a33047f000001064a38dd03a50326002408011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c4205302e322e3048fa015080a0c092fd9091035880d48e94ac33'
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
})
