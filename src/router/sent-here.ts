import type { Plane } from '../capabilities/load-report.js'

/**
 * Requests this node has sent to each peer and not yet seen end, per plane. Entries leave at
 * zero, so the map holds at most the peers with a request running.
 */
export class SentHere {
  private readonly running = new Map<string, number>()

  /** count one request to `peerId`; the returned function (idempotent) ends it */
  begin (plane: Plane, peerId: string): () => void {
    const key = `${plane} ${peerId}`
    this.running.set(key, (this.running.get(key) ?? 0) + 1)
    let ended = false
    return () => {
      if (ended) return
      ended = true
      const left = (this.running.get(key) ?? 1) - 1
      if (left > 0) this.running.set(key, left)
      else this.running.delete(key)
    }
  }

  count (plane: Plane, peerId: string): number {
    return this.running.get(`${plane} ${peerId}`) ?? 0
  }
}
