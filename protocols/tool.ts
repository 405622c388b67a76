import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ToolRequest {
  tool: string
  args: string
  timeoutMs: number
}

export namespace ToolRequest {
  let _codec: Codec<ToolRequest>

  export const codec = (): Codec<ToolRequest> => {
    if (_codec == null) {
      _codec = message<ToolRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.tool != null && obj.tool !== '')) {
          w.uint32(10)
          w.string(obj.tool)
        }

        if ((obj.args != null && obj.args !== '')) {
          w.uint32(18)
          w.string(obj.args)
        }

        if ((obj.timeoutMs != null && obj.timeoutMs !== 0)) {
          w.uint32(24)
          w.uint32(obj.timeoutMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          tool: '',
          args: '',
          timeoutMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.tool = reader.string()
              break
            }
            case 2: {
              obj.args = reader.string()
              break
            }
            case 3: {
              obj.timeoutMs = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.tool`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.args`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.timeoutMs`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ToolRequestToolFieldEvent {
    field: '$.tool'
    value: string
  }

  export interface ToolRequestArgsFieldEvent {
    field: '$.args'
    value: string
  }

  export interface ToolRequestTimeoutMsFieldEvent {
    field: '$.timeoutMs'
    value: number
  }

  export function encode (obj: Partial<ToolRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ToolRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ToolRequest>): ToolRequest {
    return decodeMessage(buf, ToolRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ToolRequest>): Generator<ToolRequestToolFieldEvent | ToolRequestArgsFieldEvent | ToolRequestTimeoutMsFieldEvent> {
    return streamMessage(buf, ToolRequest.codec(), opts)
  }
}

export interface ToolFrame {
  output?: OutputChunk
  content?: Uint8Array<ArrayBuffer>
  result?: FinalResult
  error?: CallError
}

export namespace ToolFrame {
  let _codec: Codec<ToolFrame>

  export const codec = (): Codec<ToolFrame> => {
    if (_codec == null) {
      _codec = message<ToolFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.error != null) {
          obj.result = undefined
          obj.content = undefined
          obj.output = undefined
        }

        if (obj.result != null) {
          obj.error = undefined
          obj.content = undefined
          obj.output = undefined
        }

        if (obj.content != null) {
          obj.error = undefined
          obj.result = undefined
          obj.output = undefined
        }

        if (obj.output != null) {
          obj.error = undefined
          obj.result = undefined
          obj.content = undefined
        }

        if (obj.output != null) {
          w.uint32(10)
          OutputChunk.codec().encode(obj.output, w)
        }

        if (obj.content != null) {
          w.uint32(18)
          w.bytes(obj.content)
        }

        if (obj.result != null) {
          w.uint32(26)
          FinalResult.codec().encode(obj.result, w)
        }

        if (obj.error != null) {
          w.uint32(34)
          CallError.codec().encode(obj.error, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.output = OutputChunk.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.output
              })
              break
            }
            case 2: {
              obj.content = reader.bytes()
              break
            }
            case 3: {
              obj.result = FinalResult.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.result
              })
              break
            }
            case 4: {
              obj.error = CallError.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.error != null) {
          delete obj.result
          delete obj.content
          delete obj.output
        }

        if (obj.result != null) {
          delete obj.error
          delete obj.content
          delete obj.output
        }

        if (obj.content != null) {
          delete obj.error
          delete obj.result
          delete obj.output
        }

        if (obj.output != null) {
          delete obj.error
          delete obj.result
          delete obj.content
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * OutputChunk.codec().stream(reader, reader.uint32(), `${prefix}.output`, {
                limits: opts.limits?.output
              })

              break
            }
            case 2: {
              yield {
                field: `${prefix}.content`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield * FinalResult.codec().stream(reader, reader.uint32(), `${prefix}.result`, {
                limits: opts.limits?.result
              })

              break
            }
            case 4: {
              yield * CallError.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ToolFrameOutputChannelFieldEvent {
    field: '$.output.channel'
    value: OutputChunk.Channel
  }

  export interface ToolFrameOutputDataFieldEvent {
    field: '$.output.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ToolFrameContentFieldEvent {
    field: '$.content'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ToolFrameResultOkFieldEvent {
    field: '$.result.ok'
    value: boolean
  }

  export interface ToolFrameResultDetailsFieldEvent {
    field: '$.result.details'
    value: string
  }

  export interface ToolFrameResultTruncatedFieldEvent {
    field: '$.result.truncated'
    value: boolean
  }

  export interface ToolFrameErrorCodeFieldEvent {
    field: '$.error.code'
    value: CallError.Code
  }

  export interface ToolFrameErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export function encode (obj: Partial<ToolFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ToolFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ToolFrame>): ToolFrame {
    return decodeMessage(buf, ToolFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ToolFrame>): Generator<ToolFrameOutputChannelFieldEvent | ToolFrameOutputDataFieldEvent | ToolFrameContentFieldEvent | ToolFrameResultOkFieldEvent | ToolFrameResultDetailsFieldEvent | ToolFrameResultTruncatedFieldEvent | ToolFrameErrorCodeFieldEvent | ToolFrameErrorMessageFieldEvent> {
    return streamMessage(buf, ToolFrame.codec(), opts)
  }
}

export interface OutputChunk {
  channel: OutputChunk.Channel
  data: Uint8Array<ArrayBuffer>
}

export namespace OutputChunk {
  export enum Channel {
    STDOUT = 'STDOUT',
    STDERR = 'STDERR'
  }

  enum __ChannelValues {
    STDOUT = 0,
    STDERR = 1
  }

  export namespace Channel {
    export const codec = (): Codec<Channel> => {
      return enumeration<Channel>(__ChannelValues)
    }
  }

  let _codec: Codec<OutputChunk>

  export const codec = (): Codec<OutputChunk> => {
    if (_codec == null) {
      _codec = message<OutputChunk>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.channel != null && __ChannelValues[obj.channel] !== 0) {
          w.uint32(8)
          OutputChunk.Channel.codec().encode(obj.channel, w)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          channel: Channel.STDOUT,
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.channel = OutputChunk.Channel.codec().decode(reader)
              break
            }
            case 2: {
              obj.data = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.channel`,
                value: OutputChunk.Channel.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface OutputChunkChannelFieldEvent {
    field: '$.channel'
    value: OutputChunk.Channel
  }

  export interface OutputChunkDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<OutputChunk>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OutputChunk.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OutputChunk>): OutputChunk {
    return decodeMessage(buf, OutputChunk.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OutputChunk>): Generator<OutputChunkChannelFieldEvent | OutputChunkDataFieldEvent> {
    return streamMessage(buf, OutputChunk.codec(), opts)
  }
}

export interface FinalResult {
  ok: boolean
  details: string
  truncated: boolean
}

export namespace FinalResult {
  let _codec: Codec<FinalResult>

  export const codec = (): Codec<FinalResult> => {
    if (_codec == null) {
      _codec = message<FinalResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ok != null && obj.ok !== false)) {
          w.uint32(8)
          w.bool(obj.ok)
        }

        if ((obj.details != null && obj.details !== '')) {
          w.uint32(18)
          w.string(obj.details)
        }

        if ((obj.truncated != null && obj.truncated !== false)) {
          w.uint32(24)
          w.bool(obj.truncated)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ok: false,
          details: '',
          truncated: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ok = reader.bool()
              break
            }
            case 2: {
              obj.details = reader.string()
              break
            }
            case 3: {
              obj.truncated = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.ok`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.details`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.truncated`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface FinalResultOkFieldEvent {
    field: '$.ok'
    value: boolean
  }

  export interface FinalResultDetailsFieldEvent {
    field: '$.details'
    value: string
  }

  export interface FinalResultTruncatedFieldEvent {
    field: '$.truncated'
    value: boolean
  }

  export function encode (obj: Partial<FinalResult>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FinalResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FinalResult>): FinalResult {
    return decodeMessage(buf, FinalResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FinalResult>): Generator<FinalResultOkFieldEvent | FinalResultDetailsFieldEvent | FinalResultTruncatedFieldEvent> {
    return streamMessage(buf, FinalResult.codec(), opts)
  }
}

export interface CallError {
  code: CallError.Code
  message: string
}

export namespace CallError {
  export enum Code {
    FAILED = 'FAILED',
    DISABLED = 'DISABLED',
    DENIED = 'DENIED',
    NOT_FOUND = 'NOT_FOUND',
    BAD_ARGUMENTS = 'BAD_ARGUMENTS',
    TIMEOUT = 'TIMEOUT',
    BUSY = 'BUSY'
  }

  enum __CodeValues {
    FAILED = 0,
    DISABLED = 1,
    DENIED = 2,
    NOT_FOUND = 3,
    BAD_ARGUMENTS = 4,
    TIMEOUT = 5,
    BUSY = 6
  }

  export namespace Code {
    export const codec = (): Codec<Code> => {
      return enumeration<Code>(__CodeValues)
    }
  }

  let _codec: Codec<CallError>

  export const codec = (): Codec<CallError> => {
    if (_codec == null) {
      _codec = message<CallError>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.code != null && __CodeValues[obj.code] !== 0) {
          w.uint32(8)
          CallError.Code.codec().encode(obj.code, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: Code.FAILED,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = CallError.Code.codec().decode(reader)
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.code`,
                value: CallError.Code.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CallErrorCodeFieldEvent {
    field: '$.code'
    value: CallError.Code
  }

  export interface CallErrorMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<CallError>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CallError.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CallError>): CallError {
    return decodeMessage(buf, CallError.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CallError>): Generator<CallErrorCodeFieldEvent | CallErrorMessageFieldEvent> {
    return streamMessage(buf, CallError.codec(), opts)
  }
}
