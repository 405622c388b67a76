import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * The highest seq this node has signed, kept in a small file so that after a restart it continues
 * above it even when its clock now reads earlier than it did (a clock that ran ahead and was fixed).
 * Writes are coalesced: at most one runs at a time, and the last value asked for is written.
 */
export class SeqHighWater {
  private pending?: bigint
  private writing?: Promise<void>

  constructor (private readonly file: string, private readonly onError: (err: Error) => void = () => {}) {}

  /** the stored seq, or undefined when there is none or it cannot be read */
  async load (): Promise<bigint | undefined> {
    try {
      const text = (await readFile(this.file, 'utf8')).trim()
      return /^\d{1,20}$/.test(text) ? BigInt(text) : undefined
    } catch {
      return undefined
    }
  }

  save (seq: bigint): void {
    this.pending = seq
    if (this.writing != null) return
    this.writing = this.drain().finally(() => { this.writing = undefined })
  }

  /** resolves once every value asked for is on disk (or failed) */
  async flush (): Promise<void> {
    await this.writing
  }

  private async drain (): Promise<void> {
    while (this.pending != null) {
      const seq = this.pending
      this.pending = undefined
      try {
        await mkdir(dirname(this.file), { recursive: true, mode: 0o700 })
        const tmp = `${this.file}.tmp`
        await writeFile(tmp, `${seq}\n`, { mode: 0o600 })
        await rename(tmp, this.file)
      } catch (err: any) {
        this.onError(err)
      }
    }
  }
}
