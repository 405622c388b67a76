import type { MeshMetrics, ModelAttempt } from './index.js'

/** One MeshMetrics that passes every count on to each of `targets` (the registry, the status page's activity) */
export function fanOutMetrics (...targets: MeshMetrics[]): MeshMetrics {
  if (targets.length === 1) return targets[0]
  return {
    modelAttempt: (...args) => {
      const attempts: ModelAttempt[] = targets.map(t => t.modelAttempt(...args))
      return {
        answered: (status) => { for (const a of attempts) a.answered(status) },
        ended: () => { for (const a of attempts) a.ended() },
        failed: (code, message) => { for (const a of attempts) a.failed(code, message) }
      }
    },
    failover: (plane) => { for (const t of targets) t.failover(plane) },
    handoffEnded: (...args) => { for (const t of targets) t.handoffEnded(...args) },
    toolCallEnded: (...args) => { for (const t of targets) t.toolCallEnded(...args) },
    recordAccepted: (...args) => { for (const t of targets) t.recordAccepted(...args) }
  }
}
