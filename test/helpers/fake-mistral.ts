import { createServer } from 'node:http'
import { listenOnLoopback, onJsonBody } from './fake-native-server.js'
import type { IncomingHttpHeaders } from 'node:http'
import type { FakeNativeServer } from './fake-native-server.js'

/**
 * A loopback server speaking Mistral's chat completions API as Mistral documents it
 * (https://docs.mistral.ai/api/#tag/chat): POST /v1/chat/completions with `stream: true` answers
 * server-sent `chat.completion.chunk`s (content deltas, whole tool calls), the last with its
 * `finish_reason` and `usage`, then `data: [DONE]`. Errors are `{ object: "error", message,
 * type, code }` with their HTTP status.
 */

export type MistralChunk =
  | { content: string }
  | { toolCall: { id: string, name: string, arguments: string } }

export type MistralReply =
  | { kind: 'response', chunks: MistralChunk[], finishReason: 'stop' | 'length' | 'tool_calls', usage: { prompt: number, completion: number } }
  | { kind: 'error', status: number, type: string, message: string, headers?: Record<string, string> }

export interface MistralRequest {
  headers: IncomingHttpHeaders
  body: Record<string, any>
}

export type FakeMistral = FakeNativeServer<MistralRequest, MistralReply>

function chunk (model: string, delta: Record<string, unknown>, finish: string | null, usage?: Record<string, number>): string {
  return `data: ${JSON.stringify({ id: 'fake-mistral-01', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finish }], ...(usage != null ? { usage } : {}) })}\n\n`
}

export async function startFakeMistral (): Promise<FakeMistral> {
  const fake: FakeMistral = {
    baseUrl: '',
    reply: () => ({ kind: 'response', chunks: [{ content: 'Hello' }], finishReason: 'stop', usage: { prompt: 3, completion: 1 } }),
    requests: [],
    close: async () => {}
  }
  const server = createServer((req, res) => {
    onJsonBody(req, body => {
      const fail = (status: number, type: string, message: string, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers })
        res.end(JSON.stringify({ object: 'error', message, type, param: null, code: String(status) }))
      }
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') { fail(404, 'not_found', `no route ${String(req.method)} ${String(req.url)}`); return }
      if (body == null) {
        fail(400, 'invalid_request_error', 'body is not JSON')
        return
      }
      fake.requests.push({ headers: req.headers, body })
      const reply = fake.reply({ headers: req.headers, body })
      if (reply.kind === 'error') { fail(reply.status, reply.type, reply.message, reply.headers); return }
      if (body.stream !== true) { fail(400, 'invalid_request_error', 'this fake answers streamed requests only'); return }
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      const model = String(body.model)
      res.write(chunk(model, { role: 'assistant', content: '' }, null))
      let toolIndex = 0
      for (const piece of reply.chunks) {
        if ('content' in piece) res.write(chunk(model, { content: piece.content }, null))
        else res.write(chunk(model, { tool_calls: [{ id: piece.toolCall.id, type: 'function', index: toolIndex++, function: { name: piece.toolCall.name, arguments: piece.toolCall.arguments } }] }, null))
      }
      const { prompt, completion } = reply.usage
      res.write(chunk(model, { content: '' }, reply.finishReason, { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }))
      res.end('data: [DONE]\n\n')
    })
  })
  Object.assign(fake, await listenOnLoopback(server))
  return fake
}
