/**
 * An abort signal that fires after `ms` without a `touch()`: the model plane's timeouts are idle
 * timeouts, restarted by every chunk, so a long answer that keeps streaming never times out.
 */
export class IdleDeadline {
  private readonly controller = new AbortController()
  private readonly timer: NodeJS.Timeout

  constructor (readonly ms: number, reason: () => Error) {
    this.timer = setTimeout(() => { this.controller.abort(reason()) }, ms)
    this.timer.unref()
  }

  get signal (): AbortSignal {
    return this.controller.signal
  }

  get expired (): boolean {
    return this.controller.signal.aborted
  }

  touch (): void {
    if (!this.expired) this.timer.refresh()
  }

  clear (): void {
    clearTimeout(this.timer)
  }
}
