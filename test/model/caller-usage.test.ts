import { describe, expect, it } from 'vitest'
import { CallerUsageTable } from '../../src/model/usage.js'
import { SecretScrub, secretScrubber } from '../../src/model/secret-scrub.js'
import { modelPeersWarnings, servedModels } from '../../src/model/from-config.js'
import { httpModelBackend } from '../../src/standalone/http-model-backend.js'

const PEER = '12D3KooWRawPbxPtP1eZaJpumGnyWX2DcUyd3RQnydr3eAto4Az7'
const OTHER = '12D3KooWKtBfVMGKmJRCkNqCrqhaKs6ooqHfL3N5yq57fwEftQBe'

describe('usage per caller', () => {
  it('keeps at most its bound of callers per model, dropping the least recently seen', () => {
    const table = new CallerUsageTable(['m'], 3)
    for (const peer of ['p1', 'p2', 'p3']) table.count('m', { peer }, 'ok', { prompt: 1, completion: 1, total: 2, cached: 0 }, 1)
    table.count('m', { peer: 'p1', nodeId: 'one' }, 'ok', undefined, 2)
    table.count('m', { peer: 'p4' }, 'denied', undefined, 3)
    const [model] = table.snapshot()
    expect(model.callers.map(c => c.peerId)).toEqual(['p4', 'p1', 'p3'])
    expect(model.evicted).toBe(1)
    expect(model.callers[1]).toMatchObject({ nodeId: 'one', requests: { ok: 2 }, tokens: { prompt: 1, total: 2 }, unmetered: 1, lastAt: 2 })
    expect(model.callers[0].requests.denied).toBe(1)
  })

  it('keeps no table for a model the node does not serve', () => {
    const table = new CallerUsageTable(['m'])
    table.count('made-up', { peer: 'p1' }, 'refused')
    expect(table.snapshot()).toEqual([{ model: 'm', callers: [], evicted: 0 }])
  })
})

describe('models[].peers', () => {
  const peers = [{ nodeId: 'home', url: `/ip4/127.0.0.1/tcp/1/ws/p2p/${PEER}` }, { nodeId: 'lab', url: 'ws://127.0.0.1:2' }]

  it('lets in peer IDs and node ids pinned by peers[], nobody else; absent or empty lets in every member', () => {
    const [byNode, byPeer, unpinned, open, empty] = servedModels([
      { id: 'a', peers: ['home'] },
      { id: 'b', peers: [OTHER] },
      { id: 'c', peers: ['lab'] },
      { id: 'd' },
      { id: 'e', peers: [] }
    ], httpModelBackend, peers)
    expect([...byNode.callers ?? []]).toEqual([PEER])
    expect([...byPeer.callers ?? []]).toEqual([OTHER])
    expect([...unpinned.callers ?? ['?']]).toEqual([])
    expect(open.callers).toBeUndefined()
    expect(empty.callers).toBeUndefined()
    expect(modelPeersWarnings([{ id: 'c', peers: ['lab'] }], peers)).toEqual([expect.stringContaining('"lab" is neither a peer ID nor a node id pinned')])
  })
})

describe('secret scrubbing', () => {
  it('cuts the key, its Bearer form and header values out, and leaves short values alone', () => {
    const scrub = secretScrubber({ id: 'm', upstream: { api: 'openai-completions', baseUrl: 'http://x/v1', apiKey: 'sk-0123456789', headers: { authorization: 'Bearer tok-abcdefgh', 'x-short': 'json' }, allowImageUrls: false } })
    expect(scrub('key sk-0123456789, header Bearer tok-abcdefgh, bare tok-abcdefgh, json')).toBe('key [redacted], header [redacted], bare [redacted], json')
  })

  it('leaves bytes without a secret as they are, byte for byte', () => {
    const scrub = new SecretScrub({ id: 'm', upstream: { api: 'openai-completions', baseUrl: 'http://x/v1', apiKey: 'sk-0123456789', allowImageUrls: false } })
    const clean = new Uint8Array([0xff, 0xfe, 0x7b, 0x7d])
    expect(scrub.bytes(clean)).toBe(clean)
    expect(Buffer.from(scrub.bytes(Buffer.from('{"k":"sk-0123456789"}'))).toString()).toBe('{"k":"[redacted]"}')
    expect(new SecretScrub({ id: 'm' }).empty).toBe(true)
  })
})
