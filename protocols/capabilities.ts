import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface AgentCapability {
  id: string
  description: string
  tags: string[]
}

export namespace AgentCapability {
  let _codec: Codec<AgentCapability>

  export const codec = (): Codec<AgentCapability> => {
    if (_codec == null) {
      _codec = message<AgentCapability>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.description != null && obj.description !== '')) {
          w.uint32(18)
          w.string(obj.description)
        }

        if (obj.tags != null && obj.tags.length > 0) {
          for (const value of obj.tags) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          description: '',
          tags: []
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
              obj.description = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.tags != null && obj.tags.length === opts.limits.tags) {
                throw new MaxLengthError('Decode error - repeated field "tags" had too many elements')
              }

              obj.tags.push(reader.string())
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
          tags: 0
        }

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
                field: `${prefix}.description`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.tags != null && obj.tags === opts.limits.tags) {
                throw new MaxLengthError('Streaming decode error - repeated field "tags" had too many elements')
              }

              yield {
                field: `${prefix}.tags[]`,
                index: obj.tags,
                value: reader.string()
              }

              obj.tags++

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

  export interface AgentCapabilityIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface AgentCapabilityDescriptionFieldEvent {
    field: '$.description'
    value: string
  }

  export interface AgentCapabilityTagsFieldEvent {
    field: '$.tags[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<AgentCapability>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AgentCapability.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AgentCapability>): AgentCapability {
    return decodeMessage(buf, AgentCapability.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AgentCapability>): Generator<AgentCapabilityIdFieldEvent | AgentCapabilityDescriptionFieldEvent | AgentCapabilityTagsFieldEvent> {
    return streamMessage(buf, AgentCapability.codec(), opts)
  }
}

export interface ModelCost {
  input: number
  output: number
  cacheRead: number
  cacheWrite: number
}

export namespace ModelCost {
  let _codec: Codec<ModelCost>

  export const codec = (): Codec<ModelCost> => {
    if (_codec == null) {
      _codec = message<ModelCost>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.input != null && obj.input !== 0)) {
          w.uint32(9)
          w.double(obj.input)
        }

        if ((obj.output != null && obj.output !== 0)) {
          w.uint32(17)
          w.double(obj.output)
        }

        if ((obj.cacheRead != null && obj.cacheRead !== 0)) {
          w.uint32(25)
          w.double(obj.cacheRead)
        }

