import { AnswerInterruptedError, CALLER_ERROR_STATUS, ModelPlaneError, ModelRemoteError, ModelTransportError } from './errors.js'
import type { MeshModelResponse, ServedBy } from './index.js'
import type { ServerFrame } from '../../protocols/model.js'

/** How an exchange ended, from the consumer's side */
export type Outcome = 'complete' | 'failed' | 'cancel'

/** Frames of one answer, from a stream or from this node's own server */
export interface FrameSource {
  frames: AsyncIterator<ServerFrame>
  /** called once: release the stream (complete), reset it (failed), or cancel the request */
  settle(outcome: Outcome, reason?: Error): void
}

function messageOf (err: any): string {
  return String(err?.message ?? err)
}

/**
 * Wait for the first frame and turn the rest into a response whose body yields the upstream's
 * bytes. Before the head, failures are `ModelRemoteError` (the node refused) or
 * `ModelTransportError` (the node could not be reached), so the caller may try another node;
 * after it, the body throws `AnswerInterruptedError`: the answer is incomplete, never silently cut.
 */
export async function responseFromFrames (source: FrameSource, servedBy: ServedBy, signal: AbortSignal): Promise<MeshModelResponse> {
  const { nodeId } = servedBy
  let first: IteratorResult<ServerFrame>
  try {
    first = await source.frames.next()
  } catch (err: any) {
    source.settle('failed', err)
    if (signal.aborted) throw signal.reason
    throw new ModelTransportError(`node ${nodeId} failed before answering: ${messageOf(err)}`, nodeId, { cause: err })
  }
  if (first.done === true) {
    source.settle('failed', new Error('closed without answering'))
    throw new ModelTransportError(`node ${nodeId} closed the stream without answering`, nodeId)
  }
  if (first.value.error != null) {
    source.settle('complete')
    throw new ModelRemoteError(first.value.error, nodeId)
  }
  const head = first.value.head
  if (head == null) {
    source.settle('failed', new Error('no head frame'))
    throw new ModelTransportError(`node ${nodeId} broke the protocol: the answer did not start with a head frame`, nodeId)
  }

  const response: MeshModelResponse = {
    status: head.status,
    headers: Object.fromEntries(head.headers),
    servedBy,
    body: body()
  }
  return response

  async function * body (): AsyncGenerator<Uint8Array> {
    let outcome: Outcome = 'cancel'
    let reason: Error | undefined
    try {
      while (true) {
        let next: IteratorResult<ServerFrame>
        try {
          next = await source.frames.next()
        } catch (err: any) {
          outcome = 'failed'
          reason = err
          if (signal.aborted) throw signal.reason
          throw new AnswerInterruptedError(`the answer from node ${nodeId} broke off: ${messageOf(err)}`)
        }
        if (next.done === true) {
          outcome = 'failed'
          throw new AnswerInterruptedError(`node ${nodeId} closed the stream before the answer ended`)
        }
        const frame = next.value
        if (frame.data != null) {
          yield frame.data.data
        } else if (frame.end != null) {
          response.end = frame.end
          outcome = 'complete'
          return
        } else if (frame.error != null) {
          outcome = 'complete'
          throw new AnswerInterruptedError(`the answer from node ${nodeId} broke off: ${frame.error.message}`)
        } else {
          outcome = 'failed'
          throw new AnswerInterruptedError(`node ${nodeId} broke the protocol: unexpected frame in the answer`)
        }
      }
    } finally {
      source.settle(outcome, reason)
    }
  }
}

/** A whole (non-streamed) answer, up to `maxBytes` */
export async function collectBody (body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.byteLength
    if (size > maxBytes) throw new ModelPlaneError(CALLER_ERROR_STATUS.answer_too_large, 'answer_too_large', `the answer is over ${maxBytes} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}
