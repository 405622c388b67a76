import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface MembershipCertificate {
  subject: Uint8Array<ArrayBuffer>
  nodeId: string
  roles: string[]
  issuedAt: bigint
  expiresAt?: bigint
  issuer: Uint8Array<ArrayBuffer>
}

export namespace MembershipCertificate {
  let _codec: Codec<MembershipCertificate>

  export const codec = (): Codec<MembershipCertificate> => {
    if (_codec == null) {
      _codec = message<MembershipCertificate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.subject != null && obj.subject.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.subject)
        }

        if ((obj.nodeId != null && obj.nodeId !== '')) {
          w.uint32(18)
          w.string(obj.nodeId)
        }

        if (obj.roles != null && obj.roles.length > 0) {
          for (const value of obj.roles) {
            w.uint32(26)
            w.string(value)
          }
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(32)
          w.uint64(obj.issuedAt)
        }

        if (obj.expiresAt != null) {
          w.uint32(40)
          w.uint64(obj.expiresAt)
        }

        if ((obj.issuer != null && obj.issuer.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.issuer)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          subject: uint8ArrayAlloc(0),
          nodeId: '',
          roles: [],
          issuedAt: 0n,
          issuer: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.subject = reader.bytes()
              break
            }
            case 2: {
              obj.nodeId = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.roles != null && obj.roles.length === opts.limits.roles) {
                throw new MaxLengthError('Decode error - repeated field "roles" had too many elements')
              }

