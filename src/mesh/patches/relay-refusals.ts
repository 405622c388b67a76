/**
 * PATCH of `@libp2p/circuit-relay-v2` 4.2.13's relay transport, through the `addRelay` method of
 * the reservation store it keeps in a private field.
 *
 * Upstream issue it would file: "When a relay answers RESERVATION_REFUSED (its slots are full),
 * the transport only logs it and never asks that relay again while the connection lasts, so a
 * slot freed a minute later is never taken, and the application cannot tell the user why it has
 * no relay address. Proposed: a `relay:reservation-refused` event and a retry with backoff."
 *
 * The wrapped `addRelay` tells `RelaySlotWatch.refused` of each refusal and asks the same relay
 * again with a doubling delay while this node stays connected to it and still wants a
 * reservation (the store answers HadEnoughRelaysError once it has enough, which ends the
 * retries). A PERMISSION_DENIED (the relay does not admit this node, such as a hub in membership
 * certificates mode while this node has no certificate there) goes to `RelaySlotWatch.denied` and
 * is asked again only when `RelayRetries.retryRefusedNow` (handed to `RelaySlotWatch.attach`) is
 * called, for when this node's standing changed (it was certified): a node the hub will not admit
 * does not keep asking (nor redial a hub that closed its connection). `retryRefusedNow` also cuts
 * a refusal's wait short once. Remove when a released transport reports refusals and retries them.
 *
 * Second part, for a node that wants more reservations than there are hubs (it asks for one on
 * each of up to RELAY_HUBS_PER_NODE hubs): while the transport has fewer than it wants, its relay
 * discovery dials every peer newly added to the peer store, whether or not it relays, and keeps
 * doing so for as long as the node runs. Here discovery only reserves on peers that speak the hop
 * protocol (connected ones, and those in the peer store), which is what a mesh node needs; its
 * `onPeer` handler is made a no-op. Remove with an option to switch those dials off.
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { RELAY_RETRY } from '../constants.js'
import type { CircuitRelayTransportInit } from '@libp2p/circuit-relay-v2'
import type { ComponentLogger, PeerId, Transport } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

/** the transport's refused reservations, to ask again now */
export interface RelayRetries {
  /**
   * Ask every relay that refused or denied this node's reservation and that it is still connected
   * to again now (only `relay`, when given); a request still in flight is asked again once as
   * soon as it is refused or denied. A refusal's backoff goes on from where it was. Returns how
   * many relays this concerns (those asked now and requests in flight).
   */
  retryRefusedNow(relay?: PeerId): number
}

/** told what becomes of this node's relay reservations */
export interface RelaySlotWatch {
  /** `relay` answered that it has no free relay slot */
  refused(relay: PeerId): void
  /** `relay` answered PERMISSION_DENIED: it does not admit this node (no valid certificate there, or not in its members list) */
  denied?(relay: PeerId): void
  /** a reservation on `relay` is held (made or refreshed) */
  reserved(relay: PeerId): void
  /** the reservation on `relay` ended (its connection closed, or it could not be refreshed) */
  removed(relay: PeerId): void
  /** handed the transport's retries once it is created */
  attach?(retries: RelayRetries): void
}

type AddRelay = (peerId: PeerId, type: 'discovered' | 'configured') => Promise<unknown>

interface ReservationStoreLike extends EventTarget {
  addRelay: AddRelay
}

