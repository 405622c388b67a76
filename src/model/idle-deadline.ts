/**
 * An abort signal that fires after `ms` without a `touch()`, or when `parent` aborts: the model
 * plane's timeouts are idle timeouts, restarted by every chunk, so a long answer that keeps
 * streaming never times out. One controller and one timer per request, where
 * `AbortSignal.any` with `AbortSignal.timeout` would cost weak references and a timer that
 * outlives the request.
 */
export class IdleDeadline {
  private readonly controller = new AbortController()
  private readonly timer: NodeJS.Timeout
  private timedOut = false

  constructor (readonly ms: number, reason: () => Error, private readonly parent?: AbortSignal) {
    this.onParentAbort = this.onParentAbort.bind(this)
    this.timer = setTimeout(() => {
      this.timedOut = true
      this.controller.abort(reason())
    }, ms)
    this.timer.unref()
    if (parent?.aborted === true) this.onParentAbort()
    else parent?.addEventListener('abort', this.onParentAbort, { once: true })
  }

  /** aborts when the deadline passes or the parent aborts */
  get signal (): AbortSignal {
    return this.controller.signal
  }

  /** the deadline passed (not the parent) */
  get expired (): boolean {
    return this.timedOut
  }

  touch (): void {
    if (!this.controller.signal.aborted) this.timer.refresh()
  }

  clear (): void {
    clearTimeout(this.timer)
    this.parent?.removeEventListener('abort', this.onParentAbort)
  }

  private onParentAbort (): void {
    clearTimeout(this.timer)
    this.controller.abort(this.parent?.reason)
  }
}
