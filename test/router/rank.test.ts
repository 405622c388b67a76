import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { beforeAll, describe, expect, it } from 'vitest'
import { sessionFirst } from '../../src/router/affinity.js'
import { busyness, closestFirst, leastBusyFirst } from '../../src/router/rank.js'
import type { LiveLoad } from '../../src/capabilities/load-report.js'
import type { RouteCandidate } from '../../src/router/router.js'
import type { Scored } from '../../src/router/rank.js'

/** a fixed sequence of draws in [0, 1) */
function draws (...values: number[]): () => number {
  let i = 0
  return () => {
    if (i >= values.length) throw new Error('more draws than the test expected')
    return values[i++]
  }
}

const ids: string[] = []
let peers: Array<RouteCandidate['peerId']> = []

function candidate (nodeId: string, path: 'direct' | 'relayed', latencyMs: number | null, recordLoad = 0): RouteCandidate {
  const peerId = peers[ids.indexOf(nodeId)]
  return {
    peerId,
    nodeId,
    path,
    via: path === 'relayed' ? 'hub' : null,
    latencyMs,
    record: { nodeId, peerId: peerId.toString(), agents: [], models: [], tags: [], toolProxy: false, addrs: [], version: '0', load: recordLoad, seq: 1n, issuedAt: 0 }
  }
}

const scored = (c: RouteCandidate, busy: number): Scored => ({ candidate: c, busy })
const names = (list: RouteCandidate[]): string[] => list.map(c => c.nodeId)

