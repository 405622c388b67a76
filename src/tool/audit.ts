import { createHash } from 'node:crypto'
import { appendFile, mkdir, rename, stat, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { AUDIT_LOG_KEEP, AUDIT_LOG_MAX_BYTES, AUDIT_MAX_STRING_CHARS } from './constants.js'
import type { ToolErrorCode } from './errors.js'
import type { ToolCaller } from '../host/ports.js'

/** The audit log: one JSON line per tool call, refused ones included, in a file rotated by size */

/** One line of the audit log: one tool call, allowed or refused */
export interface AuditEntry {
  /** when the call arrived (ISO 8601) */
  time: string
  caller: { peerId: string, nodeId: string | null }
  tool: string
  /** the arguments, file contents and long strings reduced to size and sha256 */
  args: unknown
  /** refused = stopped by policy or bad input before anything ran */
  decision: 'allowed' | 'refused'
  /** ok / not_ok (the tool ran and said ok: false), an error code, or caller_gone */
  outcome: 'ok' | 'not_ok' | ToolErrorCode | 'caller_gone'
  /** the refusal or error message */
  message?: string
  durationMs: number
  /** bytes of output and content sent to the caller */
  bytesOut: number
  truncated: boolean
}

/** Arguments that hold file contents, per tool */
const FILE_CONTENT_ARGS: Record<string, readonly string[]> = {
  write: ['content'],
  edit: ['oldText', 'newText']
}
const MAX_DEPTH = 8
const MAX_ITEMS = 100

function digest (text: string): { bytes: number, sha256: string } {
  const bytes = Buffer.from(text, 'utf8')
  return { bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') }
}

function reduce (value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > AUDIT_MAX_STRING_CHARS ? digest(value) : value
  if (value == null || typeof value !== 'object') return value
  if (depth >= MAX_DEPTH) return '[nested too deep]'
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map(item => reduce(item, depth + 1))
    if (value.length > MAX_ITEMS) items.push(`[${value.length - MAX_ITEMS} more]`)
    return items
  }
  const entries = Object.entries(value)
  const out: Record<string, unknown> = {}
  for (const [key, item] of entries.slice(0, MAX_ITEMS)) out[key] = reduce(item, depth + 1)
  if (entries.length > MAX_ITEMS) out['...'] = `${entries.length - MAX_ITEMS} more keys`
  return out
}

/** A call's arguments as the audit log keeps them: no file contents, nothing unbounded */
export function auditArgs (tool: string, args: Record<string, unknown>): unknown {
  const contentArgs = FILE_CONTENT_ARGS[tool] ?? []
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(reduce(args, 0) as Record<string, unknown>)) {
    const original = args[key]
    out[key] = contentArgs.includes(key) && typeof original === 'string' ? digest(original) : value
  }
  return out
}

/** The entry for a call that just arrived: refused and failed until the call proves otherwise */
export function openAuditEntry (caller: ToolCaller): AuditEntry {
  return {
    time: new Date().toISOString(),
    caller: { peerId: caller.peerId, nodeId: caller.nodeId ?? null },
    tool: '',
    args: null,
    decision: 'refused',
    outcome: 'failed',
    durationMs: 0,
    bytesOut: 0,
    truncated: false
  }
}

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
