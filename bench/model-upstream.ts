import { completion, countingStream, usage } from '../src/demo/completions.js'
import type { UpstreamReply } from '../src/demo/upstream-server.js'

export const BENCH_MODEL = 'bench-model'
/** the model the bench serves from an Anthropic Messages upstream, through the translation */
export const BENCH_TRANSLATED_MODEL = 'bench-claude'
/** the path an Anthropic Messages upstream answers on */
export const ANTHROPIC_MESSAGES_ROUTE = '/v1/messages'
/** chunks of a streamed answer unless the request's max_tokens asks for another count */
export const SHORT_STREAM_CHUNKS = 20

const WHO = { id: 'chatcmpl-bench', model: 'upstream-model', created: 1_700_000_000 }

/** The bench upstream: a small JSON answer, or a stream of `max_tokens` one-word chunks */
export function benchReply (body: any): UpstreamReply {
  if (body?.stream === true) return { contentType: 'text/event-stream', chunks: countingStream(WHO, Number(body.max_tokens ?? SHORT_STREAM_CHUNKS)) }
  return { chunks: [JSON.stringify(completion(WHO, { content: 'pong' }, 'stop', usage(8, 1)))] }
}

/** one SSE event; `fields` are the JSON members after `type` */
function anthropicEvent (type: string, fields = ''): string {
  return `event: ${type}\ndata: {"type":"${type}"${fields === '' ? '' : `,${fields}`}}\n\n`
}

/**
 * An Anthropic Messages stream of `count` one-word text deltas ("w0", " w1", ...), as Anthropic
 * documents it: message_start, one text block (content_block_start, text_delta per word,
 * content_block_stop), message_delta with the stop reason and usage, message_stop.
 */
export function * anthropicCountingStream (model: string, count: number): Generator<string> {
  yield anthropicEvent('message_start', `"message":${JSON.stringify({ id: 'msg_bench', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 8, output_tokens: 1 } })}`)
  yield anthropicEvent('content_block_start', '"index":0,"content_block":{"type":"text","text":""}')
  for (let i = 0; i < count; i++) yield anthropicEvent('content_block_delta', `"index":0,"delta":{"type":"text_delta","text":"${i === 0 ? 'w0' : ` w${i}`}"}`)
  yield anthropicEvent('content_block_stop', '"index":0')
  yield anthropicEvent('message_delta', `"delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${count}}`)
  yield anthropicEvent('message_stop')
}

/**
 * The bench's Anthropic Messages upstream: the translation always asks for a stream, so every
 * answer is one, of `max_tokens` words (the bench's small request asks for one).
 */
export function benchAnthropicReply (body: any): UpstreamReply {
  return { contentType: 'text/event-stream', chunks: anthropicCountingStream(String(body?.model), Number(body?.max_tokens ?? 1)) }
}
