import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatStatus } from '../../src/cli/format-status.js'
import { runDoctor } from '../../src/doctor/index.js'
import { freePort } from '../../src/cli/free-port.js'
import { ADMIN_ROLE, CERTIFICATES_FILE, REVOCATIONS_FILE, sealCertificate, sealRevocation, writeCertificateFile } from '../../src/membership/index.js'
import { writeRevocationFile } from '../../src/membership/envelope-file.js'
import { loadOrCreateIdentity } from '../../src/mesh/identity.js'
import { writeConfig } from '../helpers/cli.js'
import { removeTempDirs, startNode, TEST_SECRET } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { DoctorCheck, DoctorReport } from '../../src/doctor/index.js'
import type { PeerConfig } from '../../src/config/schema.js'
import type { PrivateKey } from '@libp2p/interface'

const DAY = 86_400_000
const dirs: string[] = []

afterAll(async () => {
  await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  await removeTempDirs()
})

const idOf = (key: PrivateKey): string => peerIdFromPrivateKey(key).toString()

async function certificate (issuer: PrivateKey, subject: string, nodeId: string, extra: { expiresAt?: number, roles?: string[] } = {}): Promise<Uint8Array> {
  return await sealCertificate({ subject, nodeId, roles: extra.roles ?? [], issuedAt: Date.now() - 10 * DAY, issuer: idOf(issuer), ...(extra.expiresAt != null ? { expiresAt: extra.expiresAt } : {}) }, issuer)
}

interface Setup {
  admins: (self: string) => string[]
  certificates?: (self: string) => Promise<Uint8Array[]>
  revocations?: (self: string) => Promise<Uint8Array[]>
  peers?: Array<Partial<PeerConfig> & { url: string }>
}

/** doctor for a node "me" in certificates mode whose dataDir holds these certificates and revocations */
async function doctor (setup: Setup): Promise<{ report: DoctorReport, self: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'cm-doctor-'))
  dirs.push(dir)
  const self = idOf(await loadOrCreateIdentity(join(dir, 'data')))
  if (setup.certificates != null) await writeCertificateFile(join(dir, 'data', CERTIFICATES_FILE), await setup.certificates(self))
  if (setup.revocations != null) await writeRevocationFile(join(dir, 'data', REVOCATIONS_FILE), await setup.revocations(self))
  const file = await writeConfig({ nodeId: 'me', secret: TEST_SECRET, membership: 'certificates', admins: setup.admins(self), peers: setup.peers ?? [], proxyPort: await freePort() }, dir)
  return { report: await runDoctor({ config: file }), self }
}

function check (report: DoctorReport, name: string): DoctorCheck | undefined {
  return report.checks.find(c => c.name === name)
}

