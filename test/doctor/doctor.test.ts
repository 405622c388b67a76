import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runDoctor } from '../../src/doctor/index.js'
import { freePort } from '../../src/cli/free-port.js'
import { loadOrCreateIdentity } from '../../src/mesh/identity.js'
import { writeConfig } from '../helpers/cli.js'
import { removeTempDirs, startNode, TEST_SECRET } from '../helpers/mesh.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { waitFor } from '../helpers/wait.js'
import { meshRelayServer } from '../../src/mesh/relay-server.js'
import { RELAY_LIMITS } from '../../src/mesh/libp2p-options.js'
import type { DoctorCheck, DoctorReport } from '../../src/doctor/index.js'
import type { PeerConfig } from '../../src/config/schema.js'
import type { TestNode } from '../helpers/mesh.js'

/** a ws:// url for a node's dial address (without /p2p/) */
function wsUrl (node: TestNode): string {
  const [, host, port] = /\/ip4\/([^/]+)\/tcp\/(\d+)\/ws/.exec(node.dialAddr) ?? []
  return `ws://${host}:${port}`
}

function failures (report: DoctorReport): DoctorCheck[] {
  return report.checks.filter(c => c.status === 'fail')
}

describe('clawmatrix doctor', () => {
  let hub: TestNode
  let wrongSecretHub: TestNode
  let membersHub: TestNode
  const dirs: string[] = []

  /** run the doctor for a node with this identity-holding data dir and these peers */
  async function doctorWith (peers: Array<Partial<PeerConfig> & { url: string }>): Promise<DoctorReport> {
    const dir = await mkdtemp(join(tmpdir(), 'cm-doctor-'))
    dirs.push(dir)
    await loadOrCreateIdentity(join(dir, 'data'))
    const file = await writeConfig({ nodeId: 'me', secret: TEST_SECRET, peers, proxyPort: await freePort() }, dir)
    return await runDoctor({ config: file })
  }

  beforeAll(async () => {
    const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    ;[hub, wrongSecretHub, membersHub] = await Promise.all([
      startNode({ nodeId: 'hub', listen: true }),
      startNode({ nodeId: 'other-mesh', listen: true, secret: 'another-cluster-secret-0123' }),
      startNode({ nodeId: 'closed-hub', listen: true, members: [stranger] })
    ])
  }, 30_000)

  afterAll(async () => {
    await Promise.all([hub, wrongSecretHub, membersHub].map(async n => { await n?.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
    await removeTempDirs()
  })

  it('a running node: its API port held by it, then its live view of each peer and of the gossipsub mesh', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cm-doctor-'))
    dirs.push(dir)
    const config = { nodeId: 'runner', secret: TEST_SECRET, peers: [{ nodeId: 'hub', url: wsUrl(hub), peerId: hub.peerId }], proxyPort: await freePort() }
    const file = await writeConfig(config, dir)
    const runner = await startNode(config, { dataDir: join(dir, 'data') })
    try {
      await waitFor('runner in the hub\'s gossipsub mesh', () => runner.status().gossip.meshPeers > 0, 10_000)
      const report = await runDoctor({ config: file })
      const check = (name: string): DoctorCheck | undefined => report.checks.find(c => c.name === name)
      expect(check('api port')).toMatchObject({ status: 'ok', message: `127.0.0.1:${config.proxyPort} is held by this node (runner, running)` })
      expect(check('live hub')).toMatchObject({ status: 'ok', message: expect.stringMatching(/^connected \(direct/) })
      expect(check('live gossipsub')).toMatchObject({ status: 'ok', message: expect.stringMatching(/^[1-9]\d* peer\(s\) in this node's mesh for the capabilities topic/) })
      expect(report.ok).toBe(true)
    } finally {
      await runner.stop()
    }
  }, 30_000)

  it('a healthy setup with a pinned peer is all ok', async () => {
    const report = await doctorWith([{ nodeId: 'hub', url: wsUrl(hub), peerId: hub.peerId }])
    expect(report.checks.filter(c => c.status !== 'ok')).toEqual([])
    expect(report.ok).toBe(true)
    expect(report.checks.map(c => c.name)).toEqual(expect.arrayContaining([
      'config', 'data dir', 'identity', 'api port',
      'peer hub: resolve', 'peer hub: tcp', 'peer hub: websocket', 'peer hub: pnet', 'peer hub: peer ID', 'peer hub: members', 'peer hub: clock', 'peer hub: relay'
    ]))
    expect(report.checks.find(c => c.name === 'peer hub: relay')?.message).toMatch(/^relay reservation held \(no data or duration limit, held for \d+ s\)$/)
  }, 30_000)

  it('names a different cluster secret, after the transport steps pass', async () => {
    const report = await doctorWith([{ nodeId: 'other-mesh', url: wsUrl(wrongSecretHub), peerId: wrongSecretHub.peerId }])
    expect(report.ok).toBe(false)
    expect(report.checks.find(c => c.name === 'peer other-mesh: websocket')?.status).toBe('ok')
    expect(failures(report)).toEqual([expect.objectContaining({ name: 'peer other-mesh: pnet', message: expect.stringMatching(/cluster secret differs/) })])
  }, 30_000)

  it('names a closed port at the TCP step', async () => {
    const report = await doctorWith([{ nodeId: 'gone', url: `ws://127.0.0.1:${await freePort()}` }])
    expect(failures(report)).toEqual([expect.objectContaining({ name: 'peer gone: tcp', message: expect.stringMatching(/ECONNREFUSED/) })])
  }, 30_000)

  it('names a pinned peer ID of another key as a pin mismatch, not a secret', async () => {
    const otherKey = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const report = await doctorWith([{ nodeId: 'hub', url: wsUrl(hub), peerId: otherKey }])
    expect(report.checks.find(c => c.name === 'peer hub: pnet')?.status).toBe('ok')
    expect(failures(report)).toEqual([expect.objectContaining({ name: 'peer hub: peer ID', message: expect.stringMatching(/pinned peer ID mismatch.*12D3/) })])
    expect(JSON.stringify(failures(report))).not.toMatch(/secret/)
  }, 30_000)

  it('names a members refusal, with this node\'s peer ID in the fix', async () => {
    const report = await doctorWith([{ nodeId: 'closed-hub', url: wsUrl(membersHub) }])
    const [refusal] = failures(report)
    expect(failures(report)).toHaveLength(1)
    expect(refusal).toMatchObject({ name: 'peer closed-hub: members', message: expect.stringMatching(/not in its members list/) })
    expect(refusal.fix).toMatch(/add "12D3\w+" to "members"/)
  }, 30_000)

  it('an unpinned peer is a warning with the pin to add', async () => {
    const report = await doctorWith([{ nodeId: 'hub', url: wsUrl(hub) }])
    expect(report.ok).toBe(true)
    expect(report.checks.find(c => c.name === 'peer hub: peer ID')).toMatchObject({ status: 'warn', fix: `pin it: "peerId": "${hub.peerId}" in this peers entry` })
  }, 30_000)

  it('names a hub whose relay slots are full', async () => {
    // a relay as ClawMatrix runs it, with one slot, taken by another member that dials out
    const fullHub = await startTestLibp2p({ services: { relay: meshRelayServer({ reservations: { ...RELAY_LIMITS, maxReservations: 1 } }) } })
    const filler = await startTestLibp2p({ listen: false })
    try {
      await filler.dial(fullHub.getMultiaddrs()[0])
      await waitFor('the filler to hold the only relay slot', () => filler.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit')))
      const [, host, port] = /\/ip4\/([^/]+)\/tcp\/(\d+)\/ws/.exec(fullHub.getMultiaddrs()[0].toString()) ?? []
      const report = await doctorWith([{ nodeId: 'full-hub', url: `ws://${host}:${port}`, peerId: fullHub.peerId.toString() }])
      expect(failures(report)).toEqual([expect.objectContaining({ name: 'peer full-hub: relay', message: expect.stringMatching(/relay slots are full/) })])
    } finally {
      await Promise.all([filler.stop(), fullHub.stop()])
    }
  }, 30_000)
})
