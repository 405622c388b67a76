import { describe, expect, it } from 'vitest'
import { RedeemRelayGate } from '../../src/membership/redeem-relay-gate.js'
import { RevokedNotice } from '../../src/membership/revoked-notice.js'

describe('RedeemRelayGate', () => {
  it('opens circuits to an admin only, a few per source peer and IP in a window', () => {
    const gate = new RedeemRelayGate({ peerCircuits: 2, ipCircuits: 3, maxCircuits: 100, circuitMs: 10 })
    expect(gate.allow('a', '10.0.0.1', false, 0)).toBe(false)
    expect(gate.allow('a', '10.0.0.1', true, 0)).toBe(true)
    expect(gate.allow('a', '10.0.0.1', true, 1)).toBe(true)
    expect(gate.allow('a', '10.0.0.1', true, 2)).toBe(false)
    // every attempt counts: the IP is over its limit for another peer behind it too
    expect(gate.allow('b', '10.0.0.1', true, 3)).toBe(false)
    expect(gate.allow('b', '10.0.0.2', true, 4)).toBe(true)
    // a new window
    expect(gate.allow('a', '10.0.0.1', true, 60_001)).toBe(true)
  })

  it('holds at most maxCircuits at once, each counted for circuitMs', () => {
    const gate = new RedeemRelayGate({ peerCircuits: 100, ipCircuits: 100, maxCircuits: 2, circuitMs: 1000 })
    expect(gate.allow('a', undefined, true, 0)).toBe(true)
    expect(gate.allow('b', undefined, true, 500)).toBe(true)
    expect(gate.allow('c', undefined, true, 999)).toBe(false)
    expect(gate.allow('c', undefined, true, 1000)).toBe(true)
    expect(gate.allow('d', undefined, true, 1200)).toBe(false)
  })
})

describe('RevokedNotice', () => {
  it('lets a revoked peer in once per period, for the notice only, and forgets the oldest beyond its bound', () => {
    const notice = new RevokedNotice(5, 60, 2)
    expect(notice.mayConnect('a', 0)).toBe(true)
    expect(notice.mayConnect('a', 4)).toBe(true)
    expect(notice.remaining('a', 3)).toBe(2)
    expect(notice.mayConnect('a', 5)).toBe(false)
    expect(notice.remaining('a', 5)).toBe(0)
    expect(notice.mayConnect('a', 59)).toBe(false)
    expect(notice.mayConnect('a', 60)).toBe(true)
    expect(notice.mayConnect('b', 61)).toBe(true)
    expect(notice.mayConnect('c', 62)).toBe(true)
    // 'a' was forgotten (the bound is 2): it may connect again
    expect(notice.mayConnect('a', 70)).toBe(true)
  })
})
