/**
 * Of a node's `capacity` slots (model requests, handoffs, tool calls), one peer may hold at most
 * this share; the rest is kept for other members. A node with fewer than four slots keeps none
 * back, so a small node still serves one member at full capacity.
 */
export const RESERVED_FOR_OTHERS = 1 / 4

/** The most slots one peer may hold at once: `capacity` less the reserve, at least 1 */
export function perPeerLimit (capacity: number): number {
  return Math.max(1, capacity - Math.floor(capacity * RESERVED_FOR_OTHERS))
}

/** Why a slot was not given: the node is full, or this peer holds its share */
export type SlotRefusal = 'full' | 'peer_share'

/** A slot taken; `release` is idempotent */
export interface Slot {
  release(): void
}

/**
 * Concurrency slots with a per-peer cap: work is taken while a slot is free, except that one
 * peer never holds more than `perPeer` of them, so no member can take all of a node's capacity.
 */
export class PeerSlots {
  private readonly held = new Map<string, number>()
  private running = 0

  constructor (readonly capacity: number, readonly perPeer = perPeerLimit(capacity)) {}

  /** slots held now, by all peers */
  get size (): number {
    return this.running
  }

  /** slots `peer` holds now */
  heldBy (peer: string): number {
    return this.held.get(peer) ?? 0
  }

  /** take a slot for `peer`, or say why not */
  take (peer: string): Slot | SlotRefusal {
    if (this.running >= this.capacity) return 'full'
    const mine = this.heldBy(peer)
    if (mine >= this.perPeer) return 'peer_share'
    this.running++
    this.held.set(peer, mine + 1)
    let released = false
    return {
      release: () => {
        if (released) return
        released = true
        this.running--
        const left = this.heldBy(peer) - 1
        if (left > 0) this.held.set(peer, left)
        else this.held.delete(peer)
      }
    }
  }
}
