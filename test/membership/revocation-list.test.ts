import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { openRecord, sealRecord } from '../../src/capabilities/record.js'
import { openCertificate, sealCertificate } from '../../src/membership/certificate.js'
import { MAX_REASON_CHARS, MAX_REVOCATION_BYTES } from '../../src/membership/constants.js'
import { MembershipStore } from '../../src/membership/membership-store.js'
import { openRevocation, sealRevocation } from '../../src/membership/revocation.js'
import { RevocationList } from '../../src/membership/revocation-list.js'
import type { Certificate, SignedCertificate } from '../../src/membership/certificate.js'
import type { Revocation, SignedRevocation } from '../../src/membership/revocation.js'
import type { PrivateKey } from '@libp2p/interface'

interface Key { key: PrivateKey, peerId: string }

async function keyOf (seed: number): Promise<Key> {
  const key = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(seed))
  return { key, peerId: peerIdFromPrivateKey(key).toString() }
}

const NOW = 1764200000000

async function certificate (issuer: Key, subject: string, extra: Partial<Certificate> = {}): Promise<SignedCertificate> {
  return await openCertificate(await sealCertificate({ subject, nodeId: 'node', roles: [], issuedAt: NOW, issuer: issuer.peerId, ...extra }, issuer.key))
}

async function revocation (issuer: Key, subject: string, reason = ''): Promise<SignedRevocation> {
  return await openRevocation(await sealRevocation({ subject, issuer: issuer.peerId, revokedAt: NOW, reason }, issuer.key))
}

/** a store and a revocation list wired as the membership service wires them */
function membership (roots: string[], self: string): { store: MembershipStore, list: RevocationList } {
  // eslint-disable-next-line prefer-const
  let list: RevocationList
  const store = new MembershipStore({ roots, self, isRevoked: peerId => list.has(peerId) })
  list = new RevocationList({ roots: store.roots, isAdmin: peerId => store.isAdmin(peerId, NOW) })
  return { store, list }
}

describe('membership revocation', async () => {
  const root = await keyOf(1)
  const otherRoot = await keyOf(2)
  const admin = await keyOf(3)
  const member = await keyOf(4)
  const self = await keyOf(5)
  const certifiedByAdmin = await keyOf(6)

  it('seals and opens back; refuses a flipped byte, a wrong issuer, an oversized envelope and a reason over the limit', async () => {
    const r: Revocation = { subject: member.peerId, issuer: root.peerId, revokedAt: NOW, reason: 'lost laptop' }
    expect((await openRevocation(await sealRevocation(r, root.key))).revocation).toEqual(r)
    const bytes = Buffer.from(await sealRevocation(r, root.key))
    bytes[bytes.length - 5] ^= 1
    await expect(openRevocation(bytes)).rejects.toMatchObject({ code: 'invalid_revocation', reason: 'signature' })
    await expect(openRevocation(await sealRevocation(r, admin.key))).rejects.toMatchObject({ reason: 'issuer' })
    await expect(openRevocation(new Uint8Array(MAX_REVOCATION_BYTES + 1))).rejects.toMatchObject({ reason: 'malformed' })
    await expect(sealRevocation({ ...r, reason: 'x'.repeat(MAX_REASON_CHARS + 1) }, root.key)).rejects.toThrow(/at most 200 characters/)
  })

  it('is never taken for a certificate or a capability record, nor either of them for a revocation', async () => {
    const revocationBytes = await sealRevocation({ subject: member.peerId, issuer: root.peerId, revokedAt: NOW, reason: '' }, root.key)
    await expect(openCertificate(revocationBytes)).rejects.toMatchObject({ reason: 'malformed' })
    await expect(openRecord(revocationBytes)).rejects.toThrow(/not a capability record/)
    const certificateBytes = await sealCertificate({ subject: member.peerId, nodeId: 'a', roles: [], issuedAt: NOW, issuer: root.peerId }, root.key)
    await expect(openRevocation(certificateBytes)).rejects.toMatchObject({ reason: 'malformed', message: 'not a membership revocation' })
    const recordBytes = await sealRecord({ nodeId: 'a', peerId: root.peerId, agents: [], models: [], tags: [], toolProxy: false, addrs: [], version: '1', load: 0, seq: 1n, issuedAt: NOW }, root.key)
    await expect(openRevocation(recordBytes)).rejects.toMatchObject({ reason: 'malformed', message: 'not a membership revocation' })
  })

  it('takes a revocation by a root admin or a certified admin; ignores one by a member, by a certified admin of a root admin, and of oneself', async () => {
    const { store, list } = membership([root.peerId, otherRoot.peerId], self.peerId)
    store.addAll([await certificate(root, admin.peerId, { roles: ['admin'] }), await certificate(root, member.peerId), await certificate(admin, certifiedByAdmin.peerId)], NOW)

    expect(() => list.add(revocationOf(member, certifiedByAdmin))).toThrow(/no root admin and holds no valid admin certificate/)
    expect(() => list.add(revocationOf(admin, root))).toThrow(/root admin: only another root admin can revoke it/)
    expect(() => list.add(revocationOf(root, root))).toThrow(/cannot revoke itself/)
    expect(list.size).toBe(0)

    expect(list.add(await revocation(admin, member.peerId, 'lost'))).toBe(true)
    expect(store.isMember(member.peerId, NOW)).toBe(false)
    expect(store.list(NOW).find(v => v.subject === member.peerId)).toMatchObject({ valid: false, problem: 'revoked' })
    expect(list.add(await revocation(otherRoot, root.peerId))).toBe(true)
    expect(store.isMember(root.peerId, NOW)).toBe(false)
    expect(store.isAdmin(root.peerId, NOW)).toBe(false)
  })

  it('a revoked admin\'s certificates stop being valid, and it can no longer revoke', async () => {
    const { store, list } = membership([root.peerId], self.peerId)
    store.addAll([await certificate(root, admin.peerId, { roles: ['admin'] }), await certificate(admin, certifiedByAdmin.peerId)], NOW)
    expect(store.isMember(certifiedByAdmin.peerId, NOW)).toBe(true)
    list.add(await revocation(root, admin.peerId, 'key stolen'))
    expect(store.isMember(certifiedByAdmin.peerId, NOW)).toBe(false)
    expect(store.list(NOW).find(v => v.subject === certifiedByAdmin.peerId)).toMatchObject({ valid: false, problem: 'issuerRevoked' })
    // a certificate the revoked admin signs now, backdated, is refused too
    const { refused } = store.addAll([await certificate(admin, member.peerId, { issuedAt: NOW - 86_400_000 })], NOW)
    expect(refused[0]).toMatchObject({ reason: 'issuerRevoked' })
    expect(() => list.add(revocationOf(admin, member))).toThrow(/is revoked/)
  })

  it('is bounded', async () => {
    const list = new RevocationList({ roots: new Set([root.peerId]), isAdmin: () => false, maxRevocations: 1 })
    list.add(await revocation(root, member.peerId))
    expect(() => list.add(revocationOf(root, admin))).toThrow(/no place for the revocation/)
  })
})

/** a revocation as the list sees it (the list checks who may revoke whom, not the signature) */
function revocationOf (issuer: Key, subject: Key): SignedRevocation {
  return { revocation: { subject: subject.peerId, issuer: issuer.peerId, revokedAt: NOW, reason: '' }, envelope: new Uint8Array() }
}