describe('least-busy ranking', () => {
  beforeAll(async () => {
    ids.push('a', 'b', 'c', 'd')
    peers = await Promise.all(ids.map(async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
  })

  it('puts the less busy of the two drawn first, whichever is drawn first', () => {
    const a = scored(candidate('a', 'direct', 1), 0.5)
    const b = scored(candidate('b', 'direct', 1.2), 0.25)
    expect(names(leastBusyFirst([a, b], draws(0, 0)))).toEqual(['b', 'a'])
    expect(names(leastBusyFirst([a, b], draws(0.9, 0)))).toEqual(['b', 'a'])
  })

  it('leaves the pick to the draw between equally busy nodes, so callers do not all pick one', () => {
    const a = scored(candidate('a', 'direct', 1), 0)
    const b = scored(candidate('b', 'direct', 1), 0)
    expect(names(leastBusyFirst([a, b], draws(0, 0)))[0]).toBe('a')
    expect(names(leastBusyFirst([a, b], draws(0.9, 0)))[0]).toBe('b')
  })

  it('weighs a relayed node against a direct one when its path is about as fast', () => {
    const direct = scored(candidate('a', 'direct', 2), 0.75)
    const relayed = scored(candidate('b', 'relayed', 4), 0.125)
    expect(names(leastBusyFirst([direct, relayed], draws(0, 0)))).toEqual(['b', 'a'])
  })

  it('keeps a node far slower to reach out of the pick, behind the close ones', () => {
    const close = scored(candidate('a', 'direct', 2), 0.75)
    const far = scored(candidate('b', 'relayed', 80), 0)
    const alsoClose = scored(candidate('c', 'relayed', 9), 0.5)
    expect(names(leastBusyFirst([far, close, alsoClose], draws(0, 0)))).toEqual(['c', 'a', 'b'])
  })

  it('the band grows with the best latency: 110 ms is as good as 60 ms, 130 ms is not', () => {
    const a = scored(candidate('a', 'direct', 60), 0.5)
    const b = scored(candidate('b', 'relayed', 110), 0)
    const c = scored(candidate('c', 'relayed', 130), 0)
    expect(names(leastBusyFirst([a, c], draws(0, 0)))[0]).toBe('a')
    expect(names(leastBusyFirst([a, b], draws(0, 0)))[0]).toBe('b')
  })

  it('draws only among nodes below their limit; full ones go last, still there for failover', () => {
    const full = scored(candidate('a', 'direct', 1), 1)
    const open = scored(candidate('b', 'direct', 1), 0.9)
    const far = scored(candidate('c', 'relayed', 200), 0.1)
    expect(names(leastBusyFirst([full, open, far], draws(0)))).toEqual(['b', 'c', 'a'])
  })

  it('with every close node full, the least busy of them still goes first', () => {
    const a = scored(candidate('a', 'direct', 1), 1.5)
    const b = scored(candidate('b', 'direct', 1), 1)
    expect(names(leastBusyFirst([a, b], draws(0, 0)))).toEqual(['b', 'a'])
  })

  it('compares two drawn nodes only: the idlest may sit out a draw (power of two choices)', () => {
    const list = [scored(candidate('a', 'direct', 1), 0.5), scored(candidate('b', 'direct', 1), 0.25), scored(candidate('c', 'direct', 1), 0)]
    // draws a (index 0) and b (index 1 of the remaining two): c, the idlest, is not drawn
    expect(names(leastBusyFirst(list, draws(0, 0.4)))).toEqual(['b', 'c', 'a'])
    // draws c and a
    expect(names(leastBusyFirst(list, draws(0.99, 0)))).toEqual(['c', 'b', 'a'])
  })

  it('counts unmeasured paths as close', () => {
    const unmeasured = scored(candidate('a', 'relayed', null), 0)
    const measured = scored(candidate('b', 'direct', 1), 0.5)
    expect(names(leastBusyFirst([measured, unmeasured], draws(0, 0)))[0]).toBe('a')
  })

  it('the former order: direct first, then latency, then the record\'s load', () => {
    const list = [candidate('a', 'relayed', 1), candidate('b', 'direct', 3, 0.5), candidate('c', 'direct', 3, 0.25), candidate('d', 'direct', 2, 1)]
    expect(names(list.sort(closestFirst))).toEqual(['d', 'c', 'b', 'a'])
  })
})

describe('how busy a candidate counts', () => {
  const report = (inFlight: number, limit: number, errorRate = 0): LiveLoad => ({ planes: { model: { inFlight, limit } }, models: new Map(), errorRate })

  it('is the reported in-flight requests against the limit', () => {
    expect(busyness(candidate('a', 'direct', 1), 'model', report(4, 16), 0)).toBe(0.25)
  })

  it('takes this node\'s own requests when they are more than the report says', () => {
    expect(busyness(candidate('a', 'direct', 1), 'model', report(1, 16), 8)).toBe(0.5)
  })

  it('adds the error rate', () => {
    expect(busyness(candidate('a', 'direct', 1), 'model', report(4, 16, 0.5), 0)).toBe(0.75)
  })

  it('without a report, falls back to the record\'s load or its own requests against the default limit', () => {
    expect(busyness(candidate('a', 'direct', 1, 0.5), 'model', undefined, 0)).toBe(0.5)
    expect(busyness(candidate('a', 'direct', 1, 0), 'model', undefined, 4)).toBe(0.5)
    expect(busyness(candidate('a', 'direct', 1, 0), 'handoff', report(4, 16), 2)).toBe(0.5)
  })
})

describe('session affinity', () => {
  it('puts the session\'s node first while it is below its limit', () => {
    const list = [candidate('a', 'direct', 1), candidate('b', 'direct', 1), candidate('c', 'direct', 1)]
    expect(names(sessionFirst(list, peers[2].toString(), () => 0.9))).toEqual(['c', 'a', 'b'])
  })

  it('lets the ranking stand when the session\'s node is at its limit or not a candidate', () => {
    const list = [candidate('a', 'direct', 1), candidate('b', 'direct', 1)]
    expect(names(sessionFirst(list, peers[1].toString(), () => 1))).toEqual(['a', 'b'])
    expect(names(sessionFirst(list, peers[3].toString(), () => 0))).toEqual(['a', 'b'])
  })
})
