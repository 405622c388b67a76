import { once } from 'node:events'
import { constants } from 'node:os'
import { apiClientFromOptions, remoteErrorFrom, reportRemoteError } from './api-client.js'
import { readNdjson } from './ndjson.js'
import { terminalSafe } from './terminal-text.js'
import { DEFAULT_MAX_RESPONSE_BYTES } from '../tool/constants.js'
import type { Command } from 'commander'

/** Longest NDJSON line accepted: a result carries at most what a caller collects, JSON-escaped */
const MAX_LINE_BYTES = 2 * DEFAULT_MAX_RESPONSE_BYTES

export interface ToolCallBody {
  node: string
  tool: string
  args: Record<string, unknown>
  timeoutMs?: number
}

/** The `result` line of POST /clawmatrix/tool */
export interface ToolResultLine {
  ok: boolean
  content: string
  details: Record<string, unknown>
  truncated: boolean
  nodeId: string
  peerId: string
  /** where the call went (absent from nodes older than these fields) */
  path?: 'direct' | 'relayed'
  via?: string | null
  attempts?: number
}

interface ToolLine extends Partial<ToolResultLine> {
  type: string
  channel?: 'stdout' | 'stderr'
  data?: string
  code?: string
  message?: string
}

export type OutputSink = (data: Buffer, channel: 'stdout' | 'stderr') => Promise<void>

export async function writeTo (stream: NodeJS.WritableStream, data: string | Uint8Array): Promise<void> {
  if (!stream.write(data)) await once(stream, 'drain')
}

/** Output goes where it came from on the remote node, byte for byte */
export const passOutputThrough: OutputSink = async (data, channel) => {
  await writeTo(channel === 'stderr' ? process.stderr : process.stdout, data)
}

export function noteTruncation (result: ToolResultLine): void {
  if (result.truncated) process.stderr.write(`note: output was cut at toolProxy.maxOutputBytes of node "${terminalSafe(result.nodeId)}"\n`)
}

/** A remote command's exit status as a local one: the code, or 128 + signal number */
export function exitStatusOf (result: ToolResultLine): number {
  const { exitCode, signal } = result.details
  if (typeof exitCode === 'number') return exitCode
  if (typeof signal === 'string' && signal in constants.signals) return 128 + constants.signals[signal as NodeJS.Signals]
  return result.ok ? 0 : 1
}

/**
 * POST /clawmatrix/tool on the local node and follow the answer: output to `onOutput`, the result
 * returned. A refusal or failure is printed as `error [<code>]: <message>` (exit 1) and gives
 * undefined. Ctrl-C ends the request, and the remote node stops the tool.
 */
export async function callToolThroughNode (cmd: Command, body: ToolCallBody, onOutput: OutputSink = passOutputThrough): Promise<ToolResultLine | undefined> {
  const api = await apiClientFromOptions(cmd.optsWithGlobals())
  const interrupted = new AbortController()
  const onInterrupt = (): void => { interrupted.abort() }
  process.once('SIGINT', onInterrupt)
  try {
    const res = await api.request('POST', '/clawmatrix/tool', { admin: true, signal: interrupted.signal, body })
    if (!res.ok || res.body == null) {
      const err = await remoteErrorFrom(res)
      reportRemoteError(err.code, err.message)
      return undefined
    }
    for await (const line of readNdjson<ToolLine>(res, { maxLineBytes: MAX_LINE_BYTES })) {
      if (line.type === 'output') {
        await onOutput(Buffer.from(line.data ?? '', 'base64'), line.channel === 'stderr' ? 'stderr' : 'stdout')
      } else if (line.type === 'result') {
        return line as ToolResultLine
      } else if (line.type === 'error') {
        reportRemoteError(line.code ?? 'failed', line.message ?? 'the tool call failed')
        return undefined
      }
    }
    reportRemoteError('failed', 'the node ended the call without a result')
    return undefined
  } catch (err: any) {
    if (!interrupted.signal.aborted) throw err
    reportRemoteError('cancelled', 'interrupted; the remote node stops the tool')
    process.exitCode = 130
    return undefined
  } finally {
    process.off('SIGINT', onInterrupt)
  }
}
