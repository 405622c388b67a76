import { MAX_REDEEM_SOURCES, REDEEM_WINDOW_MS } from './invite-constants.js'

/**
 * Attempts per source in a fixed window, for a bounded number of sources (the oldest window is
 * forgotten first). A source is a remote peer or a remote IP, each with its own limit: a redeem
 * takes one attempt of each.
 */
export class RedeemRateLimit {
  private readonly windows = new Map<string, { start: number, count: number }>()

  constructor (private readonly windowMs = REDEEM_WINDOW_MS, private readonly maxSources = MAX_REDEEM_SOURCES) {}

  /** count one attempt for every source; false when any of them is over its limit */
  take (sources: Array<{ key: string, limit: number }>, now = Date.now()): boolean {
    let allowed = true
    for (const { key: source, limit } of sources) {
      let window = this.windows.get(source)
      if (window == null || now - window.start >= this.windowMs) {
        this.windows.delete(source)
        window = { start: now, count: 0 }
        this.windows.set(source, window)
        if (this.windows.size > this.maxSources) this.windows.delete(this.windows.keys().next().value as string)
      }
      window.count += 1
      if (window.count > limit) allowed = false
    }
    return allowed
  }
}
