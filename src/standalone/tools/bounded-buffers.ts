/** Keeps the first `limit` bytes appended and notes whether more came */
export class HeadBuffer {
  private readonly chunks: Uint8Array[] = []
  private size = 0
  truncated = false

  constructor (private readonly limit: number) {}

  append (chunk: Uint8Array): void {
    const room = this.limit - this.size
    if (chunk.byteLength > room) this.truncated = true
    if (room <= 0) return
    const kept = chunk.byteLength > room ? chunk.subarray(0, room) : chunk
    this.chunks.push(kept)
    this.size += kept.byteLength
  }

  text (): string {
    return Buffer.concat(this.chunks).toString('utf8')
  }
}

/** Keeps the last `limit` bytes appended */
export class TailBuffer {
  private chunks: Uint8Array[] = []
  private size = 0

  constructor (private readonly limit: number) {}

  append (chunk: Uint8Array): void {
    this.chunks.push(chunk)
    this.size += chunk.byteLength
    while (this.size - this.chunks[0].byteLength >= this.limit) {
      this.size -= this.chunks[0].byteLength
      this.chunks.shift()
    }
  }

  text (): string {
    const all = Buffer.concat(this.chunks)
    return all.subarray(Math.max(0, all.byteLength - this.limit)).toString('utf8')
  }
}
