import { createRequire } from 'node:module'

/**
 * libp2p's private network encrypts with the `xsalsa20` package, whose WebAssembly instance has
 * one memory shared by every connection while each cipher keeps its own, possibly stale, view of
 * it. An update larger than that view grows the memory by the difference to the stale length, so
 * with several connections and megabyte-sized writes the memory soon passes its 64 MiB maximum and
 * the process dies with an uncaught `WebAssembly.Memory.grow()` error. Feeding the cipher in slices
 * that fit the memory it starts with (640 KiB) means it never grows. The keystream continues
 * across slices, so the bytes are the same.
 */
export const XSALSA20_SLICE_BYTES = 256 * 1024

interface XSalsa20Cipher {
  update(input: Uint8Array, output?: Uint8Array): Uint8Array
}

let installed = false

export function guardXSalsa20 (): void {
  if (installed) return
  installed = true
  const XSalsa20 = createRequire(import.meta.url)('xsalsa20') as { (nonce: Uint8Array, key: Uint8Array): XSalsa20Cipher, prototype: XSalsa20Cipher }
  const update = XSalsa20.prototype.update
  XSalsa20.prototype.update = function (this: XSalsa20Cipher, input: Uint8Array, output?: Uint8Array): Uint8Array {
    if (input.length <= XSALSA20_SLICE_BYTES) return update.call(this, input, output)
    const out = output ?? new Uint8Array(input.length)
    for (let offset = 0; offset < input.length; offset += XSALSA20_SLICE_BYTES) {
      const end = Math.min(offset + XSALSA20_SLICE_BYTES, input.length)
      update.call(this, input.subarray(offset, end), out.subarray(offset, end))
    }
    return out
  }
}
