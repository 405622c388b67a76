import { openAIErrorBody } from '../errors/openai-error.js'
import type { ModelResponse } from './ports.js'

const JSON_HEADERS = { 'content-type': 'application/json' }

async function * once (bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}

/** A whole JSON answer, as a backend gives it */
export function jsonResponse (status: number, body: unknown, headers: Record<string, string> = JSON_HEADERS): ModelResponse {
  return { status, headers, body: once(new TextEncoder().encode(JSON.stringify(body))) }
}

/** A backend's own refusal, OpenAI-shaped: `{ error: { message, type, code } }` */
export function errorResponse (status: number, code: string, message: string): ModelResponse {
  return jsonResponse(status, openAIErrorBody(status, code, message, { type: status >= 500 ? 'server_error' : 'invalid_request_error' }))
}
