import { SYNC_CLOSE_TIMEOUT_MS } from './constants.js'
import type { Stream } from '@libp2p/interface'

/** The remote sent more than its one batch, or did not close its side in time */
export class SyncStreamError extends Error {
  override readonly name = 'SyncStreamError'
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
