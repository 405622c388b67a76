import { raceSignal } from 'race-signal'
import type { Stream } from '@libp2p/interface'

/** The stream is open in at least one direction */
function isOpen (stream: Stream): boolean {
  return stream.status === 'open' || stream.status === 'closing'
}

/** Resolves once both sides of `stream` are closed or it was reset; rejects when `signal` aborts first */
export async function streamClosed (stream: Stream, signal: AbortSignal): Promise<void> {
  if (!isOpen(stream)) return
  let onClose: (() => void) | undefined
  try {
    await raceSignal(new Promise<void>(resolve => {
      onClose = resolve
      stream.addEventListener('close', onClose, { once: true })
    }), signal)
  } finally {
    if (onClose != null) stream.removeEventListener('close', onClose)
  }
}

/**
 * The one way every plane ends a stream: stop reading (whatever the other side still sends is
 * dropped, not buffered), half-close our side, and give the other side `lingerMs` to close
 * theirs before the stream is reset. A stream never stays half-open for long, whatever the peer
 * does. Resolves once our side is closed, or the stream was reset; `closed` settles once both
 * sides are (`streamClosed`), for a caller that must wait for that.
 */
export async function closeStream (stream: Stream, lingerMs: number): Promise<void> {
  try {
    // a caller that must let the other side finish writing resumes a paused stream first (resumeReading)
    if (stream.readStatus === 'readable' || stream.readStatus === 'paused') await stream.closeRead()
    await stream.close({ signal: AbortSignal.timeout(lingerMs) })
  } catch (err: any) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    return
  }
  if (!isOpen(stream)) return
  const timer = setTimeout(() => { stream.abort(new Error(`the other side did not close the stream within ${lingerMs} ms`)) }, lingerMs)
  timer.unref()
  stream.addEventListener('close', () => { clearTimeout(timer) }, { once: true })
}

/** Stop taking data from the remote (it is held back by the muxer's flow control) */
export function pauseReading (stream: Stream): void {
  if (stream.readStatus === 'readable') stream.pause()
}

export function resumeReading (stream: Stream): void {
  if (stream.readStatus === 'paused') stream.resume()
}
