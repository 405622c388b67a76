/** setTimeout fires at once for delays above this */
export const MAX_TIMER_MS = 2_147_483_647

/** Calls `onIdle` once `ms` pass without a `restart()`; `pause()` stops the clock */
export class IdleTimer {
  private timer: ReturnType<typeof setTimeout> | undefined
  private fired = false

  constructor (private readonly ms: number, private readonly onIdle: () => void) {
    this.restart()
  }

  restart (): void {
    if (this.fired) return
    this.pause()
    this.timer = setTimeout(() => {
      this.fired = true
      this.onIdle()
    }, Math.min(this.ms, MAX_TIMER_MS))
  }

  pause (): void {
    if (this.timer != null) clearTimeout(this.timer)
    this.timer = undefined
  }

  /** stop for good */
  clear (): void {
    this.pause()
    this.fired = true
  }
}
