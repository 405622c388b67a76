import OpenAI from 'openai'
import { afterAll, beforeAll } from 'vitest'
import { removeTempDirs, startMesh } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { ModelConfig } from '../../src/config/schema.js'
import type { TestMesh } from '../helpers/mesh.js'

export const WEATHER_TOOL = { type: 'function' as const, function: { name: 'get_weather', description: 'weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }
/** a 1x1 PNG */
export const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

export interface TranslatedMesh<Fake> {
  fake: Fake
  mesh: TestMesh
  /** the official `openai` client on node a's API */
  client: OpenAI
}

/**
 * For the tests of one file: a fake native server, and a hub mesh in which node b serves the
 * model `model(fake)` describes (a translated upstream) while node a, behind NAT, consumes it with
 * the official `openai` client through the hub's relay. Filled in before the tests, stopped after.
 */
export function useTranslatedMesh<Fake extends { baseUrl: string, close: () => Promise<void> }> (startFake: () => Promise<Fake>, model: (fake: Fake) => ModelConfig, token: string): TranslatedMesh<Fake> {
  const context = {} as TranslatedMesh<Fake>
  beforeAll(async () => {
    context.fake = await startFake()
    const entry = model(context.fake)
    // these tests are about translation, not liveness: the first call to a vendor loads its SDK in
    // a long synchronous stretch, which on a loaded machine outlasts the tests' short silent-peer
    // window and record lifetime (the connection would be closed under the request)
    context.mesh = await startMesh({ a: { apiToken: token }, b: { models: [entry] } }, { timing: { silentAfterMs: 10_000, recordTtlMs: 10_000 } })
    await import('../../src/standalone/own-llm-runtime.js')
    await waitFor('a to see the model of b', () => context.mesh.a.peers().find(p => p.nodeId === 'b')?.models?.some(m => m.id === entry.id))
    context.client = new OpenAI({ baseURL: `http://127.0.0.1:${context.mesh.a.status().proxyPort}/v1`, apiKey: token, maxRetries: 0 })
  }, 60_000)
  afterAll(async () => {
    await context.mesh?.stop()
    await context.fake?.close()
    await removeTempDirs()
  })
  return context
}
