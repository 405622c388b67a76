import { mkdtemp, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { logger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { ROTATIONS_FILE } from '../../src/membership/constants.js'
import { newRotationSecret, sealRotation } from '../../src/membership/rotation.js'
import { SecretRotations } from '../../src/membership/secret-rotations.js'
import { parseSwitchTime } from '../../src/membership/switch-time.js'
import { InviteStore } from '../../src/membership/invite-store.js'
import type { Rotation } from '../../src/membership/rotation.js'
import type { PrivateKey } from '@libp2p/interface'

const log = logger('test:rotation')
const SECRET = 'rotation-test-secret-0001'

async function fileIn (): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'cm-rotations-')), ROTATIONS_FILE)
}

async function signed (key: PrivateKey, fields: Partial<Rotation> & Pick<Rotation, 'previous'>): Promise<Uint8Array> {
  return await sealRotation({ secret: newRotationSecret(), switchAt: Date.now() + 60_000, issuedAt: Date.now(), issuer: peerIdFromPrivateKey(key).toString(), generation: 1, ...fields }, key)
}

/** resolves when `rotations` switched its key */
async function switched (rotations: SecretRotations): Promise<string> {
  return await new Promise(resolve => { rotations.addEventListener('switched', evt => { resolve(evt.detail) }, { once: true }) })
}

