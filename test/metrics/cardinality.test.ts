import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/config/errors.js'
import { resolveConfig } from '../../src/config/resolve.js'
import { metricsLabelsFromConfig, nodeMetrics } from '../../src/metrics/index.js'
import { BoundedLabels } from '../../src/metrics/labels.js'
import { samples } from './scrape.js'
import type { PeerStatus } from '../../src/node/status.js'

const FAKE_RECORDS = 10_000
const MEMBER = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const MAX_SERIES = 2000

/** every sample line of an exposition: each is one series */
function seriesCount (text: string): number {
  return text.split('\n').filter(line => line !== '' && !line.startsWith('#')).length
}

describe('metric labels', () => {
  const config = resolveConfig({
    nodeId: 'self',
    dataDir: '/tmp/unused',
    models: [{ id: 'own-model' }],
    proxyModels: [{ id: 'pinned-model', nodeId: 'pinned' }],
    peers: [{ nodeId: 'pinned', url: '/ip4/127.0.0.1/tcp/19000/ws' }],
    members: [MEMBER]
  })

  it(`stay under ${MAX_SERIES} series after ${FAKE_RECORDS} records of distinct nodes and models`, async () => {
    const metrics = nodeMetrics(metricsLabelsFromConfig(config))
    const peers: PeerStatus[] = []
    const tokens: Array<{ model: string, prompt: number, completion: number }> = []
    const states = ['direct', 'relayed', 'unreachable'] as const
    for (let i = 0; i < FAKE_RECORDS; i++) {
      const nodeId = `node-${i}`
      const peerId = `12D3KooWFake${i}`
      const model = `model-${i}`
      metrics.recordAccepted(nodeId, peerId)
      const attempt = metrics.modelAttempt(model, nodeId, peerId, i % 2 === 0 ? 'direct' : 'relayed')
      attempt.answered(200 + (i % 3))
      attempt.ended()
      metrics.modelAttempt(model, nodeId, peerId, 'relayed').failed(`code-${i % 5}`)
      metrics.handoffEnded(nodeId, peerId, 'ok', performance.now())
      metrics.toolCallEnded(nodeId, peerId, 'ok', performance.now())
      peers.push({ nodeId, peerId, path: states[i % 3] } as unknown as PeerStatus)
      tokens.push({ model, prompt: 1, completion: 1 })
    }
    metrics.setSources({ rejectedRecords: () => ({ malformed: 3, signature: 1 }), tokenTotals: () => tokens, peers: () => peers })
    const text = await metrics.text()
    const all = samples(text)
    expect(seriesCount(text)).toBeLessThan(MAX_SERIES)
    // what could not be named is counted, under `other`
    expect(all.filter(s => s.name === 'clawmatrix_model_requests_total').reduce((n, s) => n + s.value, 0)).toBe(2 * FAKE_RECORDS)
    expect(all.find(s => s.name === 'clawmatrix_records_accepted_total' && s.labels.node === 'other')?.value).toBe(FAKE_RECORDS)
    expect(all.find(s => s.name === 'clawmatrix_model_tokens_total' && s.labels.model === 'other' && s.labels.direction === 'in')?.value).toBe(FAKE_RECORDS)
    expect(all.find(s => s.name === 'clawmatrix_peers' && s.labels.state === 'direct')?.value).toBe(Math.ceil(FAKE_RECORDS / 3))
    expect(all.find(s => s.name === 'clawmatrix_records_rejected_total' && s.labels.reason === 'malformed')?.value).toBe(3)
  })

  it('name this node, its pinned nodes and members, its own and proxyModels models; nothing else', () => {
    const labels = new BoundedLabels(metricsLabelsFromConfig(config))
    expect(labels.node('self')).toBe('self')
    expect(labels.node('pinned')).toBe('pinned')
    expect(labels.node('member-node', MEMBER)).toBe('member-node')
    expect(labels.node('stranger', '12D3KooWStranger')).toBe('other')
    expect(labels.model('own-model')).toBe('own-model')
    expect(labels.model('pinned-model')).toBe('pinned-model')
    expect(labels.model('announced-by-someone')).toBe('other')
  })
})

describe('metricsPublic config', () => {
  it('is refused together with proxyAllowRemote, saying why', () => {
    const refused = (): unknown => resolveConfig({ nodeId: 'x', dataDir: '/tmp/unused', metricsPublic: true, proxyAllowRemote: true, proxyHost: '0.0.0.0' })
    expect(refused).toThrow(ConfigError)
    expect(refused).toThrow(/metricsPublic: cannot be true with proxyAllowRemote: true, as it would show the mesh's metrics without a token/)
  })

  it('is accepted on its own, and off by default', () => {
    expect(resolveConfig({ nodeId: 'x', dataDir: '/tmp/unused', metricsPublic: true }).metricsPublic).toBe(true)
    expect(resolveConfig({ nodeId: 'x', dataDir: '/tmp/unused' }).metricsPublic).toBe(false)
  })
})
