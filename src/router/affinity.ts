import type { RouteCandidate } from './router.js'

/** sessions whose node a router remembers; the one used longest ago makes room */
export const MAX_AFFINITY_ENTRIES = 4096
/** a session not seen for this long starts afresh */
export const AFFINITY_TTL_MS = 10 * 60 * 1000
/** longest affinity key kept whole (an OpenAI `user` field or `x-clawmatrix-affinity` header) */
export const MAX_AFFINITY_KEY_CHARS = 256

/** Which node served a session last, so its next requests go there while it is healthy and not busy */
export class AffinityTable {
  private readonly entries = new Map<string, { peerId: string, at: number }>()

  constructor (private readonly maxEntries = MAX_AFFINITY_ENTRIES, private readonly ttlMs = AFFINITY_TTL_MS, private readonly now: () => number = Date.now) {}

  get (key: string): string | undefined {
    const entry = this.entries.get(key)
    if (entry == null) return undefined
    if (this.now() - entry.at >= this.ttlMs) {
      this.entries.delete(key)
      return undefined
    }
    return entry.peerId
  }

  set (key: string, peerId: string): void {
    this.entries.delete(key)
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
    this.entries.set(key, { peerId, at: this.now() })
  }

  get size (): number {
    return this.entries.size
  }
}

/**
 * `ranked` with the session's node `peerId` first, when it is a candidate (so reachable and not
 * cooling down after a failure) and below its limit; otherwise `ranked` as it is
 */
export function sessionFirst (ranked: RouteCandidate[], peerId: string, busy: (candidate: RouteCandidate) => number): RouteCandidate[] {
  const at = ranked.findIndex(c => c.peerId.toString() === peerId)
  if (at <= 0 || busy(ranked[at]) >= 1) return ranked
  return [ranked[at], ...ranked.slice(0, at), ...ranked.slice(at + 1)]
}
