/**
 * Server-sent events, the shape of a streamed chat answer: read (`sseData`, for the library's
 * `chat` and the CLI) and passed on whole (`SseEventAligner`, for the HTTP relay).
 */

import { createParser } from 'eventsource-parser'
import { MAX_SSE_EVENT_CHARS } from './constants.js'

/** The `data` of each server-sent event in `body`, in order */
export async function * sseData (body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const pending: string[] = []
  let failure: Error | undefined
  const parser = createParser({
    onEvent: (event) => { pending.push(event.data) },
    onError: (err) => { if (err.type === 'max-buffer-size-exceeded') failure = err },
    maxBufferSize: MAX_SSE_EVENT_CHARS
  })
  const decoder = new TextDecoder()
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }))
    if (failure != null) throw failure
    yield * pending.splice(0)
  }
  parser.feed(decoder.decode())
  parser.feed('\n\n')
  yield * pending.splice(0)
}

const LF_LF = Buffer.from('\n\n')
const CRLF_CRLF = Buffer.from('\r\n\r\n')

/** end of the last complete event in `bytes` (just past its blank line), or -1 */
function lastEventEnd (bytes: Buffer): number {
  const lf = bytes.lastIndexOf(LF_LF)
  const crlf = bytes.lastIndexOf(CRLF_CRLF)
  return Math.max(lf < 0 ? -1 : lf + LF_LF.length, crlf < 0 ? -1 : crlf + CRLF_CRLF.length)
}

/**
 * Passes an SSE body on in whole events: the bytes after the last complete event wait for the
 * rest of that event. Nothing is changed or dropped while the body flows; if it breaks off, what
 * was passed on ends at an event boundary, so an error event after it is read as an event.
 */
export class SseEventAligner {
  private pending: Buffer = Buffer.alloc(0)

  /** the bytes that complete events, now */
  push (chunk: Uint8Array): Buffer {
    const bytes = this.pending.byteLength === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([this.pending, chunk])
    const end = lastEventEnd(bytes)
    if (end < 0 && bytes.byteLength <= MAX_SSE_EVENT_CHARS) {
      this.pending = bytes
      return Buffer.alloc(0)
    }
    const cut = end < 0 ? bytes.byteLength : end
    this.pending = bytes.subarray(cut)
    return bytes.subarray(0, cut)
  }

  /** what is left when the body ended normally */
  rest (): Buffer {
    const rest = this.pending
    this.pending = Buffer.alloc(0)
    return rest
  }
}
