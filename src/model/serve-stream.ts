import { CallerFrame, ServerFrame } from '../../protocols/model.js'
import { HEAD_HOLD_MS, MAX_FRAME_BYTES, PAUSED_READ_BUFFER_BYTES, READ_HIGH_WATER_BYTES, REQUEST_RECEIVE_TIMEOUT_MS, SERVER_STREAM_IDLE_MS, STREAM_LINGER_MS } from './constants.js'
import { ModelPlaneError, serverError } from './errors.js'
import { BufferBudgetError, FrameReader, FrameTooLargeError, MalformedFrameError, TruncatedFrameError } from '../utils/frame-reader.js'
import { FrameWriter, writeFrame } from './frame-writer.js'
import { closeStream } from '../utils/close-stream.js'
import { IdleTimer } from '../utils/idle-timer.js'
import type { Admission, ModelServer } from './model-server.js'
import type { ByteBudget } from '../limits/peer-bytes.js'
import type { Logger, Stream } from '@libp2p/interface'

/** Who sends the requests on a stream */
export interface StreamCaller {
  /** the caller's peer ID: its requests share one per-peer cap */
  peer: string
  /** the node id the caller announces, for its usage counts */
  nodeId?: string
  /** what the bytes the stream's reader holds are charged to */
  budget?: ByteBudget
}

/** why the per-answer watchers stop once an answer is over (one object: no stack captured per request) */
const ANSWER_OVER = new Error('the answer is over')
const STREAM_IDLE = new Error('no next request on the stream')

interface ReceivedRequest {
  admission: Admission
  body: Uint8Array
}

/** After a request frame: its body frames; the slot is taken before the body is read */
async function receiveRequest (first: CallerFrame, reader: FrameReader<CallerFrame>, server: ModelServer, caller: StreamCaller, stopping: AbortSignal): Promise<ReceivedRequest> {
  if (first.request == null) throw serverError('invalid_request', 'expected a request frame')
  const { model, bodyLength, body } = first.request
  if (!Number.isSafeInteger(bodyLength) || bodyLength < body.byteLength) {
    throw serverError('invalid_request', `request announces ${bodyLength} body bytes but its first frame holds ${body.byteLength}`)
  }
  const admission = server.admit(model, bodyLength, caller.nodeId != null ? { peer: caller.peer, nodeId: caller.nodeId } : { peer: caller.peer })
  if (body.byteLength === bodyLength) return { admission, body }
  const timer = new IdleTimer(REQUEST_RECEIVE_TIMEOUT_MS, () => serverError('request_timeout', `the request body did not arrive within ${REQUEST_RECEIVE_TIMEOUT_MS} ms`), stopping)
  try {
    const parts = [body]
    let received = body.byteLength
    while (received < bodyLength) {
      const frame = await reader.read(timer.signal)
      if (frame == null) throw serverError('invalid_request', `stream ended after ${received} of ${bodyLength} body bytes`)
      if (frame.cancel != null) throw serverError('cancelled', 'the caller cancelled the request')
      if (frame.body == null) throw serverError('invalid_request', 'expected a body frame')
      received += frame.body.data.byteLength
      if (received > bodyLength) throw serverError('invalid_request', `body frames hold more than the announced ${bodyLength} bytes`)
      parts.push(frame.body.data)
    }
    return { admission, body: Buffer.concat(parts) }
  } catch (err) {
    server.abandon(admission, err)
    throw err
  } finally {
    timer.clear()
  }
}

/**
 * Answer one request. Meanwhile one read waits for the caller: a Cancel frame, the caller closing
 * its end or a reset stop the upstream at once. Resolves true when the answer ended cleanly and
 * the stream may carry the caller's next request.
 */
