import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { guardXSalsa20, XSALSA20_SLICE_BYTES } from '../../src/mesh/xsalsa20-guard.js'

const xsalsa20 = createRequire(import.meta.url)('xsalsa20') as (nonce: Uint8Array, key: Uint8Array) => { update(input: Uint8Array): Uint8Array }

describe('xsalsa20 guard', () => {
  it('keeps many ciphers alive through large alternating writes, with the same keystream', () => {
    const nonce = new Uint8Array(24).fill(3)
    const key = new Uint8Array(32).fill(9)
    const input = new Uint8Array(3 * XSALSA20_SLICE_BYTES + 17).map((_, i) => i * 7)
    const reference = xsalsa20(nonce, key).update(input)

    guardXSalsa20()
    const ciphers = Array.from({ length: 8 }, (_, i) => xsalsa20(new Uint8Array(24).fill(i), key))
    for (let round = 0; round < 40; round++) {
      ciphers[round % ciphers.length].update(new Uint8Array(2 * 1024 * 1024 + round))
    }
    expect(Buffer.from(xsalsa20(nonce, key).update(input)).equals(Buffer.from(reference))).toBe(true)
    // a stream cut at odd places decrypts the same as one piece
    const split = xsalsa20(nonce, key)
    const parts = [split.update(input.subarray(0, 100)), split.update(input.subarray(100))]
    expect(Buffer.concat(parts).equals(Buffer.from(reference))).toBe(true)
  })
})
