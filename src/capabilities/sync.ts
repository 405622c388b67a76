import { pbStream } from '@libp2p/utils'
import { RecordBatch } from '../../protocols/capabilities.js'
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, SYNC_CLOSE_TIMEOUT_MS } from './constants.js'
import { SyncStreamError } from './errors.js'
import type { Stream } from '@libp2p/interface'

/**
 * The state exchange (`SYNC_PROTOCOL`), run on every new connection: both sides write one
 * `RecordBatch` of signed envelopes and read the other's (bounded in bytes and count), close
 * their side, and expect the other to close too. Anything more, or no close in time, resets the
 * stream: every path ends it. Resolves with the remote's envelopes, unopened.
 */
export async function exchangeBatches (stream: Stream, ours: Uint8Array[], signal: AbortSignal): Promise<Uint8Array[]> {
  try {
    const pb = pbStream(stream, { maxDataLength: MAX_BATCH_BYTES, maxBufferSize: MAX_BATCH_BYTES + 16 }).pb(RecordBatch)
    const [theirs] = await Promise.all([
      pb.read({ signal, limits: { envelopes: MAX_BATCH_RECORDS } }),
      pb.write({ envelopes: ours as Array<Uint8Array<ArrayBuffer>> }, { signal })
    ])
    await endSyncStream(pb.unwrap().unwrap(), signal)
    return theirs.envelopes
  } catch (err: any) {
    stream.abort(err)
    throw err
  }
}

/**
 * End a state-exchange stream after both batches: close our side and wait (at most
 * SYNC_CLOSE_TIMEOUT_MS, and never past `signal`) for the remote to close its own. Bytes after the
 * batch, or no close in time, throw, and the caller resets the stream: a peer cannot hold a sync
 * stream (and its buffer) half-open.
 */
export async function endSyncStream (stream: Stream, signal: AbortSignal): Promise<void> {
  if (stream.readBufferLength > 0) throw new SyncStreamError(`${stream.readBufferLength} bytes after the batch`)
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(SYNC_CLOSE_TIMEOUT_MS)])
  await stream.close({ signal: deadline })
  if (stream.remoteWriteStatus === 'closed') return
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error): void => {
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('remoteCloseWrite', onRemoteClose)
      stream.removeEventListener('close', onRemoteClose)
      deadline.removeEventListener('abort', onTimeout)
      if (err != null) reject(err)
      else resolve()
    }
    const onMessage = (): void => { done(new SyncStreamError('data after the batch')) }
    const onRemoteClose = (): void => { done() }
    const onTimeout = (): void => { done(new SyncStreamError(`the remote did not close its side within ${SYNC_CLOSE_TIMEOUT_MS} ms`)) }
    if (deadline.aborted) {
      onTimeout()
      return
    }
    stream.addEventListener('message', onMessage)
    stream.addEventListener('remoteCloseWrite', onRemoteClose)
    stream.addEventListener('close', onRemoteClose)
    deadline.addEventListener('abort', onTimeout, { once: true })
  })
}

/** bytes of an unsigned varint holding `n` */
function varintBytes (n: number): number {
  let bytes = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    bytes++
  }
  return bytes
}

/** bytes an envelope takes inside a RecordBatch: field tag, length varint, the bytes */
function fieldBytes (envelope: Uint8Array): number {
  return 1 + varintBytes(envelope.byteLength) + envelope.byteLength
}

/**
 * The envelopes of one state-exchange batch, in the order given (most useful first), cut so the
 * encoded batch stays within what every receiver accepts: MAX_BATCH_BYTES and MAX_BATCH_RECORDS.
 * An envelope that does not fit is skipped and smaller ones after it still go.
 */
export function capBatch (envelopes: Iterable<Uint8Array>, maxBytes = MAX_BATCH_BYTES, maxRecords = MAX_BATCH_RECORDS): Uint8Array[] {
  const out: Uint8Array[] = []
  const seen = new Set<Uint8Array>()
  let bytes = 0
  for (const envelope of envelopes) {
    if (out.length >= maxRecords) break
    if (seen.has(envelope)) continue
    const size = fieldBytes(envelope)
    if (bytes + size > maxBytes) continue
    seen.add(envelope)
    out.push(envelope)
    bytes += size
  }
  return out
}
