/**
 * Part of the @libp2p/pnet replacement (psk-protector.ts): the XSalsa20 stream cipher it uses in
 * place of the `xsalsa20` package's WebAssembly one, on @noble/ciphers 2.4.0 (pinned exactly in
 * package.json: it relies on `hsalsa` and on `salsa20` taking a 32-bit block counter). Goes with
 * psk-protector.ts; see the removal condition there.
 */
import { hsalsa, salsa20 } from '@noble/ciphers/salsa.js'

const BLOCK_BYTES = 64
/** `expand 32-byte k` as little-endian words */
const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574])
/** noble counts blocks in 32 bits: 2^32 blocks of 64 bytes */
export const XSALSA20_STREAM_MAX_BYTES = 2 ** 32 * BLOCK_BYTES - BLOCK_BYTES

function words (bytes: Uint8Array): Uint32Array {
  const out = new Uint32Array(bytes.length / 4)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true)
  return out
}

function littleEndianBytes (input: Uint32Array): Uint8Array {
  const out = new Uint8Array(input.length * 4)
  const view = new DataView(out.buffer)
  for (let i = 0; i < input.length; i++) view.setUint32(i * 4, input[i], true)
  return out
}

/** keystream computed ahead for small messages: one Salsa20 call then serves several of them (1 KiB each way per connection) */
const AHEAD_BLOCKS = 16
const AHEAD_BYTES = AHEAD_BLOCKS * BLOCK_BYTES
const ZERO_AHEAD = new Uint8Array(AHEAD_BYTES)
/** a message's whole blocks past the keystream computed ahead go through Salsa20 at once (word-wise XOR) from this length */
const DIRECT_MIN_BYTES = 1024

/**
 * One direction of an XSalsa20 stream: the keystream continues across `update` calls, so a
 * message split anywhere encrypts to the same bytes as one piece (what libp2p's private network
 * expects). Plain JavaScript (@noble/ciphers) with its own state: nothing is shared between
 * streams, and a stream no longer referenced is garbage collected.
 *
 * The HSalsa20 subkey is derived once. Small messages (a request, a yamux header, a window
 * update) take their keystream from AHEAD_BYTES computed in one Salsa20 call: each call has a
 * setup cost that, run per message, was most of what the cipher cost a small request. Long
 * messages run Salsa20 over their whole blocks directly.
 */
export class XSalsa20Stream {
  private readonly subkey: Uint8Array
  private readonly nonce: Uint8Array
  /** keystream bytes [aheadStart, aheadEnd) of the stream, computed ahead */
  private readonly ahead = new Uint8Array(AHEAD_BYTES)
  private aheadStart = 0
  private aheadEnd = 0
  private position = 0

  constructor (key: Uint8Array, nonce: Uint8Array) {
    if (key.length !== 32) throw new Error(`xsalsa20 key must be 32 bytes, got ${key.length}`)
    if (nonce.length !== 24) throw new Error(`xsalsa20 nonce must be 24 bytes, got ${nonce.length}`)
    const subkey = new Uint32Array(8)
    hsalsa(SIGMA, words(key), words(nonce.subarray(0, 16)), subkey)
    this.subkey = littleEndianBytes(subkey)
    this.nonce = nonce.slice(16, 24)
  }

  /**
   * XOR `input` with the next `input.length` keystream bytes into `output`, or into a new array
   * placed so that the part Salsa20 runs over directly starts on a 4-byte boundary (noble XORs
   * that a word at a time).
   */
  update (input: Uint8Array, output?: Uint8Array): Uint8Array {
    const length = input.length
    if (this.position + length > XSALSA20_STREAM_MAX_BYTES) throw new Error('xsalsa20 keystream exhausted: a connection carries at most 256 GiB each way')
    let out: Uint8Array
    if (output == null) {
      const shift = (4 - (this.bytesBeforeDirect() % 4)) % 4
      out = shift === 0 ? new Uint8Array(length) : new Uint8Array(length + shift).subarray(shift)
    } else {
      if (output.length < length) throw new Error('xsalsa20 output is shorter than its input')
      out = output.length === length ? output : output.subarray(0, length)
    }
    let done = 0
    while (done < length) {
      const at = this.position + done
      if (at >= this.aheadStart && at < this.aheadEnd) {
        const n = Math.min(length - done, this.aheadEnd - at)
        const ahead = this.ahead
        const offset = at - this.aheadStart
        for (let i = 0; i < n; i++) out[done + i] = input[done + i] ^ ahead[offset + i]
        done += n
        continue
      }
      const rest = length - done
      if (at % BLOCK_BYTES === 0 && rest >= DIRECT_MIN_BYTES) {
        const whole = rest - (rest % BLOCK_BYTES)
        const target = out.subarray(done, done + whole)
        let source = input.subarray(done, done + whole)
        if (source.byteOffset % 4 !== 0 && target.byteOffset % 4 === 0) {
          target.set(source)
          source = target
        }
        salsa20(this.subkey, this.nonce, source, target, at / BLOCK_BYTES)
        done += whole
        continue
      }
      this.computeAhead(Math.floor(at / BLOCK_BYTES))
    }
    this.position += length
    return out
  }

  /** the keystream from `block` on, as far as AHEAD_BYTES or the end of the counter */
  private computeAhead (block: number): void {
    const bytes = Math.min(AHEAD_BLOCKS, 2 ** 32 - block) * BLOCK_BYTES
    salsa20(this.subkey, this.nonce, ZERO_AHEAD.subarray(0, bytes), this.ahead.subarray(0, bytes), block)
    this.aheadStart = block * BLOCK_BYTES
    this.aheadEnd = this.aheadStart + bytes
  }

  /** how many bytes of the next update come from the keystream computed ahead before Salsa20 could run over the rest directly */
  private bytesBeforeDirect (): number {
    const at = this.position
    if (at >= this.aheadStart && at < this.aheadEnd) return this.aheadEnd - at
    if (at % BLOCK_BYTES === 0) return 0
    return Math.floor(at / BLOCK_BYTES) * BLOCK_BYTES + AHEAD_BYTES - at
  }
}
