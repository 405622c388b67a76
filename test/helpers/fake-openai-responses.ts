import { createServer } from 'node:http'
import { listenOnLoopback, onJsonBody } from './fake-native-server.js'
import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { FakeNativeServer } from './fake-native-server.js'

/**
 * A loopback server speaking the OpenAI Responses API as OpenAI documents it
 * (https://platform.openai.com/docs/api-reference/responses-streaming): POST /v1/responses with
 * `stream: true` answers `response.created`, `response.in_progress`, per output item
 * `response.output_item.added` / `.done` with its parts (`response.content_part.*` and
 * `response.output_text.delta` / `.done`; `response.reasoning_summary_*`;
 * `response.function_call_arguments.delta` / `.done`), then `response.completed` (or
 * `response.incomplete`) with usage; each event numbered by `sequence_number`. Errors are
 * `{ error: { message, type, param, code } }` with their HTTP status.
 */

export type ResponsesItem =
  | { type: 'message', pieces: string[] }
  | { type: 'reasoning', pieces: string[] }
  | { type: 'function_call', callId: string, name: string, pieces: string[] }

export type ResponsesReply =
  | { kind: 'response', items: ResponsesItem[], usage: { input: number, output: number, cached?: number }, incomplete?: boolean }
  | { kind: 'error', status: number, type: string, code: string | null, message: string, headers?: Record<string, string> }
  | { kind: 'hang', text: string }

export interface ResponsesRequest {
  headers: IncomingHttpHeaders
  body: Record<string, any>
}

export interface FakeResponses extends FakeNativeServer<ResponsesRequest, ResponsesReply> {
  /** answers whose client went away before the answer ended */
  closedEarly: number
}

