/**
 * PATCH of @chainsafe/libp2p-noise 17.0.0 (pinned exactly in package.json). It replaces the
 * private `decoder.lengthDecoder` of the secured connection (checked before use; an error is
 * logged once and the connection stays stock when it is missing).
 *
 * Upstream issue it would file: "The encrypted stream's length decoder (`uint16BEDecode` in
 * `encoder.ts`) throws `RangeError('Could not decode int16BE')` whenever fewer than 2 bytes are
 * buffered, and the decoder relies on that throw to stop at the end of its buffer: a new error,
 * stack and all, for every message received. Proposed: answer the largest message length (or a
 * sentinel) while the prefix is incomplete, without throwing."
 *
 * Remove when a released @chainsafe/libp2p-noise reads the length without throwing, or when it
 * no longer has this internal; test/mesh/patches-interop.test.ts checks a patched node against a
 * stock one.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { logger } from '@libp2p/logger'
import { meshNoiseCrypto } from '../noise-crypto.js'
import type { NoiseComponents, NoiseExtensions, NoiseInit } from '@chainsafe/libp2p-noise'
import type { ConnectionEncrypter, SecuredConnection } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

const log = logger('clawmatrix:mesh:noise')

/** the longest Noise message; what the length reader answers while its prefix is incomplete */
export const NOISE_MAX_MESSAGE_BYTES = 65_535

/**
 * The 2-byte big-endian length before each Noise message. Before both bytes are there it answers
 * the longest possible message, which a buffer of under 2 bytes cannot hold, so the decoder waits
 * for more bytes as it does after a thrown RangeError, without the cost of a throw.
 */
export function readNoiseLength (data: Uint8Array | Uint8ArrayList): number {
  if (data.length < 2) return NOISE_MAX_MESSAGE_BYTES
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
    log.error('this noise version has no decoder hook: every received message keeps costing a thrown error')
  }
  return secured
}

/**
 * Noise as mesh nodes run it. js-noise's message decoder stops at the end of its buffer when its
 * length reader throws a RangeError, and the stock reader builds a new one, stack and all, for
 * every message received. The reader here throws nothing; the wire is unchanged. Messages are
 * sealed and opened with the cipher `meshNoiseCrypto` picks by size (noise-crypto.ts), through
 * js-noise's public `crypto` option.
 */
export function meshNoise (init: NoiseInit = {}): (components: NoiseComponents) => ConnectionEncrypter<NoiseExtensions> {
  const createEncrypter = noise({ crypto: meshNoiseCrypto, ...init })
  return (components) => {
    const encrypter = createEncrypter(components)
    const secureInbound = encrypter.secureInbound.bind(encrypter)
    const secureOutbound = encrypter.secureOutbound.bind(encrypter)
    encrypter.secureInbound = async (connection, options) => withNoiseLengthReader(await secureInbound(connection, options))
    encrypter.secureOutbound = async (connection, options) => withNoiseLengthReader(await secureOutbound(connection, options))
    return encrypter
  }
}
