import type { Stream } from '@libp2p/interface'

/** Resolves once both sides of `stream` are closed or it was reset; rejects when `signal` aborts first */
export async function streamClosed (stream: Stream, signal: AbortSignal): Promise<void> {
  if (stream.status !== 'open' && stream.status !== 'closing') return
  signal.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const onClose = (): void => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }
    const onAbort = (): void => {
      stream.removeEventListener('close', onClose)
      reject(signal.reason)
    }
    stream.addEventListener('close', onClose, { once: true })
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Half-close our side and give the remote until `timeoutMs` to close its side; reset the
 * stream when it does not.
 */
export async function closeStream (stream: Stream, timeoutMs: number): Promise<void> {
  const deadline = AbortSignal.timeout(timeoutMs)
  try {
    resumeReading(stream)
    await stream.close({ signal: deadline })
    await streamClosed(stream, deadline)
  } catch (err: any) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
  }
}

/** Stop taking data from the remote (it is held back by the muxer's flow control) */
export function pauseReading (stream: Stream): void {
  if (stream.readStatus === 'readable') stream.pause()
}

export function resumeReading (stream: Stream): void {
  if (stream.readStatus === 'paused') stream.resume()
}
