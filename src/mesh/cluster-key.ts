import { createHash } from 'node:crypto'
import { TypedEventEmitter } from '@libp2p/interface'
import { decodePskFile } from './patches/psk-protector.js'

/** bytes of a key fingerprint: the first 16 of SHA-256 of the 32-byte key */
export const KEY_FINGERPRINT_BYTES = 16

/** The fingerprint of a 32-byte cluster key: names a key without revealing it */
export function keyFingerprint (key: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(key).digest().subarray(0, KEY_FINGERPRINT_BYTES))
}

export interface ClusterKeyEvents {
  /** the key changed (the detail is the new fingerprint, hex) */
  change: CustomEvent<string>
}

/**
 * The pnet key a node uses, read by the protector at each new connection: `set` switches every
 * connection opened from then on to another key without rebuilding libp2p (a secret rotation).
 */
export class ClusterKey extends TypedEventEmitter<ClusterKeyEvents> {
  private file: Uint8Array
  private raw: Uint8Array
  private print: string
  /** how many rotations led to this key (0: the configured secret's) */
  generation: number

  /** `psk`: the key file bytes from `pskFromSecret` */
  constructor (psk: Uint8Array, generation = 0) {
    super()
    this.file = psk
    this.raw = decodePskFile(psk)
    this.print = Buffer.from(keyFingerprint(this.raw)).toString('hex')
    this.generation = generation
  }

  /** the key file bytes (what `probePnet` and `@libp2p/pnet` take) */
  get psk (): Uint8Array { return this.file }
  /** the 32-byte key */
  get key (): Uint8Array { return this.raw }
  /** hex of `keyFingerprint(key)` */
  get fingerprint (): string { return this.print }

  set (psk: Uint8Array, generation = this.generation + 1): void {
    const raw = decodePskFile(psk)
    this.file = psk
    this.raw = raw
    this.print = Buffer.from(keyFingerprint(raw)).toString('hex')
    this.generation = generation
    this.safeDispatchEvent('change', { detail: this.print })
  }
}
