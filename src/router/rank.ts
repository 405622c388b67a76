import { CONFIG_DEFAULTS } from '../config/defaults.js'
import { MAX_CONCURRENT_CALLS } from '../tool/constants.js'
import type { RouteCandidate } from './router.js'
import type { LiveLoad, Plane } from '../capabilities/load-report.js'

/** `least-busy` (the default) or `closest`: lowest latency first, load only between equals */
export type Ranking = 'least-busy' | 'closest'

/** latencies within this many ms of the best count as equally close */
export const LATENCY_BAND_MS = 50
/** ...or within this share of the best, when that is more */
export const LATENCY_BAND_SHARE = 1

/** a plane's limit when a node has not reported one: the configuration's default */
const ASSUMED_LIMIT: Record<Plane, number> = {
  model: CONFIG_DEFAULTS.modelConcurrency,
  handoff: CONFIG_DEFAULTS.handoffConcurrency,
  tool: MAX_CONCURRENT_CALLS
}

export interface Scored {
  candidate: RouteCandidate
  /** 0 idle, 1 at its limit; the recent error rate adds to it */
  busy: number
}

/**
 * How busy a candidate is for `plane`: its reported in-flight requests against its limit, or this
 * node's own requests to it when more (they are fresher than any report), plus its error rate.
 * Without a recent report, the load signed into its record stands in.
 */
export function busyness (candidate: RouteCandidate, plane: Plane, live: LiveLoad | undefined, sentHere: number): number {
  const reported = live?.planes[plane]
  const load = reported != null && reported.limit > 0
    ? Math.max(reported.inFlight, sentHere) / reported.limit
    : Math.max(candidate.record.load, sentHere / ASSUMED_LIMIT[plane])
  return load + (live?.errorRate ?? 0)
}

/** The former order: direct before relayed, then lowest latency, then the record's load */
export function closestFirst (a: RouteCandidate, b: RouteCandidate): number {
  if (a.path !== b.path) return a.path === 'direct' ? -1 : 1
  const la = a.latencyMs ?? Number.POSITIVE_INFINITY
  const lb = b.latencyMs ?? Number.POSITIVE_INFINITY
  if (la !== lb) return la - lb
  return a.record.load - b.record.load
}

/** the highest latency still as good as the best (unmeasured paths count as within) */
function bandLimit (scored: Scored[]): number {
  const measured = scored.map(s => s.candidate.latencyMs).filter((l): l is number => l != null)
  if (measured.length === 0) return Number.POSITIVE_INFINITY
  const best = Math.min(...measured)
  return best + Math.max(LATENCY_BAND_MS, best * LATENCY_BAND_SHARE)
}

/**
 * Least busy among the close: the candidates within the latency band of the best (direct or
 * relayed alike) and below their limit form the pool; two of them are drawn at random and the
 * less busy goes first (power of two choices: callers acting on the same reports do not all pile
 * onto one node). The rest follow for failover: below their limit first, then within the band,
 * then least busy, then closest. `random` returns [0, 1).
 */
export function leastBusyFirst (scored: Scored[], random: () => number): RouteCandidate[] {
  if (scored.length <= 1) return scored.map(s => s.candidate)
  const limit = bandLimit(scored)
  const inBand = (s: Scored): boolean => s.candidate.latencyMs == null || s.candidate.latencyMs <= limit
  const band = scored.filter(inBand)
  const open = band.filter(s => s.busy < 1)
  const pool = open.length > 0 ? open : band
  let first = pool[0]
  if (pool.length > 1) {
    const i = Math.min(pool.length - 1, Math.floor(random() * pool.length))
    let j = Math.min(pool.length - 2, Math.floor(random() * (pool.length - 1)))
    if (j >= i) j++
    first = pool[j].busy < pool[i].busy ? pool[j] : pool[i]
  }
  const key = (s: Scored): number[] => [s.busy >= 1 ? 1 : 0, inBand(s) ? 0 : 1, s.busy, s.candidate.latencyMs ?? Number.POSITIVE_INFINITY]
  const rest = scored.filter(s => s !== first).sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    for (let n = 0; n < ka.length; n++) if (ka[n] !== kb[n]) return ka[n] - kb[n]
    return 0
  })
  return [first.candidate, ...rest.map(s => s.candidate)]
}
