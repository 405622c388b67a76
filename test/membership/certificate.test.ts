import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { openRecord, sealRecord } from '../../src/capabilities/record.js'
import { CLOCK_SKEW_MS } from '../../src/membership/constants.js'
import { InvalidCertificateError } from '../../src/membership/errors.js'
import { openCertificate, sealCertificate } from '../../src/membership/certificate.js'
import { MembershipStore } from '../../src/membership/membership-store.js'
import type { Certificate, SignedCertificate } from '../../src/membership/certificate.js'
import type { PrivateKey } from '@libp2p/interface'

async function keyOf (seed: number): Promise<{ key: PrivateKey, peerId: string }> {
  const key = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(seed))
  return { key, peerId: peerIdFromPrivateKey(key).toString() }
}

const NOW = 1764200000000

async function signed (issuer: { key: PrivateKey, peerId: string }, subject: string, extra: Partial<Certificate> = {}): Promise<SignedCertificate> {
  const certificate: Certificate = { subject, nodeId: 'node', roles: [], issuedAt: NOW, issuer: issuer.peerId, ...extra }
  return await openCertificate(await sealCertificate(certificate, issuer.key))
}

describe('membership certificate', async () => {
  const root = await keyOf(1)
  const member = await keyOf(2)
  const admin = await keyOf(3)
  const stranger = await keyOf(4)

  it('seals and opens back into the certificate', async () => {
    const certificate: Certificate = { subject: member.peerId, nodeId: 'laptop', roles: ['admin'], issuedAt: NOW, expiresAt: NOW + 1000, issuer: root.peerId }
    expect((await openCertificate(await sealCertificate(certificate, root.key))).certificate).toEqual(certificate)
  })

  it('refuses a flipped signature byte, a wrong issuer, garbage and an oversized envelope', async () => {
    const bytes = Buffer.from(await sealCertificate({ subject: member.peerId, nodeId: 'laptop', roles: [], issuedAt: NOW, issuer: root.peerId }, root.key))
    bytes[bytes.length - 5] ^= 1
    await expect(openCertificate(bytes)).rejects.toMatchObject({ reason: 'signature' })
    // signed by the stranger but naming the root as issuer
    await expect(openCertificate(await sealCertificate({ subject: member.peerId, nodeId: 'laptop', roles: [], issuedAt: NOW, issuer: root.peerId }, stranger.key)))
      .rejects.toMatchObject({ reason: 'issuer' })
    await expect(openCertificate(new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(InvalidCertificateError)
    await expect(openCertificate(new Uint8Array(4096))).rejects.toMatchObject({ reason: 'malformed' })
    await expect(openCertificate(await sealCertificate({ subject: member.peerId, nodeId: 'a/b', roles: [], issuedAt: NOW, issuer: root.peerId }, root.key)))
      .rejects.toMatchObject({ reason: 'malformed' })
  })

  it('is never taken for a capability record, nor a capability record for a certificate', async () => {
    const certificate = await sealCertificate({ subject: member.peerId, nodeId: 'laptop', roles: [], issuedAt: NOW, issuer: member.peerId }, member.key)
    await expect(openRecord(certificate)).rejects.toThrow(/not a capability record/)
    const record = await sealRecord({ nodeId: 'laptop', peerId: member.peerId, agents: [], models: [], tags: [], toolProxy: false, addrs: [], version: '1', load: 0, seq: 1n, issuedAt: NOW }, member.key)
    await expect(openCertificate(record)).rejects.toThrow(/not a membership certificate/)
  })

  it('is valid signed by a root admin, until it expires (with the skew allowance)', async () => {
    const store = new MembershipStore({ roots: [root.peerId], self: root.peerId })
    const cert = await signed(root, member.peerId, { expiresAt: NOW + 1000 })
    expect(store.addAll([cert], NOW).added).toHaveLength(1)
    expect(store.isMember(member.peerId, NOW)).toBe(true)
    expect(store.isMember(member.peerId, NOW + 1000 + CLOCK_SKEW_MS)).toBe(true)
    expect(store.isMember(member.peerId, NOW + 1001 + CLOCK_SKEW_MS)).toBe(false)
    expect(() => { store.check(cert, NOW + 1001 + CLOCK_SKEW_MS) }).toThrow(expect.objectContaining({ reason: 'expired' }))
    const late = await signed(root, stranger.peerId, { expiresAt: NOW - CLOCK_SKEW_MS - 1 })
    expect(store.addAll([late], NOW).refused[0]).toMatchObject({ reason: 'expired' })
  })

  it('is untrusted signed by someone who is not an admin', async () => {
    const store = new MembershipStore({ roots: [root.peerId], self: root.peerId })
    const { added, refused } = store.addAll([await signed(stranger, member.peerId)], NOW)
    expect(added).toEqual([])
    expect(refused[0]).toMatchObject({ reason: 'untrusted' })
    expect(store.isMember(member.peerId, NOW)).toBe(false)
  })

  it('chains through a certified admin, in any order in one lot, but not through a non-admin', async () => {
    const store = new MembershipStore({ roots: [root.peerId], self: root.peerId })
    const adminCert = await signed(root, admin.peerId, { roles: ['admin'] })
    const memberCert = await signed(admin, member.peerId)
    expect(store.addAll([memberCert, adminCert], NOW).added).toHaveLength(2)
    expect(store.chainOf(member.peerId, NOW).map(s => s.certificate.subject)).toEqual([member.peerId, admin.peerId])

    const plain = new MembershipStore({ roots: [root.peerId], self: root.peerId })
    expect(plain.addAll([await signed(admin, member.peerId), await signed(root, admin.peerId)], NOW).refused[0]).toMatchObject({ reason: 'untrusted' })
  })

  it('refuses a chain deeper than four certificates and a cycle of admins', async () => {
    const keys = await Promise.all([10, 11, 12, 13, 14].map(keyOf))
    // root -> k10 -> k11 -> k12 -> k13 (4 certificates: valid) -> k14 (5: too deep)
    const lot = [await signed(root, keys[0].peerId, { roles: ['admin'] })]
    for (let i = 1; i < keys.length; i++) lot.push(await signed(keys[i - 1], keys[i].peerId, { roles: ['admin'] }))
    const store = new MembershipStore({ roots: [root.peerId], self: root.peerId })
    const { refused } = store.addAll(lot, NOW)
    expect(store.isMember(keys[3].peerId, NOW)).toBe(true)
    expect(store.isMember(keys[4].peerId, NOW)).toBe(false)
    expect(refused.map(e => e.message)).toEqual([expect.stringMatching(/longer than 4/)])

    // a chain in which a subject comes back (B's authority comes from A, A's certificate here from B)
    const a = await keyOf(20)
    const b = await keyOf(21)
    const cycle = new MembershipStore({ roots: [root.peerId], self: root.peerId })
    const { added, refused: cycled } = cycle.addAll([await signed(root, a.peerId, { roles: ['admin'] }), await signed(a, b.peerId, { roles: ['admin'] }), await signed(b, a.peerId, { roles: ['admin'] })], NOW)
    expect(added.map(s => s.certificate.issuer)).toEqual([root.peerId, a.peerId])
    expect(cycled.map(e => e.message)).toEqual([expect.stringMatching(/cycle of admins/)])
  })

  it('keeps a certificate about this node before it knows the admins', async () => {
    const store = new MembershipStore({ roots: [], self: member.peerId })
    const cert = await signed(root, member.peerId)
    expect(store.addAll([cert], NOW).added).toEqual([cert])
    expect(store.isMember(member.peerId, NOW)).toBe(false)
    expect(store.list(NOW)).toEqual([expect.objectContaining({ subject: member.peerId, valid: false, problem: 'untrusted' })])
  })
})
