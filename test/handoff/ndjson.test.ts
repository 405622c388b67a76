import { describe, expect, it } from 'vitest'
import { NdjsonError, readNdjson } from '../../src/cli/ndjson.js'

/** A response whose body arrives in exactly these pieces */
function answer (...pieces: Array<string | Uint8Array>): { res: Response, cancelled: () => boolean } {
  let cancelled = false
  const queue = pieces.map(p => typeof p === 'string' ? new TextEncoder().encode(p) : p)
  const body = new ReadableStream<Uint8Array>({
    pull (controller) {
      const next = queue.shift()
      if (next == null) controller.close()
      else controller.enqueue(next)
    },
    cancel () { cancelled = true }
  })
  return { res: new Response(body), cancelled: () => cancelled }
}

async function all (res: Response, maxLineBytes = 1024): Promise<unknown[]> {
  const values: unknown[] = []
  for await (const value of readNdjson(res, { maxLineBytes })) values.push(value)
  return values
}

async function error (res: Response, maxLineBytes = 1024): Promise<NdjsonError> {
  const err = await all(res, maxLineBytes).catch(e => e)
  expect(err).toBeInstanceOf(NdjsonError)
  return err
}

describe('reading the node\'s NDJSON answers', () => {
  it('yields each object once its line is complete, lines split anywhere, a last line without newline', async () => {
    const crab = new TextEncoder().encode('{"text":"\u{1F980}"}\n')
    const { res } = answer('{"a":1}\n{"b"', ':2}\n\n  \n', crab.subarray(0, 10), crab.subarray(10), '{"c":3}')
    expect(await all(res)).toEqual([{ a: 1 }, { b: 2 }, { text: '\u{1F980}' }, { c: 3 }])
  })

  it('names the line that is not JSON, not an object, or not UTF-8', async () => {
    expect((await error(answer('{"a":1}\n\n{"b":\n').res)).message).toMatch(/^line 3 of the node's answer is not JSON \(.*\): "\{\\"b\\":"$/)
    expect((await error(answer('{"a":1}\n[1,2]\n').res)).message).toBe('line 2 of the node\'s answer is not a JSON object: "[1,2]"')
    expect((await error(answer('null').res)).line).toBe(1)
    expect((await error(answer(new Uint8Array([0x7b, 0xff, 0x7d, 0x0a])).res)).message).toBe('line 1 of the node\'s answer is not valid UTF-8')
  })

  it('refuses a line over the limit before it has all arrived, and stops reading', async () => {
    const long = answer('{"a":1}\n{"b":"', 'x'.repeat(60), 'x'.repeat(60), '"}\n')
    const err = await error(long.res, 100)
    expect(err.message).toBe('line 2 of the node\'s answer is longer than 100 bytes')
    expect(long.cancelled()).toBe(true)
    // exactly at the limit is fine, complete or not
    const exact = '{"s":"' + 'y'.repeat(92) + '"}'
    expect(await all(answer(exact + '\n', exact).res, 100)).toHaveLength(2)
  })

  it('cancels the body when the reader leaves early', async () => {
    const { res, cancelled } = answer('{"a":1}\n', '{"b":2}\n', '{"c":3}\n')
    for await (const value of readNdjson(res, { maxLineBytes: 100 })) {
      expect(value).toEqual({ a: 1 })
      break
    }
    expect(cancelled()).toBe(true)
  })
})
