import { MAX_COUNTED_NODES, MAX_ERROR_MESSAGE_CHARS, MAX_RECENT_ERRORS, OTHER_NODES } from './constants.js'
import type { MeshMetrics, ModelAttempt } from '../metrics/index.js'

export type Plane = 'model' | 'handoff' | 'tool'

/** One request this node sent that failed */
export interface RecentError {
  /** ms since the epoch */
  at: number
  plane: Plane
  /** the node it went to, or null when none was chosen */
  node: string | null
  code: string
  message: string
}

export interface PlaneCounts {
  requests: number
  errors: number
}

export type ActivityCounts = Record<Plane, PlaneCounts>

/** Counters only ever grow: the page takes rates from the difference between two views */
export interface ActivityView {
  totals: ActivityCounts & { failovers: number }
  /** by target node id (at most MAX_COUNTED_NODES, the rest under `other`) */
  byNode: Record<string, ActivityCounts>
  /** oldest first, at most MAX_RECENT_ERRORS */
  errors: RecentError[]
}

const emptyCounts = (): ActivityCounts => ({ model: { requests: 0, errors: 0 }, handoff: { requests: 0, errors: 0 }, tool: { requests: 0, errors: 0 } })

/** outcomes that are not failures of the request: it worked, or its caller gave up on it */
const NOT_ERRORS = new Set(['ok', 'cancelled'])

/**
 * What the status page shows of this node's own requests: counts per plane and target node, and
 * the last failures with their messages. Fed from the same places as the Prometheus metrics, but
 * kept apart from them, so that it is there when metrics are off.
 */
export class RecentActivity implements MeshMetrics {
  private readonly totals = { ...emptyCounts(), failovers: 0 }
  private readonly byNode = new Map<string, ActivityCounts>()
  private readonly errors: RecentError[] = []

  constructor (private readonly now: () => number = Date.now) {}

  modelAttempt (_modelId: string, nodeId: string): ModelAttempt {
    return {
      answered: (status) => {
        if (status >= 400) this.count('model', nodeId, String(status), `the model's upstream answered HTTP ${status}`)
        else this.count('model', nodeId)
      },
      ended: () => {},
      failed: (code, message) => {
        this.count('model', nodeId, code, message ?? code)
      }
    }
  }

  failover (): void {
    this.totals.failovers++
  }

  handoffEnded (nodeId: string | undefined, _peerId: string | undefined, outcome: string, _started: number, message?: string): void {
    this.count('handoff', nodeId ?? null, outcome, message ?? outcome)
  }

  toolCallEnded (nodeId: string | undefined, _peerId: string | undefined, outcome: string, _started: number, message?: string): void {
    this.count('tool', nodeId ?? null, outcome, message ?? outcome)
  }

  recordAccepted (): void {}

  view (): ActivityView {
    return {
      totals: structuredClone(this.totals),
      byNode: Object.fromEntries([...this.byNode].map(([node, counts]) => [node, structuredClone(counts)])),
      errors: this.errors.map(e => ({ ...e }))
    }
  }

  private count (plane: Plane, node: string | null, code?: string, message?: string): void {
    const failed = code != null && !NOT_ERRORS.has(code)
    const counts = this.countsOf(node ?? OTHER_NODES)
    for (const c of [this.totals, counts]) {
      c[plane].requests++
      if (failed) c[plane].errors++
    }
    if (!failed) return
    this.errors.push({ at: this.now(), plane, node, code, message: (message ?? code).slice(0, MAX_ERROR_MESSAGE_CHARS) })
    if (this.errors.length > MAX_RECENT_ERRORS) this.errors.shift()
  }

  private countsOf (node: string): ActivityCounts {
    let counts = this.byNode.get(node)
    if (counts == null) {
      if (this.byNode.size >= MAX_COUNTED_NODES && node !== OTHER_NODES) return this.countsOf(OTHER_NODES)
      counts = emptyCounts()
      this.byNode.set(node, counts)
    }
    return counts
  }
}
