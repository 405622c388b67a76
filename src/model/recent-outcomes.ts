/** answers an error rate is computed over, at most */
export const RECENT_OUTCOMES = 64
/** answers older than this no longer count */
export const RECENT_OUTCOMES_MS = 60_000

/** The share of failed answers among the last few, for the live load report */
export class RecentOutcomes {
  private readonly outcomes: Array<{ at: number, failed: boolean }> = []

  constructor (private readonly max = RECENT_OUTCOMES, private readonly windowMs = RECENT_OUTCOMES_MS, private readonly now: () => number = Date.now) {}

  record (failed: boolean): void {
    this.outcomes.push({ at: this.now(), failed })
    if (this.outcomes.length > this.max) this.outcomes.shift()
  }

  /** failed / all within the window, 0 when there were none */
  errorRate (): number {
    const since = this.now() - this.windowMs
    while (this.outcomes.length > 0 && this.outcomes[0].at < since) this.outcomes.shift()
    if (this.outcomes.length === 0) return 0
    return this.outcomes.filter(o => o.failed).length / this.outcomes.length
  }
}