async function answer (stream: Stream, reader: FrameReader<CallerFrame>, server: ModelServer, request: ReceivedRequest, stopping: AbortSignal): Promise<boolean> {
  const caller = new AbortController()
  const answered = new AbortController()
  const stop = (): void => { caller.abort(stopping.reason) }
  stopping.addEventListener('abort', stop, { once: true })
  const watching = reader.read(answered.signal).then(frame => {
    if (frame?.cancel != null) caller.abort(new Error(`cancelled by the caller: ${frame.cancel.reason}`))
    else if (frame == null) caller.abort(new Error('the caller closed its end'))
    else caller.abort(new Error('the caller sent a frame before the answer ended'))
  }, err => {
    if (!answered.signal.aborted) caller.abort(err)
  })
  const writer = new FrameWriter(stream, ServerFrame.codec())
  let clean = false
  try {
    for await (const frame of server.answer(request.admission, request.body, caller.signal)) {
      if (frame.head != null) writer.hold(frame, HEAD_HOLD_MS)
      else await writer.write(frame, caller.signal)
      clean = frame.end != null
    }
  } finally {
    // whatever is queued goes before anything the caller of this function writes next
    writer.flushQuietly()
    answered.abort(ANSWER_OVER)
    await watching
    caller.abort(ANSWER_OVER)
    stopping.removeEventListener('abort', stop)
  }
  return clean && !stopping.aborted
}

/**
 * Serve model requests on an inbound stream, one after the other: the caller may send its next
 * request on the same stream once an answer has ended. The stream closes when the caller closes
 * it, stays idle for SERVER_STREAM_IDLE_MS, cancels, or an answer fails.
 */
export async function serveStream (stream: Stream, server: ModelServer, caller: StreamCaller, log: Logger, stopping: AbortSignal): Promise<void> {
  const reader = new FrameReader(stream, CallerFrame.codec(), {
    maxFrameBytes: MAX_FRAME_BYTES,
    highWaterBytes: READ_HIGH_WATER_BYTES,
    pausedBufferBytes: PAUSED_READ_BUFFER_BYTES,
    ...(caller.budget != null ? { budget: caller.budget } : {})
  })
  try {
    for (let served = 0; ; served++) {
      const waiting = served === 0
        ? new IdleTimer(REQUEST_RECEIVE_TIMEOUT_MS, () => serverError('request_timeout', `no request arrived within ${REQUEST_RECEIVE_TIMEOUT_MS} ms`), stopping)
        : new IdleTimer(SERVER_STREAM_IDLE_MS, () => STREAM_IDLE, stopping)
      let first: CallerFrame | null
      try {
        first = await reader.read(waiting.signal)
      } catch (err) {
        // between requests, the stream just ends when it idles or the service stops
        if (served === 0 || !waiting.signal.aborted) throw err
        first = null
      } finally {
        waiting.clear()
      }
      if (first == null || first.cancel != null) break
      const request = await receiveRequest(first, reader, server, caller, stopping)
      log('serving model "%s", %d body bytes', request.admission.model.entry.id, request.body.byteLength)
      if (!await answer(stream, reader, server, request, stopping)) break
    }
    await closeStream(stream, STREAM_LINGER_MS)
  } catch (err: any) {
    const refusal = refusalFor(err)
    if (refusal != null && stream.writeStatus === 'writable') {
      log('refused: %s', refusal.message)
      reader.dispose()
      await refuseStream(stream, refusal)
    } else {
      log('stream failed - %e', err)
      stream.abort(err)
    }
  } finally {
    reader.dispose()
  }
}

/** What to tell the caller about a failure on its stream; undefined: nothing, just reset */
function refusalFor (err: unknown): ModelPlaneError | undefined {
  if (err instanceof ModelPlaneError) return err
  if (err instanceof BufferBudgetError) return serverError('busy', `too many bytes from this caller wait unread: ${err.message}`)
  if (err instanceof FrameTooLargeError || err instanceof MalformedFrameError || err instanceof TruncatedFrameError) return serverError('invalid_request', err.message)
  return undefined
}

/**
 * Answer a stream with one error frame and end it: nothing the caller still sends is read or
 * kept, and the stream is reset if the caller does not close its end within STREAM_LINGER_MS.
 */
export async function refuseStream (stream: Stream, refusal: ModelPlaneError): Promise<void> {
  try {
    if (stream.readStatus === 'readable' || stream.readStatus === 'paused') await stream.closeRead()
    await writeFrame(stream, ServerFrame.codec(), { error: refusal.frame() }, AbortSignal.timeout(STREAM_LINGER_MS))
  } catch (err: any) {
    stream.abort(err)
    return
  }
  await closeStream(stream, STREAM_LINGER_MS)
}
