import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import { removeTempDirs, startHubMesh } from '../helpers/mesh.js'
import { API_TOKEN, ModelTestMesh } from './model-mesh.js'
import { startUpstreamServer } from '../../src/demo/upstream-server.js'
import type { FakeUpstream } from '../helpers/fake-upstream.js'
import type { TestHubMesh, TestNode } from '../helpers/mesh.js'

/** The `x-clawmatrix-*` headers of an answer, absent ones as null */
function where (headers: Headers): Record<string, string | null> {
  return Object.fromEntries(['node', 'peer', 'path', 'via', 'attempts'].map(h => [h, headers.get(`x-clawmatrix-${h}`)]))
}

/**
 * Real nodes: "home" asks through its OpenAI proxy. It reaches the listening hub directly and
 * "office" only through the hub's relay. The hub's copy of "shared" has no working upstream.
 */
describe('where a model request went', () => {
  let mesh: TestHubMesh
  let home: TestNode
  let office: TestNode
  let officeUpstream: FakeUpstream
  let hubUpstream: FakeUpstream
  let homeUpstream: FakeUpstream
  let client: OpenAI
  const ask = { messages: [{ role: 'user' as const, content: 'where are you?' }] }

  /** the status `path` and `reachableVia` home shows for `nodeId` */
  const statusOf = (nodeId: string): { path: string, reachableVia: string | null } | undefined => {
    const peer = home.peers().find(p => p.nodeId === nodeId)
    return peer != null ? { path: peer.path, reachableVia: peer.reachableVia } : undefined
  }

  beforeAll(async () => {
    officeUpstream = await startFakeUpstream(() => replies.answer('from office'))
    hubUpstream = await startFakeUpstream(() => replies.answer('from hub'))
    homeUpstream = await startFakeUpstream(() => replies.answer('from home'))
    const closed = await startUpstreamServer(() => replies.answer('never'))
    const deadUrl = closed.baseUrl
    await closed.close()
    mesh = await startHubMesh([
      // "closest": the hub, reached directly, is always asked first, so a failover is certain
      { config: { nodeId: 'home', routing: 'closest', models: [{ id: 'at-home', upstream: { baseUrl: homeUpstream.baseUrl } }] } },
      {
        config: {
          nodeId: 'office',
          models: [
            { id: 'on-office', upstream: { baseUrl: officeUpstream.baseUrl } },
            { id: 'shared', upstream: { baseUrl: officeUpstream.baseUrl } }
          ]
        }
      }
    ], {
      hub: {
        models: [
          { id: 'on-hub', upstream: { baseUrl: hubUpstream.baseUrl } },
          { id: 'shared', upstream: { baseUrl: deadUrl } },
          { id: 'hub-down', upstream: { baseUrl: deadUrl } }
        ]
      }
    })
    ;[home, office] = mesh.members
    client = new OpenAI({ baseURL: `http://127.0.0.1:${home.api.port}/v1`, apiKey: home.tokens.apiToken, maxRetries: 0 })
  }, 60_000)

  afterAll(async () => {
    await mesh?.stop()
    await Promise.all([officeUpstream, hubUpstream, homeUpstream].map(async u => { await u?.close() }))
    await removeTempDirs()
  })

  it('names a node reached directly, as status shows it', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'on-hub', ...ask }).withResponse()
    expect(data.choices[0].message.content).toBe('from hub')
    expect(where(response.headers)).toEqual({ node: 'hub', peer: mesh.hub.peerId, path: 'direct', via: null, attempts: '1' })
    expect(statusOf('hub')).toEqual({ path: 'direct', reachableVia: null })
  })

  it('names a node reached through the relay hub, and the hub as the relay', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'on-office', ...ask }).withResponse()
    expect(data.choices[0].message.content).toBe('from office')
    expect(where(response.headers)).toEqual({ node: 'office', peer: office.peerId, path: 'relayed', via: 'hub', attempts: '1' })
    expect(statusOf('office')).toEqual({ path: 'relayed', reachableVia: 'hub' })
  })

  it('counts a failover, and names the node that answered', async () => {
    // the hub is reached directly, so it is asked first; its upstream is down
    expect(home.router.models('shared').map(c => c.nodeId)).toEqual(['hub', 'office'])
    const { data, response } = await client.chat.completions.create({ model: 'shared', ...ask }).withResponse()
    expect(data.choices[0].message.content).toBe('from office')
    expect(where(response.headers)).toEqual({ node: 'office', peer: office.peerId, path: 'relayed', via: 'hub', attempts: '2' })
  })

  it('says the same on a streamed answer', async () => {
    officeUpstream.reply = () => replies.textStream(['one', ' two'])
    try {
      const { data: stream, response } = await client.chat.completions.create({ model: 'on-office', ...ask, stream: true }).withResponse()
      expect(response.headers.get('content-type')).toContain('text/event-stream')
      expect(where(response.headers)).toEqual({ node: 'office', peer: office.peerId, path: 'relayed', via: 'hub', attempts: '1' })
      let text = ''
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
      expect(text).toBe('one two')
    } finally {
      officeUpstream.reply = () => replies.answer('from office')
    }
  })

  it('names this node itself, path local, when it serves the model', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'at-home', ...ask }).withResponse()
    expect(data.choices[0].message.content).toBe('from home')
    expect(where(response.headers)).toEqual({ node: 'home', peer: home.peerId, path: 'local', via: null, attempts: '1' })
  })

  it('names the serving node on an error it answered', async () => {
    officeUpstream.reply = () => replies.error(400, 'bad temperature', 'invalid_value')
    try {
      const err = await client.chat.completions.create({ model: 'on-office', ...ask }).catch(e => e)
      expect(err).toBeInstanceOf(OpenAI.BadRequestError)
      expect(where(err.headers)).toEqual({ node: 'office', peer: office.peerId, path: 'relayed', via: 'hub', attempts: '1' })
    } finally {
      officeUpstream.reply = () => replies.answer('from office')
    }
  })

  it('names the node tried on a failure of its own, and none before any node was tried', async () => {
    const down = await client.chat.completions.create({ model: 'hub-down', ...ask }).catch(e => e)
    expect(down).toBeInstanceOf(OpenAI.APIError)
    expect(down.status).toBeGreaterThanOrEqual(500)
    expect(where(down.headers)).toEqual({ node: 'hub', peer: mesh.hub.peerId, path: 'direct', via: null, attempts: '1' })

    const unknown = await client.chat.completions.create({ model: 'no-such-model', ...ask }).catch(e => e)
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError)
    expect(where(unknown.headers)).toEqual({ node: null, peer: null, path: null, via: null, attempts: null })
  })
})

