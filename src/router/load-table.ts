import { LOAD_TTL_MS, MAX_LOAD_ENTRIES } from '../capabilities/load-constants.js'
import type { LiveLoad } from '../capabilities/load-report.js'

interface LoadEntry {
  seq: bigint
  load: LiveLoad
  /** local clock ms when the report arrived */
  receivedAt: number
}

export interface LoadTableInit {
  ttlMs?: number
  maxEntries?: number
  now?: () => number
}

/**
 * The live load other nodes reported, by peer ID: the highest `seq` per sender wins, an entry
 * counts for `ttlMs` after it arrived, and at most `maxEntries` senders are kept (the one heard
 * from longest ago makes room).
 */
export class LoadTable {
  private readonly entries = new Map<string, LoadEntry>()
  private readonly ttlMs: number
  private readonly maxEntries: number
  private readonly now: () => number

  constructor (init: LoadTableInit = {}) {
    this.ttlMs = init.ttlMs ?? LOAD_TTL_MS
    this.maxEntries = init.maxEntries ?? MAX_LOAD_ENTRIES
    this.now = init.now ?? Date.now
  }

  /** store a report of `peerId`; false when it is not newer than the one held */
  accept (peerId: string, seq: bigint, load: LiveLoad): boolean {
    const known = this.entries.get(peerId)
    if (known != null && seq <= known.seq) return false
    // re-inserted so the map's order is the order senders were last heard from
    this.entries.delete(peerId)
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
    this.entries.set(peerId, { seq, load, receivedAt: this.now() })
    return true
  }

  /** the load `peerId` reported, unless none arrived within the TTL */
  get (peerId: string): LiveLoad | undefined {
    const entry = this.entries.get(peerId)
    if (entry == null) return undefined
    if (this.now() - entry.receivedAt >= this.ttlMs) return undefined
    return entry.load
  }

  /**
   * a sender whose report ran out as idle at the limits it last reported (an idle node stops
   * reporting, and limits change only with its configuration); undefined for senders never heard
   */
  lastLimits (peerId: string): LiveLoad | undefined {
    const entry = this.entries.get(peerId)
    if (entry == null) return undefined
    const planes: LiveLoad['planes'] = {}
    for (const [plane, load] of Object.entries(entry.load.planes) as Array<[keyof LiveLoad['planes'], { inFlight: number, limit: number }]>) planes[plane] = { inFlight: 0, limit: load.limit }
    return { planes, models: new Map(), errorRate: 0 }
  }

  /** local clock ms when the current report of `peerId` arrived */
  receivedAt (peerId: string): number | undefined {
    return this.entries.get(peerId)?.receivedAt
  }

  get size (): number {
    return this.entries.size
  }
}
