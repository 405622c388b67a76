import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { WHO } from '../helpers/fake-upstream.js'
import { removeTempDirs, startNode } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import { completion, usage } from '../../src/demo/completions.js'
import { startUpstreamServer } from '../../src/demo/upstream-server.js'
import type { TestNode } from '../helpers/mesh.js'
import type { UpstreamServer } from '../../src/demo/upstream-server.js'

/**
 * Many requests at once to one serving node, through a consumer node's OpenAI endpoint: below
 * `modelConcurrency` every one is answered; above it the rest get 429 `busy` at once (never 503),
 * and the serving node is never taken for a failed one.
 */

/** An upstream that holds every answer until `release()`; `arrived` counts the requests it holds */
interface HeldUpstream extends UpstreamServer {
  arrived: number
  release(): void
}

async function startHeldUpstream (content: string): Promise<HeldUpstream> {
  const gate = Promise.withResolvers<void>()
  const body = JSON.stringify(completion(WHO, { content }, 'stop', usage(3, 1)))
  const held: HeldUpstream = Object.assign(await startUpstreamServer(() => {
    held.arrived++
    return { chunks: (async function * () { await gate.promise; yield body })() }
  }), { arrived: 0, release: () => { gate.resolve() } })
  return held
}

interface Outcome { status: number, code?: string, message?: string, retryAfter: string | null, node: string | null }

async function ask (consumer: TestNode, model: string): Promise<Outcome> {
  const res = await fetch(`http://127.0.0.1:${consumer.api.port}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${consumer.tokens.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] })
  })
  const body = await res.json() as any
  return { status: res.status, code: body?.error?.code, message: body?.error?.message, retryAfter: res.headers.get('retry-after'), node: res.headers.get('x-clawmatrix-node') }
}

function countBy (outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const o of outcomes) {
    const key = o.status === 200 ? '200' : `${o.status} ${o.code ?? ''}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

/**
 * Production-like liveness timing: hundreds of requests at once on a shared machine stall the event
 * loop for longer than the tests' usual 1.2 s silence limit, which would close connections
 */
const LOADED_TIMING = { announceIntervalMs: 1000, recordTtlMs: 15_000, pingIntervalMs: 1000, silentAfterMs: 10_000 }

function cooling (consumer: TestNode, nodeId: string): boolean | undefined {
  return consumer.router.view().find(v => v.entry.record.nodeId === nodeId)?.coolingDown
}

describe('overload on one serving node', () => {
  const started: Array<{ stop: () => Promise<unknown> }> = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map(async s => { await s.stop() }))
  })
  afterAll(async () => { await removeTempDirs() })

  async function servingNode (nodeId: string, upstream: UpstreamServer, modelConcurrency: number): Promise<TestNode> {
    const node = await startNode({ nodeId, listen: true, modelConcurrency, models: [{ id: 'gpt-load', upstream: { baseUrl: upstream.baseUrl } }] }, { timing: LOADED_TIMING })
    started.push(node)
    return node
  }

  async function consumerOf (nodeId: string, servers: TestNode[]): Promise<TestNode> {
    const node = await startNode({ nodeId, peers: servers.map(s => ({ nodeId: s.nodeId, url: s.dialAddr })) }, { timing: LOADED_TIMING })
    started.push(node)
    await waitFor(`${nodeId} to route gpt-load to ${servers.map(s => s.nodeId).join(', ')}`, () => {
      try {
        return node.router.models('gpt-load').length === servers.length
      } catch {
        return false
      }
    }, 20_000)
    return node
  }

  async function heldUpstream (content: string): Promise<HeldUpstream> {
    const upstream = await startHeldUpstream(content)
    started.push({ stop: async () => { upstream.release(); await upstream.close() } })
    return upstream
  }

  it('answers 220 concurrent requests when modelConcurrency allows them all', async () => {
    const upstream = await heldUpstream('all of them')
    const office = await servingNode('office', upstream, 400)
    const home = await consumerOf('home', [office])
    const all = Array.from({ length: 220 }, async () => await ask(home, 'gpt-load'))
    const settled: Outcome[] = []
    for (const p of all) void p.then(o => { settled.push(o) })
    await waitFor('every request held by the upstream or answered', () => upstream.arrived + settled.length === 220, 60_000)
    upstream.release()
    const outcomes = await Promise.all(all)
    console.log('220 concurrent, modelConcurrency 400:', countBy(outcomes))
    expect(countBy(outcomes)).toEqual({ 200: 220 })
  })

  it('answers 500 concurrent requests against modelConcurrency 8 with 200 or 429 busy, never 503, and keeps the node healthy', async () => {
    const upstream = await heldUpstream('one of eight')
    const office = await servingNode('office', upstream, 8)
    // two consumers (the local API takes 256 connections at most), 250 requests each
    const [home, lab] = [await consumerOf('home', [office]), await consumerOf('lab', [office])]
    const pending = [home, lab].flatMap(consumer => Array.from({ length: 250 }, async () => await ask(consumer, 'gpt-load')))
    const settled: Outcome[] = []
    for (const p of pending) void p.then(o => { settled.push(o) })
    await waitFor('every request beyond the held ones to be answered', () => settled.length === 500 - upstream.arrived && upstream.arrived > 0, 120_000)
    upstream.release()
    const outcomes = await Promise.all(pending)
    const counts = countBy(outcomes)
    console.log('500 concurrent, modelConcurrency 8:', counts, outcomes.find(o => o.status !== 200 && o.code !== 'busy')?.message ?? '')
    expect(counts).toEqual({ 200: 8, '429 busy': 492 })
    expect(outcomes.filter(o => o.status === 429).every(o => o.retryAfter != null && Number(o.retryAfter) >= 1)).toBe(true)
    // never taken for a failed node: healthy in the router, and the next request is served at once
    expect(cooling(home, 'office')).toBe(false)
    expect(cooling(lab, 'office')).toBe(false)
    expect(home.peers().find(p => p.nodeId === 'office')?.path).toBe('direct')
    const started = Date.now()
    expect(await ask(home, 'gpt-load')).toMatchObject({ status: 200, node: 'office' })
    console.log('next request after the burst answered in %d ms', Date.now() - started)
  })

  it('sends the requests a busy node refuses to another node serving the model', async () => {
    const officeUpstream = await heldUpstream('from office')
    const labUpstream = await heldUpstream('from lab')
    const office = await servingNode('office', officeUpstream, 4)
    const lab = await servingNode('lab', labUpstream, 200)
    const home = await consumerOf('home', [office, lab])
    const pending = Array.from({ length: 100 }, async () => await ask(home, 'gpt-load'))
    await waitFor('100 requests held by the two upstreams', () => officeUpstream.arrived + labUpstream.arrived === 100, 60_000)
    officeUpstream.release()
    labUpstream.release()
    const outcomes = await Promise.all(pending)
    const byNode = { office: outcomes.filter(o => o.node === 'office').length, lab: outcomes.filter(o => o.node === 'lab').length }
    console.log('100 concurrent over office (modelConcurrency 4) and lab:', countBy(outcomes), byNode)
    expect(countBy(outcomes)).toEqual({ 200: 100 })
    expect(byNode.office).toBeLessThanOrEqual(4)
    expect(byNode.lab).toBeGreaterThanOrEqual(96)
    expect(cooling(home, 'office')).toBe(false)
    expect(cooling(home, 'lab')).toBe(false)
  })
})
