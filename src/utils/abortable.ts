/**
 * Iterate `source`, but stop with the signal's reason as soon as it aborts, even while a `next()`
 * is pending: a source that ignores the signal cannot hold a request open.
 *
 * One abort listener serves the whole iteration; it rejects whichever `next()` is pending. (A
 * listener added and removed per item, as `raceSignal` does, cost a serving node more per answer
 * than the rest of the loop.)
 */
export async function * abortable<T> (source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  signal.throwIfAborted()
  const iterator = source[Symbol.asyncIterator]()
  let rejectPending: ((reason: unknown) => void) | undefined
  const onAbort = (): void => { rejectPending?.(signal.reason) }
  signal.addEventListener('abort', onAbort, { once: true })
  let finished = false
  try {
    while (true) {
      signal.throwIfAborted()
      const next = await new Promise<IteratorResult<T>>((resolve, reject) => {
        rejectPending = reject
        iterator.next().then(resolve, reject)
      })
      rejectPending = undefined
      if (next.done === true) {
        finished = true
        return
      }
      yield next.value
    }
  } finally {
    rejectPending = undefined
    signal.removeEventListener('abort', onAbort)
    if (!finished) iterator.return?.()?.catch(() => {})
  }
}
