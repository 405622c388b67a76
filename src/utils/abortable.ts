import { raceSignal } from 'race-signal'

/**
 * Iterate `source`, but stop with the signal's reason as soon as it aborts, even while a `next()`
 * is pending: a source that ignores the signal cannot hold a request open.
 */
export async function * abortable<T> (source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]()
  let finished = false
  try {
    while (true) {
      signal.throwIfAborted()
      const next = await raceSignal(iterator.next(), signal)
      if (next.done === true) {
        finished = true
        return
      }
      yield next.value
    }
  } finally {
    if (!finished) iterator.return?.()?.catch(() => {})
  }
}
