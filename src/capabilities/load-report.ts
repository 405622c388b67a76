import { LoadReport } from '../../protocols/load.js'
import { ERROR_RATE_STEP, LOAD_REPORT_LIMITS, LOAD_STEP, MAX_LOAD_REPORT_BYTES } from './load-constants.js'

/** The planes whose load a node reports */
export const PLANES = ['model', 'handoff', 'tool'] as const
export type Plane = typeof PLANES[number]

export interface PlaneLoad {
  /** requests running now */
  inFlight: number
  /** the most the plane runs at once */
  limit: number
}

/** A node's live load, as it reports it and as receivers hold it */
export interface LiveLoad {
  planes: Partial<Record<Plane, PlaneLoad>>
  /** the model plane's running requests per model id (models with none are left out) */
  models: ReadonlyMap<string, number>
  /** failed answers per request over the sender's recent window, 0..1 */
  errorRate: number
}

export const IDLE_LOAD: LiveLoad = { planes: {}, models: new Map(), errorRate: 0 }

const isPlane = (name: string): name is Plane => (PLANES as readonly string[]).includes(name)

/** The wire message for `load`, numbered `seq` */
export function encodeLoad (load: LiveLoad, seq: bigint): Uint8Array {
  return LoadReport.encode({
    seq,
    planes: PLANES.flatMap(plane => {
      const p = load.planes[plane]
      return p != null ? [{ plane, inFlight: p.inFlight, limit: p.limit }] : []
    }),
    models: [...load.models].filter(([, n]) => n > 0).slice(0, LOAD_REPORT_LIMITS.models).map(([id, inFlight]) => ({ id, inFlight })),
    errorPermille: Math.round(Math.min(1, Math.max(0, load.errorRate)) * 1000)
  })
}

/** A report as received; throws naming what is wrong when it is over a limit or malformed */
export function decodeLoad (data: Uint8Array): { seq: bigint, load: LiveLoad } {
  if (data.byteLength > MAX_LOAD_REPORT_BYTES) throw new Error(`load report of ${data.byteLength} bytes is over the limit of ${MAX_LOAD_REPORT_BYTES}`)
  const report = LoadReport.decode(data, { limits: LOAD_REPORT_LIMITS })
  if (report.errorPermille > 1000) throw new Error(`load report error rate ${report.errorPermille} per mille is over 1000`)
  const planes: Partial<Record<Plane, PlaneLoad>> = {}
  for (const p of report.planes) {
    if (isPlane(p.plane)) planes[p.plane] = { inFlight: p.inFlight, limit: p.limit }
  }
  return { seq: report.seq, load: { planes, models: new Map(report.models.map(m => [m.id, m.inFlight])), errorRate: report.errorPermille / 1000 } }
}

export function isIdle (load: LiveLoad): boolean {
  return load.errorRate === 0 && Object.values(load.planes).every(p => p.inFlight === 0)
}

/**
 * Whether `next` differs from the last report sent enough to be worth a new one: a plane's
 * in-flight count moved by a step (a tenth of its limit, at least one request), reached or left
 * its limit, the limit changed, the error rate moved by 5 points, or the node became idle.
 */
export function changedEnough (sent: LiveLoad | undefined, next: LiveLoad): boolean {
  if (sent == null) return true
  if (isIdle(next)) return !isIdle(sent)
  if (Math.abs(next.errorRate - sent.errorRate) >= ERROR_RATE_STEP) return true
  for (const plane of PLANES) {
    const before = sent.planes[plane] ?? { inFlight: 0, limit: 0 }
    const now = next.planes[plane] ?? { inFlight: 0, limit: 0 }
    if (before.limit !== now.limit) return true
    if ((before.inFlight >= before.limit) !== (now.inFlight >= now.limit)) return true
    const step = Math.max(1, Math.ceil(now.limit * LOAD_STEP))
    if (Math.abs(now.inFlight - before.inFlight) >= step) return true
  }
  return false
}

