/**
 * PATCH of `@libp2p/circuit-relay-v2` 4.2.13's relay server: its reservation store is replaced by
 * one that frees a slot as soon as the holder disconnects and whose expiry a refresh really moves.
 *
 * Upstream issues it would file:
 * - "The server's `ReservationStore` keeps a reservation until its TTL (2 h by default) even after
 *   the holder has disconnected, so a relay that has seen `maxReservations` peers refuses every
 *   later one (RESERVATION_REFUSED) for hours. Proposed: drop a reservation on `peer:disconnect`."
 * - "`retimeable-signal`'s `reset()` attaches an anonymous listener that the next `reset()` cannot
 *   remove, so a reservation refreshed twice still expires one TTL after its first refresh (and
 *   every circuit on it is cut then). Proposed: reuse the named handler in `reset()`."
 *
 * The server reads and writes its store only through `reserve`, `get`, `removeReservation`,
 * `clear` and `reservations`, which `MeshReservationStore` provides with the same meaning. Remove
 * when a released server frees reservations on disconnect and refreshes them correctly (the
 * slot tests in test/mesh/relay-slots.test.ts then pass with the stock store).
 */
import type { RelayReservation } from '@libp2p/circuit-relay-v2'
import type { Libp2pEvents, Logger, Metric, Metrics, PeerId, TypedEventTarget } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** the hop protocol's status values the store answers with (protobuf enums are strings here) */
type ReserveStatus = 'OK' | 'RESERVATION_REFUSED'

export interface MeshReservationStoreInit {
  maxReservations: number
  /** ms a reservation lasts unless its holder refreshes it (the client refreshes well before) */
  reservationTtl: number
  events: TypedEventTarget<Libp2pEvents>
  log: Logger
  /** where the held count is reported, under the library's own metric name */
  metrics?: Metrics
}

/** the gauge the library's store reports its reservation count in */
export const RESERVATIONS_METRIC = 'libp2p_circuit_relay_server_reservations_total'

interface Held {
  peer: PeerId
  reservation: RelayReservation
  controller: AbortController
  timer: ReturnType<typeof setTimeout>
}

/**
 * A signal that aborts when its reservation ends. `reset` and `clear` exist because the library's
 * type names them; this store never calls them (it keeps the timer itself).
 */
function reservationSignal (controller: AbortController): RelayReservation['signal'] {
  return Object.assign(controller.signal, { reset: () => {}, clear: () => {} })
}

/**
 * The reservations by peer, read-only, with the reading methods of the `PeerMap` the server's
 * `reservations` getter is typed to return.
 */
export class ReservationView {
  constructor (private readonly held: Map<string, Held>) {}
  get (peer: PeerId): RelayReservation | undefined { return this.held.get(peer.toString())?.reservation }
  has (peer: PeerId): boolean { return this.held.has(peer.toString()) }
  get size (): number { return this.held.size }
  * keys (): IterableIterator<PeerId> { for (const h of this.held.values()) yield h.peer }
  * values (): IterableIterator<RelayReservation> { for (const h of this.held.values()) yield h.reservation }
  * entries (): IterableIterator<[PeerId, RelayReservation]> { for (const h of this.held.values()) yield [h.peer, h.reservation] }
  [Symbol.iterator] (): IterableIterator<[PeerId, RelayReservation]> { return this.entries() }
  forEach (fn: (value: RelayReservation, key: PeerId) => void): void { for (const h of this.held.values()) fn(h.reservation, h.peer) }
}

export class MeshReservationStore {
  private readonly held = new Map<string, Held>()
  /** the reservations the server hands out (its `reservations` getter returns this) */
  readonly reservations = new ReservationView(this.held)
  private readonly maxReservations: number
  private readonly ttl: number
  private readonly events: TypedEventTarget<Libp2pEvents>
  private readonly log: Logger
  private readonly metric?: Metric

  constructor (init: MeshReservationStoreInit) {
    this.maxReservations = init.maxReservations
    this.ttl = init.reservationTtl
    this.events = init.events
    this.log = init.log
    this.metric = init.metrics?.registerMetric(RESERVATIONS_METRIC)
    this.metric?.update(0)
    this.events.addEventListener('peer:disconnect', this.onDisconnect)
  }

  /** reserve a slot for `peer` or refresh the one it holds; the expiry is in seconds since the epoch */
  reserve (peer: PeerId, addr: Multiaddr): { status: ReserveStatus, expire?: number } {
    const current = this.held.get(peer.toString())
    if (current == null && this.held.size >= this.maxReservations) {
      this.log('refused a relay slot to %p: all %d are held', peer, this.maxReservations)
      return { status: 'RESERVATION_REFUSED' }
    }
    const expiry = new Date(Date.now() + this.ttl)
    if (current != null) {
      clearTimeout(current.timer)
      current.timer = this.expireLater(peer, current)
      current.reservation.expiry = expiry
      current.reservation.addr = addr
    } else {
      const controller = new AbortController()
      const entry: Held = { peer, reservation: { addr, expiry, signal: reservationSignal(controller) }, controller, timer: undefined as unknown as ReturnType<typeof setTimeout> }
      entry.timer = this.expireLater(peer, entry)
      this.held.set(peer.toString(), entry)
      this.metric?.update(this.held.size)
    }
    return { status: 'OK', expire: Math.round(expiry.getTime() / 1000) }
  }

  get (peer: PeerId): RelayReservation | undefined {
    return this.held.get(peer.toString())?.reservation
  }

  /** end `peer`'s reservation: its slot is free and its circuits are cut */
  removeReservation (peer: PeerId, reason = 'relay reservation removed'): void {
    const entry = this.held.get(peer.toString())
    if (entry == null) return
    clearTimeout(entry.timer)
    this.held.delete(peer.toString())
    this.metric?.update(this.held.size)
    entry.controller.abort(new Error(reason))
  }

  /** end every reservation (the server stops; it may start again, so disconnects are still watched) */
  clear (): void {
    for (const { peer } of [...this.held.values()]) this.removeReservation(peer, 'relay stopped')
  }

  get size (): number {
    return this.held.size
  }

  private expireLater (peer: PeerId, entry: Held): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      if (this.held.get(peer.toString()) !== entry) return
      this.log('relay reservation of %p expired', peer)
      this.removeReservation(peer, 'relay reservation expired')
    }, this.ttl)
    timer.unref()
    return timer
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    if (!this.held.has(evt.detail.toString())) return
    this.log('freeing the relay slot of %p: it disconnected', evt.detail)
    this.removeReservation(evt.detail, 'relay reservation holder disconnected')
  }
}

/** what of the server this patch reaches: the private field the library keeps its store in */
interface ServerWithStore {
  reservationStore?: unknown
}

/** true when `server` keeps its store where this patch expects it (4.2.x) */
export function hasReservationStore (server: unknown): boolean {
  const store = (server as ServerWithStore).reservationStore as Partial<Record<'reserve' | 'get' | 'removeReservation' | 'clear', unknown>> | undefined
  return store != null && ['reserve', 'get', 'removeReservation', 'clear'].every(m => typeof store[m as keyof typeof store] === 'function')
}

/** put `store` in place of the server's own reservation store */
export function replaceReservationStore (server: unknown, store: MeshReservationStore): void {
  (server as ServerWithStore).reservationStore = store
}
