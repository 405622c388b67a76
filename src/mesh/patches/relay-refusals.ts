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
 * reservation (the store answers HadEnoughRelaysError once it has enough, which ends the retries).
 * Remove when a released transport reports refusals and retries them.
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

/** told what becomes of this node's relay reservations */
export interface RelaySlotWatch {
  /** `relay` answered that it has no free relay slot */
  refused(relay: PeerId): void
  /** a reservation on `relay` is held (made or refreshed) */
  reserved(relay: PeerId): void
  /** the reservation on `relay` ended (its connection closed, or it could not be refreshed) */
  removed(relay: PeerId): void
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

function isRefusal (err: unknown): boolean {
  return err instanceof Error && err.message.includes('RESERVATION_REFUSED')
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
    const retries = new Map<string, { timer?: ReturnType<typeof setTimeout>, delayMs: number }>()
    const connected = (peer: PeerId): boolean => components.connectionManager.getConnections(peer).some(c => c.status === 'open')
    const addRelay = store.addRelay.bind(store)

    const retryLater = (peer: PeerId, type: 'discovered' | 'configured'): void => {
      const key = peer.toString()
      const retry = retries.get(key) ?? { delayMs: RELAY_RETRY.minMs }
      if (retry.timer != null) return
      retries.set(key, retry)
      retry.timer = setTimeout(() => {
        retry.timer = undefined
        retry.delayMs = Math.min(retry.delayMs * 2, RELAY_RETRY.maxMs)
        if (!connected(peer)) {
          retries.delete(key)
          return
        }
        store.addRelay(peer, type).catch(() => {})
      }, retry.delayMs)
      retry.timer.unref()
    }

    store.addRelay = async (peer, type) => {
      try {
        const result = await addRelay(peer, type)
        retries.delete(peer.toString())
        return result
      } catch (err) {
        if (isRefusal(err)) {
          slots?.refused(peer)
          retryLater(peer, type)
        } else {
          const retry = retries.get(peer.toString())
          if (retry?.timer != null) clearTimeout(retry.timer)
          retries.delete(peer.toString())
        }
        throw err
      }
    }
    store.addEventListener('relay:created-reservation', (evt) => { slots?.reserved((evt as CustomEvent<{ relay: PeerId }>).detail.relay) })
    store.addEventListener('relay:removed', (evt) => { slots?.removed((evt as CustomEvent<{ relay: PeerId }>).detail.relay) })

    const startable = transport as unknown as { stop?: () => Promise<void> | void }
    const stop = startable.stop?.bind(transport)
    startable.stop = async () => {
      for (const retry of retries.values()) clearTimeout(retry.timer)
      retries.clear()
      await stop?.()
    }
    return transport
  }
}
