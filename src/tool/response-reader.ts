import { ToolFrame } from '../../protocols/tool.js'
import { ToolError } from '../host/tool-error.js'
import { ToolStreamError } from './errors.js'
import { channelFromWire, codeFromWire } from './wire.js'
import type { OutputChannel } from './wire.js'
import type { ToolResult } from '../host/ports.js'
import type { Stream } from '@libp2p/interface'
import type { ProtobufStream } from '@libp2p/utils'

export interface ResponseReadOptions {
  signal: AbortSignal
  /** streamed output; without it, output is collected into the result's content */
  onOutput?: (chunk: Uint8Array, channel: OutputChannel) => void
  /** the most output and content bytes collected */
  maxResponseBytes: number
  /** told of every frame read, before it is handled */
  onFrame?: () => void
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
