import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { PeerTable } from '../../src/capabilities/peer-table.js'
import type { CapabilityRecord } from '../../src/capabilities/types.js'

async function newPeerId (): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
}

function record (peerId: string, seq = 1n): CapabilityRecord {
  return { nodeId: 'n', peerId, agents: [], models: [], tags: [], toolProxy: false, addrs: [], version: 'x', load: 0, seq, issuedAt: 0 }
}

describe('peer table places', () => {
  it('caps the unanchored records one connection brings, replacing that connection\'s oldest', async () => {
    const table = new PeerTable({ ttlMs: 60_000, maxRecords: 16, maxUnanchoredPerSource: 4 })
    const keys = await Promise.all(Array.from({ length: 6 }, newPeerId))
    keys.forEach((k, i) => { expect(table.accept(record(k), new Uint8Array(), 'flooder', { now: i })).toBe('new') })
    expect(table.size).toBe(4)
    expect(table.get(keys[0])).toBeUndefined()
    expect(table.get(keys[5])).toBeDefined()
  })

  it('when full, takes places from the connection holding the most, never from a smaller one', async () => {
    const table = new PeerTable({ ttlMs: 60_000, maxRecords: 8, maxUnanchoredPerSource: 8 })
    const flood = await Promise.all(Array.from({ length: 20 }, newPeerId))
    const honest = await Promise.all(Array.from({ length: 3 }, newPeerId))
    for (const k of flood) table.accept(record(k), new Uint8Array(), 'flooder')
    expect(table.size).toBe(8)
    for (const k of honest) expect(table.accept(record(k), new Uint8Array(), 'hub')).toBe('new')
    expect(honest.every(k => table.get(k) != null)).toBe(true)
    // more flood only replaces flood: the hub's three stay
    for (const k of await Promise.all(Array.from({ length: 10 }, newPeerId))) table.accept(record(k), new Uint8Array(), 'flooder')
    expect(honest.every(k => table.get(k) != null)).toBe(true)
    expect(table.size).toBe(8)
  })

  it('gives an anchored signer a place in a full table and never evicts anchored ones for unanchored', async () => {
    const anchored = new Set<string>()
    const table = new PeerTable({ ttlMs: 60_000, maxRecords: 4, maxUnanchoredPerSource: 4, anchored: p => anchored.has(p) })
    const keys = await Promise.all(Array.from({ length: 4 }, newPeerId))
    keys.forEach(k => { anchored.add(k); table.accept(record(k), new Uint8Array(), k) })
    const stranger = await newPeerId()
    expect(table.accept(record(stranger), new Uint8Array(), 'flooder')).toBe('full')
    anchored.delete(keys[0])
    const pinned = await newPeerId()
    anchored.add(pinned)
    expect(table.accept(record(pinned), new Uint8Array(), 'hub')).toBe('new')
    expect(table.get(keys[0])).toBeUndefined()
  })

  it('evicts an expired record before a live one', async () => {
    const table = new PeerTable({ ttlMs: 1000, maxRecords: 2, maxUnanchoredPerSource: 2 })
    const [a, b, c] = await Promise.all([newPeerId(), newPeerId(), newPeerId()])
    table.accept(record(a), new Uint8Array(), 'x', { now: 0 })
    table.accept(record(b), new Uint8Array(), 'y', { now: 5000 })
    table.expire(5500)
    expect(table.accept(record(c), new Uint8Array(), 'y', { now: 5600 })).toBe('new')
    expect(table.get(a)).toBeUndefined()
    expect(table.get(b)).toBeDefined()
  })

  it('keeps the highest seq and tells stale records without storing them', async () => {
    const table = new PeerTable({ ttlMs: 60_000 })
    const a = await newPeerId()
    table.accept(record(a, 5n), new Uint8Array(), 'x')
    expect(table.isStale(a, 5n)).toBe(true)
    expect(table.accept(record(a, 4n), new Uint8Array(), 'x')).toBe('stale')
    expect(table.accept(record(a, 6n), new Uint8Array(), 'x')).toBe('updated')
    expect(table.get(a)?.record.seq).toBe(6n)
  })

  it('passes on the gossip copy of a record it holds from a state exchange once, and nothing else', async () => {
    const table = new PeerTable({ ttlMs: 60_000 })
    const [a, b] = await Promise.all([newPeerId(), newPeerId()])
    const envelope = new Uint8Array([1, 2, 3])
    table.accept(record(a, 5n), envelope, 'hub')
    // a copy with other bytes is not the held record: it would need its own signature check
    expect(table.forwardOnce(a, new Uint8Array([1, 2, 4]))).toBe(false)
    expect(table.forwardOnce(a, new Uint8Array(envelope))).toBe(true)
    expect(table.forwardOnce(a, envelope)).toBe(false)
    // a newer record from an exchange may be passed on again
    table.accept(record(a, 6n), new Uint8Array([6]), 'hub')
    expect(table.forwardOnce(a, new Uint8Array([6]))).toBe(true)

    // what came as gossip has travelled on already
    table.accept(record(b, 1n), envelope, 'hub', { gossiped: true })
    expect(table.forwardOnce(b, envelope)).toBe(false)
    expect(table.forwardOnce(await newPeerId(), envelope)).toBe(false)
  })
})
