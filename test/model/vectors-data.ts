import { CallerFrame, ServerFrame } from '../../protocols/model.js'
import type { Codec } from 'protons-runtime'

const bytes = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text)

/** One example of each frame type, by its oneof field name; PROTOCOL.md publishes their bytes */
export const FRAMES: Record<string, { codec: Codec<any>, value: CallerFrame | ServerFrame }> = {
  request: { codec: CallerFrame.codec(), value: { request: { model: 'gpt-4o', bodyLength: 2, body: bytes('{}') } } },
  body: { codec: CallerFrame.codec(), value: { body: { data: bytes('abc') } } },
  cancel: { codec: CallerFrame.codec(), value: { cancel: { reason: 'client went away' } } },
  head: { codec: ServerFrame.codec(), value: { head: { status: 200, headers: new Map([['content-type', 'text/event-stream']]) } } },
  data: { codec: ServerFrame.codec(), value: { data: { data: bytes('data: {}\n\n') } } },
  end: { codec: ServerFrame.codec(), value: { end: { status: 200, bodyBytes: 1234, usage: { promptTokens: 9, completionTokens: 3, totalTokens: 12 } } } },
  error: { codec: ServerFrame.codec(), value: { error: { status: 429, type: 'rate_limit_error', code: 'busy', message: 'node office is busy' } } }
}
