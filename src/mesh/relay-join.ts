import type { Logger, Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'

export interface RelayJoinInit {
  /** aborts both streams: relay shutdown, reservation expiry, duration limit */
  signal: AbortSignal
  /** bytes both directions together may carry, when limited */
  dataLimit?: bigint
  log: Logger
}

/**
 * Joins the two halves of a relayed connection: what arrives on one stream is sent on the other.
 * Each direction holds no queue of its own: when the receiving stream cannot take more, the
 * sending one is paused (its muxer stops granting window) until the receiver drains. A half-close
 * is passed on as a half-close once every byte before it has been passed on ('end', not
 * 'remoteCloseWrite', which comes while a paused stream may still hold data); an error or abort
 * resets both streams.
 *
 * It replaces `@libp2p/circuit-relay-v2`'s `createLimitedRelay`, whose `pipe(src, dst, src)`
 * wraps `src` twice and keeps every byte the dialing side sends in a queue nobody reads
 * (docs/upstream/libp2p-circuit-relay-v2.md).
 */
export function joinRelayedStreams (src: Stream, dst: Stream, init: RelayJoinInit): void {
  const { signal, log } = init
  let remaining = init.dataLimit
  const cleanups: Array<() => void> = []
  let ended = false

  const end = (err?: Error): void => {
    if (ended) return
    ended = true
    for (const cleanup of cleanups) cleanup()
    if (err != null) {
      log('relayed connection ends: %s', err.message)
      src.abort(err)
      dst.abort(err)
    }
  }

  const forward = (from: Stream, to: Stream): void => {
    const onMessage = (evt: StreamMessageEvent): void => {
      const data = evt.data
      if (remaining != null) {
        remaining -= BigInt(data.byteLength)
        if (remaining < 0n) {
          end(Object.assign(new Error(`data limit of ${init.dataLimit} bytes exceeded`), { name: 'TransferLimitError' }))
          return
        }
      }
      try {
        if (!to.send(data)) {
          from.pause()
          to.addEventListener('drain', () => { from.resume() }, { once: true })
        }
      } catch (err: any) {
        end(err)
      }
    }
    const onEnd = (): void => {
      if (to.writeStatus !== 'writable') return
      to.close({ signal }).catch((err: Error) => { end(err) })
    }
    const onClose = (evt: StreamCloseEvent): void => {
      if (evt.error != null) end(evt.error)
      else onEnd()
      if (src.status !== 'open' && dst.status !== 'open') end()
    }
    from.addEventListener('message', onMessage)
    from.addEventListener('end', onEnd)
    from.addEventListener('close', onClose)
    cleanups.push(() => {
      from.removeEventListener('message', onMessage)
      from.removeEventListener('end', onEnd)
      from.removeEventListener('close', onClose)
    })
    // the remote may have finished writing before the join (and 'end' fires only once)
    if (from.readableEnded && from.readBufferLength === 0) onEnd()
  }

  const onAbort = (): void => {
    end(signal.reason instanceof Error ? signal.reason : new Error('relayed connection aborted'))
  }
  if (signal.aborted) {
    onAbort()
    return
  }
  signal.addEventListener('abort', onAbort, { once: true })
  cleanups.push(() => { signal.removeEventListener('abort', onAbort) })
  forward(src, dst)
  forward(dst, src)
}