describe('secret rotations', () => {
  it('takes an admin\'s rotation of the key in use once, refuses a forged, a non-admin, a too distant and a replayed one, and switches at its time', async () => {
    const admin = await generateKeyPair('Ed25519')
    const stranger = await generateKeyPair('Ed25519')
    const isAdmin = (peerId: string): boolean => peerId === peerIdFromPrivateKey(admin).toString()
    const file = await fileIn()
    const rotations = await SecretRotations.load({ secret: SECRET, file, log })
    const previous = rotations.key.fingerprint
    expect(rotations.view()).toMatchObject({ fingerprint: previous, generation: 0, pending: null, last: null })

    // another signer's rotation, a forged one (the signature does not cover the changed byte), a switch 8 days out
    await expect(rotations.take(await signed(stranger, { previous }), isAdmin)).rejects.toMatchObject({ code: 'invalid_rotation', reason: 'unauthorized' })
    const forged = await signed(admin, { previous })
    forged[forged.length - 70] ^= 1
    await expect(rotations.take(forged, isAdmin)).rejects.toMatchObject({ reason: expect.stringMatching(/^(signature|malformed)$/) })
    await expect(rotations.take(await signed(admin, { previous, switchAt: Date.now() + 8 * 86_400_000 }), isAdmin)).rejects.toMatchObject({ reason: 'refused' })
    // one that replaces another key (another mesh's, or an old one)
    await expect(rotations.take(await signed(admin, { previous: '00'.repeat(16) }), isAdmin)).rejects.toMatchObject({ reason: 'stale' })
    expect(rotations.view().rejected).toMatchObject({ unauthorized: 1, stale: 1, refused: 1 })

    const good = await signed(admin, { previous, switchAt: Date.now() + 300 })
    const done = switched(rotations)
    rotations.start()
    expect(await rotations.take(good, isAdmin)).toBe(true)
    expect(await rotations.take(good, isAdmin)).toBe(false)
    expect(rotations.view().pending).toMatchObject({ generation: 1 })
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await done).toBe('its switch time came')
    expect(rotations.view()).toMatchObject({ generation: 1, pending: null, last: { generation: 1, appliedAt: expect.any(Number) } })
    expect(rotations.key.fingerprint).not.toBe(previous)
    expect(rotations.rotated).toBe(true)
    await rotations.stop()

    // restarted from the file with the old secret in its config: on the new key; the same rotation replayed is stale
    const again = await SecretRotations.load({ secret: SECRET, file, log })
    expect(again.key.fingerprint).toBe(rotations.key.fingerprint)
    expect(again.secret).toBe(rotations.secret)
    await expect(again.take(good, isAdmin)).rejects.toMatchObject({ reason: 'stale' })

    // an operator who wrote a new secret by hand: the config wins
    const byHand = await SecretRotations.load({ secret: 'an entirely new secret 0002', file, log })
    expect(byHand.key.fingerprint).not.toBe(rotations.key.fingerprint)
    expect(byHand.view()).toMatchObject({ generation: 0, last: null, pending: null })
    // the rotation's own secret written into the config: that key, known as the rotation's
    const written = await SecretRotations.load({ secret: rotations.secret, file, log })
    expect(written.view()).toMatchObject({ fingerprint: rotations.key.fingerprint, generation: 1 })
  })

  it('two admins rotating the same key: every node keeps the later rotation, whatever order they arrive in', async () => {
    const first = await generateKeyPair('Ed25519')
    const second = await generateKeyPair('Ed25519')
    const nodes = [await SecretRotations.load({ secret: SECRET, log }), await SecretRotations.load({ secret: SECRET, log })]
    const previous = nodes[0].key.fingerprint
    const early = await signed(first, { previous, issuedAt: 1000 })
    const late = await signed(second, { previous, issuedAt: 2000 })
    expect(await nodes[0].take(early, () => true)).toBe(true)
    expect(await nodes[0].take(late, () => true)).toBe(true)
    expect(await nodes[1].take(late, () => true)).toBe(true)
    await expect(nodes[1].take(early, () => true)).rejects.toMatchObject({ reason: 'refused' })
    for (const n of nodes) expect(n.view().pending?.issuer).toBe(peerIdFromPrivateKey(second).toString())
  })

  it('a pending rotation whose time passed while the node was down is applied at start; one still ahead stays pending', async () => {
    const admin = await generateKeyPair('Ed25519')
    const file = await fileIn()
    const first = await SecretRotations.load({ secret: SECRET, file, log })
    await first.take(await signed(admin, { previous: first.key.fingerprint, switchAt: Date.now() + 60_000 }), () => true)
    expect((await SecretRotations.load({ secret: SECRET, file, log })).view()).toMatchObject({ generation: 0, pending: { generation: 1 } })
    const later = await SecretRotations.load({ secret: SECRET, file, log, now: () => Date.now() + 120_000 })
    expect(later.view()).toMatchObject({ generation: 1, pending: null, last: { generation: 1 } })
    expect(later.key.fingerprint).not.toBe(first.key.fingerprint)
  })

  it('an invite of a key switched away from is refused as invite_rotated', async () => {
    let key = { fingerprint: 'aa'.repeat(16), rotated: false }
    const store = new InviteStore(join(await mkdtemp(join(tmpdir(), 'cm-invites-')), 'invites.json'), 8, () => key)
    const token = await store.issue({ expiresAt: Date.now() + 60_000, uses: 1 })
    await store.check(token, 'laptop')
    key = { fingerprint: 'bb'.repeat(16), rotated: true }
    await expect(store.check(token, 'laptop')).rejects.toMatchObject({ code: 'invite_rotated' })
    const fresh = await store.issue({ expiresAt: Date.now() + 60_000, uses: 1 })
    await store.check(fresh, 'laptop')
  })

  it('reads --at as a delay or an ISO time, within now and 7 days', () => {
    const now = Date.parse('2026-12-07T12:00:00Z')
    expect(parseSwitchTime(undefined, now)).toBe(now + 60_000)
    expect(parseSwitchTime('30s', now)).toBe(now + 30_000)
    expect(parseSwitchTime('5m', now)).toBe(now + 300_000)
    expect(parseSwitchTime('2026-12-08T00:00:00Z', now)).toBe(Date.parse('2026-12-08T00:00:00Z'))
    expect(() => parseSwitchTime('2026-12-07T11:00:00Z', now)).toThrow(/in the past/)
    expect(() => parseSwitchTime('8d', now)).toThrow(/more than 7 days ahead/)
    expect(() => parseSwitchTime('soon', now)).toThrow(/neither an ISO time .* nor a delay like 30s/)
  })
})