interface TransportComponents {
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

export interface MeshRelayTransportInit extends CircuitRelayTransportInit {
  slots?: RelaySlotWatch
}

/** how a relay answered a reservation this node may ask for again: no free slot, or this node not admitted */
type Refusal = 'refused' | 'denied'

function refusalOf (err: unknown): Refusal | undefined {
  if (!(err instanceof Error)) return undefined
  if (err.message.includes('RESERVATION_REFUSED')) return 'refused'
  if (err.message.includes('PERMISSION_DENIED')) return 'denied'
  return undefined
}

interface Retry {
  peer: PeerId
  type: 'discovered' | 'configured'
  refusal: Refusal
  /** the next wait after a refusal (doubling); a denial waits for `retryRefusedNow` instead */
  delayMs: number
  timer?: ReturnType<typeof setTimeout>
}

/** `circuitRelayTransport` whose refused reservations are reported and asked again (see above) */
export function meshRelayTransport ({ slots, ...init }: MeshRelayTransportInit = {}): (components: TransportComponents) => Transport {
  const createTransport = circuitRelayTransport(init) as unknown as (components: TransportComponents) => Transport
  return (components) => {
    const transport = createTransport(components)
    const store = (transport as unknown as { reservationStore?: ReservationStoreLike }).reservationStore
    const log = components.logger.forComponent('clawmatrix:mesh:relay-client')
    if (store == null || typeof store.addRelay !== 'function') {
      log.error('this circuit-relay-v2 version keeps its reservations elsewhere: refused relay slots are not reported or retried')
      return transport
    }
    const discovery = (transport as unknown as { discovery?: { onPeer?: unknown } }).discovery
    if (discovery != null && typeof discovery.onPeer === 'function') discovery.onPeer = () => {}
    else log.error('this circuit-relay-v2 version has no relay discovery onPeer: it may dial every peer it learns of')
    // one entry per relay that refused or denied this node while connected (those no longer connected are dropped)
    const retries = new Map<string, Retry>()
    // requests being made, by relay: whether a refusal of one is asked again at once (retryRefusedNow came meanwhile)
    const inFlight = new Map<string, { atOnce: boolean }>()
    const connected = (peer: PeerId): boolean => components.connectionManager.getConnections(peer).some(c => c.status === 'open')
    const addRelay = store.addRelay.bind(store)
    let stopped = false

    const askAgain = (retry: Retry): void => {
      if (stopped || !connected(retry.peer)) {
        retries.delete(retry.peer.toString())
        return
      }
      store.addRelay(retry.peer, retry.type).catch(() => {})
    }

    const retryLater = (peer: PeerId, type: 'discovered' | 'configured', refusal: Refusal, atOnce: boolean): void => {
      const key = peer.toString()
      // a denied relay is asked again only on `retryRefusedNow`: those this node left are forgotten here
      if (refusal === 'denied') {
        for (const [other, retry] of retries) if (retry.refusal === 'denied' && !connected(retry.peer)) retries.delete(other)
      }
      const retry = retries.get(key) ?? { peer, type, refusal, delayMs: RELAY_RETRY.minMs }
      retry.refusal = refusal
      retries.set(key, retry)
      if (atOnce) {
        log('asking %p for a relay slot again at once: it was asked to while the refused request was in flight', peer)
        clearTimeout(retry.timer)
        retry.timer = undefined
        setImmediate(() => { askAgain(retry) })
        return
      }
      if (refusal === 'denied') {
        clearTimeout(retry.timer)
        retry.timer = undefined
        return
      }
      if (retry.timer != null) return
      retry.timer = setTimeout(() => {
        retry.timer = undefined
        retry.delayMs = Math.min(retry.delayMs * 2, RELAY_RETRY.maxMs)
        askAgain(retry)
      }, retry.delayMs)
      retry.timer.unref()
    }

    const retryRefusedNow = (relay?: PeerId): number => {
      let asked = 0
      for (const [key, request] of inFlight) {
        if (relay != null && key !== relay.toString()) continue
        request.atOnce = true
        asked++
      }
      for (const [key, retry] of [...retries]) {
        if ((relay != null && key !== relay.toString()) || inFlight.has(key)) continue
        if (retry.timer != null) {
          clearTimeout(retry.timer)
          retry.timer = undefined
          retry.delayMs = Math.min(retry.delayMs * 2, RELAY_RETRY.maxMs)
        } else if (retry.refusal !== 'denied') {
          continue
        }
        askAgain(retry)
        asked++
      }
      return asked
    }

    store.addRelay = async (peer, type) => {
      const key = peer.toString()
      const request = { atOnce: false }
      inFlight.set(key, request)
      try {
        const result = await addRelay(peer, type)
        retries.delete(key)
        return result
      } catch (err) {
        const refusal = refusalOf(err)
        if (refusal === 'refused') slots?.refused(peer)
        if (refusal === 'denied') slots?.denied?.(peer)
        if (refusal != null) {
          retryLater(peer, type, refusal, request.atOnce)
        } else {
          const retry = retries.get(key)
          if (retry?.timer != null) clearTimeout(retry.timer)
          retries.delete(key)
        }
        throw err
      } finally {
        if (inFlight.get(key) === request) inFlight.delete(key)
      }
    }
    store.addEventListener('relay:created-reservation', (evt) => { slots?.reserved((evt as CustomEvent<{ relay: PeerId }>).detail.relay) })
    store.addEventListener('relay:removed', (evt) => { slots?.removed((evt as CustomEvent<{ relay: PeerId }>).detail.relay) })
    slots?.attach?.({ retryRefusedNow })

    const startable = transport as unknown as { start?: () => Promise<void> | void, stop?: () => Promise<void> | void }
    const start = startable.start?.bind(transport)
    const stop = startable.stop?.bind(transport)
    startable.start = async () => {
      stopped = false
      await start?.()
    }
    startable.stop = async () => {
      stopped = true
      for (const retry of retries.values()) clearTimeout(retry.timer)
      retries.clear()
      await stop?.()
    }
    return transport
  }
}