describe('where a model request went, from a node with an odd id', () => {
  const mesh = new ModelTestMesh()
  let upstream: FakeUpstream
  let client: OpenAI
  // a record may claim any node id but `/`: this one cannot go into a header as it is
  const oddId = 'büro ☕\n<b>%41'

  beforeAll(async () => {
    upstream = await startFakeUpstream(() => replies.answer('from the odd one'))
    await mesh.start()
    const odd = await mesh.node('odd', { models: [{ id: 'odd-model', upstream: { baseUrl: upstream.baseUrl } }] }, { announceAs: oddId })
    const home = await mesh.node('home')
    await mesh.connect(home, odd)
    client = new OpenAI({ baseURL: await mesh.api(home), apiKey: API_TOKEN, maxRetries: 0 })
  })
  afterAll(async () => {
    await mesh.stop()
    await upstream?.close()
  })

  it('sends the id percent-encoded, so the answer still goes out and the header decodes to the id', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'odd-model', ...ask() }).withResponse()
    expect(data.choices[0].message.content).toBe('from the odd one')
    expect(response.headers.get('x-clawmatrix-node')).toBe(encodeURIComponent(oddId))
    expect(decodeURIComponent(response.headers.get('x-clawmatrix-node') ?? '')).toBe(oddId)
    expect(where(response.headers)).toMatchObject({ path: 'relayed', via: 'hub', attempts: '1' })
  })
})

function ask (): { messages: Array<{ role: 'user', content: string }> } {
  return { messages: [{ role: 'user', content: 'who are you?' }] }
}
