import type { RelayRetries, RelaySlotWatch } from '../mesh/patches/relay-refusals.js'
import type { PeerId } from '@libp2p/interface'

/** a hub this dial-out node holds a relay slot on, or one that had no free slot for it or does not admit it */
export interface RelaySlotStatus {
  /** the hub's node id, or its peer ID while no record names it */
  hub: string
  peerId: string
  /** `not admitted`: the hub denied the reservation (this node has no valid certificate there yet, or is not in its members list) */
  state: 'held' | 'no free relay slot' | 'not admitted'
  /** ms since the epoch the state began */
  since: number
}

/** the most hubs remembered (held slots are at most RELAY_HUBS_PER_NODE; refusals beyond this drop the oldest) */
const MAX_HUBS_REMEMBERED = 64

/**
 * What this node's relay reservations are, hub by hub, for status; a hub that has no free slot
 * for this node is reported once through `warn` until it grants one or the node reserves elsewhere.
 */
export class RelaySlots implements RelaySlotWatch {
  private readonly hubs = new Map<string, { state: RelaySlotStatus['state'], since: number }>()
  private retries?: RelayRetries

  constructor (
    private readonly nodeIdOf: (peerId: string) => string | undefined,
    private readonly warn: (message: string) => void
  ) {}

  refused (relay: PeerId): void {
    const key = relay.toString()
    const current = this.hubs.get(key)
    if (current?.state === 'no free relay slot') return
    this.set(key, 'no free relay slot')
    const held = [...this.hubs.entries()].filter(([, h]) => h.state === 'held').map(([peer]) => this.label(peer))
    this.warn(`relay hub ${this.label(key)} has no free relay slot for this node: ${held.length > 0 ? `reachable through ${held.join(', ')}; ` : ''}asking it again while connected and reserving on any other listening member it reaches (add one to "peers", or raise relay.maxReservations on that hub)`)
  }

  /** no warning: the node's membership status already says it is not certified, and the hub is asked again once it is */
  denied (relay: PeerId): void {
    if (this.hubs.get(relay.toString())?.state !== 'not admitted') this.set(relay.toString(), 'not admitted')
  }

  reserved (relay: PeerId): void {
    const key = relay.toString()
    if (this.hubs.get(key)?.state === 'held') return
    this.set(key, 'held')
  }

  removed (relay: PeerId): void {
    const key = relay.toString()
    if (this.hubs.get(key)?.state === 'held') this.hubs.delete(key)
  }

  attach (retries: RelayRetries): void {
    this.retries = retries
  }

  /**
   * Ask the hubs that refused or denied this node a slot again now (only `relay`, when given),
   * such as when it has just been certified; returns how many that concerns (0 before the
   * transport is created)
   */
  retryRefusedNow (relay?: PeerId): number {
    return this.retries?.retryRefusedNow(relay) ?? 0
  }

  view (): RelaySlotStatus[] {
    return [...this.hubs.entries()].map(([peerId, h]) => ({ hub: this.nodeIdOf(peerId) ?? peerId, peerId, state: h.state, since: h.since }))
      .sort((a, b) => a.hub.localeCompare(b.hub))
  }

  private set (key: string, state: RelaySlotStatus['state']): void {
    this.hubs.delete(key)
    this.hubs.set(key, { state, since: Date.now() })
    for (const [old, h] of this.hubs) {
      if (this.hubs.size <= MAX_HUBS_REMEMBERED) break
      if (h.state !== 'held') this.hubs.delete(old)
    }
  }

  private label (peerId: string): string {
    const nodeId = this.nodeIdOf(peerId)
    return nodeId != null ? `${nodeId} (${peerId})` : peerId
  }
}