describe('doctor in certificates mode: this node\'s own certificate', () => {
  let root: PrivateKey
  let rootId: string
  beforeAll(async () => {
    root = await generateKeyPair('Ed25519')
    rootId = idOf(root)
  })

  it('a root admin needs none; a valid one is ok; one expiring within 7 days is a warning', async () => {
    expect(check((await doctor({ admins: self => [self] })).report, 'membership')).toMatchObject({ status: 'ok', message: 'this node is a root admin (config admins): it needs no certificate' })
    const lasting = await doctor({ admins: () => [rootId], certificates: async self => [await certificate(root, self, 'me', { expiresAt: Date.now() + 90 * DAY })] })
    expect(check(lasting.report, 'membership')).toMatchObject({ status: 'ok', message: expect.stringMatching(new RegExp(`^this node holds a valid certificate as me from ${rootId}, until \\d{4}-`)) })
    const expiring = await doctor({ admins: () => [rootId], certificates: async self => [await certificate(root, self, 'me', { expiresAt: Date.now() + 3 * DAY - 60_000 })] })
    expect(check(expiring.report, 'membership')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/^this node's certificate \(as me, from 12D3KooW\w+\) expires on \d{4}-\d\d-\d\d, in 3 day\(s\)/),
      fix: expect.stringContaining(`clawmatrix certify ${expiring.self} --name me`)
    })
  })

  it('none, expired, revoked, or issued by a revoked admin: each a failure with its fix', async () => {
    const none = await doctor({ admins: () => [rootId] })
    expect(check(none.report, 'membership')).toMatchObject({ status: 'fail', message: `this node (${none.self}) holds no certificate: in "certificates" mode members refuse it`, fix: expect.stringMatching(/clawmatrix certify .* or join again with a new invite/) })
    expect(none.report.ok).toBe(false)

    const expired = await doctor({ admins: () => [rootId], certificates: async self => [await certificate(root, self, 'me', { expiresAt: Date.now() - 2 * DAY })] })
    expect(check(expired.report, 'membership')).toMatchObject({ status: 'fail', message: expect.stringMatching(/^this node's certificate \(as me\) expired on \d{4}-\d\d-\d\d: members refuse it$/) })

    const revoked = await doctor({
      admins: () => [rootId],
      certificates: async self => [await certificate(root, self, 'me')],
      revocations: async self => [await sealRevocation({ subject: self, issuer: rootId, revokedAt: Date.now(), reason: 'stolen' }, root)]
    })
    expect(check(revoked.report, 'membership')).toMatchObject({ status: 'fail', message: expect.stringMatching(new RegExp(`^this node \\(${revoked.self}\\) is revoked: ${rootId} revoked it on \\d{4}-\\d\\d-\\d\\d \\(stolen\\)`)), fix: expect.stringMatching(/fresh dataDir/) })

    const sub = await generateKeyPair('Ed25519')
    const byRevokedAdmin = await doctor({
      admins: () => [rootId],
      certificates: async self => [await certificate(root, idOf(sub), 'sub', { roles: [ADMIN_ROLE] }), await certificate(sub, self, 'me')],
      revocations: async () => [await sealRevocation({ subject: idOf(sub), issuer: rootId, revokedAt: Date.now(), reason: '' }, root)]
    })
    expect(check(byRevokedAdmin.report, 'membership')).toMatchObject({ status: 'fail', message: `this node's certificate was issued by ${idOf(sub)}, an admin that is revoked: members no longer take it` })
  })
})

describe('doctor in certificates mode: a peer that refuses this node', () => {
  it('says "refused by <peer>: this node is not certified there", on probation and once refused; a certified node passes', async () => {
    const hubDir = await mkdtemp(join(tmpdir(), 'cm-id-'))
    dirs.push(hubDir)
    const hubKey = await loadOrCreateIdentity(hubDir)
    const hub = await startNode({ nodeId: 'hub', listen: true, membership: 'certificates', admins: [idOf(hubKey)] }, { dataDir: hubDir, membership: { probationMs: 1000 } })
    try {
      const [, host, port] = /\/ip4\/([^/]+)\/tcp\/(\d+)\/ws/.exec(hub.dialAddr) ?? []
      const peers = [{ nodeId: 'hub', url: `ws://${host}:${port}`, peerId: hub.peerId }]
      const dir = await mkdtemp(join(tmpdir(), 'cm-doctor-'))
      dirs.push(dir)
      const self = idOf(await loadOrCreateIdentity(join(dir, 'data')))
      const file = await writeConfig({ nodeId: 'me', secret: TEST_SECRET, membership: 'certificates', admins: [hub.peerId], peers, proxyPort: await freePort() }, dir)

      const onProbation = check(await runDoctor({ config: file }), 'peer hub: membership')
      expect(onProbation).toMatchObject({ status: 'fail', message: expect.stringMatching(new RegExp(`^refused by ${hub.peerId}: this node is not certified there \\(it keeps this node on probation`)), fix: expect.stringContaining(`clawmatrix certify ${self} --name me`) })
      await waitFor('the hub to refuse the uncertified node', () => hub.status().membership.refused.some(r => r.peerId === self), 10_000)
      const refused = check(await runDoctor({ config: file }), 'peer hub: membership')
      expect(refused).toMatchObject({ status: 'fail', message: expect.stringMatching(new RegExp(`^refused by ${hub.peerId}: this node is not certified there \\(the connection closed right after the handshake`)) })

      // a node holding a certificate shows it to the peer first: admitted, its state exchange answered
      const certified = await doctor({ admins: () => [hub.peerId], peers, certificates: async me => [await certificate(hubKey, me, 'me')] })
      expect(check(certified.report, 'peer hub: membership')).toBeUndefined()
      expect(check(certified.report, 'peer hub: clock')).toMatchObject({ status: 'ok' })
      expect(certified.report.ok).toBe(true)

      // status says the same causes: the admin is a member, a node without a certificate is not, nor a revoked one
      expect(hub.status().membership?.problem).toBeNull()
      const strangerDir = await mkdtemp(join(tmpdir(), 'cm-id-'))
      dirs.push(strangerDir)
      const strangerId = idOf(await loadOrCreateIdentity(strangerDir))
      const stranger = await startNode({ nodeId: 'stranger', membership: 'certificates', admins: [hub.peerId] }, { dataDir: strangerDir })
      expect(stranger.status().membership?.problem).toBe('uncertified')
      expect(formatStatus(stranger.status())).toMatch(/^Members: certificates \(no certificate of its own\)$/m)
      await stranger.stop()
      await writeRevocationFile(join(strangerDir, REVOCATIONS_FILE), [await sealRevocation({ subject: strangerId, issuer: hub.peerId, revokedAt: Date.now(), reason: '' }, hubKey)])
      const revoked = await startNode({ nodeId: 'stranger', membership: 'certificates', admins: [hub.peerId] }, { dataDir: strangerDir })
      expect(revoked.status().membership?.problem).toBe('revoked')
      expect(formatStatus(revoked.status())).toMatch(/^Members: certificates \(this node is revoked/m)
      await revoked.stop()
    } finally {
      await hub.stop()
    }
  }, 60_000)
})
