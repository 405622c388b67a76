import { appendFile, mkdir, rename, stat, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { AUDIT_LOG_KEEP, AUDIT_LOG_MAX_BYTES } from './constants.js'
import type { AuditEntry } from './audit-entry.js'

export interface AuditLogInit {
  /** rotate once the file would grow past this many bytes */
  maxBytes?: number
  /** rotated files kept: `<file>.1` (newest) .. `<file>.<keep>` */
  keep?: number
}

async function ignoreMissing (operation: Promise<void>): Promise<void> {
  try {
    await operation
  } catch (err: any) {
    if (err.code !== 'ENOENT') throw err
  }
}

/** An append-only JSON-lines file (mode 0600), rotated by size; writes happen one at a time */
export class AuditLog {
  private readonly maxBytes: number
  private readonly keep: number
  private size?: number
  private queue: Promise<void> = Promise.resolve()

  constructor (readonly file: string, init: AuditLogInit = {}) {
    this.maxBytes = init.maxBytes ?? AUDIT_LOG_MAX_BYTES
    this.keep = init.keep ?? AUDIT_LOG_KEEP
  }

  /** Append one entry; rejects when the line could not be written */
  async append (entry: AuditEntry): Promise<void> {
    const line = JSON.stringify(entry) + '\n'
    const write = this.queue.then(async () => { await this.write(line) })
    this.queue = write.catch(() => {})
    await write
  }

  /** Wait for every pending write */
  async flush (): Promise<void> {
    await this.queue
  }

  private async write (line: string): Promise<void> {
    if (this.size == null) {
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 })
      this.size = await stat(this.file).then(s => s.size, () => 0)
    }
    const bytes = Buffer.byteLength(line)
    if (this.size > 0 && this.size + bytes > this.maxBytes) await this.rotate()
    await appendFile(this.file, line, { mode: 0o600 })
    this.size += bytes
  }

  private async rotate (): Promise<void> {
    if (this.keep === 0) {
      await ignoreMissing(unlink(this.file))
    } else {
      for (let i = this.keep - 1; i >= 1; i--) await ignoreMissing(rename(`${this.file}.${i}`, `${this.file}.${i + 1}`))
      await ignoreMissing(rename(this.file, `${this.file}.1`))
    }
    this.size = 0
  }
}
