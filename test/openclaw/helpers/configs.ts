import type { Gateway } from './gateway.js'

/** A `models.providers` entry with one model, as openclaw.json takes it */
export function providerEntry (init: { baseUrl: string, apiKey: string, api: string, model: string, name?: string }): Record<string, unknown> {
  return {
    baseUrl: init.baseUrl,
    apiKey: init.apiKey,
    api: init.api,
    models: [{
      id: init.model,
      name: init.name ?? init.model,
      reasoning: false,
      input: ['text'],
      cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      contextWindow: 128000,
      maxTokens: 4096
    }]
  }
}

/** a provider on alpha whose api the gateway's model layer has no adapter for: sharing its model must be refused, naming the api */
export const UNSERVABLE_API = 'bedrock-converse-stream'
export const UNSERVABLE_PROVIDER = providerEntry({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'unused', api: UNSERVABLE_API, model: 'unservable-model' })

/** a provider the user wrote on beta, under the id the plugin would use for unpinned remote models */
export const USERS_OWN_PROVIDER = providerEntry({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'users-own-key', api: 'openai-completions', model: 'users-model' })

/** openclaw.json for a loopback gateway with token auth, the chat endpoint on and its own log file */
export function gatewayConfig (gateway: Gateway, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    gateway: {
      mode: 'local',
      port: gateway.port,
      bind: 'loopback',
      auth: { mode: 'token', token: gateway.token },
      http: { endpoints: { chatCompletions: { enabled: true } } }
    },
    logging: { file: gateway.logFile },
    ...extra
  }
}
