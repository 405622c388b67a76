import { describe, expect, it } from 'vitest'
import { PeerBytes } from '../../src/limits/peer-bytes.js'
import { PeerSlots, perPeerLimit } from '../../src/limits/peer-slots.js'

describe('per-peer share of a node\'s slots', () => {
  it('keeps a quarter of the slots for other members, none on nodes with fewer than four', () => {
    expect([1, 2, 3, 4, 8, 16, 400].map(perPeerLimit)).toEqual([1, 2, 3, 3, 6, 12, 300])
  })

  it('refuses one peer past its share while others still get the rest', () => {
    const slots = new PeerSlots(8)
    const a = Array.from({ length: 6 }, () => slots.take('a'))
    expect(a.every(s => typeof s === 'object')).toBe(true)
    expect(slots.take('a')).toBe('peer_share')
    const b = [slots.take('b'), slots.take('b')]
    expect(b.every(s => typeof s === 'object')).toBe(true)
    expect(slots.take('c')).toBe('full')
    expect(slots.size).toBe(8)
  })

  it('gives a slot back once, however often it is released', () => {
    const slots = new PeerSlots(2)
    const one = slots.take('a')
    if (typeof one !== 'object') throw new Error('no slot')
    one.release()
    one.release()
    expect(slots.size).toBe(0)
    expect(slots.heldBy('a')).toBe(0)
    expect(typeof slots.take('a')).toBe('object')
    expect(typeof slots.take('a')).toBe('object')
    expect(slots.take('a')).toBe('full')
  })
})

describe('per-peer budget of unread bytes', () => {
  it('charges each peer on its own and refuses what would go over', () => {
    const unread = new PeerBytes(100)
    const a = unread.for('a')
    expect(a.charge(60)).toBe(true)
    expect(a.charge(41)).toBe(false)
    expect(unread.heldBy('a')).toBe(60)
    expect(unread.for('b').charge(100)).toBe(true)
    a.refund(60)
    expect(unread.heldBy('a')).toBe(0)
    expect(a.charge(100)).toBe(true)
  })
})
