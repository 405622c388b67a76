/** setTimeout fires at once for delays above this */
export const MAX_TIMER_MS = 2_147_483_647

/**
 * The one idle timeout of every plane: a signal that aborts after `ms` without a `touch()`, or
 * when `parent` aborts. A long answer that keeps streaming never times out; `pause()` stops the
 * clock while the other side is allowed to be silent, `touch()` starts it again. One controller
 * and one timer per request, where `AbortSignal.any` with `AbortSignal.timeout` would cost weak
 * references and a timer that outlives the request. `clear()` ends it without aborting.
 */
export class IdleTimer {
  private readonly controller = new AbortController()
  private timer: NodeJS.Timeout
  private timedOut = false
  private paused = false
  private ended = false

  constructor (readonly ms: number, private readonly reason: () => Error, private readonly parent?: AbortSignal) {
    this.onParentAbort = this.onParentAbort.bind(this)
    this.onTimeout = this.onTimeout.bind(this)
    this.timer = this.startTimer()
    if (parent?.aborted === true) this.onParentAbort()
    else parent?.addEventListener('abort', this.onParentAbort, { once: true })
  }

  /** aborts when the timeout passes or the parent aborts */
  get signal (): AbortSignal {
    return this.controller.signal
  }

  /** the timeout passed (not the parent) */
  get expired (): boolean {
    return this.timedOut
  }

  /** restart the clock */
  touch (): void {
    if (this.ended) return
    if (!this.paused) {
      this.timer.refresh()
      return
    }
    // a cleared timer does not start again on refresh()
    this.paused = false
    this.timer = this.startTimer()
  }

  /** stop the clock until the next `touch()` */
  pause (): void {
    if (this.ended) return
    this.paused = true
    clearTimeout(this.timer)
  }

  /** stop for good, without aborting */
  clear (): void {
    this.ended = true
    clearTimeout(this.timer)
    this.parent?.removeEventListener('abort', this.onParentAbort)
  }

  private startTimer (): NodeJS.Timeout {
    const timer = setTimeout(this.onTimeout, Math.min(this.ms, MAX_TIMER_MS))
    timer.unref()
    return timer
  }

  private onTimeout (): void {
    this.timedOut = true
    this.ended = true
    this.controller.abort(this.reason())
  }

  private onParentAbort (): void {
    this.ended = true
    clearTimeout(this.timer)
    this.controller.abort(this.parent?.reason)
  }
}
