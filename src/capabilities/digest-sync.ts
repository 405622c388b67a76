import { pbStream } from '@libp2p/utils'
import { RecordBatch, SyncDigest, SyncWant } from '../../protocols/capabilities.js'
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS } from './constants.js'
import { endSyncStream } from './sync.js'
import type { RecordDigest } from '../../protocols/capabilities.js'
import type { Stream } from '@libp2p/interface'

/** What one side of a digest exchange holds, lacks and answers */
export interface DigestSide {
  /** (signer, seq) of every record this side would hand over, at most MAX_BATCH_RECORDS */
  digest: RecordDigest[]
  /** the signers (multihash bytes) of `theirs` this side lacks, at most MAX_BATCH_RECORDS */
  wants: (theirs: RecordDigest[]) => Uint8Array[]
  /** the envelopes the other side asked for, cut to what a receiver accepts */
  answer: (wanted: Uint8Array[]) => Uint8Array[]
}

export interface DigestExchangeResult {
  /** the envelopes the remote sent for our want, unopened */
  received: Uint8Array[]
  /** how many envelopes we sent for its want */
  sent: number
}

/**
 * The state exchange 2.0.0 (`SYNC_PROTOCOL`): each side writes a `SyncDigest` of what it holds,
 * then a `SyncWant` of what it lacks from the other's digest, then a `RecordBatch` answering the
 * other's want; both then close. Each message is read with a count limit: a digest or want of at
 * most MAX_BATCH_RECORDS entries, a batch of at most as many envelopes as we asked for. Anything
 * more, or no close in time, resets the stream.
 */
export async function exchangeDigests (stream: Stream, side: DigestSide, signal: AbortSignal): Promise<DigestExchangeResult> {
  try {
    const pb = pbStream(stream, { maxDataLength: MAX_BATCH_BYTES, maxBufferSize: MAX_BATCH_BYTES + 16 })
    const [theirDigest] = await Promise.all([
      pb.read(SyncDigest, { signal, limits: { records: MAX_BATCH_RECORDS } }),
      pb.write({ records: side.digest }, SyncDigest, { signal })
    ])
    const ourWant = side.wants(theirDigest.records)
    const [theirWant] = await Promise.all([
      pb.read(SyncWant, { signal, limits: { peerIds: MAX_BATCH_RECORDS } }),
      pb.write({ peerIds: ourWant as Array<Uint8Array<ArrayBuffer>> }, SyncWant, { signal })
    ])
    const answer = side.answer(theirWant.peerIds)
    const [theirBatch] = await Promise.all([
      pb.read(RecordBatch, { signal, limits: { envelopes: ourWant.length } }),
      pb.write({ envelopes: answer as Array<Uint8Array<ArrayBuffer>> }, RecordBatch, { signal })
    ])
    await endSyncStream(pb.unwrap(), signal)
    return { received: theirBatch.envelopes, sent: answer.length }
  } catch (err: any) {
    stream.abort(err)
    throw err
  }
}
