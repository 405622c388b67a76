import { decodeMessage, encodeMessage, MaxLengthError, MaxSizeError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface CallerFrame {
  request?: Request
  body?: RequestBody
  cancel?: Cancel
}

export namespace CallerFrame {
  let _codec: Codec<CallerFrame>

  export const codec = (): Codec<CallerFrame> => {
    if (_codec == null) {
      _codec = message<CallerFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.cancel != null) {
          obj.body = undefined
          obj.request = undefined
        }

        if (obj.body != null) {
          obj.cancel = undefined
          obj.request = undefined
        }

        if (obj.request != null) {
          obj.cancel = undefined
          obj.body = undefined
        }

        if (obj.request != null) {
          w.uint32(10)
          Request.codec().encode(obj.request, w)
        }

        if (obj.body != null) {
          w.uint32(18)
          RequestBody.codec().encode(obj.body, w)
        }

        if (obj.cancel != null) {
          w.uint32(26)
          Cancel.codec().encode(obj.cancel, w)
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
              obj.request = Request.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.request
              })
              break
            }
            case 2: {
              obj.body = RequestBody.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.body
              })
              break
            }
            case 3: {
              obj.cancel = Cancel.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.cancel
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.cancel != null) {
          delete obj.body
          delete obj.request
        }

        if (obj.body != null) {
          delete obj.cancel
          delete obj.request
        }

        if (obj.request != null) {
          delete obj.cancel
          delete obj.body
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Request.codec().stream(reader, reader.uint32(), `${prefix}.request`, {
                limits: opts.limits?.request
              })

              break
            }
            case 2: {
              yield * RequestBody.codec().stream(reader, reader.uint32(), `${prefix}.body`, {
                limits: opts.limits?.body
              })

              break
            }
            case 3: {
              yield * Cancel.codec().stream(reader, reader.uint32(), `${prefix}.cancel`, {
                limits: opts.limits?.cancel
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

  export interface CallerFrameRequestModelFieldEvent {
    field: '$.request.model'
    value: string
  }

  export interface CallerFrameRequestBodyLengthFieldEvent {
    field: '$.request.bodyLength'
    value: number
  }

  export interface CallerFrameRequestBodyFieldEvent {
    field: '$.request.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CallerFrameBodyDataFieldEvent {
    field: '$.body.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CallerFrameCancelReasonFieldEvent {
    field: '$.cancel.reason'
    value: string
  }

  export function encode (obj: Partial<CallerFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CallerFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CallerFrame>): CallerFrame {
    return decodeMessage(buf, CallerFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CallerFrame>): Generator<CallerFrameRequestModelFieldEvent | CallerFrameRequestBodyLengthFieldEvent | CallerFrameRequestBodyFieldEvent | CallerFrameBodyDataFieldEvent | CallerFrameCancelReasonFieldEvent> {
    return streamMessage(buf, CallerFrame.codec(), opts)
  }
}

export interface Request {
  model: string
  bodyLength: number
  body: Uint8Array<ArrayBuffer>
}

export namespace Request {
  let _codec: Codec<Request>

  export const codec = (): Codec<Request> => {
    if (_codec == null) {
      _codec = message<Request>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.model != null && obj.model !== '')) {
          w.uint32(10)
          w.string(obj.model)
        }

        if ((obj.bodyLength != null && obj.bodyLength !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.bodyLength)
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.body)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          model: '',
          bodyLength: 0,
          body: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.model = reader.string()
              break
            }
            case 2: {
              obj.bodyLength = reader.uint64Number()
              break
            }
            case 3: {
              obj.body = reader.bytes()
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
                field: `${prefix}.model`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.bodyLength`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.body`,
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

  export interface RequestModelFieldEvent {
    field: '$.model'
    value: string
  }

  export interface RequestBodyLengthFieldEvent {
    field: '$.bodyLength'
    value: number
  }

  export interface RequestBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Request>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Request.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Request>): Request {
    return decodeMessage(buf, Request.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Request>): Generator<RequestModelFieldEvent | RequestBodyLengthFieldEvent | RequestBodyFieldEvent> {
    return streamMessage(buf, Request.codec(), opts)
  }
}

export interface RequestBody {
  data: Uint8Array<ArrayBuffer>
}

export namespace RequestBody {
  let _codec: Codec<RequestBody>

  export const codec = (): Codec<RequestBody> => {
    if (_codec == null) {
      _codec = message<RequestBody>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
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

  export interface RequestBodyDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RequestBody>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RequestBody.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RequestBody>): RequestBody {
    return decodeMessage(buf, RequestBody.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RequestBody>): Generator<RequestBodyDataFieldEvent> {
    return streamMessage(buf, RequestBody.codec(), opts)
  }
}

export interface Cancel {
  reason: string
}

export namespace Cancel {
  let _codec: Codec<Cancel>

  export const codec = (): Codec<Cancel> => {
    if (_codec == null) {
      _codec = message<Cancel>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(10)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.reason = reader.string()
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
                field: `${prefix}.reason`,
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

  export interface CancelReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<Cancel>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Cancel.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Cancel>): Cancel {
    return decodeMessage(buf, Cancel.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Cancel>): Generator<CancelReasonFieldEvent> {
    return streamMessage(buf, Cancel.codec(), opts)
  }
}

export interface ServerFrame {
  head?: ResponseHead
  data?: ResponseData
  end?: ResponseEnd
  error?: ResponseError
}

export namespace ServerFrame {
  let _codec: Codec<ServerFrame>

  export const codec = (): Codec<ServerFrame> => {
    if (_codec == null) {
      _codec = message<ServerFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.error != null) {
          obj.end = undefined
          obj.data = undefined
          obj.head = undefined
        }

        if (obj.end != null) {
          obj.error = undefined
          obj.data = undefined
          obj.head = undefined
        }

        if (obj.data != null) {
          obj.error = undefined
          obj.end = undefined
          obj.head = undefined
        }

        if (obj.head != null) {
          obj.error = undefined
          obj.end = undefined
          obj.data = undefined
        }

        if (obj.head != null) {
          w.uint32(10)
          ResponseHead.codec().encode(obj.head, w)
        }

        if (obj.data != null) {
          w.uint32(18)
          ResponseData.codec().encode(obj.data, w)
        }

        if (obj.end != null) {
          w.uint32(26)
          ResponseEnd.codec().encode(obj.end, w)
        }

        if (obj.error != null) {
          w.uint32(34)
          ResponseError.codec().encode(obj.error, w)
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
              obj.head = ResponseHead.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.head
              })
              break
            }
            case 2: {
              obj.data = ResponseData.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.data
              })
              break
            }
            case 3: {
              obj.end = ResponseEnd.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.end
              })
              break
            }
            case 4: {
              obj.error = ResponseError.codec().decode(reader, reader.uint32(), {
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
          delete obj.end
          delete obj.data
          delete obj.head
        }

        if (obj.end != null) {
          delete obj.error
          delete obj.data
          delete obj.head
        }

        if (obj.data != null) {
          delete obj.error
          delete obj.end
          delete obj.head
        }

        if (obj.head != null) {
          delete obj.error
          delete obj.end
          delete obj.data
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * ResponseHead.codec().stream(reader, reader.uint32(), `${prefix}.head`, {
                limits: opts.limits?.head
              })

              break
            }
            case 2: {
              yield * ResponseData.codec().stream(reader, reader.uint32(), `${prefix}.data`, {
                limits: opts.limits?.data
              })

              break
            }
            case 3: {
              yield * ResponseEnd.codec().stream(reader, reader.uint32(), `${prefix}.end`, {
                limits: opts.limits?.end
              })

              break
            }
            case 4: {
              yield * ResponseError.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
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

  export interface ServerFrameHeadStatusFieldEvent {
    field: '$.head.status'
    value: number
  }

  export interface ServerFrameHeadHeadersFieldEvent {
    field: '$.head.headers{}'
    key: string
    value: string
  }

  export interface ServerFrameDataDataFieldEvent {
    field: '$.data.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ServerFrameEndStatusFieldEvent {
    field: '$.end.status'
    value: number
  }

  export interface ServerFrameEndBodyBytesFieldEvent {
    field: '$.end.bodyBytes'
    value: number
  }

  export interface ServerFrameEndUsagePromptTokensFieldEvent {
    field: '$.end.usage.promptTokens'
    value: number
  }

  export interface ServerFrameEndUsageCompletionTokensFieldEvent {
    field: '$.end.usage.completionTokens'
    value: number
  }

  export interface ServerFrameEndUsageTotalTokensFieldEvent {
    field: '$.end.usage.totalTokens'
    value: number
  }

  export interface ServerFrameErrorStatusFieldEvent {
    field: '$.error.status'
    value: number
  }

  export interface ServerFrameErrorTypeFieldEvent {
    field: '$.error.type'
    value: string
  }

  export interface ServerFrameErrorCodeFieldEvent {
    field: '$.error.code'
    value: string
  }

  export interface ServerFrameErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export function encode (obj: Partial<ServerFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ServerFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ServerFrame>): ServerFrame {
    return decodeMessage(buf, ServerFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ServerFrame>): Generator<ServerFrameHeadStatusFieldEvent | ServerFrameHeadHeadersFieldEvent | ServerFrameDataDataFieldEvent | ServerFrameEndStatusFieldEvent | ServerFrameEndBodyBytesFieldEvent | ServerFrameEndUsagePromptTokensFieldEvent | ServerFrameEndUsageCompletionTokensFieldEvent | ServerFrameEndUsageTotalTokensFieldEvent | ServerFrameErrorStatusFieldEvent | ServerFrameErrorTypeFieldEvent | ServerFrameErrorCodeFieldEvent | ServerFrameErrorMessageFieldEvent> {
    return streamMessage(buf, ServerFrame.codec(), opts)
  }
}

export interface ResponseHead {
  status: number
  headers: Map<string, string>
}

export namespace ResponseHead {
  export interface ResponseHead$headersEntry {
    key: string
    value: string
  }

  export namespace ResponseHead$headersEntry {
    let _codec: Codec<ResponseHead$headersEntry>

    export const codec = (): Codec<ResponseHead$headersEntry> => {
      if (_codec == null) {
        _codec = message<ResponseHead$headersEntry>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.key != null && obj.key !== '')) {
            w.uint32(10)
            w.string(obj.key)
          }

          if ((obj.value != null && obj.value !== '')) {
            w.uint32(18)
            w.string(obj.value)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            key: '',
            value: ''
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.key = reader.string()
                break
              }
              case 2: {
                obj.value = reader.string()
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
                  field: `${prefix}.key`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.value`,
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

    export interface ResponseHead$headersEntryKeyFieldEvent {
      field: '$.key'
      value: string
    }

    export interface ResponseHead$headersEntryValueFieldEvent {
      field: '$.value'
      value: string
    }

    export function encode (obj: Partial<ResponseHead$headersEntry>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, ResponseHead$headersEntry.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResponseHead$headersEntry>): ResponseHead$headersEntry {
      return decodeMessage(buf, ResponseHead$headersEntry.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResponseHead$headersEntry>): Generator<ResponseHead$headersEntryKeyFieldEvent | ResponseHead$headersEntryValueFieldEvent> {
      return streamMessage(buf, ResponseHead$headersEntry.codec(), opts)
    }
  }

  let _codec: Codec<ResponseHead>

  export const codec = (): Codec<ResponseHead> => {
    if (_codec == null) {
      _codec = message<ResponseHead>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.status != null && obj.status !== 0)) {
          w.uint32(8)
          w.uint32(obj.status)
        }

        if (obj.headers != null && obj.headers.size > 0) {
          for (const [key, value] of obj.headers.entries()) {
            w.uint32(18)
            ResponseHead.ResponseHead$headersEntry.codec().encode({ key, value }, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: 0,
          headers: new Map<string, string>()
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.headers != null && obj.headers.size === opts.limits.headers) {
                throw new MaxSizeError('Decode error - map field "headers" had too many elements')
              }

              const entry = ResponseHead.ResponseHead$headersEntry.codec().decode(reader, reader.uint32(), {
                limits: {
                  value: opts.limits?.headers$value
                }
              })
              obj.headers.set(entry.key, entry.value)
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
        const obj = {
          headers: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.headers != null && obj.headers === opts.limits.headers) {
                throw new MaxLengthError('Decode error - map field "headers" had too many elements')
              }

              yield * ResponseHead.ResponseHead$headersEntry.codec().stream(reader, reader.uint32(), `${prefix}.headers{}`, {
                limits: {
                  value: opts.limits?.headers$value
                }
              })

              obj.headers++

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

  export interface ResponseHeadStatusFieldEvent {
    field: '$.status'
    value: number
  }

  export interface ResponseHeadHeadersFieldEvent {
    field: '$.headers{}'
    key: string
    value: string
  }

  export function encode (obj: Partial<ResponseHead>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ResponseHead.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResponseHead>): ResponseHead {
    return decodeMessage(buf, ResponseHead.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResponseHead>): Generator<ResponseHeadStatusFieldEvent | ResponseHeadHeadersFieldEvent> {
    return streamMessage(buf, ResponseHead.codec(), opts)
  }
}

export interface ResponseData {
  data: Uint8Array<ArrayBuffer>
}

export namespace ResponseData {
  let _codec: Codec<ResponseData>

  export const codec = (): Codec<ResponseData> => {
    if (_codec == null) {
      _codec = message<ResponseData>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
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

  export interface ResponseDataDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ResponseData>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ResponseData.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResponseData>): ResponseData {
    return decodeMessage(buf, ResponseData.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResponseData>): Generator<ResponseDataDataFieldEvent> {
    return streamMessage(buf, ResponseData.codec(), opts)
  }
}

export interface ResponseEnd {
  status: number
  bodyBytes: number
  usage?: Usage
}

export namespace ResponseEnd {
  let _codec: Codec<ResponseEnd>

  export const codec = (): Codec<ResponseEnd> => {
    if (_codec == null) {
      _codec = message<ResponseEnd>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.status != null && obj.status !== 0)) {
          w.uint32(8)
          w.uint32(obj.status)
        }

        if ((obj.bodyBytes != null && obj.bodyBytes !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.bodyBytes)
        }

        if (obj.usage != null) {
          w.uint32(26)
          Usage.codec().encode(obj.usage, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: 0,
          bodyBytes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = reader.uint32()
              break
            }
            case 2: {
              obj.bodyBytes = reader.uint64Number()
              break
            }
            case 3: {
              obj.usage = Usage.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.usage
              })
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
                field: `${prefix}.status`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.bodyBytes`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield * Usage.codec().stream(reader, reader.uint32(), `${prefix}.usage`, {
                limits: opts.limits?.usage
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

  export interface ResponseEndStatusFieldEvent {
    field: '$.status'
    value: number
  }

  export interface ResponseEndBodyBytesFieldEvent {
    field: '$.bodyBytes'
    value: number
  }

  export interface ResponseEndUsagePromptTokensFieldEvent {
    field: '$.usage.promptTokens'
    value: number
  }

  export interface ResponseEndUsageCompletionTokensFieldEvent {
    field: '$.usage.completionTokens'
    value: number
  }

  export interface ResponseEndUsageTotalTokensFieldEvent {
    field: '$.usage.totalTokens'
    value: number
  }

  export function encode (obj: Partial<ResponseEnd>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ResponseEnd.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResponseEnd>): ResponseEnd {
    return decodeMessage(buf, ResponseEnd.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResponseEnd>): Generator<ResponseEndStatusFieldEvent | ResponseEndBodyBytesFieldEvent | ResponseEndUsagePromptTokensFieldEvent | ResponseEndUsageCompletionTokensFieldEvent | ResponseEndUsageTotalTokensFieldEvent> {
    return streamMessage(buf, ResponseEnd.codec(), opts)
  }
}

export interface Usage {
  promptTokens: number
  completionTokens: number
  totalTokens: number
}

export namespace Usage {
  let _codec: Codec<Usage>

  export const codec = (): Codec<Usage> => {
    if (_codec == null) {
      _codec = message<Usage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.promptTokens != null && obj.promptTokens !== 0)) {
          w.uint32(8)
          w.uint32(obj.promptTokens)
        }

        if ((obj.completionTokens != null && obj.completionTokens !== 0)) {
          w.uint32(16)
          w.uint32(obj.completionTokens)
        }

        if ((obj.totalTokens != null && obj.totalTokens !== 0)) {
          w.uint32(24)
          w.uint32(obj.totalTokens)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          promptTokens: 0,
          completionTokens: 0,
          totalTokens: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.promptTokens = reader.uint32()
              break
            }
            case 2: {
              obj.completionTokens = reader.uint32()
              break
            }
            case 3: {
              obj.totalTokens = reader.uint32()
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
                field: `${prefix}.promptTokens`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.completionTokens`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.totalTokens`,
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

  export interface UsagePromptTokensFieldEvent {
    field: '$.promptTokens'
    value: number
  }

  export interface UsageCompletionTokensFieldEvent {
    field: '$.completionTokens'
    value: number
  }

  export interface UsageTotalTokensFieldEvent {
    field: '$.totalTokens'
    value: number
  }

  export function encode (obj: Partial<Usage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Usage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Usage>): Usage {
    return decodeMessage(buf, Usage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Usage>): Generator<UsagePromptTokensFieldEvent | UsageCompletionTokensFieldEvent | UsageTotalTokensFieldEvent> {
    return streamMessage(buf, Usage.codec(), opts)
  }
}

export interface ResponseError {
  status: number
  type: string
  code: string
  message: string
}

export namespace ResponseError {
  let _codec: Codec<ResponseError>

  export const codec = (): Codec<ResponseError> => {
    if (_codec == null) {
      _codec = message<ResponseError>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.status != null && obj.status !== 0)) {
          w.uint32(8)
          w.uint32(obj.status)
        }

        if ((obj.type != null && obj.type !== '')) {
          w.uint32(18)
          w.string(obj.type)
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(26)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(34)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: 0,
          type: '',
          code: '',
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = reader.uint32()
              break
            }
            case 2: {
              obj.type = reader.string()
              break
            }
            case 3: {
              obj.code = reader.string()
              break
            }
            case 4: {
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
                field: `${prefix}.status`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.type`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 4: {
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

  export interface ResponseErrorStatusFieldEvent {
    field: '$.status'
    value: number
  }

  export interface ResponseErrorTypeFieldEvent {
    field: '$.type'
    value: string
  }

  export interface ResponseErrorCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface ResponseErrorMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<ResponseError>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ResponseError.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResponseError>): ResponseError {
    return decodeMessage(buf, ResponseError.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResponseError>): Generator<ResponseErrorStatusFieldEvent | ResponseErrorTypeFieldEvent | ResponseErrorCodeFieldEvent | ResponseErrorMessageFieldEvent> {
    return streamMessage(buf, ResponseError.codec(), opts)
  }
}
