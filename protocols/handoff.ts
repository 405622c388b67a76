import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface RequestFrame {
  run?: RunRequest
  send?: SendRequest
  cancel?: CancelRequest
}

export namespace RequestFrame {
  let _codec: Codec<RequestFrame>

  export const codec = (): Codec<RequestFrame> => {
    if (_codec == null) {
      _codec = message<RequestFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.cancel != null) {
          obj.send = undefined
          obj.run = undefined
        }

        if (obj.send != null) {
          obj.cancel = undefined
          obj.run = undefined
        }

        if (obj.run != null) {
          obj.cancel = undefined
          obj.send = undefined
        }

        if (obj.run != null) {
          w.uint32(10)
          RunRequest.codec().encode(obj.run, w)
        }

        if (obj.send != null) {
          w.uint32(18)
          SendRequest.codec().encode(obj.send, w)
        }

        if (obj.cancel != null) {
          w.uint32(26)
          CancelRequest.codec().encode(obj.cancel, w)
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
              obj.run = RunRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.run
              })
              break
            }
            case 2: {
              obj.send = SendRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.send
              })
              break
            }
            case 3: {
              obj.cancel = CancelRequest.codec().decode(reader, reader.uint32(), {
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
          delete obj.send
          delete obj.run
        }

        if (obj.send != null) {
          delete obj.cancel
          delete obj.run
        }

        if (obj.run != null) {
          delete obj.cancel
          delete obj.send
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * RunRequest.codec().stream(reader, reader.uint32(), `${prefix}.run`, {
                limits: opts.limits?.run
              })

              break
            }
            case 2: {
              yield * SendRequest.codec().stream(reader, reader.uint32(), `${prefix}.send`, {
                limits: opts.limits?.send
              })

              break
            }
            case 3: {
              yield * CancelRequest.codec().stream(reader, reader.uint32(), `${prefix}.cancel`, {
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

  export interface RequestFrameRunHandoffIdFieldEvent {
    field: '$.run.handoffId'
    value: string
  }

  export interface RequestFrameRunAgentFieldEvent {
    field: '$.run.agent'
    value: string
  }

  export interface RequestFrameRunTaskFieldEvent {
    field: '$.run.task'
    value: string
  }

  export interface RequestFrameRunContextFieldEvent {
    field: '$.run.context'
    value: string
  }

  export interface RequestFrameRunSessionIdFieldEvent {
    field: '$.run.sessionId'
    value: string
  }

  export interface RequestFrameRunIdleTimeoutMsFieldEvent {
    field: '$.run.idleTimeoutMs'
    value: number
  }

  export interface RequestFrameSendAgentFieldEvent {
    field: '$.send.agent'
    value: string
  }

  export interface RequestFrameSendMessageFieldEvent {
    field: '$.send.message'
    value: string
  }

  export interface RequestFrameSendSessionIdFieldEvent {
    field: '$.send.sessionId'
    value: string
  }

  export interface RequestFrameCancelReasonFieldEvent {
    field: '$.cancel.reason'
    value: string
  }

  export function encode (obj: Partial<RequestFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RequestFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RequestFrame>): RequestFrame {
    return decodeMessage(buf, RequestFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RequestFrame>): Generator<RequestFrameRunHandoffIdFieldEvent | RequestFrameRunAgentFieldEvent | RequestFrameRunTaskFieldEvent | RequestFrameRunContextFieldEvent | RequestFrameRunSessionIdFieldEvent | RequestFrameRunIdleTimeoutMsFieldEvent | RequestFrameSendAgentFieldEvent | RequestFrameSendMessageFieldEvent | RequestFrameSendSessionIdFieldEvent | RequestFrameCancelReasonFieldEvent> {
    return streamMessage(buf, RequestFrame.codec(), opts)
  }
}

export interface RunRequest {
  handoffId: string
  agent: string
  task: string
  context?: string
  sessionId?: string
  idleTimeoutMs: number
}

export namespace RunRequest {
  let _codec: Codec<RunRequest>

  export const codec = (): Codec<RunRequest> => {
    if (_codec == null) {
      _codec = message<RunRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.handoffId != null && obj.handoffId !== '')) {
          w.uint32(10)
          w.string(obj.handoffId)
        }

        if ((obj.agent != null && obj.agent !== '')) {
          w.uint32(18)
          w.string(obj.agent)
        }

        if ((obj.task != null && obj.task !== '')) {
          w.uint32(26)
          w.string(obj.task)
        }

        if (obj.context != null) {
          w.uint32(34)
          w.string(obj.context)
        }

        if (obj.sessionId != null) {
          w.uint32(42)
          w.string(obj.sessionId)
        }

        if ((obj.idleTimeoutMs != null && obj.idleTimeoutMs !== 0)) {
          w.uint32(48)
          w.uint32(obj.idleTimeoutMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          handoffId: '',
          agent: '',
          task: '',
          idleTimeoutMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.handoffId = reader.string()
              break
            }
            case 2: {
              obj.agent = reader.string()
              break
            }
            case 3: {
              obj.task = reader.string()
              break
            }
            case 4: {
              obj.context = reader.string()
              break
            }
            case 5: {
              obj.sessionId = reader.string()
              break
            }
            case 6: {
              obj.idleTimeoutMs = reader.uint32()
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
                field: `${prefix}.handoffId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.agent`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.task`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.context`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.sessionId`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.idleTimeoutMs`,
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

  export interface RunRequestHandoffIdFieldEvent {
    field: '$.handoffId'
    value: string
  }

  export interface RunRequestAgentFieldEvent {
    field: '$.agent'
    value: string
  }

  export interface RunRequestTaskFieldEvent {
    field: '$.task'
    value: string
  }

  export interface RunRequestContextFieldEvent {
    field: '$.context'
    value: string
  }

  export interface RunRequestSessionIdFieldEvent {
    field: '$.sessionId'
    value: string
  }

  export interface RunRequestIdleTimeoutMsFieldEvent {
    field: '$.idleTimeoutMs'
    value: number
  }

  export function encode (obj: Partial<RunRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RunRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RunRequest>): RunRequest {
    return decodeMessage(buf, RunRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RunRequest>): Generator<RunRequestHandoffIdFieldEvent | RunRequestAgentFieldEvent | RunRequestTaskFieldEvent | RunRequestContextFieldEvent | RunRequestSessionIdFieldEvent | RunRequestIdleTimeoutMsFieldEvent> {
    return streamMessage(buf, RunRequest.codec(), opts)
  }
}

export interface SendRequest {
  agent: string
  message: string
  sessionId?: string
}

export namespace SendRequest {
  let _codec: Codec<SendRequest>

  export const codec = (): Codec<SendRequest> => {
    if (_codec == null) {
      _codec = message<SendRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.agent != null && obj.agent !== '')) {
          w.uint32(10)
          w.string(obj.agent)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (obj.sessionId != null) {
          w.uint32(26)
          w.string(obj.sessionId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          agent: '',
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.agent = reader.string()
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            case 3: {
              obj.sessionId = reader.string()
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
                field: `${prefix}.agent`,
                value: reader.string()
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
            case 3: {
              yield {
                field: `${prefix}.sessionId`,
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

  export interface SendRequestAgentFieldEvent {
    field: '$.agent'
    value: string
  }

  export interface SendRequestMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface SendRequestSessionIdFieldEvent {
    field: '$.sessionId'
    value: string
  }

  export function encode (obj: Partial<SendRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SendRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SendRequest>): SendRequest {
    return decodeMessage(buf, SendRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SendRequest>): Generator<SendRequestAgentFieldEvent | SendRequestMessageFieldEvent | SendRequestSessionIdFieldEvent> {
    return streamMessage(buf, SendRequest.codec(), opts)
  }
}

export interface CancelRequest {
  reason: string
}

export namespace CancelRequest {
  let _codec: Codec<CancelRequest>

  export const codec = (): Codec<CancelRequest> => {
    if (_codec == null) {
      _codec = message<CancelRequest>((obj, w, opts = {}) => {
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

  export interface CancelRequestReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<CancelRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CancelRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CancelRequest>): CancelRequest {
    return decodeMessage(buf, CancelRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CancelRequest>): Generator<CancelRequestReasonFieldEvent> {
    return streamMessage(buf, CancelRequest.codec(), opts)
  }
}

export interface ResponseFrame {
  delta?: OutputDelta
  result?: RunResult
  ack?: SendAck
}

export namespace ResponseFrame {
  let _codec: Codec<ResponseFrame>

  export const codec = (): Codec<ResponseFrame> => {
    if (_codec == null) {
      _codec = message<ResponseFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.ack != null) {
          obj.result = undefined
          obj.delta = undefined
        }

        if (obj.result != null) {
          obj.ack = undefined
          obj.delta = undefined
        }

        if (obj.delta != null) {
          obj.ack = undefined
          obj.result = undefined
        }

        if (obj.delta != null) {
          w.uint32(10)
          OutputDelta.codec().encode(obj.delta, w)
        }

        if (obj.result != null) {
          w.uint32(18)
          RunResult.codec().encode(obj.result, w)
        }

        if (obj.ack != null) {
          w.uint32(26)
          SendAck.codec().encode(obj.ack, w)
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
              obj.delta = OutputDelta.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.delta
              })
              break
            }
            case 2: {
              obj.result = RunResult.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.result
              })
              break
            }
            case 3: {
              obj.ack = SendAck.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ack
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.ack != null) {
          delete obj.result
          delete obj.delta
        }

        if (obj.result != null) {
          delete obj.ack
          delete obj.delta
        }

        if (obj.delta != null) {
          delete obj.ack
          delete obj.result
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * OutputDelta.codec().stream(reader, reader.uint32(), `${prefix}.delta`, {
                limits: opts.limits?.delta
              })

              break
            }
            case 2: {
              yield * RunResult.codec().stream(reader, reader.uint32(), `${prefix}.result`, {
                limits: opts.limits?.result
              })

              break
            }
            case 3: {
              yield * SendAck.codec().stream(reader, reader.uint32(), `${prefix}.ack`, {
                limits: opts.limits?.ack
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

  export interface ResponseFrameDeltaTextFieldEvent {
    field: '$.delta.text'
    value: string
  }

  export interface ResponseFrameResultSuccessFieldEvent {
    field: '$.result.success'
    value: boolean
  }

  export interface ResponseFrameResultNodeIdFieldEvent {
    field: '$.result.nodeId'
    value: string
  }

  export interface ResponseFrameResultAgentFieldEvent {
    field: '$.result.agent'
    value: string
  }

  export interface ResponseFrameResultResultFieldEvent {
    field: '$.result.result'
    value: string
  }

  export interface ResponseFrameResultErrorFieldEvent {
    field: '$.result.error'
    value: string
  }

  export interface ResponseFrameResultCodeFieldEvent {
    field: '$.result.code'
    value: string
  }

  export interface ResponseFrameResultTruncatedFieldEvent {
    field: '$.result.truncated'
    value: boolean
  }

  export interface ResponseFrameAckAcceptedFieldEvent {
    field: '$.ack.accepted'
    value: boolean
  }

  export interface ResponseFrameAckNodeIdFieldEvent {
    field: '$.ack.nodeId'
    value: string
  }

  export interface ResponseFrameAckAgentFieldEvent {
    field: '$.ack.agent'
    value: string
  }

  export interface ResponseFrameAckDeliveryIdFieldEvent {
    field: '$.ack.deliveryId'
    value: string
  }

  export interface ResponseFrameAckErrorFieldEvent {
    field: '$.ack.error'
    value: string
  }

  export interface ResponseFrameAckCodeFieldEvent {
    field: '$.ack.code'
    value: string
  }

  export function encode (obj: Partial<ResponseFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ResponseFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResponseFrame>): ResponseFrame {
    return decodeMessage(buf, ResponseFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResponseFrame>): Generator<ResponseFrameDeltaTextFieldEvent | ResponseFrameResultSuccessFieldEvent | ResponseFrameResultNodeIdFieldEvent | ResponseFrameResultAgentFieldEvent | ResponseFrameResultResultFieldEvent | ResponseFrameResultErrorFieldEvent | ResponseFrameResultCodeFieldEvent | ResponseFrameResultTruncatedFieldEvent | ResponseFrameAckAcceptedFieldEvent | ResponseFrameAckNodeIdFieldEvent | ResponseFrameAckAgentFieldEvent | ResponseFrameAckDeliveryIdFieldEvent | ResponseFrameAckErrorFieldEvent | ResponseFrameAckCodeFieldEvent> {
    return streamMessage(buf, ResponseFrame.codec(), opts)
  }
}

export interface OutputDelta {
  text: string
}

export namespace OutputDelta {
  let _codec: Codec<OutputDelta>

  export const codec = (): Codec<OutputDelta> => {
    if (_codec == null) {
      _codec = message<OutputDelta>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(10)
          w.string(obj.text)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          text: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.text = reader.string()
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
                field: `${prefix}.text`,
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

  export interface OutputDeltaTextFieldEvent {
    field: '$.text'
    value: string
  }

  export function encode (obj: Partial<OutputDelta>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OutputDelta.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OutputDelta>): OutputDelta {
    return decodeMessage(buf, OutputDelta.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OutputDelta>): Generator<OutputDeltaTextFieldEvent> {
    return streamMessage(buf, OutputDelta.codec(), opts)
  }
}

export interface RunResult {
  success: boolean
  nodeId: string
  agent: string
  result: string
  error: string
  code: string
  truncated: boolean
}

export namespace RunResult {
  let _codec: Codec<RunResult>

  export const codec = (): Codec<RunResult> => {
    if (_codec == null) {
      _codec = message<RunResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.success != null && obj.success !== false)) {
          w.uint32(8)
          w.bool(obj.success)
        }

        if ((obj.nodeId != null && obj.nodeId !== '')) {
          w.uint32(18)
          w.string(obj.nodeId)
        }

        if ((obj.agent != null && obj.agent !== '')) {
          w.uint32(26)
          w.string(obj.agent)
        }

        if ((obj.result != null && obj.result !== '')) {
          w.uint32(34)
          w.string(obj.result)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(42)
          w.string(obj.error)
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(50)
          w.string(obj.code)
        }

        if ((obj.truncated != null && obj.truncated !== false)) {
          w.uint32(56)
          w.bool(obj.truncated)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          success: false,
          nodeId: '',
          agent: '',
          result: '',
          error: '',
          code: '',
          truncated: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.success = reader.bool()
              break
            }
            case 2: {
              obj.nodeId = reader.string()
              break
            }
            case 3: {
              obj.agent = reader.string()
              break
            }
            case 4: {
              obj.result = reader.string()
              break
            }
            case 5: {
              obj.error = reader.string()
              break
            }
            case 6: {
              obj.code = reader.string()
              break
            }
            case 7: {
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
                field: `${prefix}.success`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.nodeId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.agent`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.result`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 7: {
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

  export interface RunResultSuccessFieldEvent {
    field: '$.success'
    value: boolean
  }

  export interface RunResultNodeIdFieldEvent {
    field: '$.nodeId'
    value: string
  }

  export interface RunResultAgentFieldEvent {
    field: '$.agent'
    value: string
  }

  export interface RunResultResultFieldEvent {
    field: '$.result'
    value: string
  }

  export interface RunResultErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface RunResultCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface RunResultTruncatedFieldEvent {
    field: '$.truncated'
    value: boolean
  }

  export function encode (obj: Partial<RunResult>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RunResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RunResult>): RunResult {
    return decodeMessage(buf, RunResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RunResult>): Generator<RunResultSuccessFieldEvent | RunResultNodeIdFieldEvent | RunResultAgentFieldEvent | RunResultResultFieldEvent | RunResultErrorFieldEvent | RunResultCodeFieldEvent | RunResultTruncatedFieldEvent> {
    return streamMessage(buf, RunResult.codec(), opts)
  }
}

export interface SendAck {
  accepted: boolean
  nodeId: string
  agent: string
  deliveryId: string
  error: string
  code: string
}

export namespace SendAck {
  let _codec: Codec<SendAck>

  export const codec = (): Codec<SendAck> => {
    if (_codec == null) {
      _codec = message<SendAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.accepted != null && obj.accepted !== false)) {
          w.uint32(8)
          w.bool(obj.accepted)
        }

        if ((obj.nodeId != null && obj.nodeId !== '')) {
          w.uint32(18)
          w.string(obj.nodeId)
        }

        if ((obj.agent != null && obj.agent !== '')) {
          w.uint32(26)
          w.string(obj.agent)
        }

        if ((obj.deliveryId != null && obj.deliveryId !== '')) {
          w.uint32(34)
          w.string(obj.deliveryId)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(42)
          w.string(obj.error)
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(50)
          w.string(obj.code)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          accepted: false,
          nodeId: '',
          agent: '',
          deliveryId: '',
          error: '',
          code: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.accepted = reader.bool()
              break
            }
            case 2: {
              obj.nodeId = reader.string()
              break
            }
            case 3: {
              obj.agent = reader.string()
              break
            }
            case 4: {
              obj.deliveryId = reader.string()
              break
            }
            case 5: {
              obj.error = reader.string()
              break
            }
            case 6: {
              obj.code = reader.string()
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
                field: `${prefix}.accepted`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.nodeId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.agent`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.deliveryId`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.code`,
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

  export interface SendAckAcceptedFieldEvent {
    field: '$.accepted'
    value: boolean
  }

  export interface SendAckNodeIdFieldEvent {
    field: '$.nodeId'
    value: string
  }

  export interface SendAckAgentFieldEvent {
    field: '$.agent'
    value: string
  }

  export interface SendAckDeliveryIdFieldEvent {
    field: '$.deliveryId'
    value: string
  }

  export interface SendAckErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface SendAckCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export function encode (obj: Partial<SendAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SendAck.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SendAck>): SendAck {
    return decodeMessage(buf, SendAck.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SendAck>): Generator<SendAckAcceptedFieldEvent | SendAckNodeIdFieldEvent | SendAckAgentFieldEvent | SendAckDeliveryIdFieldEvent | SendAckErrorFieldEvent | SendAckCodeFieldEvent> {
    return streamMessage(buf, SendAck.codec(), opts)
  }
}