class EventWriter {
  private sequence = 0
  constructor (private readonly res: ServerResponse) {}
  write (type: string, data: Record<string, unknown>): void {
    this.res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.sequence++, ...data })}\n\n`)
  }
}

function baseResponse (model: string, status: string): Record<string, any> {
  return { id: 'resp_fake_01', object: 'response', created_at: 1_700_000_000, status, model, output: [], error: null, incomplete_details: null, usage: null, parallel_tool_calls: true, tool_choice: 'auto', tools: [], text: { format: { type: 'text' } } }
}

function writeItem (events: EventWriter, outputIndex: number, item: ResponsesItem): Record<string, unknown> {
  const itemId = `${item.type === 'message' ? 'msg' : item.type === 'reasoning' ? 'rs' : 'fc'}_fake_${outputIndex}`
  const whole = item.pieces.join('')
  if (item.type === 'message') {
    const part = { type: 'output_text', text: '', annotations: [] }
    events.write('response.output_item.added', { output_index: outputIndex, item: { type: 'message', id: itemId, status: 'in_progress', role: 'assistant', content: [] } })
    events.write('response.content_part.added', { item_id: itemId, output_index: outputIndex, content_index: 0, part })
    for (const delta of item.pieces) events.write('response.output_text.delta', { item_id: itemId, output_index: outputIndex, content_index: 0, delta, logprobs: [] })
    events.write('response.output_text.done', { item_id: itemId, output_index: outputIndex, content_index: 0, text: whole, logprobs: [] })
    const done = { ...part, text: whole }
    events.write('response.content_part.done', { item_id: itemId, output_index: outputIndex, content_index: 0, part: done })
    const finished = { type: 'message', id: itemId, status: 'completed', role: 'assistant', content: [done] }
    events.write('response.output_item.done', { output_index: outputIndex, item: finished })
    return finished
  }
  if (item.type === 'reasoning') {
    events.write('response.output_item.added', { output_index: outputIndex, item: { type: 'reasoning', id: itemId, summary: [] } })
    events.write('response.reasoning_summary_part.added', { item_id: itemId, output_index: outputIndex, summary_index: 0, part: { type: 'summary_text', text: '' } })
    for (const delta of item.pieces) events.write('response.reasoning_summary_text.delta', { item_id: itemId, output_index: outputIndex, summary_index: 0, delta })
    events.write('response.reasoning_summary_text.done', { item_id: itemId, output_index: outputIndex, summary_index: 0, text: whole })
    events.write('response.reasoning_summary_part.done', { item_id: itemId, output_index: outputIndex, summary_index: 0, part: { type: 'summary_text', text: whole } })
    const finished = { type: 'reasoning', id: itemId, summary: [{ type: 'summary_text', text: whole }] }
    events.write('response.output_item.done', { output_index: outputIndex, item: finished })
    return finished
  }
  events.write('response.output_item.added', { output_index: outputIndex, item: { type: 'function_call', id: itemId, call_id: item.callId, name: item.name, arguments: '', status: 'in_progress' } })
  for (const delta of item.pieces) events.write('response.function_call_arguments.delta', { item_id: itemId, output_index: outputIndex, delta })
  events.write('response.function_call_arguments.done', { item_id: itemId, output_index: outputIndex, arguments: whole })
  const finished = { type: 'function_call', id: itemId, call_id: item.callId, name: item.name, arguments: whole, status: 'completed' }
  events.write('response.output_item.done', { output_index: outputIndex, item: finished })
  return finished
}

export async function startFakeResponses (): Promise<FakeResponses> {
  const fake: FakeResponses = {
    baseUrl: '',
    reply: () => ({ kind: 'response', items: [{ type: 'message', pieces: ['Hello'] }], usage: { input: 3, output: 1 } }),
    requests: [],
    closedEarly: 0,
    close: async () => {}
  }
  const server = createServer((req, res) => {
    onJsonBody(req, body => {
      res.setHeader('x-request-id', 'req_fake_responses')
      const fail = (status: number, type: string, code: string | null, message: string, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers })
        res.end(JSON.stringify({ error: { message, type, param: null, code } }))
      }
      if (req.method !== 'POST' || req.url !== '/v1/responses') { fail(404, 'invalid_request_error', 'not_found', `no route ${String(req.method)} ${String(req.url)}`); return }
      if (body == null) {
        fail(400, 'invalid_request_error', null, 'body is not JSON')
        return
      }
      const request = { headers: req.headers, body }
      fake.requests.push(request)
      const reply = fake.reply(request)
      if (reply.kind === 'error') { fail(reply.status, reply.type, reply.code, reply.message, reply.headers); return }
      if (body.stream !== true) { fail(400, 'invalid_request_error', null, 'this fake answers streamed requests only'); return }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      let ended = false
      res.on('close', () => { if (!ended) fake.closedEarly++ })
      const events = new EventWriter(res)
      events.write('response.created', { response: baseResponse(body.model, 'in_progress') })
      events.write('response.in_progress', { response: baseResponse(body.model, 'in_progress') })
      if (reply.kind === 'hang') {
        events.write('response.output_item.added', { output_index: 0, item: { type: 'message', id: 'msg_hang', status: 'in_progress', role: 'assistant', content: [] } })
        events.write('response.content_part.added', { item_id: 'msg_hang', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } })
        events.write('response.output_text.delta', { item_id: 'msg_hang', output_index: 0, content_index: 0, delta: reply.text, logprobs: [] })
        return
      }
      const output = reply.items.map((item, index) => writeItem(events, index, item))
      const { input, output: out, cached = 0 } = reply.usage
      const usage = { input_tokens: input, input_tokens_details: { cached_tokens: cached }, output_tokens: out, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + out }
      if (reply.incomplete === true) {
        events.write('response.incomplete', { response: { ...baseResponse(body.model, 'incomplete'), output, usage, incomplete_details: { reason: 'max_output_tokens' } } })
      } else {
        events.write('response.completed', { response: { ...baseResponse(body.model, 'completed'), output, usage } })
      }
      ended = true
      res.end()
    })
  })
  Object.assign(fake, await listenOnLoopback(server, '/v1'))
  return fake
}
