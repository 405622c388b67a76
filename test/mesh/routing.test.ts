import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NoRouteError, Router } from '../../src/router/router.js'
import { removeTempDirs, startMesh } from '../helpers/mesh.js'
import type { TestMesh } from '../helpers/mesh.js'
import type { RouterInit } from '../../src/router/router.js'

describe('router', () => {
  let mesh: TestMesh

  beforeAll(async () => {
    mesh = await startMesh({
      hub: { tags: ['public'], agents: [{ id: 'worker', tags: ['batch'] }] },
      a: { tags: ['home'] },
      b: { tags: ['office', 'gpu'], agents: [{ id: 'coder', tags: ['coding'] }, { id: 'worker', tags: ['batch'] }] }
    })
  })
  afterAll(async () => {
    await mesh?.stop()
    await removeTempDirs()
  })

  /** a router of a's own, so counts and draws of one test stay out of the others */
  const routerOfA = (init: Partial<RouterInit> = {}): Router =>
    new Router({ libp2p: mesh.a.libp2p, records: () => mesh.a.capabilities.entries(), pinned: new Map(), ...init })

  it('with routing "closest", ranks a direct peer before a relayed one', () => {
    const candidates = routerOfA({ ranking: 'closest' }).agents('worker')
    expect(candidates.map(c => [c.nodeId, c.path])).toEqual([['hub', 'direct'], ['b', 'relayed']])
  })

  it('ranks a relayed peer about as close as a direct one first when the direct one is busier', () => {
    const router = routerOfA({ random: () => 0 })
    const end = [router.begin('handoff', mesh.hub.libp2p.peerId), router.begin('handoff', mesh.hub.libp2p.peerId)]
    expect(router.agents('worker').map(c => [c.nodeId, c.path])).toEqual([['b', 'relayed'], ['hub', 'direct']])
    end.forEach(e => { e() })
    router.begin('handoff', mesh.b.libp2p.peerId)
    expect(router.agents('worker').map(c => [c.nodeId, c.path])).toEqual([['hub', 'direct'], ['b', 'relayed']])
  })

  it('resolves tags: to agents with that tag, then to agents of nodes with that tag', () => {
    expect(mesh.a.router.agents('tags:coding').map(c => [c.nodeId, c.agent])).toEqual([['b', 'coder']])
    expect(mesh.a.router.agents('tags:gpu').map(c => [c.nodeId, c.agent])).toEqual([['b', 'coder']])
  })

  it('falls back from an agent target to a node id, running its first agent', () => {
    expect(mesh.a.router.agents('b').map(c => [c.nodeId, c.agent])).toEqual([['b', 'coder']])
    expect(mesh.a.router.agents(mesh.b.peerId).map(c => c.nodeId)).toEqual(['b'])
  })

  it('resolves nodes by id, peer ID and node tag', () => {
    expect(mesh.a.router.nodes('hub').map(c => c.nodeId)).toEqual(['hub'])
    expect(mesh.a.router.nodes(mesh.hub.peerId).map(c => c.nodeId)).toEqual(['hub'])
    expect(mesh.a.router.nodes('tags:office').map(c => c.nodeId)).toEqual(['b'])
  })

  it('says why nothing matches and lists what is on offer', () => {
    let caught: unknown
    try {
      mesh.a.router.agents('designer')
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(NoRouteError)
    const err = caught as NoRouteError
    expect(err.code).toBe('unknown_target')
    expect(err.offers).toEqual(expect.arrayContaining(['coder', 'worker', 'tags:coding', 'tags:gpu', 'hub', 'b']))
    expect(err.message).toMatch(/no agent, tag or node matches "designer"; on offer: /)
    expect(() => mesh.a.router.nodes('tags:nothing')).toThrow(/no node matches "tags:nothing"/)
  })

  it('leaves out a peer that just failed, for a short while', () => {
    const [first] = mesh.a.router.agents('worker')
    mesh.a.router.markFailed(first.peerId)
    expect(mesh.a.router.agents('worker').map(c => c.nodeId)).toEqual([first.nodeId === 'hub' ? 'b' : 'hub'])
  })
})
