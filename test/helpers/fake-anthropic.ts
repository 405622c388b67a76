import { createServer } from 'node:http'
import { listenOnLoopback, onJsonBody } from './fake-native-server.js'
import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { FakeNativeServer } from './fake-native-server.js'

/**
 * A loopback server speaking the Anthropic Messages API as Anthropic documents it
 * (https://docs.anthropic.com/en/api/messages-streaming, /en/api/errors): POST /v1/messages with
 * `stream: true` answers `message_start`, `content_block_start` / `_delta` (`text_delta`,
 * `thinking_delta`, `signature_delta`, `input_json_delta`) / `_stop`, `message_delta` with the
 * stop reason and usage, `message_stop`; errors are `{ type: "error", error: { type, message } }`
 * with their HTTP status, or an `error` event inside an accepted stream.
 */

export type AnthropicBlock =
  | { type: 'text', pieces: string[] }
  | { type: 'thinking', pieces: string[], signature: string }
  | { type: 'tool_use', id: string, name: string, pieces: string[] }

export type AnthropicReply =
  | { kind: 'message', blocks: AnthropicBlock[], stopReason: 'end_turn' | 'max_tokens' | 'tool_use' | 'stop_sequence', usage: { input: number, output: number, cacheRead?: number } }
  | { kind: 'error', status: number, type: string, message: string, headers?: Record<string, string> }
  /** starts a text answer and then sends nothing more until the client goes away */
  | { kind: 'hang', text: string }
  /** accepts the request (200), sends `text` if any, then an `error` event, as Anthropic does when overloaded mid-stream */
  | { kind: 'stream-error', text?: string, type: string, message: string }

export interface AnthropicRequest {
  headers: IncomingHttpHeaders
  body: Record<string, any>
}

export interface FakeAnthropic extends FakeNativeServer<AnthropicRequest, AnthropicReply> {
  /** answers whose client went away before the answer ended */
  closedEarly: number
}

function event (res: ServerResponse, type: string, data: Record<string, unknown>): void {
  res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`)
}

function messageStart (res: ServerResponse, model: string, input: number, cacheRead: number): void {
  event(res, 'message_start', {
    message: {
      id: 'msg_01FakeAnthropicAnswer',
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: input, output_tokens: 1, cache_read_input_tokens: cacheRead, cache_creation_input_tokens: 0 }
    }
  })
}

function writeBlock (res: ServerResponse, index: number, block: AnthropicBlock): void {
  if (block.type === 'text') {
    event(res, 'content_block_start', { index, content_block: { type: 'text', text: '' } })
    for (const text of block.pieces) event(res, 'content_block_delta', { index, delta: { type: 'text_delta', text } })
  } else if (block.type === 'thinking') {
    event(res, 'content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } })
    for (const thinking of block.pieces) event(res, 'content_block_delta', { index, delta: { type: 'thinking_delta', thinking } })
    event(res, 'content_block_delta', { index, delta: { type: 'signature_delta', signature: block.signature } })
  } else {
    event(res, 'content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } })
    for (const partial of block.pieces) event(res, 'content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: partial } })
  }
  event(res, 'content_block_stop', { index })
}

export async function startFakeAnthropic (): Promise<FakeAnthropic> {
  const fake: FakeAnthropic = {
    baseUrl: '',
    reply: () => ({ kind: 'message', blocks: [{ type: 'text', pieces: ['Hello'] }], stopReason: 'end_turn', usage: { input: 3, output: 1 } }),
    requests: [],
    closedEarly: 0,
    close: async () => {}
  }
  const server = createServer((req, res) => {
    onJsonBody(req, body => {
      res.setHeader('request-id', 'req_fake_01')
      if (req.method !== 'POST' || req.url !== '/v1/messages') {
        res.writeHead(404, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `no route ${String(req.method)} ${String(req.url)}` } }))
        return
      }
      if (body == null) {
        res.writeHead(400, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'body is not JSON' } }))
        return
      }
      const request = { headers: req.headers, body }
      fake.requests.push(request)
      const reply = fake.reply(request)
      if (reply.kind === 'error') {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
        res.end(JSON.stringify({ type: 'error', error: { type: reply.type, message: reply.message } }))
        return
      }
      if (body.stream !== true) {
        res.writeHead(400, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'this fake answers streamed requests only' } }))
        return
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      let ended = false
      res.on('close', () => { if (!ended) fake.closedEarly++ })
      if (reply.kind === 'hang') {
        messageStart(res, body.model, 3, 0)
        event(res, 'content_block_start', { index: 0, content_block: { type: 'text', text: '' } })
        event(res, 'content_block_delta', { index: 0, delta: { type: 'text_delta', text: reply.text } })
        return
      }
      if (reply.kind === 'stream-error') {
        if (reply.text != null) {
          messageStart(res, body.model, 3, 0)
          event(res, 'content_block_start', { index: 0, content_block: { type: 'text', text: '' } })
          event(res, 'content_block_delta', { index: 0, delta: { type: 'text_delta', text: reply.text } })
        }
        event(res, 'error', { error: { type: reply.type, message: reply.message } })
        ended = true
        res.end()
        return
      }
      messageStart(res, body.model, reply.usage.input, reply.usage.cacheRead ?? 0)
      event(res, 'ping', {})
      reply.blocks.forEach((block, index) => { writeBlock(res, index, block) })
      event(res, 'message_delta', { delta: { stop_reason: reply.stopReason, stop_sequence: null }, usage: { output_tokens: reply.usage.output } })
      event(res, 'message_stop', {})
      ended = true
      res.end()
    })
  })
  Object.assign(fake, await listenOnLoopback(server))
  return fake
}
