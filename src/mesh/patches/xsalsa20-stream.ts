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
const ZERO_BLOCK = new Uint8Array(BLOCK_BYTES)
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

/**
 * One direction of an XSalsa20 stream: the keystream continues across `update` calls, so a
 * message split anywhere encrypts to the same bytes as one piece (what libp2p's private network
 * expects). Plain JavaScript (@noble/ciphers) with its own state: nothing is shared between
 * streams, and a stream no longer referenced is garbage collected.
 *
 * The HSalsa20 subkey is derived once, then each update runs Salsa20 from the block it has reached;
 * a message that ends inside a block keeps the rest of that block's keystream for the next one.
 */
export class XSalsa20Stream {
  private readonly subkey: Uint8Array
  private readonly nonce: Uint8Array
  /** keystream of the block `position` is in, valid while `position` is not on a block boundary */
  private readonly carry = new Uint8Array(BLOCK_BYTES)
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
   * placed so that the whole blocks start on a 4-byte boundary (noble XORs those a word at a time).
   */
  update (input: Uint8Array, output?: Uint8Array): Uint8Array {
    const length = input.length
    if (this.position + length > XSALSA20_STREAM_MAX_BYTES) throw new Error('xsalsa20 keystream exhausted: a connection carries at most 256 GiB each way')
    const inBlock = this.position % BLOCK_BYTES
    const head = inBlock === 0 ? 0 : Math.min(BLOCK_BYTES - inBlock, length)
    let out: Uint8Array
    if (output == null) {
      const shift = (4 - (head % 4)) % 4
      out = shift === 0 ? new Uint8Array(length) : new Uint8Array(length + shift).subarray(shift)
    } else {
      if (output.length < length) throw new Error('xsalsa20 output is shorter than its input')
      out = output.length === length ? output : output.subarray(0, length)
    }
    for (let i = 0; i < head; i++) out[i] = input[i] ^ this.carry[inBlock + i]
    let done = head
    const block = (this.position + head) / BLOCK_BYTES
    const whole = (length - head) - ((length - head) % BLOCK_BYTES)
    if (whole > 0) {
      const target = out.subarray(done, done + whole)
      let source = input.subarray(done, done + whole)
      if (source.byteOffset % 4 !== 0 && target.byteOffset % 4 === 0) {
        target.set(source)
        source = target
      }
      salsa20(this.subkey, this.nonce, source, target, block)
      done += whole
    }
    if (done < length) {
      salsa20(this.subkey, this.nonce, ZERO_BLOCK, this.carry, block + whole / BLOCK_BYTES)
      for (let i = 0; done + i < length; i++) out[done + i] = input[done + i] ^ this.carry[i]
    }
    this.position += length
    return out
  }
}
