import { OutputChunk, ToolFrame } from '../../protocols/tool.js'
import { CHUNK_BYTES, MAX_DETAILS_BYTES, MAX_ERROR_MESSAGE_CHARS } from './constants.js'
import { codeFromWire, codeToWire, ToolError, ToolStreamError } from './errors.js'
import type { ToolResult } from '../host/ports.js'
import type { Stream } from '@libp2p/interface'
import type { ProtobufStream } from '@libp2p/utils'

/**
 * The response frames of one call (protocols/tool.proto): output and content pieces, then one
 * result or error. The serving node writes them with a ResponseWriter, the caller reads them
 * with readToolResponse.
 */

export type OutputChannel = 'stdout' | 'stderr'

function channelToWire (channel: OutputChannel): OutputChunk.Channel {
  return channel === 'stderr' ? OutputChunk.Channel.STDERR : OutputChunk.Channel.STDOUT
}

function channelFromWire (channel: OutputChunk.Channel): OutputChannel {
  return channel === OutputChunk.Channel.STDERR ? 'stderr' : 'stdout'
}

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

function parseDetails (json: string): Record<string, unknown> {
  if (json === '') return {}
  try {
    const value = JSON.parse(json)
    return value != null && typeof value === 'object' && !Array.isArray(value) ? value : { value }
  } catch {
    return { unparsed: json }
  }
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

export interface ResponseReadOptions {
  signal: AbortSignal
  /** streamed output; without it, output is collected into the result's content */
  onOutput?: (chunk: Uint8Array, channel: OutputChannel) => void
  /** the most output and content bytes collected */
  maxResponseBytes: number
  /** told of every frame read, before it is handled */
  onFrame?: () => void
}

/**
 * Read the serving node's frames up to the result (or error). The caller's collected bytes
 * are bounded: past `maxResponseBytes` the call fails rather than grow.
 */
export async function readToolResponse (pb: ProtobufStream<Stream>, peer: string, options: ResponseReadOptions): Promise<ToolResult> {
  const collected: Uint8Array[] = []
  let collectedBytes = 0
  const collect = (bytes: Uint8Array): void => {
    collectedBytes += bytes.byteLength
    if (collectedBytes > options.maxResponseBytes) {
      throw new ToolStreamError('failed', `the answer from ${peer} is over ${options.maxResponseBytes} bytes`)
    }
    collected.push(bytes)
  }

  while (true) {
    const frame = await pb.read(ToolFrame, { signal: options.signal })
    options.onFrame?.()
    if (frame.output != null) {
      if (options.onOutput != null) options.onOutput(frame.output.data, channelFromWire(frame.output.channel))
      else collect(frame.output.data)
    } else if (frame.content != null) {
      collect(frame.content)
    } else if (frame.result != null) {
      return {
        ok: frame.result.ok,
        content: Buffer.concat(collected).toString('utf8'),
        details: parseDetails(frame.result.details),
        truncated: frame.result.truncated
      }
    } else if (frame.error != null) {
      throw new ToolError(codeFromWire(frame.error.code), frame.error.message)
    }
  }
}
