import { describe, expect, it } from 'vitest'
import { LOAD_TTL_MS } from '../../src/capabilities/load-constants.js'
import { changedEnough, decodeLoad, encodeLoad, IDLE_LOAD } from '../../src/capabilities/load-report.js'
import { RecentOutcomes } from '../../src/model/recent-outcomes.js'
import { AffinityTable } from '../../src/router/affinity.js'
import { LoadTable } from '../../src/router/load-table.js'
import { SentHere } from '../../src/router/sent-here.js'
import { LoadReport } from '../../protocols/load.js'
import type { LiveLoad } from '../../src/capabilities/load-report.js'

function clock (): { now: () => number, advance: (ms: number) => void } {
  let t = 1_000_000
  return { now: () => t, advance: ms => { t += ms } }
}

const model = (inFlight: number, limit = 8, errorRate = 0): LiveLoad => ({ planes: { model: { inFlight, limit } }, models: new Map(inFlight > 0 ? [['gpt', inFlight]] : []), errorRate })

describe('load table', () => {
  it('keeps the newest report per sender and forgets it after the TTL', () => {
    const c = clock()
    const table = new LoadTable({ now: c.now })
    expect(table.accept('p1', 5n, model(1))).toBe(true)
    expect(table.accept('p1', 5n, model(2))).toBe(false)
    expect(table.accept('p1', 4n, model(3))).toBe(false)
    expect(table.get('p1')?.planes.model?.inFlight).toBe(1)
    c.advance(LOAD_TTL_MS - 1)
    expect(table.get('p1')).toBeDefined()
    c.advance(1)
    expect(table.get('p1')).toBeUndefined()
    // an old report cannot come back after expiry either
    expect(table.accept('p1', 5n, model(4))).toBe(false)
  })

  it('holds at most its bound of senders, dropping the one heard from longest ago', () => {
    const table = new LoadTable({ maxEntries: 2 })
    table.accept('p1', 1n, model(1))
    table.accept('p2', 1n, model(1))
    table.accept('p1', 2n, model(2))
    table.accept('p3', 1n, model(1))
    expect(table.size).toBe(2)
    expect(table.get('p2')).toBeUndefined()
    expect(table.get('p1')).toBeDefined()
    expect(table.get('p3')).toBeDefined()
  })
})

describe('load report', () => {
  it('round-trips planes, models and the error rate', () => {
    const load: LiveLoad = { planes: { model: { inFlight: 3, limit: 8 }, handoff: { inFlight: 0, limit: 4 } }, models: new Map([['gpt', 2], ['qwen', 1]]), errorRate: 0.125 }
    const back = decodeLoad(encodeLoad(load, 42n))
    expect(back.seq).toBe(42n)
    expect(back.load).toEqual(load)
  })

  it('skips planes it does not know, for later senders', () => {
    const bytes = LoadReport.encode({ seq: 1n, planes: [{ plane: 'vision', inFlight: 1, limit: 2 }, { plane: 'tool', inFlight: 1, limit: 16 }], models: [], errorPermille: 0 })
    expect(decodeLoad(bytes).load.planes).toEqual({ tool: { inFlight: 1, limit: 16 } })
  })

  it('refuses reports past their limits, naming what is wrong', () => {
    const manyPlanes = LoadReport.encode({ seq: 1n, planes: Array.from({ length: 9 }, () => ({ plane: 'model', inFlight: 1, limit: 1 })), models: [], errorPermille: 0 })
    expect(() => decodeLoad(manyPlanes)).toThrow(/planes/)
    expect(() => decodeLoad(new Uint8Array(17 * 1024))).toThrow(/over the limit of 16384/)
    expect(() => decodeLoad(LoadReport.encode({ seq: 1n, planes: [], models: [], errorPermille: 1001 }))).toThrow(/error rate 1001 per mille/)
    expect(() => decodeLoad(Uint8Array.from([0x0a, 0xff]))).toThrow()
  })

  it('is worth sending on a step of a tenth of the limit, at the limit, on errors, and on going idle', () => {
    expect(changedEnough(undefined, IDLE_LOAD)).toBe(true)
    expect(changedEnough(IDLE_LOAD, IDLE_LOAD)).toBe(false)
    expect(changedEnough(model(0, 8), model(1, 8))).toBe(true)
    expect(changedEnough(model(10, 64), model(15, 64))).toBe(false)
    expect(changedEnough(model(10, 64), model(17, 64))).toBe(true)
    expect(changedEnough(model(60, 64), model(64, 64))).toBe(true)
    expect(changedEnough(model(10, 64, 0), model(10, 64, 0.04))).toBe(false)
    expect(changedEnough(model(10, 64, 0), model(10, 64, 0.05))).toBe(true)
    expect(changedEnough(model(3, 64), model(0, 64))).toBe(true)
  })
})

describe('recent outcomes', () => {
  it('is the share failed among the last answers within the window', () => {
    const c = clock()
    const recent = new RecentOutcomes(4, 60_000, c.now)
    expect(recent.errorRate()).toBe(0)
    recent.record(true)
    recent.record(false)
    expect(recent.errorRate()).toBe(0.5)
    for (let i = 0; i < 4; i++) recent.record(false)
    expect(recent.errorRate()).toBe(0)
    recent.record(true)
    c.advance(60_001)
    expect(recent.errorRate()).toBe(0)
  })
})

describe('requests sent here', () => {
  it('counts per plane and peer until each request ends, once', () => {
    const sent = new SentHere()
    const first = sent.begin('model', 'p1')
    const second = sent.begin('model', 'p1')
    sent.begin('handoff', 'p1')
    expect(sent.count('model', 'p1')).toBe(2)
    first()
    first()
    expect(sent.count('model', 'p1')).toBe(1)
    second()
    expect(sent.count('model', 'p1')).toBe(0)
    expect(sent.count('handoff', 'p1')).toBe(1)
  })
})

describe('affinity table', () => {
  it('remembers a session\'s node until the TTL, within its bound', () => {
    const c = clock()
    const table = new AffinityTable(2, 1000, c.now)
    table.set('alice', 'p1')
    table.set('bob', 'p2')
    table.set('alice', 'p3')
    table.set('carol', 'p1')
    expect(table.size).toBe(2)
    expect(table.get('bob')).toBeUndefined()
    expect(table.get('alice')).toBe('p3')
    c.advance(1000)
    expect(table.get('alice')).toBeUndefined()
  })
})

describe('a report that ran out', () => {
  it('reads as idle at the limits last reported', () => {
    const c = clock()
    const table = new LoadTable({ now: c.now })
    expect(table.lastLimits('p1')).toBeUndefined()
    table.accept('p1', 1n, { planes: { model: { inFlight: 5, limit: 64 } }, models: new Map([['gpt', 5]]), errorRate: 0.5 })
    c.advance(LOAD_TTL_MS)
    expect(table.get('p1')).toBeUndefined()
    expect(table.lastLimits('p1')).toEqual({ planes: { model: { inFlight: 0, limit: 64 } }, models: new Map(), errorRate: 0 })
  })
})
