/**
 * Iterate `source`, but stop with the signal's reason as soon as it aborts, even while a `next()`
 * is pending: a source that ignores the signal cannot hold a request open.
 */
export async function * abortable<T> (source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]()
  let finished = false
  try {
    while (true) {
      const next = await nextOrAbort(iterator, signal)
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

/** One `next()` raced against the signal, without leaving a listener behind */
export async function nextOrAbort<T> (iterator: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T>> {
  signal.throwIfAborted()
  return await new Promise((resolve, reject) => {
    const onAbort = (): void => { reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
    iterator.next().then(resolve, reject).finally(() => { signal.removeEventListener('abort', onAbort) })
  })
}

/** `promise`, or the signal's reason if it aborts first */
export async function untilAborted<T> (promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted()
  return await new Promise((resolve, reject) => {
    const onAbort = (): void => { reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => { signal.removeEventListener('abort', onAbort) })
  })
}
