/** A share of a byte budget: what one stream's reader charges its bytes to */
export interface ByteBudget {
  /** count `bytes` as held; false (and nothing counted) when that would go over the limit */
  charge(bytes: number): boolean
  /** `bytes` are no longer held */
  refund(bytes: number): void
}

/**
 * Bytes received from each peer and not yet processed, across all its streams of one protocol:
 * a peer that sends more than `limit` before this node has read it gets its stream refused,
 * whatever the number of its streams or connections.
 */
export class PeerBytes {
  private readonly used = new Map<string, number>()

  constructor (readonly limit: number) {}

  /** bytes held for `peer` now */
  heldBy (peer: string): number {
    return this.used.get(peer) ?? 0
  }

  /** the budget `peer`'s readers charge */
  for (peer: string): ByteBudget {
    return {
      charge: (bytes) => {
        const now = this.heldBy(peer)
        if (now + bytes > this.limit) return false
        this.used.set(peer, now + bytes)
        return true
      },
      refund: (bytes) => {
        const left = this.heldBy(peer) - bytes
        if (left > 0) this.used.set(peer, left)
        else this.used.delete(peer)
      }
    }
  }
}
