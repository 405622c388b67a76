/**
 * PATCH of @chainsafe/libp2p-yamux 8.0.1 (pinned exactly in package.json). It reaches the private
 * `_newStream` of the muxer and the `state`, `recvWindow`, `recvWindowCapacity` and
 * `sendWindowUpdate` of its streams (checked before use; an error is logged once and streams stay
 * stock when they are missing).
 *
 * Upstream issue it would file: "A stream sends a WINDOW_UPDATE for every DATA frame it reads
 * (`YamuxStream.sendWindowUpdate`, called from `handleData`), so a small request and its answer
 * cost a second frame, socket write and wake-up on the other side each way. go-yamux and
 * rust-yamux send one once half of the receive window is used. Proposed: skip the update while
 * `recvWindowCapacity * 2 >= recvWindow` and no flags are to be sent."
 *
 * Remove when a released @chainsafe/libp2p-yamux sends window updates at half the window (the
 * first test of test/mesh/mesh-yamux.test.ts, which counts stock yamux's updates, then fails),
 * or when it no longer has these internals; test/mesh/patches-interop.test.ts checks a patched
 * node against a stock one.
 */
import { yamux } from '@chainsafe/libp2p-yamux'
import { StreamState } from '@chainsafe/libp2p-yamux/stream'
import { logger } from '@libp2p/logger'
import type { YamuxMuxerInit } from '@chainsafe/libp2p-yamux'
import type { StreamMuxer, StreamMuxerFactory } from '@libp2p/interface'

const log = logger('clawmatrix:mesh:yamux')

/** the parts of a yamux stream the window rule reads; not public API, so checked before use */
interface YamuxStreamInternals {
  state: StreamState
  recvWindow: number
  recvWindowCapacity: number
  sendWindowUpdate: () => void
}

interface YamuxMuxerInternals {
  _newStream?: (...args: unknown[]) => unknown
}

function hasWindowInternals (stream: any): stream is YamuxStreamInternals {
  return typeof stream?.sendWindowUpdate === 'function' && typeof stream.recvWindow === 'number' && typeof stream.recvWindowCapacity === 'number'
}

/** the stream grants more window only once half of it is used; updates that carry flags still go out at once */
function sendWindowUpdateAtHalf (stream: YamuxStreamInternals): void {
  const sendWindowUpdate = stream.sendWindowUpdate
  stream.sendWindowUpdate = function (this: YamuxStreamInternals): void {
    if (this.state === StreamState.Established && this.recvWindowCapacity * 2 >= this.recvWindow) return
    sendWindowUpdate.call(this)
  }
}

let warned = false

function applyToStreams (muxer: StreamMuxer): void {
  const internals = muxer as unknown as YamuxMuxerInternals
  const newStream = internals._newStream
  if (typeof newStream !== 'function') {
    if (!warned) log.error('this yamux version has no stream hook: window updates stay per frame')
    warned = true
    return
  }
  internals._newStream = function (this: unknown, ...args: unknown[]): unknown {
    const stream = newStream.apply(this, args)
    if (hasWindowInternals(stream)) sendWindowUpdateAtHalf(stream)
    return stream
  }
}

/**
 * Yamux whose streams send a window update once half of the receive window has been used, as
 * go-yamux and rust-yamux do. js-yamux answers every data frame with a window update, so a small
 * request and its answer cost a second frame, write and wake-up on the other side each way.
 * The wire format is unchanged and any yamux peer works with it: a sender always holds at least
 * half a window of credit.
 */
export function meshYamux (init: YamuxMuxerInit = {}): () => StreamMuxerFactory {
  const createFactory = yamux(init)
  return () => {
    const factory = createFactory()
    const createStreamMuxer = factory.createStreamMuxer.bind(factory)
    factory.createStreamMuxer = (maConn) => {
      const muxer = createStreamMuxer(maConn)
      applyToStreams(muxer)
      return muxer
    }
    return factory
  }
}
