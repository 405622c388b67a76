import { ToolFrame } from '../../protocols/tool.js'
import { CHUNK_BYTES, MAX_DETAILS_BYTES, MAX_ERROR_MESSAGE_CHARS } from './constants.js'
import { channelToWire, codeToWire } from './wire.js'
import type { OutputChannel } from './wire.js'
import type { ToolResult } from '../host/ports.js'
import type { ToolError } from '../host/tool-error.js'
import type { Stream } from '@libp2p/interface'
import type { ProtobufStream } from '@libp2p/utils'

function * pieces (bytes: Uint8Array): Generator<Uint8Array<ArrayBuffer>> {
  for (let at = 0; at < bytes.byteLength; at += CHUNK_BYTES) {
    yield bytes.subarray(at, at + CHUNK_BYTES) as Uint8Array<ArrayBuffer>
  }
}

/** The longest prefix of `bytes` within `limit` that does not split a UTF-8 character */
function utf8Prefix (bytes: Uint8Array, limit: number): Uint8Array {
  if (bytes.byteLength <= limit) return bytes
  let end = limit
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--
  return bytes.subarray(0, end)
}

function detailsJson (details: Record<string, unknown> | undefined): string {
  let json: string
  try {
    json = JSON.stringify(details ?? {})
  } catch (err: any) {
    return JSON.stringify({ detailsOmitted: `not serialisable: ${String(err.message)}` })
  }
  if (Buffer.byteLength(json) <= MAX_DETAILS_BYTES) return json
  return JSON.stringify({ detailsOmitted: `${Buffer.byteLength(json)} bytes, over the limit of ${MAX_DETAILS_BYTES}` })
}

/**
 * The serving side's frames for one call, in order. Output and content share one budget
 * (toolProxy.maxOutputBytes): what goes past it is cut and the result is marked truncated, so
 * no more than the budget is ever queued for a slow caller.
 */
export class ResponseWriter {
  bytesOut = 0
  truncated = false
  private pending: Promise<void> = Promise.resolve()
  private failure?: Error

  constructor (private readonly pb: ProtobufStream<Stream>, private readonly budget: number, private readonly signal: AbortSignal) {
    this.output = this.output.bind(this)
  }

  /** Streamed tool output; usable as `onOutput` */
  output (chunk: Uint8Array, channel: OutputChannel): void {
    const room = this.budget - this.bytesOut
    const kept = chunk.byteLength > room ? chunk.subarray(0, room) : chunk
    this.account(chunk.byteLength, kept.byteLength)
    for (const data of pieces(kept)) this.enqueue({ output: { channel: channelToWire(channel), data } })
  }

  /** The content in pieces, then the final result frame */
  async result (result: ToolResult): Promise<void> {
    const content = Buffer.from(result.content ?? '', 'utf8')
    const kept = utf8Prefix(content, this.budget - this.bytesOut)
    this.account(content.byteLength, kept.byteLength)
    for (const piece of pieces(kept)) this.enqueue({ content: piece })
    if (result.truncated) this.truncated = true
    this.enqueue({ result: { ok: result.ok, details: detailsJson(result.details), truncated: this.truncated } })
    await this.flush()
  }

  async error (err: ToolError): Promise<void> {
    this.enqueue({ error: { code: codeToWire(err.code), message: err.message.slice(0, MAX_ERROR_MESSAGE_CHARS) } })
    await this.flush()
  }

  private account (offered: number, kept: number): void {
    this.bytesOut += kept
    if (kept < offered) this.truncated = true
  }

  private enqueue (frame: ToolFrame): void {
    if (this.failure != null) return
    this.pending = this.pending
      .then(async () => {
        if (this.failure == null) await this.pb.write(frame, ToolFrame, { signal: this.signal })
      })
      .catch((err: Error) => { this.failure ??= err })
  }

  private async flush (): Promise<void> {
    await this.pending
    if (this.failure != null) throw this.failure
  }
}
