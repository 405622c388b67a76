/**
 * The last `maxBytes` bytes (UTF-8) of a text that arrives in pieces. Memory stays bounded
 * however much is appended; what was dropped is counted so the reader can be told.
 */
export class OutputTail {
  private chunks: Buffer[] = []
  private keptBytes = 0
  private dropped = 0

  constructor (private readonly maxBytes: number) {}

  append (text: string): void {
    if (text === '') return
    this.chunks.push(Buffer.from(text, 'utf8'))
    this.keptBytes += this.chunks[this.chunks.length - 1].length
    while (this.keptBytes > this.maxBytes) {
      const excess = this.keptBytes - this.maxBytes
      const first = this.chunks[0]
      if (first.length <= excess) {
        this.chunks.shift()
        this.keptBytes -= first.length
        this.dropped += first.length
      } else {
        this.chunks[0] = first.subarray(excess)
        this.keptBytes -= excess
        this.dropped += excess
      }
    }
  }

  get truncated (): boolean {
    return this.dropped > 0
  }

  /** the kept text; a code point cut in half at the front is left out */
  text (): string {
    const bytes = Buffer.concat(this.chunks)
    let start = 0
    while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) start++
    return bytes.toString('utf8', start)
  }
}

/** `text` cut to its last `maxBytes` bytes */
export function tailOf (text: string, maxBytes: number): { text: string, truncated: boolean } {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return { text, truncated: false }
  const tail = new OutputTail(maxBytes)
  tail.append(text)
  return { text: tail.text(), truncated: true }
}

/** The line put before a result that lost its beginning to the output cap */
export function cutNotice (keptText: string): string {
  return `[output cut: only the last ${Buffer.byteLength(keptText, 'utf8')} bytes are kept]\n`
}

/** Pieces of `text` of at most `maxBytes` bytes each, split between code points */
export function * utf8Pieces (text: string, maxBytes: number): Generator<string> {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) {
    yield text
    return
  }
  const bytes = Buffer.from(text, 'utf8')
  let start = 0
  while (start < bytes.length) {
    let end = Math.min(start + maxBytes, bytes.length)
    while (end < bytes.length && end > start && (bytes[end] & 0xc0) === 0x80) end--
    yield bytes.toString('utf8', start, end)
    start = end
  }
}
