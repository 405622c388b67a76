import { SSE_DONE, chunk, completion, countingStream, sseEvent, usage, usageChunk } from '../../src/demo/completions.js'
import { startUpstreamServer } from '../../src/demo/upstream-server.js'
import type { AnswerIdentity } from '../../src/demo/completions.js'
import type { ReceivedRequest, ReplyScript, UpstreamReply, UpstreamServer } from '../../src/demo/upstream-server.js'

export type { ReceivedRequest, UpstreamReply } from '../../src/demo/upstream-server.js'

/** A real loopback OpenAI-compatible upstream whose next answers a test sets with `reply` */
export interface FakeUpstream extends UpstreamServer {
  /** how the following requests are answered */
  reply: ReplyScript
  /** resolves with the next request that arrives (or the n-th from now) */
  nextRequest(): Promise<ReceivedRequest>
}

export const WHO: AnswerIdentity = { id: 'chatcmpl-test-1', model: 'upstream-model', created: 1_700_000_000 }

export async function startFakeUpstream (reply: ReplyScript = () => replies.answer('hello')): Promise<FakeUpstream> {
  const waiting: Array<(request: ReceivedRequest) => void> = []
  const upstream: FakeUpstream = Object.assign(await startUpstreamServer(async request => {
    waiting.splice(0).forEach(resolve => { resolve(request) })
    return await upstream.reply(request)
  }), {
    reply,
    nextRequest: async () => await new Promise<ReceivedRequest>(resolve => { waiting.push(resolve) })
  })
  return upstream
}

/** Replies for the situations the tests cover */
export const replies = {
  /** a non-streamed answer, with an odd key order and spacing so byte equality means something */
  answer (content: string): UpstreamReply {
    const body = completion(WHO, { content, refusal: null }, 'stop', usage(9, 3))
    return { chunks: [JSON.stringify({ ...body, system_fingerprint: 'fp_test' }, null, 1)] }
  },

  /** an upstream error: its status and OpenAI-shaped body */
  error (status: number, message: string, code: string, type = 'invalid_request_error'): UpstreamReply {
    return { status, chunks: [JSON.stringify({ error: { message, type, param: null, code } })] }
  },

  /** a text stream with a role chunk, content words, finish_reason and a usage chunk */
  textStream (words: string[]): UpstreamReply {
    const pieces = [sseEvent(chunk(WHO, { role: 'assistant', content: '' }))]
    for (const word of words) pieces.push(sseEvent(chunk(WHO, { content: word })))
    pieces.push(sseEvent(chunk(WHO, {}, 'stop')), sseEvent(usageChunk(WHO, usage(5, words.length))), SSE_DONE)
    return { contentType: 'text/event-stream', chunks: pieces }
  },

  /** a streamed tool call: id and name first, arguments in pieces, finish_reason tool_calls */
  toolCallStream (): UpstreamReply {
    const call = (fn: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> =>
      ({ tool_calls: [{ index: 0, ...extra, function: fn }] })
    const pieces = [
      sseEvent(chunk(WHO, { role: 'assistant', content: null, ...call({ name: 'get_weather', arguments: '' }, { id: 'call_abc123', type: 'function' }) })),
      sseEvent(chunk(WHO, call({ arguments: '{"city":' }))),
      sseEvent(chunk(WHO, call({ arguments: '"Paris"}' }))),
      sseEvent(chunk(WHO, {}, 'tool_calls')),
      sseEvent(usageChunk(WHO, usage(20, 7))),
      SSE_DONE
    ]
    return { contentType: 'text/event-stream', chunks: pieces }
  },

  /** a reasoning model: reasoning_content deltas first, then content */
  reasoningStream (): UpstreamReply {
    const pieces = [
      sseEvent(chunk(WHO, { role: 'assistant', content: '', reasoning_content: 'Let me think.' })),
      sseEvent(chunk(WHO, { content: '', reasoning_content: ' Two plus two.' })),
      sseEvent(chunk(WHO, { content: '4' })),
      sseEvent(chunk(WHO, {}, 'stop')),
      SSE_DONE
    ]
    return { contentType: 'text/event-stream', chunks: pieces }
  },

  /** `count` content chunks, as fast as the reader takes them */
  longStream (count: number): UpstreamReply {
    return { contentType: 'text/event-stream', chunks: countingStream(WHO, count) }
  },

  /** some chunks, then nothing more, the response left open */
  stalledStream (words: string[]): UpstreamReply {
    return { ...replies.textStream([]), chunks: [sseEvent(chunk(WHO, { role: 'assistant', content: '' })), ...words.map(w => sseEvent(chunk(WHO, { content: w })))], stall: true }
  },

  /** a stream that keeps sending a chunk every `delayMs` until the client goes away */
  endlessStream (delayMs: number): UpstreamReply {
    async function * forever (): AsyncGenerator<string> {
      for (let i = 0; ; i++) yield sseEvent(chunk(WHO, { content: ` w${i}` }))
    }
    return { contentType: 'text/event-stream', chunks: forever(), delayMs }
  },

  /** some chunks of a stream, then the connection is cut */
  cutStream (words: string[]): UpstreamReply {
    return { ...replies.stalledStream(words), stall: false, cut: true }
  },

  /** some whole chunks, then half of the next one, then the connection is cut */
  cutInsideEvent (words: string[]): UpstreamReply {
    const whole = replies.cutStream(words)
    const next = sseEvent(chunk(WHO, { content: ' never' }))
    return { ...whole, chunks: [...(whole.chunks as string[]), next.slice(0, next.length >> 1)] }
  },

  /** the first half of a JSON answer, then the connection is cut */
  cutAnswer (): UpstreamReply {
    const whole = replies.answer('this answer will not arrive whole').chunks as string[]
    return { chunks: [whole[0].slice(0, 40)], cut: true }
  },

  /** no answer at all, not even headers */
  silent (): UpstreamReply {
    return { chunks: [], silent: true }
  }
}
