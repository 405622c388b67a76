import { chatThroughMesh } from './chat-through-mesh.js'
import { collectBody } from './collect-body.js'
import { MAX_BUFFERED_ANSWER_BYTES } from './constants.js'
import { ModelPlaneError, UpstreamHttpError } from './errors.js'
import { sseData } from './sse-data.js'
import type { MeshContext } from '../mesh/context.js'

/** A chat-completions answer or stream chunk as the upstream sent it, parsed */
export type ChatCompletion = Record<string, any>
export type ChatCompletionChunk = Record<string, any>

export interface ChatOptions {
  signal?: AbortSignal
}

function parseJson (text: string, what: string): Record<string, any> {
  try {
    return JSON.parse(text)
  } catch (err: any) {
    throw new ModelPlaneError(502, 'invalid_answer', `${what} from the upstream is not valid JSON: ${String(err.message)}`)
  }
}

async function * chunks (body: AsyncIterable<Uint8Array>): AsyncGenerator<ChatCompletionChunk> {
  for await (const data of sseData(body)) {
    if (data === '[DONE]') return
    const chunk = parseJson(data, 'a stream chunk')
    if (chunk.error != null) throw new UpstreamHttpError(502, data)
    yield chunk
  }
}

/**
 * One chat completion through the mesh, for library users: the parsed answer, or for
 * `stream: true` an async iterator of the parsed chunks. Failures throw `ModelPlaneError`s
 * (an upstream HTTP error as `UpstreamHttpError` with its status).
 */
export async function chat (ctx: MeshContext, request: Record<string, unknown> & { stream: true }, options?: ChatOptions): Promise<AsyncIterable<ChatCompletionChunk>>
export async function chat (ctx: MeshContext, request: Record<string, unknown>, options?: ChatOptions): Promise<ChatCompletion>
export async function chat (ctx: MeshContext, request: Record<string, unknown>, options: ChatOptions = {}): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> {
  const response = await chatThroughMesh(ctx, request, { signal: options.signal ?? new AbortController().signal })
  if (response.status >= 400) {
    const text = (await collectBody(response.body, MAX_BUFFERED_ANSWER_BYTES)).toString('utf8')
    throw new UpstreamHttpError(response.status, text)
  }
  if (request.stream === true) return chunks(response.body)
  return parseJson((await collectBody(response.body, MAX_BUFFERED_ANSWER_BYTES)).toString('utf8'), 'the answer')
}
