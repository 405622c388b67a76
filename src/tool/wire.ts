import { CallError, OutputChunk } from '../../protocols/tool.js'
import type { ToolErrorCode } from '../host/tool-error.js'

/** Conversions between the frames of protocols/tool.proto and the plane's own types */

const CODE_TO_WIRE: Record<ToolErrorCode, CallError.Code> = {
  failed: CallError.Code.FAILED,
  disabled: CallError.Code.DISABLED,
  denied: CallError.Code.DENIED,
  not_found: CallError.Code.NOT_FOUND,
  bad_arguments: CallError.Code.BAD_ARGUMENTS,
  timeout: CallError.Code.TIMEOUT,
  busy: CallError.Code.BUSY
}

const CODE_FROM_WIRE = new Map(Object.entries(CODE_TO_WIRE).map(([code, wire]) => [wire, code as ToolErrorCode]))

export function codeToWire (code: ToolErrorCode): CallError.Code {
  return CODE_TO_WIRE[code]
}

export function codeFromWire (code: CallError.Code): ToolErrorCode {
  return CODE_FROM_WIRE.get(code) ?? 'failed'
}

export type OutputChannel = 'stdout' | 'stderr'

export function channelToWire (channel: OutputChannel): OutputChunk.Channel {
  return channel === 'stderr' ? OutputChunk.Channel.STDERR : OutputChunk.Channel.STDOUT
}

export function channelFromWire (channel: OutputChunk.Channel): OutputChannel {
  return channel === OutputChunk.Channel.STDERR ? 'stderr' : 'stdout'
}
