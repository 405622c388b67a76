import { randomBytes } from 'node:crypto'
import { generateKeyPair, publicKeyFromRaw } from '@libp2p/crypto/keys'
import { Uint8ArrayList } from 'uint8arraylist'
import { describe, expect, it } from 'vitest'
import { cacheEd25519VerifyKeys, cachedVerifyKeys, ed25519VerifyKey, MAX_CACHED_VERIFY_KEYS } from '../../src/mesh/patches/ed25519-verify.js'

describe('Ed25519 verification with cached key imports', async () => {
  const signer = await generateKeyPair('Ed25519')
  const other = await generateKeyPair('Ed25519')
  const message = randomBytes(300)
  const signature = await signer.sign(message)
  const tampered = Uint8Array.from(message)
  tampered[7] ^= 1
  const badSignature = Uint8Array.from(signature)
  badSignature[3] ^= 1
  const cases: Array<[string, () => boolean | Promise<boolean>]> = [
    ['a valid signature', () => publicKeyFromRaw(signer.publicKey.raw).verify(message, signature)],
    ['a changed message', () => publicKeyFromRaw(signer.publicKey.raw).verify(tampered, signature)],
    ['a changed signature', () => publicKeyFromRaw(signer.publicKey.raw).verify(message, badSignature)],
    ['another key', () => publicKeyFromRaw(other.publicKey.raw).verify(message, signature)],
    ['a message in pieces', () => publicKeyFromRaw(signer.publicKey.raw).verify(new Uint8ArrayList(message.subarray(0, 100), message.subarray(100)), signature)]
  ]
  const stock = await Promise.all(cases.map(async ([, check]) => await check()))
  const stockShortSignature = (() => { try { return publicKeyFromRaw(signer.publicKey.raw).verify(message, signature.subarray(1)) } catch (err) { return err } })()
  cacheEd25519VerifyKeys()

  it('answers as stock verification does', async () => {
    expect(stock).toEqual([true, false, false, false, true])
    expect(await Promise.all(cases.map(async ([, check]) => await check()))).toEqual(stock)
    const third = await generateKeyPair('Ed25519')
    const held = cachedVerifyKeys()
    expect(await third.publicKey.verify(message, await third.sign(message))).toBe(true)
    expect(cachedVerifyKeys()).toBe(held + 1)
  })

  it('rejects a signature of the wrong length as stock does', () => {
    expect(stockShortSignature).toBeInstanceOf(TypeError)
    expect(() => publicKeyFromRaw(signer.publicKey.raw).verify(message, signature.subarray(1))).toThrow((stockShortSignature as Error).message)
  })

  it('honours an aborted signal', () => {
    expect(() => publicKeyFromRaw(signer.publicKey.raw).verify(message, signature, { signal: AbortSignal.abort() })).toThrow()
  })

  it('imports a key once, and holds a bounded number of them', () => {
    const key = ed25519VerifyKey(signer.publicKey.raw)
    expect(ed25519VerifyKey(Uint8Array.from(signer.publicKey.raw))).toBe(key)
    for (let i = 0; i <= MAX_CACHED_VERIFY_KEYS; i++) ed25519VerifyKey(randomBytes(32))
    expect(cachedVerifyKeys()).toBe(MAX_CACHED_VERIFY_KEYS)
    expect(ed25519VerifyKey(signer.publicKey.raw)).not.toBe(key)
  })
})
