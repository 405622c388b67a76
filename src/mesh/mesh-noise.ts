import { noise } from '@chainsafe/libp2p-noise'
import { logger } from '@libp2p/logger'
import type { NoiseComponents, NoiseExtensions, NoiseInit } from '@chainsafe/libp2p-noise'
import type { ConnectionEncrypter, SecuredConnection } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

const log = logger('clawmatrix:mesh:noise')

/** how the frame decoder learns that no whole length prefix is buffered yet; one object, no stack taken */
const NO_LENGTH_YET = new RangeError('Could not decode int16BE')

/** the 2-byte big-endian length before each Noise message */
export function readNoiseLength (data: Uint8Array | Uint8ArrayList): number {
  if (data.length < 2) throw NO_LENGTH_YET
  return data instanceof Uint8Array ? (data[0] << 8) | data[1] : data.getUint16(0)
}

/** the part of js-noise's encrypted stream the reader swap touches; not public API, so checked before use */
interface DecoderInternals {
  decoder: { lengthDecoder: (data: Uint8Array | Uint8ArrayList) => number }
}

function hasDecoderInternals (connection: any): connection is DecoderInternals {
  return typeof connection?.decoder?.lengthDecoder === 'function' && typeof connection.decoder.decode === 'function'
}

let warned = false

function withNoiseLengthReader<T extends SecuredConnection<NoiseExtensions>> (secured: T): T {
  if (hasDecoderInternals(secured.connection)) {
    secured.connection.decoder.lengthDecoder = readNoiseLength
  } else if (!warned) {
    warned = true
    log.error('this noise version has no decoder hook: every received message keeps costing an error object')
  }
  return secured
}

/**
 * Noise as mesh nodes run it. js-noise's message decoder stops at the end of its buffer when its
 * length reader throws a RangeError, and the stock reader builds a new one, stack and all, for
 * every message received. The reader here throws one prepared error instead; the wire is unchanged.
 */
export function meshNoise (init: NoiseInit = {}): (components: NoiseComponents) => ConnectionEncrypter<NoiseExtensions> {
  const createEncrypter = noise(init)
  return (components) => {
    const encrypter = createEncrypter(components)
    const secureInbound = encrypter.secureInbound.bind(encrypter)
    const secureOutbound = encrypter.secureOutbound.bind(encrypter)
    encrypter.secureInbound = async (connection, options) => withNoiseLengthReader(await secureInbound(connection, options))
    encrypter.secureOutbound = async (connection, options) => withNoiseLengthReader(await secureOutbound(connection, options))
    return encrypter
  }
}
