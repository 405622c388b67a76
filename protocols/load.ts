import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface LoadReport {
  seq: bigint
  planes: PlaneLoad[]
  models: ModelLoad[]
  errorPermille: number
}

export namespace LoadReport {
  let _codec: Codec<LoadReport>

  export const codec = (): Codec<LoadReport> => {
    if (_codec == null) {
      _codec = message<LoadReport>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(8)
          w.uint64(obj.seq)
        }

        if (obj.planes != null && obj.planes.length > 0) {
          for (const value of obj.planes) {
            w.uint32(18)
            PlaneLoad.codec().encode(value, w)
          }
        }

        if (obj.models != null && obj.models.length > 0) {
          for (const value of obj.models) {
            w.uint32(26)
            ModelLoad.codec().encode(value, w)
          }
        }

        if ((obj.errorPermille != null && obj.errorPermille !== 0)) {
          w.uint32(32)
          w.uint32(obj.errorPermille)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0n,
          planes: [],
          models: [],
          errorPermille: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.uint64()
              break
            }
            case 2: {
              if (opts.limits?.planes != null && obj.planes.length === opts.limits.planes) {
                throw new MaxLengthError('Decode error - repeated field "planes" had too many elements')
              }

              obj.planes.push(PlaneLoad.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.planes$
              }))
              break
            }
            case 3: {
              if (opts.limits?.models != null && obj.models.length === opts.limits.models) {
                throw new MaxLengthError('Decode error - repeated field "models" had too many elements')
              }

              obj.models.push(ModelLoad.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.models$
              }))
              break
            }
            case 4: {
              obj.errorPermille = reader.uint32()
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
          planes: 0,
          models: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              if (opts.limits?.planes != null && obj.planes === opts.limits.planes) {
                throw new MaxLengthError('Streaming decode error - repeated field "planes" had too many elements')
              }

              for (const evt of PlaneLoad.codec().stream(reader, reader.uint32(), `${prefix}.planes[]`, {
                limits: opts.limits?.planes$
              })) {
                yield {
                  ...evt,
                  index: obj.planes
                }
              }

              obj.planes++

              break
            }
            case 3: {
              if (opts.limits?.models != null && obj.models === opts.limits.models) {
                throw new MaxLengthError('Streaming decode error - repeated field "models" had too many elements')
              }

              for (const evt of ModelLoad.codec().stream(reader, reader.uint32(), `${prefix}.models[]`, {
                limits: opts.limits?.models$
              })) {
                yield {
                  ...evt,
                  index: obj.models
                }
              }

              obj.models++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.errorPermille`,
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

  export interface LoadReportSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface LoadReportPlanesPlaneFieldEvent {
    field: '$.planes[].plane'
    value: string
    index: number
  }

  export interface LoadReportPlanesInFlightFieldEvent {
    field: '$.planes[].inFlight'
    value: number
    index: number
  }

  export interface LoadReportPlanesLimitFieldEvent {
    field: '$.planes[].limit'
    value: number
    index: number
  }

  export interface LoadReportModelsIdFieldEvent {
    field: '$.models[].id'
    value: string
    index: number
  }

  export interface LoadReportModelsInFlightFieldEvent {
    field: '$.models[].inFlight'
    value: number
    index: number
  }

  export interface LoadReportErrorPermilleFieldEvent {
    field: '$.errorPermille'
    value: number
  }

  export function encode (obj: Partial<LoadReport>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, LoadReport.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LoadReport>): LoadReport {
    return decodeMessage(buf, LoadReport.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LoadReport>): Generator<LoadReportSeqFieldEvent | LoadReportPlanesPlaneFieldEvent | LoadReportPlanesInFlightFieldEvent | LoadReportPlanesLimitFieldEvent | LoadReportModelsIdFieldEvent | LoadReportModelsInFlightFieldEvent | LoadReportErrorPermilleFieldEvent> {
    return streamMessage(buf, LoadReport.codec(), opts)
  }
}

export interface PlaneLoad {
  plane: string
  inFlight: number
  limit: number
}

export namespace PlaneLoad {
  let _codec: Codec<PlaneLoad>

  export const codec = (): Codec<PlaneLoad> => {
    if (_codec == null) {
      _codec = message<PlaneLoad>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.plane != null && obj.plane !== '')) {
          w.uint32(10)
          w.string(obj.plane)
        }

        if ((obj.inFlight != null && obj.inFlight !== 0)) {
          w.uint32(16)
          w.uint32(obj.inFlight)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(24)
          w.uint32(obj.limit)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          plane: '',
          inFlight: 0,
          limit: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.plane = reader.string()
              break
            }
            case 2: {
              obj.inFlight = reader.uint32()
              break
            }
            case 3: {
              obj.limit = reader.uint32()
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
                field: `${prefix}.plane`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.inFlight`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.limit`,
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

  export interface PlaneLoadPlaneFieldEvent {
    field: '$.plane'
    value: string
  }

  export interface PlaneLoadInFlightFieldEvent {
    field: '$.inFlight'
    value: number
  }

  export interface PlaneLoadLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export function encode (obj: Partial<PlaneLoad>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PlaneLoad.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PlaneLoad>): PlaneLoad {
    return decodeMessage(buf, PlaneLoad.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PlaneLoad>): Generator<PlaneLoadPlaneFieldEvent | PlaneLoadInFlightFieldEvent | PlaneLoadLimitFieldEvent> {
    return streamMessage(buf, PlaneLoad.codec(), opts)
  }
}

export interface ModelLoad {
  id: string
  inFlight: number
}

export namespace ModelLoad {
  let _codec: Codec<ModelLoad>

  export const codec = (): Codec<ModelLoad> => {
    if (_codec == null) {
      _codec = message<ModelLoad>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.inFlight != null && obj.inFlight !== 0)) {
          w.uint32(16)
          w.uint32(obj.inFlight)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          inFlight: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.inFlight = reader.uint32()
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
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.inFlight`,
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

  export interface ModelLoadIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface ModelLoadInFlightFieldEvent {
    field: '$.inFlight'
    value: number
  }

  export function encode (obj: Partial<ModelLoad>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ModelLoad.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelLoad>): ModelLoad {
    return decodeMessage(buf, ModelLoad.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelLoad>): Generator<ModelLoadIdFieldEvent | ModelLoadInFlightFieldEvent> {
    return streamMessage(buf, ModelLoad.codec(), opts)
  }
}
