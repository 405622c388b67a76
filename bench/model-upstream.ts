import { completion, countingStream, usage } from '../src/demo/completions.js'
import type { UpstreamReply } from '../src/demo/upstream-server.js'

export const BENCH_MODEL = 'bench-model'
/** chunks of a streamed answer unless the request's max_tokens asks for another count */
export const SHORT_STREAM_CHUNKS = 20

const WHO = { id: 'chatcmpl-bench', model: 'upstream-model', created: 1_700_000_000 }

/** The bench upstream: a small JSON answer, or a stream of `max_tokens` one-word chunks */
export function benchReply (body: any): UpstreamReply {
  if (body?.stream === true) return { contentType: 'text/event-stream', chunks: countingStream(WHO, Number(body.max_tokens ?? SHORT_STREAM_CHUNKS)) }
  return { chunks: [JSON.stringify(completion(WHO, { content: 'pong' }, 'stop', usage(8, 1)))] }
}