        if ((obj.cacheWrite != null && obj.cacheWrite !== 0)) {
          w.uint32(33)
          w.double(obj.cacheWrite)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          input: 0,
          output: 0,
          cacheRead: 0,
          cacheWrite: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.input = reader.double()
              break
            }
            case 2: {
              obj.output = reader.double()
              break
            }
            case 3: {
              obj.cacheRead = reader.double()
              break
            }
            case 4: {
              obj.cacheWrite = reader.double()
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
                field: `${prefix}.input`,
                value: reader.double()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.output`,
                value: reader.double()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.cacheRead`,
                value: reader.double()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.cacheWrite`,
                value: reader.double()
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

  export interface ModelCostInputFieldEvent {
    field: '$.input'
    value: number
  }

  export interface ModelCostOutputFieldEvent {
    field: '$.output'
    value: number
  }

  export interface ModelCostCacheReadFieldEvent {
    field: '$.cacheRead'
    value: number
  }

  export interface ModelCostCacheWriteFieldEvent {
    field: '$.cacheWrite'
    value: number
  }

  export function encode (obj: Partial<ModelCost>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ModelCost.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelCost>): ModelCost {
    return decodeMessage(buf, ModelCost.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelCost>): Generator<ModelCostInputFieldEvent | ModelCostOutputFieldEvent | ModelCostCacheReadFieldEvent | ModelCostCacheWriteFieldEvent> {
    return streamMessage(buf, ModelCost.codec(), opts)
  }
}

export interface ModelCapability {
  id: string
  description?: string
  available: boolean
  api?: string
  reasoning?: boolean
  input: string[]
  contextWindow?: number
  maxTokens?: number
  cost?: ModelCost
  upstreamApi?: string
  unavailableReason?: string
  restricted?: boolean
  callers: Uint8Array<ArrayBuffer>[]
}

export namespace ModelCapability {
  let _codec: Codec<ModelCapability>

  export const codec = (): Codec<ModelCapability> => {
    if (_codec == null) {
      _codec = message<ModelCapability>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if (obj.description != null) {
          w.uint32(18)
          w.string(obj.description)
        }

        if ((obj.available != null && obj.available !== false)) {
          w.uint32(24)
          w.bool(obj.available)
        }

        if (obj.api != null) {
          w.uint32(34)
          w.string(obj.api)
        }

        if (obj.reasoning != null) {
          w.uint32(40)
          w.bool(obj.reasoning)
        }

        if (obj.input != null && obj.input.length > 0) {
          for (const value of obj.input) {
            w.uint32(50)
            w.string(value)
          }
        }

        if (obj.contextWindow != null) {
          w.uint32(56)
          w.uint32(obj.contextWindow)
        }

        if (obj.maxTokens != null) {
          w.uint32(64)
          w.uint32(obj.maxTokens)
        }

        if (obj.cost != null) {
          w.uint32(74)
          ModelCost.codec().encode(obj.cost, w)
        }

        if (obj.upstreamApi != null) {
          w.uint32(82)
          w.string(obj.upstreamApi)
        }

        if (obj.unavailableReason != null) {
          w.uint32(90)
          w.string(obj.unavailableReason)
        }

        if (obj.restricted != null) {
          w.uint32(96)
          w.bool(obj.restricted)
        }

        if (obj.callers != null && obj.callers.length > 0) {
          for (const value of obj.callers) {
            w.uint32(106)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          available: false,
          input: [],
          callers: []
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
              obj.description = reader.string()
              break
            }
            case 3: {
              obj.available = reader.bool()
              break
            }
            case 4: {
              obj.api = reader.string()
              break
            }
            case 5: {
              obj.reasoning = reader.bool()
              break
            }
            case 6: {
              if (opts.limits?.input != null && obj.input.length === opts.limits.input) {
                throw new MaxLengthError('Decode error - repeated field "input" had too many elements')
              }

              obj.input.push(reader.string())
              break
            }
            case 7: {
              obj.contextWindow = reader.uint32()
              break
            }
            case 8: {
              obj.maxTokens = reader.uint32()
              break
            }
            case 9: {
              obj.cost = ModelCost.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.cost
              })
              break
            }
            case 10: {
              obj.upstreamApi = reader.string()
              break
            }
            case 11: {
              obj.unavailableReason = reader.string()
              break
            }
            case 12: {
              obj.restricted = reader.bool()
              break
            }
            case 13: {
              if (opts.limits?.callers != null && obj.callers.length === opts.limits.callers) {
                throw new MaxLengthError('Decode error - repeated field "callers" had too many elements')
              }

              obj.callers.push(reader.bytes())
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
          input: 0,
          callers: 0
        }

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
                field: `${prefix}.description`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.available`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.api`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.reasoning`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              if (opts.limits?.input != null && obj.input === opts.limits.input) {
                throw new MaxLengthError('Streaming decode error - repeated field "input" had too many elements')
              }

              yield {
                field: `${prefix}.input[]`,
                index: obj.input,
                value: reader.string()
              }

              obj.input++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.contextWindow`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.maxTokens`,
                value: reader.uint32()
              }
              break
            }
            case 9: {
              yield * ModelCost.codec().stream(reader, reader.uint32(), `${prefix}.cost`, {
                limits: opts.limits?.cost
              })

              break
            }
            case 10: {
              yield {
                field: `${prefix}.upstreamApi`,
                value: reader.string()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.unavailableReason`,
                value: reader.string()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.restricted`,
                value: reader.bool()
              }
              break
            }
            case 13: {
              if (opts.limits?.callers != null && obj.callers === opts.limits.callers) {
                throw new MaxLengthError('Streaming decode error - repeated field "callers" had too many elements')
              }

              yield {
                field: `${prefix}.callers[]`,
                index: obj.callers,
                value: reader.bytes()
              }

              obj.callers++

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

  export interface ModelCapabilityIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface ModelCapabilityDescriptionFieldEvent {
    field: '$.description'
    value: string
  }

  export interface ModelCapabilityAvailableFieldEvent {
    field: '$.available'
    value: boolean
  }

  export interface ModelCapabilityApiFieldEvent {
    field: '$.api'
    value: string
  }

  export interface ModelCapabilityReasoningFieldEvent {
    field: '$.reasoning'
    value: boolean
  }

  export interface ModelCapabilityInputFieldEvent {
    field: '$.input[]'
    index: number
    value: string
  }

  export interface ModelCapabilityContextWindowFieldEvent {
    field: '$.contextWindow'
    value: number
  }

  export interface ModelCapabilityMaxTokensFieldEvent {
    field: '$.maxTokens'
    value: number
  }

  export interface ModelCapabilityCostInputFieldEvent {
    field: '$.cost.input'
    value: number
  }

  export interface ModelCapabilityCostOutputFieldEvent {
    field: '$.cost.output'
    value: number
  }

  export interface ModelCapabilityCostCacheReadFieldEvent {
    field: '$.cost.cacheRead'
    value: number
  }

  export interface ModelCapabilityCostCacheWriteFieldEvent {
    field: '$.cost.cacheWrite'
    value: number
  }

  export interface ModelCapabilityUpstreamApiFieldEvent {
    field: '$.upstreamApi'
    value: string
  }

  export interface ModelCapabilityUnavailableReasonFieldEvent {
    field: '$.unavailableReason'
    value: string
  }

  export interface ModelCapabilityRestrictedFieldEvent {
    field: '$.restricted'
    value: boolean
  }

  export interface ModelCapabilityCallersFieldEvent {
    field: '$.callers[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ModelCapability>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ModelCapability.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelCapability>): ModelCapability {
    return decodeMessage(buf, ModelCapability.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelCapability>): Generator<ModelCapabilityIdFieldEvent | ModelCapabilityDescriptionFieldEvent | ModelCapabilityAvailableFieldEvent | ModelCapabilityApiFieldEvent | ModelCapabilityReasoningFieldEvent | ModelCapabilityInputFieldEvent | ModelCapabilityContextWindowFieldEvent | ModelCapabilityMaxTokensFieldEvent | ModelCapabilityCostInputFieldEvent | ModelCapabilityCostOutputFieldEvent | ModelCapabilityCostCacheReadFieldEvent | ModelCapabilityCostCacheWriteFieldEvent | ModelCapabilityUpstreamApiFieldEvent | ModelCapabilityUnavailableReasonFieldEvent | ModelCapabilityRestrictedFieldEvent | ModelCapabilityCallersFieldEvent> {
    return streamMessage(buf, ModelCapability.codec(), opts)
  }
}

export interface CapabilityRecord {
  nodeId: string
  peerId: Uint8Array<ArrayBuffer>
  agents: AgentCapability[]
  models: ModelCapability[]
  tags: string[]
  toolProxy: boolean
  addrs: Uint8Array<ArrayBuffer>[]
  version: string
  loadPermille: number
  seq: bigint
  issuedAt: bigint
}

export namespace CapabilityRecord {
  let _codec: Codec<CapabilityRecord>

  export const codec = (): Codec<CapabilityRecord> => {
    if (_codec == null) {
      _codec = message<CapabilityRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.nodeId != null && obj.nodeId !== '')) {
          w.uint32(10)
          w.string(obj.nodeId)
        }

        if ((obj.peerId != null && obj.peerId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.peerId)
        }

        if (obj.agents != null && obj.agents.length > 0) {
          for (const value of obj.agents) {
            w.uint32(26)
            AgentCapability.codec().encode(value, w)
          }
        }

        if (obj.models != null && obj.models.length > 0) {
          for (const value of obj.models) {
            w.uint32(34)
            ModelCapability.codec().encode(value, w)
          }
        }

        if (obj.tags != null && obj.tags.length > 0) {
          for (const value of obj.tags) {
            w.uint32(42)
            w.string(value)
          }
        }

        if ((obj.toolProxy != null && obj.toolProxy !== false)) {
          w.uint32(48)
          w.bool(obj.toolProxy)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(58)
            w.bytes(value)
          }
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(66)
          w.string(obj.version)
        }

        if ((obj.loadPermille != null && obj.loadPermille !== 0)) {
          w.uint32(72)
          w.uint32(obj.loadPermille)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(80)
          w.uint64(obj.seq)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(88)
          w.uint64(obj.issuedAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          nodeId: '',
          peerId: uint8ArrayAlloc(0),
          agents: [],
          models: [],
          tags: [],
          toolProxy: false,
          addrs: [],
          version: '',
          loadPermille: 0,
          seq: 0n,
          issuedAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.nodeId = reader.string()
              break
            }
            case 2: {
              obj.peerId = reader.bytes()
              break
            }
            case 3: {
              if (opts.limits?.agents != null && obj.agents.length === opts.limits.agents) {
                throw new MaxLengthError('Decode error - repeated field "agents" had too many elements')
              }

              obj.agents.push(AgentCapability.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.agents$
              }))
              break
            }
            case 4: {
              if (opts.limits?.models != null && obj.models.length === opts.limits.models) {
                throw new MaxLengthError('Decode error - repeated field "models" had too many elements')
              }

              obj.models.push(ModelCapability.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.models$
              }))
              break
            }
            case 5: {
              if (opts.limits?.tags != null && obj.tags.length === opts.limits.tags) {
                throw new MaxLengthError('Decode error - repeated field "tags" had too many elements')
              }

              obj.tags.push(reader.string())
              break
            }
            case 6: {
              obj.toolProxy = reader.bool()
              break
            }
            case 7: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.bytes())
              break
            }
            case 8: {
              obj.version = reader.string()
              break
            }
            case 9: {
              obj.loadPermille = reader.uint32()
              break
            }
            case 10: {
              obj.seq = reader.uint64()
              break
            }
            case 11: {
              obj.issuedAt = reader.uint64()
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
          agents: 0,
          models: 0,
          tags: 0,
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.nodeId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              if (opts.limits?.agents != null && obj.agents === opts.limits.agents) {
                throw new MaxLengthError('Streaming decode error - repeated field "agents" had too many elements')
              }

              for (const evt of AgentCapability.codec().stream(reader, reader.uint32(), `${prefix}.agents[]`, {
                limits: opts.limits?.agents$
              })) {
                yield {
                  ...evt,
                  index: obj.agents
                }
              }

              obj.agents++

              break
            }
            case 4: {
              if (opts.limits?.models != null && obj.models === opts.limits.models) {
                throw new MaxLengthError('Streaming decode error - repeated field "models" had too many elements')
              }

              for (const evt of ModelCapability.codec().stream(reader, reader.uint32(), `${prefix}.models[]`, {
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
            case 5: {
              if (opts.limits?.tags != null && obj.tags === opts.limits.tags) {
                throw new MaxLengthError('Streaming decode error - repeated field "tags" had too many elements')
              }

              yield {
                field: `${prefix}.tags[]`,
                index: obj.tags,
                value: reader.string()
              }

              obj.tags++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.toolProxy`,
                value: reader.bool()
              }
              break
            }
            case 7: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.bytes()
              }

              obj.addrs++

              break
            }
            case 8: {
              yield {
                field: `${prefix}.version`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.loadPermille`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64()
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

  export interface CapabilityRecordNodeIdFieldEvent {
    field: '$.nodeId'
    value: string
  }

  export interface CapabilityRecordPeerIdFieldEvent {
    field: '$.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CapabilityRecordAgentsIdFieldEvent {
    field: '$.agents[].id'
    value: string
    index: number
  }

  export interface CapabilityRecordAgentsDescriptionFieldEvent {
    field: '$.agents[].description'
    value: string
    index: number
  }

  export interface CapabilityRecordAgentsTagsFieldEvent {
    field: '$.agents[].tags[]'
    index: number
    value: string
  }

  export interface CapabilityRecordModelsIdFieldEvent {
    field: '$.models[].id'
    value: string
    index: number
  }

  export interface CapabilityRecordModelsDescriptionFieldEvent {
    field: '$.models[].description'
    value: string
    index: number
  }

  export interface CapabilityRecordModelsAvailableFieldEvent {
    field: '$.models[].available'
    value: boolean
    index: number
  }

  export interface CapabilityRecordModelsApiFieldEvent {
    field: '$.models[].api'
    value: string
    index: number
  }

  export interface CapabilityRecordModelsReasoningFieldEvent {
    field: '$.models[].reasoning'
    value: boolean
    index: number
  }

  export interface CapabilityRecordModelsInputFieldEvent {
    field: '$.models[].input[]'
    index: number
    value: string
  }

  export interface CapabilityRecordModelsContextWindowFieldEvent {
    field: '$.models[].contextWindow'
    value: number
    index: number
  }

  export interface CapabilityRecordModelsMaxTokensFieldEvent {
    field: '$.models[].maxTokens'
    value: number
    index: number
  }

  export interface CapabilityRecordModelsCostInputFieldEvent {
    field: '$.models[].cost.input'
    value: number
    index: number
  }

  export interface CapabilityRecordModelsCostOutputFieldEvent {
    field: '$.models[].cost.output'
    value: number
    index: number
  }

  export interface CapabilityRecordModelsCostCacheReadFieldEvent {
    field: '$.models[].cost.cacheRead'
    value: number
    index: number
  }

  export interface CapabilityRecordModelsCostCacheWriteFieldEvent {
    field: '$.models[].cost.cacheWrite'
    value: number
    index: number
  }

  export interface CapabilityRecordModelsUpstreamApiFieldEvent {
    field: '$.models[].upstreamApi'
    value: string
    index: number
  }

  export interface CapabilityRecordModelsUnavailableReasonFieldEvent {
    field: '$.models[].unavailableReason'
    value: string
    index: number
  }

  export interface CapabilityRecordModelsRestrictedFieldEvent {
    field: '$.models[].restricted'
    value: boolean
    index: number
  }

  export interface CapabilityRecordModelsCallersFieldEvent {
    field: '$.models[].callers[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface CapabilityRecordTagsFieldEvent {
    field: '$.tags[]'
    index: number
    value: string
  }

  export interface CapabilityRecordToolProxyFieldEvent {
    field: '$.toolProxy'
    value: boolean
  }

  export interface CapabilityRecordAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface CapabilityRecordVersionFieldEvent {
    field: '$.version'
    value: string
  }

  export interface CapabilityRecordLoadPermilleFieldEvent {
    field: '$.loadPermille'
    value: number
  }

  export interface CapabilityRecordSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface CapabilityRecordIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export function encode (obj: Partial<CapabilityRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CapabilityRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CapabilityRecord>): CapabilityRecord {
    return decodeMessage(buf, CapabilityRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CapabilityRecord>): Generator<CapabilityRecordNodeIdFieldEvent | CapabilityRecordPeerIdFieldEvent | CapabilityRecordAgentsIdFieldEvent | CapabilityRecordAgentsDescriptionFieldEvent | CapabilityRecordAgentsTagsFieldEvent | CapabilityRecordModelsIdFieldEvent | CapabilityRecordModelsDescriptionFieldEvent | CapabilityRecordModelsAvailableFieldEvent | CapabilityRecordModelsApiFieldEvent | CapabilityRecordModelsReasoningFieldEvent | CapabilityRecordModelsInputFieldEvent | CapabilityRecordModelsContextWindowFieldEvent | CapabilityRecordModelsMaxTokensFieldEvent | CapabilityRecordModelsCostInputFieldEvent | CapabilityRecordModelsCostOutputFieldEvent | CapabilityRecordModelsCostCacheReadFieldEvent | CapabilityRecordModelsCostCacheWriteFieldEvent | CapabilityRecordModelsUpstreamApiFieldEvent | CapabilityRecordModelsUnavailableReasonFieldEvent | CapabilityRecordModelsRestrictedFieldEvent | CapabilityRecordModelsCallersFieldEvent | CapabilityRecordTagsFieldEvent | CapabilityRecordToolProxyFieldEvent | CapabilityRecordAddrsFieldEvent | CapabilityRecordVersionFieldEvent | CapabilityRecordLoadPermilleFieldEvent | CapabilityRecordSeqFieldEvent | CapabilityRecordIssuedAtFieldEvent> {
    return streamMessage(buf, CapabilityRecord.codec(), opts)
  }
}

export interface RecordBatch {
  envelopes: Uint8Array<ArrayBuffer>[]
}

export namespace RecordBatch {
  let _codec: Codec<RecordBatch>

  export const codec = (): Codec<RecordBatch> => {
    if (_codec == null) {
      _codec = message<RecordBatch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.envelopes != null && obj.envelopes.length > 0) {
          for (const value of obj.envelopes) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          envelopes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.envelopes != null && obj.envelopes.length === opts.limits.envelopes) {
                throw new MaxLengthError('Decode error - repeated field "envelopes" had too many elements')
              }

              obj.envelopes.push(reader.bytes())
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
          envelopes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.envelopes != null && obj.envelopes === opts.limits.envelopes) {
                throw new MaxLengthError('Streaming decode error - repeated field "envelopes" had too many elements')
              }

              yield {
                field: `${prefix}.envelopes[]`,
                index: obj.envelopes,
                value: reader.bytes()
              }

              obj.envelopes++

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

  export interface RecordBatchEnvelopesFieldEvent {
    field: '$.envelopes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RecordBatch>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RecordBatch.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RecordBatch>): RecordBatch {
    return decodeMessage(buf, RecordBatch.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RecordBatch>): Generator<RecordBatchEnvelopesFieldEvent> {
    return streamMessage(buf, RecordBatch.codec(), opts)
  }
}

export interface RecordDigest {
  peerId: Uint8Array<ArrayBuffer>
  seq: bigint
}

export namespace RecordDigest {
  let _codec: Codec<RecordDigest>

  export const codec = (): Codec<RecordDigest> => {
    if (_codec == null) {
      _codec = message<RecordDigest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.peerId)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(16)
          w.uint64(obj.seq)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: uint8ArrayAlloc(0),
          seq: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.bytes()
              break
            }
            case 2: {
              obj.seq = reader.uint64()
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
                field: `${prefix}.peerId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
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

  export interface RecordDigestPeerIdFieldEvent {
    field: '$.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RecordDigestSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export function encode (obj: Partial<RecordDigest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RecordDigest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RecordDigest>): RecordDigest {
    return decodeMessage(buf, RecordDigest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RecordDigest>): Generator<RecordDigestPeerIdFieldEvent | RecordDigestSeqFieldEvent> {
    return streamMessage(buf, RecordDigest.codec(), opts)
  }
}

export interface SyncDigest {
  records: RecordDigest[]
}

export namespace SyncDigest {
  let _codec: Codec<SyncDigest>

  export const codec = (): Codec<SyncDigest> => {
    if (_codec == null) {
      _codec = message<SyncDigest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.records != null && obj.records.length > 0) {
          for (const value of obj.records) {
            w.uint32(10)
            RecordDigest.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          records: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records.length === opts.limits.records) {
                throw new MaxLengthError('Decode error - repeated field "records" had too many elements')
              }

              obj.records.push(RecordDigest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.records$
              }))
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
          records: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records === opts.limits.records) {
                throw new MaxLengthError('Streaming decode error - repeated field "records" had too many elements')
              }

              for (const evt of RecordDigest.codec().stream(reader, reader.uint32(), `${prefix}.records[]`, {
                limits: opts.limits?.records$
              })) {
                yield {
                  ...evt,
                  index: obj.records
                }
              }

              obj.records++

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

  export interface SyncDigestRecordsPeerIdFieldEvent {
    field: '$.records[].peerId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncDigestRecordsSeqFieldEvent {
    field: '$.records[].seq'
    value: bigint
    index: number
  }

  export function encode (obj: Partial<SyncDigest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncDigest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncDigest>): SyncDigest {
    return decodeMessage(buf, SyncDigest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncDigest>): Generator<SyncDigestRecordsPeerIdFieldEvent | SyncDigestRecordsSeqFieldEvent> {
    return streamMessage(buf, SyncDigest.codec(), opts)
  }
}

export interface SyncWant {
  peerIds: Uint8Array<ArrayBuffer>[]
}

export namespace SyncWant {
  let _codec: Codec<SyncWant>

  export const codec = (): Codec<SyncWant> => {
    if (_codec == null) {
      _codec = message<SyncWant>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.peerIds != null && obj.peerIds.length > 0) {
          for (const value of obj.peerIds) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerIds: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.peerIds != null && obj.peerIds.length === opts.limits.peerIds) {
                throw new MaxLengthError('Decode error - repeated field "peerIds" had too many elements')
              }

              obj.peerIds.push(reader.bytes())
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
          peerIds: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.peerIds != null && obj.peerIds === opts.limits.peerIds) {
                throw new MaxLengthError('Streaming decode error - repeated field "peerIds" had too many elements')
              }

              yield {
                field: `${prefix}.peerIds[]`,
                index: obj.peerIds,
                value: reader.bytes()
              }

              obj.peerIds++

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

  export interface SyncWantPeerIdsFieldEvent {
    field: '$.peerIds[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SyncWant>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncWant.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncWant>): SyncWant {
    return decodeMessage(buf, SyncWant.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncWant>): Generator<SyncWantPeerIdsFieldEvent> {
    return streamMessage(buf, SyncWant.codec(), opts)
  }
}
