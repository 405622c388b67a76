import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startModelNode } from './model-mesh.js'
import { replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import { waitFor } from '../helpers/wait.js'
import { MODEL_PROTOCOL } from '../../src/model/constants.js'
import type { ModelNode } from './model-mesh.js'
import type { FakeUpstream } from '../helpers/fake-upstream.js'
import type { Stream } from '@libp2p/interface'

const CHUNKS = 50_000
/** enough that the socket and HTTP buffers cannot take it all */
const LONG_CHUNKS = 200_000

/** Long answers on one direct connection, read as fast as they come or not at all for a while */
describe('long answers', () => {
  let upstream: FakeUpstream
  let home: ModelNode
  let office: ModelNode
  let expected: number
  const body = JSON.stringify({ model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'go' }] })

  const modelStreams = (from: ModelNode, to: ModelNode): Stream[] =>
    from.libp2p.getConnections(to.libp2p.peerId).flatMap(c => c.streams).filter(s => s.protocol === MODEL_PROTOCOL && s.status === 'open')

  beforeAll(async () => {
    upstream = await startFakeUpstream(request => replies.longStream(request.body.max_tokens ?? CHUNKS))
    office = await startModelNode('office', { models: [{ id: 'gpt-test', upstream: { baseUrl: upstream.baseUrl } }] }, true)
    home = await startModelNode('home', {}, true)
    await home.libp2p.dial(office.libp2p.getMultiaddrs()[0])
    await waitFor('home to route to office', () => home.router.view().some(v => v.entry.record.nodeId === 'office' && v.reach.path === 'direct'))
    const straight = await fetch(`${upstream.baseUrl}/chat/completions`, { method: 'POST', body })
    expected = (await straight.arrayBuffer()).byteLength
  })

  afterAll(async () => {
    await Promise.all([home, office].map(async n => { await n?.stop() }))
    await upstream.close()
  })

  it('delivers several at once whole, each read as fast as it comes', async () => {
    const answer = async (): Promise<number> => {
      const response = await home.model.chat(office.libp2p.peerId, 'gpt-test', new TextEncoder().encode(body), { signal: AbortSignal.timeout(60_000), nodeId: 'office' })
      let bytes = 0
      for await (const chunk of response.body) bytes += chunk.byteLength
      return bytes
    }
    for (let round = 0; round < 2; round++) {
      expect(await Promise.all([answer(), answer(), answer(), answer()])).toEqual([expected, expected, expected, expected])
    }
  })

  it('holds a fast answer for a reader that stops reading, until it reads again', async () => {
    const longBody = JSON.stringify({ ...JSON.parse(body), max_tokens: LONG_CHUNKS })
    const whole = (await (await fetch(`${upstream.baseUrl}/chat/completions`, { method: 'POST', body: longBody })).arrayBuffer()).byteLength
    const response = await home.model.chat(office.libp2p.peerId, 'gpt-test', new TextEncoder().encode(longBody), { signal: AbortSignal.timeout(60_000), nodeId: 'office' })
    const chunks = response.body[Symbol.asyncIterator]()
    let bytes = 0
    // read the first quarter quickly, so the muxer grows its window, then stop
    while (bytes < whole / 4) bytes += (await chunks.next()).value?.byteLength ?? 0
    await waitFor('home to pause the stream', () => modelStreams(home, office).some(s => s.readStatus === 'paused'), 20_000)
    // everything the sender may have in flight lands in the paused stream: past the libp2p default
    // of 4 MiB when the window has grown beyond it, else until the sender is held back
    await waitFor('the paused stream to fill up', () =>
      modelStreams(home, office).some(s => s.readBufferLength > 4 * 1024 * 1024) || modelStreams(office, home).some(s => s.writableNeedsDrain), 20_000)
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) bytes += next.value.byteLength
    expect(bytes).toBe(whole)
  })
})
