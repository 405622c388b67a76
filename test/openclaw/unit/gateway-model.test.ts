import { describe, expect, it } from 'vitest'
import { gatewayModel } from '../../../src/openclaw/host/gateway-model.js'
import { recordRefusal } from '../../../src/translate/refusal-event.js'
import type { NativeAnswer } from '../../../src/translate/native-call.js'

describe('the model a gateway serves for <provider>/<model>', () => {
  it('takes a built-in provider\'s API and public endpoint when nothing else describes it', () => {
    const model = gatewayModel({}, [], 'anthropic', 'claude-sonnet-4-5')
    expect(model).toMatchObject({ id: 'claude-sonnet-4-5', provider: 'anthropic', api: 'anthropic-messages', baseUrl: 'https://api.anthropic.com' })
  })

  it('lets the gateway\'s catalog describe the model, and models.providers override both', () => {
    const catalog = [{ id: 'claude-sonnet-4-5', provider: 'anthropic', api: 'anthropic-messages', contextWindow: 200000, reasoning: true, input: ['text', 'image'] }]
    const listed = gatewayModel({}, catalog, 'anthropic', 'claude-sonnet-4-5')
    expect(listed).toMatchObject({ contextWindow: 200000, reasoning: true, input: ['text', 'image'] })
    const config = { models: { providers: { anthropic: { baseUrl: 'http://127.0.0.1:9', headers: { 'x-team': 'a', secret: { source: 'env' } }, models: [{ id: 'claude-sonnet-4-5', contextWindow: 100000 }] } } } }
    const overridden = gatewayModel(config, catalog, 'anthropic', 'claude-sonnet-4-5')
    expect(overridden).toMatchObject({ baseUrl: 'http://127.0.0.1:9', api: 'anthropic-messages', contextWindow: 100000, reasoning: true })
    // only literal header values: a SecretRef is the gateway's to resolve
    expect(overridden.headers).toEqual({ 'x-team': 'a' })
  })

  it('serves a models.providers entry of any api', () => {
    const config = { models: { providers: { responses: { baseUrl: 'http://127.0.0.1:9/v1', api: 'openai-responses', models: [{ id: 'm', name: 'M', maxTokens: 1000 }] } } } }
    expect(gatewayModel(config, [], 'responses', 'm')).toMatchObject({ api: 'openai-responses', name: 'M', maxTokens: 1000 })
  })

  it('names the provider it cannot describe', () => {
    expect(() => gatewayModel({}, [], 'nowhere', 'm')).toThrow(/no provider "nowhere" serving "m": add models.providers.nowhere/)
  })
})

describe('the native answer read from the gateway\'s error event', () => {
  const failed = (fields: Record<string, unknown>): any => ({ role: 'assistant', content: [], stopReason: 'error', ...fields })

  it('keeps a vendor 429 with its body and retry-after', () => {
    const answer: NativeAnswer = {}
    recordRefusal(answer, failed({ errorCode: '429', errorBody: '{"error":{"type":"rate_limit_error","message":"slow down"}}', errorMessage: '429 {...}; Retry-After: 7 seconds' }))
    expect(answer.status).toBe(429)
    expect(answer.errorBody).toContain('rate_limit_error')
    expect(answer.headers?.get('retry-after')).toBe('7')
  })

  it('takes the body a vendor SDK quotes in its message when the event has none (Google)', () => {
    const answer: NativeAnswer = {}
    recordRefusal(answer, failed({ errorCode: '429', errorMessage: '429: {"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}' }))
    expect(answer.status).toBe(429)
    expect(JSON.parse(answer.errorBody ?? '{}').error.status).toBe('RESOURCE_EXHAUSTED')
  })

  it('makes an API without an adapter a 501 that names it', () => {
    const answer: NativeAnswer = {}
    recordRefusal(answer, failed({ errorMessage: 'No API provider registered for api: bedrock-converse-stream' }))
    expect(answer.status).toBe(501)
    expect(JSON.parse(answer.errorBody ?? '{}').error.message).toContain('"bedrock-converse-stream"')
  })

  it('leaves an answer it already has, and a failure without an HTTP status, alone', () => {
    const seen: NativeAnswer = { status: 200 }
    recordRefusal(seen, failed({ errorCode: '500' }))
    expect(seen.status).toBe(200)
    const unreached: NativeAnswer = {}
    recordRefusal(unreached, failed({ errorMessage: 'fetch failed' }))
    expect(unreached.status).toBeUndefined()
  })
})
