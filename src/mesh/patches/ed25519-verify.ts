/**
 * PATCH of @libp2p/crypto 5.1.23 (pinned exactly in package.json): it replaces
 * `Ed25519PublicKey.prototype.verify`, reached through an instance (`publicKeyFromRaw`), so every
 * Ed25519 signature check in this process (gossipsub messages, capability record envelopes, Noise
 * handshakes) uses it. Same answers and errors as stock; only the key import is cached.
 *
 * Upstream issue it would file: "`hashAndVerify` (keys/ed25519/index.ts) imports the public key
 * from JWK (`crypto.createPublicKey({ format: 'jwk' })`) for every signature it checks: about a
 * quarter of each verification, and the biggest part of a gossipsub node's CPU when it receives
 * many signed messages from few peers. Proposed: keep the `KeyObject` on the `Ed25519PublicKey`
 * (or in a small cache by raw key)."
 *
 * Remove when a released @libp2p/crypto reuses the imported key; test/mesh/ed25519-verify.test.ts
 * checks the patched answers against node:crypto with a fresh import.
 */
import { createPublicKey, verify as verifySignature } from 'node:crypto'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { logger } from '@libp2p/logger'
import type { KeyObject } from 'node:crypto'
import type { AbortOptions } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

const log = logger('clawmatrix:mesh:ed25519')

const PUBLIC_KEY_BYTES = 32
const SIGNATURE_BYTES = 64
/** DER SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410): the 32 raw bytes follow it */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
/** imported keys held: more than the peers a node hears from; the oldest goes first */
export const MAX_CACHED_VERIFY_KEYS = 4096

const imported = new Map<string, KeyObject>()

/** the imported form of a raw Ed25519 public key, from the cache when it is there */
export function ed25519VerifyKey (raw: Uint8Array): KeyObject {
  const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1')
  let key = imported.get(id)
  if (key == null) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
    if (imported.size >= MAX_CACHED_VERIFY_KEYS) imported.delete(imported.keys().next().value as string)
    imported.set(id, key)
  }
  return key
}

/** keys in the cache now */
export function cachedVerifyKeys (): number {
  return imported.size
}

interface Ed25519PublicKeyInternals {
  raw: Uint8Array
  verify: (data: Uint8Array | Uint8ArrayList, sig: Uint8Array, options?: AbortOptions) => boolean | Promise<boolean>
}

let patched = false

/** Swap in the cached-key verification, once per process */
export function cacheEd25519VerifyKeys (): void {
  if (patched) return
  patched = true
  const instance = publicKeyFromRaw(new Uint8Array(PUBLIC_KEY_BYTES))
  const proto = Object.getPrototypeOf(instance) as Ed25519PublicKeyInternals
  if (instance.type !== 'Ed25519' || typeof proto.verify !== 'function') {
    log.error('no Ed25519PublicKey verify method found: signature checks stay stock')
    return
  }
  proto.verify = function (this: Ed25519PublicKeyInternals, data, sig, options) {
    options?.signal?.throwIfAborted()
    if (!(this.raw instanceof Uint8Array) || this.raw.byteLength !== PUBLIC_KEY_BYTES) throw new TypeError('"key" must be 32 bytes in length.')
    if (!(sig instanceof Uint8Array) || sig.byteLength !== SIGNATURE_BYTES) throw new TypeError('"sig" must be 64 bytes in length.')
    return verifySignature(null, data instanceof Uint8Array ? data : data.subarray(), ed25519VerifyKey(this.raw), sig)
  }
}
