import type { Stream } from '@libp2p/interface'

/**
 * Close our end gracefully, then give the other side `lingerMs` to close theirs before the
 * stream is reset: a stream never stays half-open for long, whatever the peer does. Nothing more
 * is expected from the other side, so whatever it still sends is dropped, not buffered.
 */
export async function finishStream (stream: Stream, lingerMs: number): Promise<void> {
  try {
    if (stream.readStatus === 'readable' || stream.readStatus === 'paused') await stream.closeRead()
    await stream.close({ signal: AbortSignal.timeout(lingerMs) })
  } catch (err: any) {
    stream.abort(err)
    return
  }
  if (stream.status === 'closed' || stream.status === 'aborted' || stream.status === 'reset') return
  const timer = setTimeout(() => { stream.abort(new Error(`the other side did not close the stream within ${lingerMs} ms`)) }, lingerMs)
  timer.unref()
  stream.addEventListener('close', () => { clearTimeout(timer) }, { once: true })
}
