import { describe, expect, it } from 'vitest'
import { errorResponse } from '../../src/host/json-response.js'
import { HttpError } from '../../src/http/respond.js'
import {
  AnswerInterruptedError, InvalidChatRequestError, ModelNotAllowedError, ModelNotFoundError, ModelRemoteError, ModelTimeoutError,
  ModelTransportError, NoReachableNodeError, RequestTooLargeError, StreamRefusedError, UpstreamHttpError, serverError
} from '../../src/model/errors.js'
import { translatedError } from '../../src/translate/native-error.js'
import { translateChat } from '../../src/translate/translate-chat.js'
import type { ModelResponse } from '../../src/host/ports.js'
import type { ServerErrorCode } from '../../src/model/errors.js'
import type { NativeModel } from '../../src/translate/native-call.js'

/**
 * The exact bytes of every OpenAI-shaped error body the node sends, whichever site makes it:
 * clients and tests compare them, so a refactor of how they are made must not move a byte.
 */

async function bodyText (response: ModelResponse): Promise<string> {
  const chunks: Uint8Array[] = []
  for await (const chunk of response.body) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

describe('error bodies', () => {
  it('HttpError: the type of every status a route answers with (a 403 is invalid_request_error)', () => {
    const types: Array<[number, string]> = [
      [400, 'invalid_request_error'], [401, 'authentication_error'], [403, 'invalid_request_error'], [404, 'not_found_error'],
      [405, 'invalid_request_error'], [408, 'invalid_request_error'], [409, 'invalid_request_error'], [413, 'invalid_request_error'],
      [429, 'rate_limit_error'], [499, 'invalid_request_error'], [500, 'server_error'], [502, 'server_error'], [503, 'server_error'],
      [504, 'server_error']
    ]
    for (const [status, type] of types) {
      expect([status, JSON.stringify(new HttpError(status, 'some_code', 'what happened').body())])
        .toEqual([status, `{"error":{"message":"what happened","type":"${type}","code":"some_code"}}`])
    }
    const explicit = new HttpError(429, 'busy', 'node x is busy', 'rate_limit_error', { 'retry-after': '1' })
    expect(JSON.stringify(explicit.body())).toBe('{"error":{"message":"node x is busy","type":"rate_limit_error","code":"busy"}}')
    expect(explicit.headers).toEqual({ 'retry-after': '1' })
    expect(explicit).toMatchObject({ name: 'HttpError', status: 429, code: 'busy', retryable: false })
  })

  it('the model plane: every refusal a serving node sends, and every error of the calling side', () => {
    const served: Array<[ServerErrorCode, number, string]> = [
      ['model_not_found', 404, 'not_found_error'], ['model_unavailable', 503, 'server_error'], ['not_allowed', 403, 'permission_error'],
      ['busy', 429, 'rate_limit_error'], ['request_too_large', 413, 'invalid_request_error'], ['invalid_request', 400, 'invalid_request_error'],
      ['request_timeout', 408, 'invalid_request_error'], ['upstream_unreachable', 502, 'server_error'], ['upstream_timeout', 504, 'server_error'],
      ['upstream_failed', 502, 'server_error'], ['cancelled', 499, 'invalid_request_error'], ['internal_error', 500, 'server_error']
    ]
    for (const [code, status, type] of served) {
      const err = serverError(code, 'm')
      expect([code, err.status, JSON.stringify(err.body()), err.frame()])
        .toEqual([code, status, `{"error":{"message":"m","type":"${type}","code":"${code}"}}`, { status, type, code, message: 'm' }])
    }
    const caller: Array<[Error & { body: () => unknown, status: number }, string]> = [
      [new ModelNotFoundError('m'), '{"error":{"message":"m","type":"not_found_error","code":"model_not_found"}}'],
      [new ModelNotAllowedError('m'), '{"error":{"message":"m","type":"permission_error","code":"not_allowed"}}'],
      [new NoReachableNodeError('m'), '{"error":{"message":"m","type":"server_error","code":"no_reachable_node"}}'],
      [new InvalidChatRequestError('m'), '{"error":{"message":"m","type":"invalid_request_error","code":"invalid_request"}}'],
      [new RequestTooLargeError(10, 5), '{"error":{"message":"request body of 10 bytes is over the limit of 5 bytes","type":"invalid_request_error","code":"request_too_large"}}'],
      [new AnswerInterruptedError('m'), '{"error":{"message":"m","type":"server_error","code":"answer_interrupted"}}'],
      [new ModelTimeoutError('m'), '{"error":{"message":"m","type":"server_error","code":"timeout"}}'],
      [new ModelTransportError('m', 'n'), '{"error":{"message":"m","type":"server_error","code":"node_unreachable"}}'],
      [new StreamRefusedError('m', 'n'), '{"error":{"message":"m","type":"rate_limit_error","code":"busy"}}'],
      [new ModelRemoteError({ status: 700, type: '', code: '', message: 'm' }, 'n'), '{"error":{"message":"m","type":"server_error","code":"remote_error"}}'],
      [new ModelRemoteError({ status: 403, type: 'custom', code: 'not_allowed', message: 'm' }, 'n'), '{"error":{"message":"m","type":"custom","code":"not_allowed"}}'],
      [new UpstreamHttpError(418, '{"error":{"message":"teapot","type":"t","code":"k"}}'), '{"error":{"message":"teapot","type":"t","code":"k"}}'],
      [new UpstreamHttpError(401, 'no'), '{"error":{"message":"upstream answered 401: no","type":"authentication_error","code":"upstream_error"}}']
    ]
    for (const [err, body] of caller) expect([err.name, JSON.stringify(err.body())]).toEqual([err.name, body])
  })

  it('a backend\'s own refusal', async () => {
    expect(await bodyText(errorResponse(503, 'model_unavailable', 'm'))).toBe('{"error":{"message":"m","type":"server_error","code":"model_unavailable"}}')
    for (const status of [400, 401, 403, 404, 429]) {
      expect(await bodyText(errorResponse(status, 'c', 'm'))).toBe('{"error":{"message":"m","type":"invalid_request_error","code":"c"}}')
    }
  })

  it('the translation: an upstream error and a request it cannot carry, with param before code', async () => {
    const upstream = translatedError({ status: 400, errorBody: '{"type":"error","error":{"type":"invalid_request_error","message":"bad tool"}}' }, {} as any)
    expect(upstream.status).toBe(400)
    expect(JSON.stringify(upstream.body)).toBe('{"error":{"message":"bad tool","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}')
    const overloaded = translatedError({ status: 529, errorBody: '{"type":"error","error":{"type":"overloaded_error","message":"busy"}}' }, {} as any)
    expect([overloaded.status, JSON.stringify(overloaded.body)]).toEqual([503, '{"error":{"message":"busy","type":"overloaded_error","param":null,"code":"overloaded_error"}}'])

    const native: NativeModel = { api: 'anthropic-messages', provider: 'anthropic', model: 'm', allowImageUrls: false, start: async () => { throw new Error('not called') } }
    const refused = await translateChat(native, new TextEncoder().encode('[1]'), AbortSignal.timeout(5_000))
    expect(refused.status).toBe(400)
    expect(await bodyText(refused)).toBe('{"error":{"message":"request body must be a JSON object","type":"invalid_request_error","param":"body","code":"invalid_request"}}')
  })
})
