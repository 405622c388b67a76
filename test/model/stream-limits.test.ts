import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { waitFor } from '../helpers/wait.js'
import { modelService } from '../../src/model/index.js'
import { ModelTransportError, StreamRefusedError } from '../../src/model/errors.js'
import { httpModelBackend } from '../../src/standalone/http-model-backend.js'
import type { FakeUpstream } from '../helpers/fake-upstream.js'
import type { ModelConfig } from '../../src/config/schema.js'
import type { ModelService } from '../../src/model/index.js'
import type { Libp2p } from '@libp2p/interface'

const body = new TextEncoder().encode(JSON.stringify({ model: 'gpt-held', messages: [{ role: 'user', content: 'hi' }] }))

/**
 * A stream limit is load, not a failure: a new stream the serving node resets while the
 * connection stays up, and this node's own outbound stream limit, both come back as a
 * retryable `busy` refusal (StreamRefusedError), never as a transport failure of the node.
 */
describe('stream limits read as busy, not as a failed node', () => {
  let upstream: FakeUpstream
  let office: Libp2p<{ model: ModelService }>
  let home: Libp2p<{ model: ModelService }>
  let thrifty: Libp2p<{ model: ModelService }>
  const held: AbortController[] = []

  beforeAll(async () => {
    upstream = await startFakeUpstream(() => replies.endlessStream(50))
    const entry = { id: 'gpt-held', upstream: { baseUrl: upstream.baseUrl } } as ModelConfig
    office = await startTestLibp2p({ services: { model: modelService({ nodeId: 'office', models: [{ entry, backend: httpModelBackend(entry) }], concurrency: 50, maxInboundStreams: 2 }) } })
    home = await startTestLibp2p({ listen: false, services: { model: modelService({ nodeId: 'home' }) } })
    thrifty = await startTestLibp2p({ listen: false, services: { model: modelService({ nodeId: 'thrifty', maxOutboundStreams: 1 }) } })
    for (const node of [home, thrifty]) {
      await node.dial(multiaddr(office.getMultiaddrs()[0]))
      await waitFor('the serving node to hold the connection', () => office.getConnections(node.peerId).some(c => c.status === 'open'))
    }
  })

  afterAll(async () => {
    held.forEach(c => { c.abort() })
    await Promise.all([home, thrifty, office].map(async n => { await n?.stop() }))
    await upstream?.close()
  })

  async function hold (from: Libp2p<{ model: ModelService }>): Promise<void> {
    const controller = new AbortController()
    held.push(controller)
    const answer = await from.services.model.chat(office.peerId, 'gpt-held', body, { signal: controller.signal, nodeId: 'office' })
    expect(answer.status).toBe(200)
  }

  it('reads a reset of a new stream on a live connection as busy', async () => {
    await hold(home)
    await hold(home)
    const refused = await home.services.model.chat(office.peerId, 'gpt-held', body, { signal: AbortSignal.timeout(10_000), nodeId: 'office' }).catch(err => err)
    expect(refused).toBeInstanceOf(StreamRefusedError)
    expect(refused).not.toBeInstanceOf(ModelTransportError)
    expect(refused).toMatchObject({ status: 429, code: 'busy', retryable: true, retryAfterSeconds: 1 })
  })

  it('reads its own outbound stream limit as busy', async () => {
    await hold(thrifty)
    const refused = await thrifty.services.model.chat(office.peerId, 'gpt-held', body, { signal: AbortSignal.timeout(10_000), nodeId: 'office' }).catch(err => err)
    expect(refused).toBeInstanceOf(StreamRefusedError)
    expect(refused.message).toMatch(/this node has as many model streams open to node office/)
  })
})
