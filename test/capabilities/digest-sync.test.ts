import { readFile } from 'node:fs/promises'
import { pbStream, streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { RecordBatch, SyncDigest, SyncWant } from '../../protocols/capabilities.js'
import { MAX_BATCH_RECORDS } from '../../src/capabilities/constants.js'
import { exchangeDigests } from '../../src/capabilities/digest-sync.js'
import type { DigestSide } from '../../src/capabilities/digest-sync.js'

/** the peer ID of PROTOCOL.md's record vector (Ed25519 seed 07 07 … 07) as multihash bytes */
const VECTOR_PEER = Buffer.from('002408011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c', 'hex')
const VECTOR_SEQ = 1764200000000000n

const peer = (n: number): Uint8Array => new Uint8Array(38).fill(n)
const envelope = (n: number): Uint8Array => new Uint8Array(50).fill(n)

/** a side holding records 1..n of `held` at the given seqs, that wants what it holds at a lower seq or not at all */
function side (held: Record<number, bigint>): DigestSide {
  return {
    digest: Object.entries(held).map(([n, seq]) => ({ peerId: peer(Number(n)), seq })),
    wants: theirs => theirs.filter(d => (held[d.peerId[0]] ?? -1n) < d.seq).map(d => d.peerId),
    answer: wanted => wanted.map(p => envelope(p[0]))
  }
}

async function rejection (promise: Promise<unknown>): Promise<any> {
  return await promise.then(() => { throw new Error('resolved') }, (err: unknown) => err)
}

/** the frames of the state exchange's vector table in PROTOCOL.md: `| name | `frame` | `hex` |` */
async function syncVectors (): Promise<Map<string, string>> {
  const text = await readFile(new URL('../../protocols/PROTOCOL.md', import.meta.url), 'utf8')
  const vectors = new Map<string, string>()
  for (const match of text.matchAll(/^\| (sync [a-z ]+) \| `[^`]+` \| `([0-9a-f]+)` \|$/gm)) vectors.set(match[1], match[2])
  return vectors
}

function lengthPrefixed (message: Uint8Array): string {
  expect(message.byteLength).toBeLessThan(0x80)
  return Buffer.concat([Buffer.from([message.byteLength]), message]).toString('hex')
}

describe('the digest state exchange over an in-memory stream pair', () => {
  it('each side receives only the records it lacks or holds at a lower seq', async () => {
    const [dialer, listener] = await streamPair()
    const [got, gotBack] = await Promise.all([
      exchangeDigests(dialer, side({ 1: 5n, 2: 7n, 3: 1n }), AbortSignal.timeout(2000)),
      exchangeDigests(listener, side({ 1: 5n, 2: 8n, 4: 1n }), AbortSignal.timeout(2000))
    ])
    // the dialer lacks 4 and holds 2 at a lower seq; the listener lacks 3
    expect(got.received.map(e => e[0]).sort()).toEqual([2, 4])
    expect(got.sent).toBe(1)
    expect(gotBack.received.map(e => e[0])).toEqual([3])
    expect(gotBack.sent).toBe(2)
    expect(dialer.status).toBe('closed')
    expect(listener.status).toBe('closed')
  })

  it('two sides holding the same send no record', async () => {
    const [dialer, listener] = await streamPair()
    const results = await Promise.all([
      exchangeDigests(dialer, side({ 1: 5n, 2: 7n }), AbortSignal.timeout(2000)),
      exchangeDigests(listener, side({ 1: 5n, 2: 7n }), AbortSignal.timeout(2000))
    ])
    expect(results).toEqual([{ received: [], sent: 0 }, { received: [], sent: 0 }])
  })

  it('resets the stream when the remote answers with more records than were asked for', async () => {
    const [dialer, listener] = await streamPair()
    const remote = pbStream(listener)
    const exchanged = rejection(exchangeDigests(dialer, side({}), AbortSignal.timeout(2000)))
    await remote.write({ records: [{ peerId: peer(1), seq: 1n }] }, SyncDigest)
    await remote.read(SyncDigest)
    await remote.write({ peerIds: [] }, SyncWant)
    await remote.read(SyncWant)
    await remote.write({ envelopes: [envelope(1), envelope(2)] }, RecordBatch)
    const err = await exchanged
    expect(err.name).toBe('MaxLengthError')
    expect(dialer.status).toBe('aborted')
  })

  it(`refuses a digest of more than ${MAX_BATCH_RECORDS} records`, async () => {
    const [dialer, listener] = await streamPair()
    const exchanged = rejection(exchangeDigests(dialer, side({}), AbortSignal.timeout(2000)))
    await pbStream(listener).write({ records: Array.from({ length: MAX_BATCH_RECORDS + 1 }, (_, i) => ({ peerId: peer(i % 256), seq: 1n })) }, SyncDigest)
    const err = await exchanged
    expect(err.name).toBe('MaxLengthError')
    expect(dialer.status).toBe('aborted')
  })

  it('encodes the frames as PROTOCOL.md shows them', async () => {
    const vectors = await syncVectors()
    expect(vectors.get('sync digest')).toBe(lengthPrefixed(SyncDigest.encode({ records: [{ peerId: VECTOR_PEER, seq: VECTOR_SEQ }] })))
    expect(vectors.get('sync want')).toBe(lengthPrefixed(SyncWant.encode({ peerIds: [VECTOR_PEER] })))
    expect(vectors.get('sync want none')).toBe(lengthPrefixed(SyncWant.encode({ peerIds: [] })))
  })
})
