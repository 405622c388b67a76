import { describe, expect, it } from 'vitest'
import { configSchema } from '../../../src/config/schema.js'
import { proxyProviders } from '../../../src/openclaw/providers/proxy-providers.js'

const endpoint = { baseUrl: 'http://127.0.0.1:19001/v1', apiKey: 'node-api-token' }

function proxyModels (entries: unknown[]): any[] {
  return configSchema.parse({ proxyModels: entries }).proxyModels
}

describe('proxyProviders', () => {
  it('makes one provider per pinned node and "clawmatrix" for unpinned entries, all pointing at the local proxy', () => {
    const providers = proxyProviders(proxyModels([
      { id: 'claude', nodeId: 'office' },
      { id: 'llama', nodeId: 'office', contextWindow: 8192, reasoning: true },
      { id: 'gpt', nodeId: 'cloud-01' },
      { id: 'any-model' }
    ]), endpoint)
    expect(Object.keys(providers).sort()).toEqual(['clawmatrix', 'cloud-01', 'office'])
    for (const provider of Object.values(providers)) {
      expect(provider).toMatchObject({ baseUrl: endpoint.baseUrl, apiKey: endpoint.apiKey, api: 'openai-completions' })
    }
    expect((providers.office.models as any[]).map(m => m.id)).toEqual(['claude', 'llama'])
    expect((providers.clawmatrix.models as any[]).map(m => m.id)).toEqual(['any-model'])
  })

  it('fills the seed\'s model defaults and keeps the entry\'s own values', () => {
    const providers = proxyProviders(proxyModels([
      { id: 'plain', nodeId: 'office' },
      { id: 'big', nodeId: 'office', description: 'Big model', contextWindow: 200000, maxTokens: 8192, input: ['text', 'image'] }
    ]), endpoint)
    const [plain, big] = providers.office.models as any[]
    expect(plain).toEqual({
      id: 'plain',
      name: 'plain',
      reasoning: false,
      input: ['text'],
      cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      contextWindow: 128000,
      maxTokens: 4096
    })
    expect(big).toMatchObject({ name: 'Big model', contextWindow: 200000, maxTokens: 8192, input: ['text', 'image'] })
  })

  it('lists a model id once per provider', () => {
    const providers = proxyProviders(proxyModels([{ id: 'm', nodeId: 'a' }, { id: 'm', nodeId: 'a', description: 'again' }]), endpoint)
    expect(providers.a.models).toHaveLength(1)
  })

  it('writes nothing when no remote model is consumed', () => {
    expect(proxyProviders([], endpoint)).toEqual({})
  })
})