              obj.roles.push(reader.string())
              break
            }
            case 4: {
              obj.issuedAt = reader.uint64()
              break
            }
            case 5: {
              obj.expiresAt = reader.uint64()
              break
            }
            case 6: {
              obj.issuer = reader.bytes()
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
          roles: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.subject`,
                value: reader.bytes()
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
              if (opts.limits?.roles != null && obj.roles === opts.limits.roles) {
                throw new MaxLengthError('Streaming decode error - repeated field "roles" had too many elements')
              }

              yield {
                field: `${prefix}.roles[]`,
                index: obj.roles,
                value: reader.string()
              }

              obj.roles++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.issuer`,
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

  export interface MembershipCertificateSubjectFieldEvent {
    field: '$.subject'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MembershipCertificateNodeIdFieldEvent {
    field: '$.nodeId'
    value: string
  }

  export interface MembershipCertificateRolesFieldEvent {
    field: '$.roles[]'
    index: number
    value: string
  }

  export interface MembershipCertificateIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface MembershipCertificateExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export interface MembershipCertificateIssuerFieldEvent {
    field: '$.issuer'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MembershipCertificate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MembershipCertificate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MembershipCertificate>): MembershipCertificate {
    return decodeMessage(buf, MembershipCertificate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MembershipCertificate>): Generator<MembershipCertificateSubjectFieldEvent | MembershipCertificateNodeIdFieldEvent | MembershipCertificateRolesFieldEvent | MembershipCertificateIssuedAtFieldEvent | MembershipCertificateExpiresAtFieldEvent | MembershipCertificateIssuerFieldEvent> {
    return streamMessage(buf, MembershipCertificate.codec(), opts)
  }
}

export interface MembershipRevocation {
  subject: Uint8Array<ArrayBuffer>
  issuer: Uint8Array<ArrayBuffer>
  revokedAt: bigint
  reason: string
}

export namespace MembershipRevocation {
  let _codec: Codec<MembershipRevocation>

  export const codec = (): Codec<MembershipRevocation> => {
    if (_codec == null) {
      _codec = message<MembershipRevocation>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.subject != null && obj.subject.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.subject)
        }

        if ((obj.issuer != null && obj.issuer.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.issuer)
        }

        if ((obj.revokedAt != null && obj.revokedAt !== 0n)) {
          w.uint32(24)
          w.uint64(obj.revokedAt)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(34)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          subject: uint8ArrayAlloc(0),
          issuer: uint8ArrayAlloc(0),
          revokedAt: 0n,
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.subject = reader.bytes()
              break
            }
            case 2: {
              obj.issuer = reader.bytes()
              break
            }
            case 3: {
              obj.revokedAt = reader.uint64()
              break
            }
            case 4: {
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
                field: `${prefix}.subject`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.issuer`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.revokedAt`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
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

  export interface MembershipRevocationSubjectFieldEvent {
    field: '$.subject'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MembershipRevocationIssuerFieldEvent {
    field: '$.issuer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MembershipRevocationRevokedAtFieldEvent {
    field: '$.revokedAt'
    value: bigint
  }

  export interface MembershipRevocationReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<MembershipRevocation>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MembershipRevocation.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MembershipRevocation>): MembershipRevocation {
    return decodeMessage(buf, MembershipRevocation.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MembershipRevocation>): Generator<MembershipRevocationSubjectFieldEvent | MembershipRevocationIssuerFieldEvent | MembershipRevocationRevokedAtFieldEvent | MembershipRevocationReasonFieldEvent> {
    return streamMessage(buf, MembershipRevocation.codec(), opts)
  }
}

export interface SecretRotation {
  secret: string
  previous: Uint8Array<ArrayBuffer>
  switchAt: bigint
  issuedAt: bigint
  issuer: Uint8Array<ArrayBuffer>
  generation: number
}

export namespace SecretRotation {
  let _codec: Codec<SecretRotation>

  export const codec = (): Codec<SecretRotation> => {
    if (_codec == null) {
      _codec = message<SecretRotation>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.secret != null && obj.secret !== '')) {
          w.uint32(10)
          w.string(obj.secret)
        }

        if ((obj.previous != null && obj.previous.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.previous)
        }

        if ((obj.switchAt != null && obj.switchAt !== 0n)) {
          w.uint32(24)
          w.uint64(obj.switchAt)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(32)
          w.uint64(obj.issuedAt)
        }

        if ((obj.issuer != null && obj.issuer.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.issuer)
        }

        if ((obj.generation != null && obj.generation !== 0)) {
          w.uint32(48)
          w.uint32(obj.generation)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          secret: '',
          previous: uint8ArrayAlloc(0),
          switchAt: 0n,
          issuedAt: 0n,
          issuer: uint8ArrayAlloc(0),
          generation: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.secret = reader.string()
              break
            }
            case 2: {
              obj.previous = reader.bytes()
              break
            }
            case 3: {
              obj.switchAt = reader.uint64()
              break
            }
            case 4: {
              obj.issuedAt = reader.uint64()
              break
            }
            case 5: {
              obj.issuer = reader.bytes()
              break
            }
            case 6: {
              obj.generation = reader.uint32()
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
                field: `${prefix}.secret`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.previous`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.switchAt`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.issuer`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.generation`,
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

  export interface SecretRotationSecretFieldEvent {
    field: '$.secret'
    value: string
  }

  export interface SecretRotationPreviousFieldEvent {
    field: '$.previous'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SecretRotationSwitchAtFieldEvent {
    field: '$.switchAt'
    value: bigint
  }

  export interface SecretRotationIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface SecretRotationIssuerFieldEvent {
    field: '$.issuer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SecretRotationGenerationFieldEvent {
    field: '$.generation'
    value: number
  }

  export function encode (obj: Partial<SecretRotation>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SecretRotation.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SecretRotation>): SecretRotation {
    return decodeMessage(buf, SecretRotation.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SecretRotation>): Generator<SecretRotationSecretFieldEvent | SecretRotationPreviousFieldEvent | SecretRotationSwitchAtFieldEvent | SecretRotationIssuedAtFieldEvent | SecretRotationIssuerFieldEvent | SecretRotationGenerationFieldEvent> {
    return streamMessage(buf, SecretRotation.codec(), opts)
  }
}

export interface CertificateBatch {
  certificates: Uint8Array<ArrayBuffer>[]
  wanted: Uint8Array<ArrayBuffer>[]
  revocations: Uint8Array<ArrayBuffer>[]
  rotation?: Uint8Array<ArrayBuffer>
}

export namespace CertificateBatch {
  let _codec: Codec<CertificateBatch>

  export const codec = (): Codec<CertificateBatch> => {
    if (_codec == null) {
      _codec = message<CertificateBatch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.certificates != null && obj.certificates.length > 0) {
          for (const value of obj.certificates) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (obj.wanted != null && obj.wanted.length > 0) {
          for (const value of obj.wanted) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (obj.revocations != null && obj.revocations.length > 0) {
          for (const value of obj.revocations) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if (obj.rotation != null) {
          w.uint32(34)
          w.bytes(obj.rotation)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificates: [],
          wanted: [],
          revocations: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.certificates != null && obj.certificates.length === opts.limits.certificates) {
                throw new MaxLengthError('Decode error - repeated field "certificates" had too many elements')
              }

              obj.certificates.push(reader.bytes())
              break
            }
            case 2: {
              if (opts.limits?.wanted != null && obj.wanted.length === opts.limits.wanted) {
                throw new MaxLengthError('Decode error - repeated field "wanted" had too many elements')
              }

              obj.wanted.push(reader.bytes())
              break
            }
            case 3: {
              if (opts.limits?.revocations != null && obj.revocations.length === opts.limits.revocations) {
                throw new MaxLengthError('Decode error - repeated field "revocations" had too many elements')
              }

              obj.revocations.push(reader.bytes())
              break
            }
            case 4: {
              obj.rotation = reader.bytes()
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
          certificates: 0,
          wanted: 0,
          revocations: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.certificates != null && obj.certificates === opts.limits.certificates) {
                throw new MaxLengthError('Streaming decode error - repeated field "certificates" had too many elements')
              }

              yield {
                field: `${prefix}.certificates[]`,
                index: obj.certificates,
                value: reader.bytes()
              }

              obj.certificates++

              break
            }
            case 2: {
              if (opts.limits?.wanted != null && obj.wanted === opts.limits.wanted) {
                throw new MaxLengthError('Streaming decode error - repeated field "wanted" had too many elements')
              }

              yield {
                field: `${prefix}.wanted[]`,
                index: obj.wanted,
                value: reader.bytes()
              }

              obj.wanted++

              break
            }
            case 3: {
              if (opts.limits?.revocations != null && obj.revocations === opts.limits.revocations) {
                throw new MaxLengthError('Streaming decode error - repeated field "revocations" had too many elements')
              }

              yield {
                field: `${prefix}.revocations[]`,
                index: obj.revocations,
                value: reader.bytes()
              }

              obj.revocations++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.rotation`,
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

  export interface CertificateBatchCertificatesFieldEvent {
    field: '$.certificates[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface CertificateBatchWantedFieldEvent {
    field: '$.wanted[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface CertificateBatchRevocationsFieldEvent {
    field: '$.revocations[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface CertificateBatchRotationFieldEvent {
    field: '$.rotation'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CertificateBatch>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CertificateBatch.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CertificateBatch>): CertificateBatch {
    return decodeMessage(buf, CertificateBatch.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CertificateBatch>): Generator<CertificateBatchCertificatesFieldEvent | CertificateBatchWantedFieldEvent | CertificateBatchRevocationsFieldEvent | CertificateBatchRotationFieldEvent> {
    return streamMessage(buf, CertificateBatch.codec(), opts)
  }
}

export interface SecretRotationChain {
  rotations: Uint8Array<ArrayBuffer>[]
}

export namespace SecretRotationChain {
  let _codec: Codec<SecretRotationChain>

  export const codec = (): Codec<SecretRotationChain> => {
    if (_codec == null) {
      _codec = message<SecretRotationChain>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.rotations != null && obj.rotations.length > 0) {
          for (const value of obj.rotations) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          rotations: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.rotations != null && obj.rotations.length === opts.limits.rotations) {
                throw new MaxLengthError('Decode error - repeated field "rotations" had too many elements')
              }

              obj.rotations.push(reader.bytes())
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
          rotations: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.rotations != null && obj.rotations === opts.limits.rotations) {
                throw new MaxLengthError('Streaming decode error - repeated field "rotations" had too many elements')
              }

              yield {
                field: `${prefix}.rotations[]`,
                index: obj.rotations,
                value: reader.bytes()
              }

              obj.rotations++

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

  export interface SecretRotationChainRotationsFieldEvent {
    field: '$.rotations[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SecretRotationChain>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SecretRotationChain.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SecretRotationChain>): SecretRotationChain {
    return decodeMessage(buf, SecretRotationChain.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SecretRotationChain>): Generator<SecretRotationChainRotationsFieldEvent> {
    return streamMessage(buf, SecretRotationChain.codec(), opts)
  }
}
