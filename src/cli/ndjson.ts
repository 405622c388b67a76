const NEWLINE = 0x0a
/** how much of a bad line an error quotes */
const EXCERPT_CHARS = 80
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** A line of the node's NDJSON answer is too long, not UTF-8, or not a JSON object */
export class NdjsonError extends Error {
  override readonly name = 'NdjsonError'

  constructor (readonly line: number, problem: string) {
    super(`line ${line} of the node's answer ${problem}`)
  }
}

export interface NdjsonOptions {
  /** longest line accepted, in bytes, newline excluded */
  maxLineBytes: number
}

/**
 * The JSON objects of an NDJSON response body, one per line, each as soon as its line is
 * complete; blank lines are skipped and the last line may lack its newline. Lines are split on
 * bytes, so a character split across reads is decoded whole. The shape of each object is the
 * caller's to check. Leaving the loop early cancels the body.
 */
export async function * readNdjson<T extends object = Record<string, unknown>> (res: Response, options: NdjsonOptions): AsyncGenerator<T> {
  if (res.body == null) return
  const pending: Uint8Array[] = []
  let pendingBytes = 0
  let lineNumber = 0
  for await (const chunk of res.body) {
    let start = 0
    for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      lineNumber++
      checkLength(lineNumber, pendingBytes + end - start, options.maxLineBytes)
      pending.push(chunk.subarray(start, end))
      const value = parseLine<T>(lineNumber, join(pending))
      pending.length = 0
      pendingBytes = 0
      start = end + 1
      if (value != null) yield value
    }
    if (start < chunk.length) {
      checkLength(lineNumber + 1, pendingBytes + chunk.length - start, options.maxLineBytes)
      pending.push(chunk.subarray(start))
      pendingBytes += chunk.length - start
    }
  }
  const last = parseLine<T>(lineNumber + 1, join(pending))
  if (last != null) yield last
}

function checkLength (lineNumber: number, bytes: number, maxLineBytes: number): void {
  if (bytes > maxLineBytes) throw new NdjsonError(lineNumber, `is longer than ${maxLineBytes} bytes`)
}

function join (parts: Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0] : Buffer.concat(parts)
}

/** The object on one line; undefined for a blank line */
function parseLine<T> (lineNumber: number, bytes: Uint8Array): T | undefined {
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    throw new NdjsonError(lineNumber, 'is not valid UTF-8')
  }
  if (text.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err: any) {
    throw new NdjsonError(lineNumber, `is not JSON (${String(err?.message ?? err)}): ${excerpt(text)}`)
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value)) {
    throw new NdjsonError(lineNumber, `is not a JSON object: ${excerpt(text)}`)
  }
  return value as T
}

function excerpt (text: string): string {
  return JSON.stringify(text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}...` : text)
}
