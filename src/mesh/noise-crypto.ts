/**
 * The ChaCha20-Poly1305 implementations js-noise ships, picked by message size for the messages a
 * mesh connection carries. js-noise's own `defaultCrypto` moves to Node's cipher from 1200 bytes;
 * Node creates a cipher, and a key object from the raw key, for every message, which in a node
 * that is busy with everything else a request needs costs several times what a microbenchmark of
 * it shows: a 4 KiB answer took ~150 µs to seal and ~190 µs to open that way, against ~40 µs
 * each in js-noise's WebAssembly implementation. Node's cipher is kept for the large messages of
 * long streams, where its per-byte speed wins.
 */
import { asCrypto, defaultCrypto, nodeCrypto } from '@chainsafe/libp2p-noise/crypto'
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'

/** messages below this many bytes go through the WebAssembly implementation, larger ones through Node's cipher */
export const NATIVE_CIPHER_MIN_BYTES = 16 * 1024

type Cipher = Pick<ICryptoInterface, 'chaCha20Poly1305Encrypt' | 'chaCha20Poly1305Decrypt'>

/** the implementation that seals or opens a message of `bytes` bytes */
export function cipherFor (bytes: number): Cipher {
  return bytes < NATIVE_CIPHER_MIN_BYTES ? asCrypto : nodeCrypto
}

/** js-noise's default crypto (key exchange, hashing) with the cipher picked by `cipherFor` */
export const meshNoiseCrypto: ICryptoInterface = {
  ...defaultCrypto,
  chaCha20Poly1305Encrypt (plaintext, nonce, ad, k) {
    return cipherFor(plaintext.byteLength).chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)
  },
  chaCha20Poly1305Decrypt (ciphertext, nonce, ad, k, dst) {
    return cipherFor(ciphertext.byteLength).chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst)
  }
}
