import { describe, expect, it } from 'vitest'
import { deriveClusterKey, pskFromSecret, PSK_KDF } from '../../src/mesh/psk.js'
import { VERSION } from '../../src/version.js'
import pkg from '../../package.json' with { type: 'json' }

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

  it('writes the key in the libp2p PSK file format', async () => {
    const psk = new TextDecoder().decode(await pskFromSecret(VECTORS[0][0]))
    expect(psk).toBe(`/key/swarm/psk/1.0.0/\n/base16/\n${VECTORS[0][1]}`)
  })

  it('announces the package version', () => {
    expect(VERSION).toBe(pkg.version)
  })
})
