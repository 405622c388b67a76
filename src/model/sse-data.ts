import { createParser } from 'eventsource-parser'

/** largest single SSE event accepted */
export const MAX_SSE_EVENT_CHARS = 8 * 1024 * 1024

/** The `data` of each server-sent event in `body`, in order */
export async function * sseData (body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const pending: string[] = []
  let failure: Error | undefined
  const parser = createParser({
    onEvent: (event) => { pending.push(event.data) },
    onError: (err) => { if (err.type === 'max-buffer-size-exceeded') failure = err },
    maxBufferSize: MAX_SSE_EVENT_CHARS
  })
  const decoder = new TextDecoder()
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }))
    if (failure != null) throw failure
    yield * pending.splice(0)
  }
  parser.feed(decoder.decode())
  parser.feed('\n\n')
  yield * pending.splice(0)
}
