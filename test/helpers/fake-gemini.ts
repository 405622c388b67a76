import { createServer } from 'node:http'
import { listenOnLoopback, onJsonBody } from './fake-native-server.js'
import type { IncomingHttpHeaders } from 'node:http'
import type { FakeNativeServer } from './fake-native-server.js'

/**
 * A loopback server speaking the Gemini API as Google documents it
 * (https://ai.google.dev/api/generate-content): POST /v1beta/models/<model>:streamGenerateContent?alt=sse
 * answers server-sent events, each a GenerateContentResponse (`candidates[0].content.parts`: text,
 * thought text with `thought: true`, whole `functionCall`s), the last with `finishReason` and
 * `usageMetadata`; `:generateContent` answers one such response. Errors are
 * `{ error: { code, message, status } }` with their HTTP status.
 */

export type GeminiPart =
  | { text: string, thought?: boolean }
  | { functionCall: { name: string, args: Record<string, unknown> } }

export type GeminiReply =
  | { kind: 'response', chunks: GeminiPart[][], finishReason: 'STOP' | 'MAX_TOKENS' | 'SAFETY', usage: { prompt: number, candidates: number, cached?: number, thoughts?: number } }
  | { kind: 'error', status: number, code: string, message: string, headers?: Record<string, string> }

export interface GeminiRequest {
  /** the model named in the path */
  model: string
  stream: boolean
  headers: IncomingHttpHeaders
  body: Record<string, any>
}

export type FakeGemini = FakeNativeServer<GeminiRequest, GeminiReply>

const ROUTE = /^\/v1beta\/models\/([^/:]+):(streamGenerateContent|generateContent)(\?.*)?$/

function usageMetadata (usage: Extract<GeminiReply, { kind: 'response' }>['usage']): Record<string, number> {
  return {
    promptTokenCount: usage.prompt,
    candidatesTokenCount: usage.candidates,
    totalTokenCount: usage.prompt + usage.candidates + (usage.thoughts ?? 0),
    ...(usage.cached != null ? { cachedContentTokenCount: usage.cached } : {}),
    ...(usage.thoughts != null ? { thoughtsTokenCount: usage.thoughts } : {})
  }
}

function response (model: string, parts: GeminiPart[], last?: Extract<GeminiReply, { kind: 'response' }>): Record<string, unknown> {
  return {
    candidates: [{ content: { role: 'model', parts }, index: 0, ...(last != null ? { finishReason: last.finishReason } : {}) }],
    ...(last != null ? { usageMetadata: usageMetadata(last.usage) } : {}),
    modelVersion: model,
    responseId: 'fake-gemini-response-01'
  }
}

export async function startFakeGemini (): Promise<FakeGemini> {
  const fake: FakeGemini = {
    baseUrl: '',
    reply: () => ({ kind: 'response', chunks: [[{ text: 'Hello' }]], finishReason: 'STOP', usage: { prompt: 3, candidates: 1 } }),
    requests: [],
    close: async () => {}
  }
  const server = createServer((req, res) => {
    onJsonBody(req, body => {
      const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers })
        res.end(JSON.stringify({ error: { code: status, message, status: code } }))
      }
      const route = ROUTE.exec(req.url ?? '')
      if (req.method !== 'POST' || route == null) { fail(404, 'NOT_FOUND', `no route ${String(req.method)} ${String(req.url)}`); return }
      if (body == null) {
        fail(400, 'INVALID_ARGUMENT', 'body is not JSON')
        return
      }
      const request: GeminiRequest = { model: decodeURIComponent(route[1]), stream: route[2] === 'streamGenerateContent', headers: req.headers, body }
      fake.requests.push(request)
      const reply = fake.reply(request)
      if (reply.kind === 'error') { fail(reply.status, reply.code, reply.message, reply.headers); return }
      if (!request.stream) {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(response(request.model, reply.chunks.flat(), reply)))
        return
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      reply.chunks.forEach((chunk, i) => {
        res.write(`data: ${JSON.stringify(response(request.model, chunk, i === reply.chunks.length - 1 ? reply : undefined))}\r\n\r\n`)
      })
      res.end()
    })
  })
  Object.assign(fake, await listenOnLoopback(server, '/v1beta'))
  return fake
}
