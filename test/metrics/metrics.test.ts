import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import { removeTempDirs, startHubMesh, startNode } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import { agentCommand } from '../handoff/fixtures.js'
import { families, histogramCount, samples, scrape, total } from './scrape.js'
import type { FakeUpstream } from '../helpers/fake-upstream.js'
import type { TestHubMesh, TestNode } from '../helpers/mesh.js'

/**
 * Real nodes through a hub: "client" sends model requests (official openai client), a handoff
 * and a tool call to "server", which reaches it only through the hub's relay. Each node's
 * GET /metrics is scraped before and after, and parsed as Prometheus text.
 */
describe('GET /metrics after real traffic', () => {
  let upstream: FakeUpstream
  let failing: FakeUpstream
  let mesh: TestHubMesh
  let client: TestNode
  let server: TestNode

  const scraped = async (node: TestNode): Promise<string> => {
    const res = await scrape(node.api.port, node.tokens.apiToken)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    return await res.text()
  }

  beforeAll(async () => {
    upstream = await startFakeUpstream(() => replies.answer('metered answer'))
    failing = await startFakeUpstream(() => replies.error(503, 'overloaded', 'overloaded', 'server_error'))
    mesh = await startHubMesh([
      { config: { nodeId: 'client', proxyModels: [{ id: 'gpt-m', nodeId: 'server' }] } },
      {
        config: {
          nodeId: 'server',
          models: [{ id: 'gpt-m', upstream: { baseUrl: upstream.baseUrl } }, { id: 'gpt-f', upstream: { baseUrl: failing.baseUrl } }],
          agents: [{ id: 'coder', command: agentCommand('echo', '--', '{task}') }],
          toolProxy: { enabled: true, allow: ['exec'] }
        }
      },
      { config: { nodeId: 'flaky', models: [{ id: 'gpt-f', upstream: { baseUrl: failing.baseUrl } }] } }
    ])
    ;[client, server] = mesh.members
  })

  afterAll(async () => {
    await mesh?.stop()
    await Promise.all([upstream, failing].map(async u => { await u?.close() }))
    await removeTempDirs()
  })

  it('counts model requests, their latency and tokens, with libp2p\'s own series in the same text', async () => {
    const before = samples(await scraped(client))
    const openai = new OpenAI({ baseURL: `http://127.0.0.1:${client.api.port}/v1`, apiKey: client.tokens.apiToken, maxRetries: 0 })
    for (let i = 0; i < 3; i++) {
      const answer = await openai.chat.completions.create({ model: 'gpt-m', messages: [{ role: 'user', content: `hello ${i}` }] })
      expect(answer.choices[0].message.content).toBe('metered answer')
    }
    await expect(openai.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow()

    const text = await scraped(client)
    const after = samples(text)
    const sent = { model: 'gpt-m', node: 'other', path: 'relayed', status: '200' }
    expect(total(after, 'clawmatrix_model_requests_total', sent) - total(before, 'clawmatrix_model_requests_total', sent)).toBe(3)
    expect(histogramCount(text, 'clawmatrix_model_ttfb_seconds', { model: 'gpt-m', path: 'relayed' })).toBe(3)
    expect(histogramCount(text, 'clawmatrix_model_duration_seconds', { model: 'gpt-m', path: 'relayed' })).toBe(3)
    // libp2p's own metrics, from @libp2p/prometheus-metrics, in the node's registry
    // (a libp2p metric group names its label after itself)
    expect(total(after, 'libp2p_connection_manager_connections', { libp2p_connection_manager_connections: 'outbound' })).toBeGreaterThan(0)
    expect(total(after, 'libp2p_protocol_streams_total')).toBeGreaterThan(0)
    expect(after.some(s => s.name === 'libp2p_data_transfer_bytes_total' && s.labels.protocol?.startsWith('/clawmatrix/model/') === true)).toBe(true)
    expect(families(text).find(f => f.name === 'clawmatrix_model_ttfb_seconds')?.type).toBe('HISTOGRAM')

    // the serving node: its own model's tokens (the fake upstream reports 9 in, 3 out per answer)
    const served = samples(await scraped(server))
    expect(total(served, 'clawmatrix_model_tokens_total', { model: 'gpt-m', direction: 'in' })).toBe(27)
    expect(total(served, 'clawmatrix_model_tokens_total', { model: 'gpt-m', direction: 'out' })).toBe(9)
    expect(total(served, 'clawmatrix_peers', { state: 'relayed' })).toBeGreaterThanOrEqual(1)
    expect(total(served, 'clawmatrix_records_accepted_total')).toBeGreaterThan(0)

    // the hub: the relay reservations it granted and the relayed traffic it carried
    const relayed = samples(await scraped(mesh.hub))
    expect(total(relayed, 'libp2p_circuit_relay_server_reservations_total')).toBe(mesh.members.length)
    expect(total(relayed, 'libp2p_data_transfer_bytes_total', { protocol: '/libp2p/circuit/relay/0.2.0/hop received' })).toBeGreaterThan(0)
  })

  it('counts a failover when a node\'s upstream fails and the next one is tried', async () => {
    await waitFor('client to route gpt-f to both nodes', () => {
      try {
        return client.router.models('gpt-f').length === 2
      } catch {
        return false
      }
    })
    const before = samples(await scraped(client))
    const openai = new OpenAI({ baseURL: `http://127.0.0.1:${client.api.port}/v1`, apiKey: client.tokens.apiToken, maxRetries: 0 })
    await expect(openai.chat.completions.create({ model: 'gpt-f', messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(/overloaded/)
    const after = samples(await scraped(client))
    const diff = (name: string, labels: Record<string, string>): number => total(after, name, labels) - total(before, name, labels)
    expect(diff('clawmatrix_failovers_total', { plane: 'model' })).toBe(1)
    expect(diff('clawmatrix_model_requests_total', { model: 'other', status: '503' })).toBe(2)
  })

  it('labels a request the node answers itself with its own node id and path local', async () => {
    const openai = new OpenAI({ baseURL: `http://127.0.0.1:${server.api.port}/v1`, apiKey: server.tokens.apiToken, maxRetries: 0 })
    await openai.chat.completions.create({ model: 'gpt-m', messages: [{ role: 'user', content: 'local' }] })
    const text = await scraped(server)
    expect(total(samples(text), 'clawmatrix_model_requests_total', { model: 'gpt-m', node: 'server', path: 'local', status: '200' })).toBe(1)
    expect(histogramCount(text, 'clawmatrix_model_ttfb_seconds', { model: 'gpt-m', path: 'local' })).toBe(1)
  })

  it('counts a handoff and a tool call by target, outcome and duration', async () => {
    const events = []
    for await (const event of client.handoff('coder', 'metered task')) events.push(event)
    expect(events.at(-1)).toMatchObject({ type: 'result', result: { success: true } })
    const result = await client.invokeTool('server', 'exec', { command: 'echo metered' })
    expect(result.ok).toBe(true)
    await expect(client.handoff('nobody-here', 'task').next()).rejects.toThrow()

    const text = await scraped(client)
    const after = samples(text)
    expect(total(after, 'clawmatrix_handoffs_total', { target: 'other', outcome: 'ok' })).toBe(1)
    expect(total(after, 'clawmatrix_handoffs_total', { target: 'none', outcome: 'unknown_target' })).toBe(1)
    expect(histogramCount(text, 'clawmatrix_handoff_duration_seconds', { target: 'other', outcome: 'ok' })).toBe(1)
    expect(total(after, 'clawmatrix_tool_calls_total', { target: 'other', outcome: 'ok' })).toBe(1)
    expect(histogramCount(text, 'clawmatrix_tool_call_duration_seconds', { target: 'other', outcome: 'ok' })).toBe(1)
  })

  it('refuses a scrape without the api token', async () => {
    expect((await scrape(client.api.port)).status).toBe(401)
    expect((await scrape(client.api.port, 'wrong-token')).status).toBe(401)
  })
})

describe('metricsPublic', () => {
  afterAll(async () => { await removeTempDirs() })

  it('serves /metrics without a token when set', async () => {
    const node = await startNode({ nodeId: 'open', metricsPublic: true })
    try {
      const res = await scrape(node.api.port)
      expect(res.status).toBe(200)
      expect(samples(await res.text()).some(s => s.name === 'clawmatrix_peers')).toBe(true)
      // the rest of the API keeps its token
      expect((await fetch(`http://127.0.0.1:${node.api.port}/clawmatrix/status`)).status).toBe(401)
    } finally {
      await node.stop()
    }
  })
})
