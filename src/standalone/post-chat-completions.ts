import type { ModelResponse } from '../host/ports.js'
import type { Dispatcher } from 'undici'

type Undici = typeof import('undici')

/**
 * undici and its keep-alive connections to upstreams, shared by every backend of the process,
 * loaded on the first upstream call: a node that serves no model never pays for it. undici's own
 * header and body timeouts are off: the serving node's idle deadline (`modelTimeout`) aborts a
 * silent upstream through the request's signal, whatever its length.
 */
let upstreams: Promise<{ undici: Undici, agent: Dispatcher }> | undefined

async function loadUpstreams (): Promise<{ undici: Undici, agent: Dispatcher }> {
  upstreams ??= import('undici').then(undici => ({ undici, agent: new undici.Agent({ headersTimeout: 0, bodyTimeout: 0 }) }))
  return await upstreams
}

function flatHeaders (headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value != null) flat[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return flat
}

/** Where a model's requests go: an OpenAI-compatible `/v1` base URL, its key, extra headers */
export interface ChatUpstream {
  baseUrl: string
  apiKey?: string
  headers?: Record<string, string>
}

/**
 * POST a chat completion body to `<baseUrl>/chat/completions` and hand back the answer as it
 * arrives. undici's `request` rather than `fetch`: no WHATWG stream and object layers, which cost
 * a serving node more than the rest of a small request.
 */
export async function postChatCompletions (upstream: ChatUpstream, body: Uint8Array, signal: AbortSignal): Promise<ModelResponse> {
  const { undici, agent } = await loadUpstreams()
  const headers: Record<string, string> = { ...upstream.headers, 'content-type': 'application/json' }
  if (upstream.apiKey != null && upstream.apiKey !== '') headers.authorization = `Bearer ${upstream.apiKey}`
  const url = `${upstream.baseUrl.replace(/\/+$/, '')}/chat/completions`
  const response = await undici.request(url, { method: 'POST', headers, body, signal, dispatcher: agent })
  return { status: response.statusCode, headers: flatHeaders(response.headers), body: response.body }
}
