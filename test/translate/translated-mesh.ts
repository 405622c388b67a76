import OpenAI from 'openai'
import { startMesh } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { ModelConfig } from '../../src/config/schema.js'
import type { TestMesh } from '../helpers/mesh.js'

/**
 * A hub mesh in which node b serves `model` (an entry with a translated upstream) and node a, behind
 * NAT, consumes it with the official `openai` client through the hub's relay.
 */
export async function startTranslatedMesh (model: ModelConfig, token: string): Promise<{ mesh: TestMesh, client: OpenAI }> {
  const mesh = await startMesh({ a: { apiToken: token }, b: { models: [model] } })
  // the serving node loads the library as it starts; a long synchronous stretch while that is
  // still under way would pass the tests' short silent-peer window on a loaded machine
  await import('../../src/standalone/own-llm-runtime.js')
  await waitFor('a to see the model of b', () => mesh.a.peers().find(p => p.nodeId === 'b')?.models?.some(m => m.id === model.id))
  const client = new OpenAI({ baseURL: `http://127.0.0.1:${mesh.a.status().proxyPort}/v1`, apiKey: token, maxRetries: 0 })
  return { mesh, client }
}
