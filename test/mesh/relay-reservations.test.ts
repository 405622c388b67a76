import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { MeshReservationStore } from '../../src/mesh/patches/relay-reservations.js'
import { waitFor } from '../helpers/wait.js'
import type { Libp2pEvents, PeerId, TypedEventTarget } from '@libp2p/interface'

/** The relay's reservation store on its own: the hub tests (relay-slots.test.ts) run it with real nodes */

const addr = multiaddr('/ip4/127.0.0.1/tcp/1/ws')

async function peer (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

function store (maxReservations: number, reservationTtl = 60_000): { store: MeshReservationStore, events: TypedEventTarget<Libp2pEvents> } {
  const events = new EventTarget() as unknown as TypedEventTarget<Libp2pEvents>
  return { store: new MeshReservationStore({ maxReservations, reservationTtl, events, log: defaultLogger().forComponent('test') }), events }
}

describe('MeshReservationStore', () => {
  it('refuses past its slot count, refreshes a held slot, and frees one when its holder disconnects', async () => {
    const { store: s, events } = store(2)
    const [a, b, c] = await Promise.all([peer(), peer(), peer()])
    expect(s.reserve(a, addr).status).toBe('OK')
    expect(s.reserve(b, addr).status).toBe('OK')
    expect(s.reserve(c, addr)).toEqual({ status: 'RESERVATION_REFUSED' })
    expect(s.reserve(a, addr).status).toBe('OK')
    const signal = s.get(a)?.signal
    events.dispatchEvent(new CustomEvent('peer:disconnect', { detail: a }))
    expect(s.get(a)).toBeUndefined()
    expect(signal?.aborted).toBe(true)
    expect(String(signal?.reason?.message)).toContain('disconnected')
    expect(s.reserve(c, addr).status).toBe('OK')
    expect([...s.reservations.keys()].map(String).sort()).toEqual([b, c].map(String).sort())
  })

  it('a reservation refreshed twice lasts one TTL after its last refresh', async () => {
    const ttl = 400
    const { store: s } = store(1, ttl)
    const a = await peer()
    s.reserve(a, addr)
    const signal = s.get(a)?.signal
    const ended = new Promise<number>(resolve => { signal?.addEventListener('abort', () => { resolve(Date.now()) }) })
    // two refreshes, the second after the first one's TTL would have ended had it kept its own timer
    let lastRefresh = 0
    await new Promise<void>(resolve => setTimeout(() => { s.reserve(a, addr); resolve() }, ttl / 4))
    await new Promise<void>(resolve => setTimeout(() => { lastRefresh = Date.now(); s.reserve(a, addr); resolve() }, ttl / 2))
    const endedAt = await ended
    // timers never fire early: the end can only come later than one TTL after the last refresh
    expect(endedAt - lastRefresh).toBeGreaterThanOrEqual(ttl - 2)
    await waitFor('the expired slot to be free', () => s.get(a) == null)
    expect(s.size).toBe(0)
  })
})
