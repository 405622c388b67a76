import { performance } from 'node:perf_hooks'
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'

export interface PollOptions {
  timeoutMs?: number
  /** 0 checks on every turn of the event loop (for sub-millisecond timing) */
  intervalMs?: number
}

/**
 * Check `holds` until it is true and resolve with `performance.now()` at that moment; reject
 * naming `what` once the deadline passes.
 */
export async function waitUntil (what: string, holds: () => boolean, options: PollOptions = {}): Promise<number> {
  const { timeoutMs = 10_000, intervalMs = 10 } = options
  const deadline = performance.now() + timeoutMs
  while (true) {
    if (holds()) return performance.now()
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    if (intervalMs === 0) await nextTurn()
    else await sleep(intervalMs)
  }
}

/**
 * Resolve with `performance.now()` when `target` dispatches a `type` event whose detail passes
 * `matches`; reject naming `what` after `timeoutMs`. Listens from the moment of the call.
 */
export async function eventTime<T> (target: EventTarget, type: string, matches: (detail: T) => boolean, what: string, timeoutMs = 10_000): Promise<number> {
  return await new Promise((resolve, reject) => {
    const onEvent = (evt: Event): void => {
      if (!matches((evt as CustomEvent<T>).detail)) return
      const at = performance.now()
      done()
      resolve(at)
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
    }, timeoutMs)
    const done = (): void => {
      clearTimeout(timer)
      target.removeEventListener(type, onEvent)
    }
    target.addEventListener(type, onEvent)
  })
}
