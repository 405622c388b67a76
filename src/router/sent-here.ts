import type { Plane } from '../capabilities/load-report.js'

/** peers whose last request time is remembered */
const MAX_REMEMBERED_PEERS = 4096

/**
 * Requests this node has sent to each peer and not yet seen end, per plane, and when a request to
 * each peer last began or ended. Running entries leave at zero, so that map holds at most the peers
 * with a request running; the times are kept for the most recent MAX_REMEMBERED_PEERS peers.
 */
export class SentHere {
  private readonly running = new Map<string, number>()
  private readonly lastAt = new Map<string, number>()

  /** count one request to `peerId`; the returned function (idempotent) ends it */
  begin (plane: Plane, peerId: string): () => void {
    const key = `${plane} ${peerId}`
    this.running.set(key, (this.running.get(key) ?? 0) + 1)
    this.touch(peerId)
    let ended = false
    return () => {
      if (ended) return
      ended = true
      this.touch(peerId)
      const left = (this.running.get(key) ?? 1) - 1
      if (left > 0) this.running.set(key, left)
      else this.running.delete(key)
    }
  }

  count (plane: Plane, peerId: string): number {
    return this.running.get(`${plane} ${peerId}`) ?? 0
  }

  /** when a request to `peerId` last began or ended (ms since the epoch) */
  lastRequestAt (peerId: string): number | undefined {
    return this.lastAt.get(peerId)
  }

  private touch (peerId: string): void {
    this.lastAt.delete(peerId)
    this.lastAt.set(peerId, Date.now())
    if (this.lastAt.size > MAX_REMEMBERED_PEERS) this.lastAt.delete(this.lastAt.keys().next().value as string)
  }
}
