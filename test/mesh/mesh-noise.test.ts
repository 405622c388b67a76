import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddrConnectionPair } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import { asCrypto, defaultCrypto, nodeCrypto } from '@chainsafe/libp2p-noise/crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { meshNoiseCrypto, NATIVE_CIPHER_MIN_BYTES } from '../../src/mesh/noise-crypto.js'
import { meshNoise, NOISE_MAX_MESSAGE_BYTES, readNoiseLength } from '../../src/mesh/patches/mesh-noise.js'
import type { MessageStream, MultiaddrConnection, Upgrader } from '@libp2p/interface'

async function noiseComponents (): Promise<Parameters<ReturnType<typeof meshNoise>>[0]> {
  const privateKey = await generateKeyPair('Ed25519')
  // with stream muxer negotiation skipped, noise never asks the upgrader for muxers
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey), logger: defaultLogger(), upgrader: {} as unknown as Upgrader }
}

/** a Noise session over an in-memory connection pair, both ends secured by meshNoise */
async function securedPair (): Promise<{ outbound: MessageStream, inbound: MessageStream, raw: MultiaddrConnection }> {
  const [rawOut, rawIn] = multiaddrConnectionPair()
  const [a, b] = await Promise.all([noiseComponents(), noiseComponents()])
  const [outbound, inbound] = await Promise.all([
    meshNoise()(a).secureOutbound(rawOut, { remotePeer: b.peerId, skipStreamMuxerNegotiation: true }),
    meshNoise()(b).secureInbound(rawIn, { skipStreamMuxerNegotiation: true })
  ])
  return { outbound: outbound.connection, inbound: inbound.connection, raw: rawOut }
}

async function receive (stream: MessageStream, bytes: number): Promise<Uint8Array> {
  const received = new Uint8ArrayList()
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`only ${received.byteLength} of ${bytes} bytes arrived`)) }, 10_000)
    stream.addEventListener('message', (event) => {
      received.append(event.data)
      if (received.byteLength < bytes) return
      clearTimeout(timer)
      resolve(received.subarray())
    })
  })
}

describe('mesh noise', () => {
  it('reads the 2-byte length, and asks for more bytes without throwing while the prefix is incomplete', () => {
    expect(readNoiseLength(Uint8Array.of(0x12, 0x34, 0xff))).toBe(0x1234)
    expect(readNoiseLength(new Uint8ArrayList(Uint8Array.of(0xab), Uint8Array.of(0xcd)))).toBe(0xabcd)
    // more than a buffer of 0 or 1 bytes holds (with the prefix): the decoder waits for the rest
    expect(readNoiseLength(Uint8Array.of(1))).toBe(NOISE_MAX_MESSAGE_BYTES)
    expect(readNoiseLength(new Uint8ArrayList())).toBe(NOISE_MAX_MESSAGE_BYTES)
  })

  it('secures both ends with that reader, and delivers messages of every size even when the wire splits them anywhere', async () => {
    const { outbound, inbound, raw } = await securedPair()
    // the hook reaches into js-noise's decoder; if an upgrade moves it, this fails instead of silently losing the change
    expect((outbound as any).decoder.lengthDecoder).toBe(readNoiseLength)
    expect((inbound as any).decoder.lengthDecoder).toBe(readNoiseLength)

    // encrypted messages leave in pieces of 1 to 511 bytes, so the reader sees length prefixes cut in two
    const send = raw.send.bind(raw)
    const pieces = [1, 1, 3, 97, 1, 2, 511]
    raw.send = (data) => {
      const bytes = data.subarray()
      let more = true
      for (let i = 0, p = 0; i < bytes.byteLength; i += pieces[p++ % pieces.length]) more = send(bytes.subarray(i, i + pieces[p % pieces.length]))
      return more
    }
    const sizes = [1, 2, 3, 200, 65_519, 65_520, 70_000]
    const messages = sizes.map((size, i) => Uint8Array.from({ length: size }, (_, k) => (k * 7 + i) & 0xff))
    const total = sizes.reduce((a, b) => a + b, 0)
    const arriving = receive(inbound, total)
    for (const message of messages) outbound.send(message)
    const expected = new Uint8ArrayList(...messages).subarray()
    expect(Buffer.from(await arriving).equals(Buffer.from(expected))).toBe(true)

    // and the other way, whole
    const answer = new Uint8Array(300_000).fill(9)
    const answered = receive(outbound, answer.byteLength)
    inbound.send(answer)
    expect(Buffer.from(await answered).equals(Buffer.from(answer))).toBe(true)
    await Promise.all([outbound.close(), inbound.close()])
  })

  describe('cipher by message size', () => {
    afterEach(() => { vi.restoreAllMocks() })

    it('seals exactly as js-noise does, and each opens what the other sealed, below and above the size where it changes cipher', () => {
      const key = Uint8Array.from({ length: 32 }, (_, i) => i)
      const nonce = new Uint8Array(12).fill(7)
      const ad = Uint8Array.of(1, 2, 3)
      for (const size of [0, 1, 1199, 1200, 4096, NATIVE_CIPHER_MIN_BYTES - 1, NATIVE_CIPHER_MIN_BYTES, 65_519]) {
        const plaintext = Uint8Array.from({ length: size }, (_, i) => (i * 13) & 0xff)
        const sealed = meshNoiseCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, key).subarray()
        const stock = defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, key).subarray()
        expect(Buffer.from(sealed).equals(Buffer.from(stock)), `${size} bytes`).toBe(true)
        expect(Buffer.from(meshNoiseCrypto.chaCha20Poly1305Decrypt(stock, nonce, ad, key).subarray()).equals(Buffer.from(plaintext))).toBe(true)
        expect(Buffer.from(defaultCrypto.chaCha20Poly1305Decrypt(sealed, nonce, ad, key).subarray()).equals(Buffer.from(plaintext))).toBe(true)
      }
    })

    it('seals and opens a few-KiB message of a secured connection with the WebAssembly cipher, a large one with Node\'s', async () => {
      const { outbound, inbound } = await securedPair()
      const wasmSeal = vi.spyOn(asCrypto, 'chaCha20Poly1305Encrypt')
      const wasmOpen = vi.spyOn(asCrypto, 'chaCha20Poly1305Decrypt')
      const nodeSeal = vi.spyOn(nodeCrypto, 'chaCha20Poly1305Encrypt')
      const nodeOpen = vi.spyOn(nodeCrypto, 'chaCha20Poly1305Decrypt')
      // a streamed answer's first events, as they reach a serving node at once
      const answer = new Uint8Array(4096).fill(3)
      let arriving = receive(inbound, answer.byteLength)
      outbound.send(answer)
      expect(Buffer.from(await arriving).equals(Buffer.from(answer))).toBe(true)
      expect(wasmSeal).toHaveBeenCalledTimes(1)
      expect(wasmOpen).toHaveBeenCalledTimes(1)
      expect(nodeSeal).not.toHaveBeenCalled()
      expect(nodeOpen).not.toHaveBeenCalled()

      const large = new Uint8Array(NATIVE_CIPHER_MIN_BYTES * 2).fill(4)
      arriving = receive(inbound, large.byteLength)
      outbound.send(large)
      await arriving
      expect(nodeSeal).toHaveBeenCalledTimes(1)
      expect(nodeOpen).toHaveBeenCalledTimes(1)
      await Promise.all([outbound.close(), inbound.close()])
    })
  })
})
