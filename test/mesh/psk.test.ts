import * as nodeCrypto from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { deriveClusterKey, pskFromSecret, PSK_KDF } from '../../src/mesh/psk.js'
import { VERSION } from '../../src/version.js'
import pkg from '../../package.json' with { type: 'json' }

vi.mock('node:crypto', async importOriginal => {
  const original = await importOriginal<typeof nodeCrypto>()
  return { ...original, scrypt: vi.fn(original.scrypt) }
})

// The vectors published in protocols/PROTOCOL.md
const VECTORS = [
  ['correct horse battery staple', '5ed575f8ff9cc03a0f736bf2cd53908fb6db244832a1da609c012bc59c36a963'],
  ['clawmatrix-test-secret-0001', '58a98f4931f5738c09aeffde8300e4d80f28d4e832df44944b5c42ab3f5c3f60']
]

describe('cluster key derivation', () => {
  it('uses the published scrypt parameters', () => {
    expect(PSK_KDF).toEqual({ algorithm: 'scrypt', salt: 'clawmatrix/pnet/v1', N: 32768, r: 8, p: 1, keyLength: 32 })
  })

  it.each(VECTORS)('%s → %s', async (secret, hex) => {
    expect(Buffer.from(await deriveClusterKey(secret)).toString('hex')).toBe(hex)
  })

  it('derives a secret once per process, handing each caller its own copy', async () => {
    const scrypt = vi.mocked(nodeCrypto.scrypt)
    const calls = scrypt.mock.calls.length
    const secret = 'caf\u00e9 derived once'
    const [first, second] = await Promise.all([deriveClusterKey(secret), deriveClusterKey(secret)])
    expect(second).toEqual(first)
    first.fill(0)
    const third = await deriveClusterKey('cafe\u0301 derived once')
    expect(third).toEqual(second)
    expect(scrypt.mock.calls.length - calls).toBe(1)
    expect(Buffer.from(await deriveClusterKey(VECTORS[1][0])).toString('hex')).toBe(VECTORS[1][1])
  })

  it('writes the key in the libp2p PSK file format', async () => {
    const psk = new TextDecoder().decode(await pskFromSecret(VECTORS[0][0]))
    expect(psk).toBe(`/key/swarm/psk/1.0.0/\n/base16/\n${VECTORS[0][1]}`)
  })

  it('announces the package version', () => {
    expect(VERSION).toBe(pkg.version)
  })
})
