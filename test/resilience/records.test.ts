import { mkdtemp } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pbStream } from '@libp2p/utils'
import { afterEach, describe, expect, it } from 'vitest'
import { RecordBatch } from '../../protocols/capabilities.js'
import { CAPABILITIES_TOPIC, MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES, MAX_RECORDS, MAX_SEQ_AHEAD_MS, MAX_UNANCHORED_PER_SOURCE, SYNC_CLOSE_TIMEOUT_MS, SYNC_PROTOCOL, SYNC_TIMEOUT_MS } from '../../src/capabilities/constants.js'
import { sealRecord } from '../../src/capabilities/record.js'
import { DIAL_BUDGET } from '../../src/mesh/connection-keeper.js'
import { loadOrCreateIdentity } from '../../src/mesh/identity.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { FAST_TIMING, removeTempDirs, startHubMesh, startNode, TEST_SECRET } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { CapabilityRecord } from '../../src/capabilities/types.js'
import type { TestNode } from '../helpers/mesh.js'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import type { Server, Socket } from 'node:net'

/**
 * Hostile members against the capability records: a raw libp2p node holding the cluster secret
 * floods records of made-up keys, names local services as addresses, holds sync streams half-open,
 * and replays records with a seq from a clock that ran ahead.
 */

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map(async fn => { await fn().catch(() => {}) }))
  await removeTempDirs()
})

async function node (...args: Parameters<typeof startNode>): Promise<TestNode> {
  const n = await startNode(...args)
  cleanup.push(async () => { await n.stop() })
  return n
}

/** the hostile member: a bare libp2p node with the secret, its own key and no ClawMatrix services */
async function hostile (dialTo?: TestNode): Promise<Libp2p<any>> {
  const raw = await startTestLibp2p({ listen: false, secret: TEST_SECRET })
  cleanup.push(async () => { await raw.stop() })
  if (dialTo != null) await raw.dial(dialTo.libp2p.getMultiaddrs()[0])
  return raw
}

async function throwawayKeys (n: number): Promise<PrivateKey[]> {
  return await Promise.all(Array.from({ length: n }, async () => await generateKeyPair('Ed25519')))
}

async function seal (key: PrivateKey, fields: Partial<CapabilityRecord> = {}): Promise<Uint8Array> {
  return await sealRecord({
    nodeId: 'junk',
    peerId: peerIdFromPrivateKey(key).toString(),
    agents: [],
    models: [],
    tags: [],
    toolProxy: false,
    addrs: [],
    version: 'x',
    load: 0,
    seq: BigInt(Date.now()) * 1000n,
    issuedAt: Date.now(),
    ...fields
  }, key)
}

/** one state exchange run by the hostile side: send `envelopes`, read the reply, close */
async function pushBatch (raw: Libp2p<any>, to: PeerId, envelopes: Uint8Array[]): Promise<RecordBatch> {
  const stream = await raw.dialProtocol(to, SYNC_PROTOCOL)
  const pb = pbStream(stream, { maxDataLength: MAX_BATCH_BYTES, maxBufferSize: MAX_BATCH_BYTES + 16 }).pb(RecordBatch)
  const [reply] = await Promise.all([
    pb.read({ limits: { envelopes: MAX_BATCH_RECORDS } }),
    pb.write({ envelopes: envelopes as Array<Uint8Array<ArrayBuffer>> })
  ])
  await stream.close()
  return reply
}

/** a loopback TCP server that counts and drops every connection (a local service a record could name) */
async function countingServer (host: string): Promise<{ port: number, accepted: () => number, server: Server }> {
  let accepted = 0
  const server = createServer((socket: Socket) => {
    accepted++
    socket.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => { resolve() })
  })
  cleanup.push(async () => { await new Promise(resolve => server.close(resolve)) })
  const address = server.address()
  if (address == null || typeof address === 'string') throw new Error('no port')
  return { port: address.port, accepted: () => accepted, server }
}

function junkHeld (n: TestNode, junk: Set<string>): number {
  return n.capabilities.entries().filter(e => junk.has(e.record.peerId)).length
}

describe('capability records under a hostile member', () => {
  it('a flood of records from 2,000 made-up keys does not hide a node that joins afterwards', async () => {
    // records live a minute here: the flood stays fresh as a re-announcing attacker's would
    const mesh = await startHubMesh([{ config: { nodeId: 'a' } }, { config: { nodeId: 'b' } }], { timing: { recordTtlMs: 60_000 } })
    cleanup.push(mesh.stop)
    const { hub, members: [a, b] } = mesh
    const raw = await hostile(hub)
    raw.services.pubsub.subscribe(CAPABILITIES_TOPIC)
    await waitFor('the hub to see the subscription', () => raw.services.pubsub.getSubscribers(CAPABILITIES_TOPIC).some((p: PeerId) => p.equals(hub.libp2p.peerId)))

    const keys = await throwawayKeys(2000)
    const junk = new Set(keys.map(k => peerIdFromPrivateKey(k).toString()))
    const envelopes = await Promise.all(keys.map(async k => await seal(k)))
    let junkRecords = 0
    hub.capabilities.addEventListener('record', (evt: Event) => {
      if (junk.has((evt as CustomEvent<CapabilityRecord>).detail.peerId)) junkRecords++
    })
    // half through the state exchange, half as gossip (which the hub would forward to a and b)
    await pushBatch(raw, hub.libp2p.peerId, envelopes.slice(0, 1000))
    for (const envelope of envelopes.slice(1000)) await raw.services.pubsub.publish(CAPABILITIES_TOPIC, envelope)
    await waitFor('the hub to have handled all 2,000', () => junkRecords + hub.status().rejectedRecords.tableFull >= 2000, 60_000)
    // the hub stayed responsive meanwhile: gossip between the honest nodes is still up (nodes
    // connect on demand: a and b hear each other through the hub, their only topic peer)
    for (const [n, others] of [[a, [hub]], [b, [hub]], [hub, [a, b]]] as const) {
      const subscribers = n.libp2p.services.pubsub.getSubscribers(CAPABILITIES_TOPIC).map(String)
      expect(others.every(o => subscribers.includes(o.peerId)), `${n.nodeId} still hears ${others.map(o => o.nodeId).join(', ')} on the topic`).toBe(true)
    }

    const joinedAt = Date.now()
    const c = await node({ nodeId: 'c', peers: [{ url: hub.dialAddr }] })
    for (const n of [hub, a, b]) {
      await waitFor(`${n.nodeId} to see c`, () => n.peers().some(p => p.nodeId === 'c' && p.reachable), 15_000)
    }
    const seenAfterMs = Date.now() - joinedAt
    await waitFor('c to see everyone', () => ['hub', 'a', 'b'].every(id => c.peers().some(p => p.nodeId === id)))

    const held = { hub: junkHeld(hub, junk), a: junkHeld(a, junk), b: junkHeld(b, junk), c: junkHeld(c, junk) }
    console.log(`flood: 2000 made-up keys; junk records held ${JSON.stringify(held)}; hub table ${hub.capabilities.table.size}/${MAX_RECORDS}; c seen by all ${seenAfterMs} ms after it started`)
    expect(held.hub).toBeLessThanOrEqual(MAX_UNANCHORED_PER_SOURCE)
    // records of keys nobody is connected to are not passed on
    expect(held.a + held.b + held.c).toBe(0)
  })

  it('dials no loopback, link-local or wildcard address a record names, and an announced peer only within its budget', async () => {
    // this hub's configuration names 127.0.0.2 only: 127.0.0.1 services must stay out of its reach
    const hub = await node({ nodeId: 'hub', listen: true, listenHost: '127.0.0.2' })
    const raw = await hostile(hub)
    raw.services.pubsub.subscribe(CAPABILITIES_TOPIC)
    await waitFor('the hub to see the subscription', () => raw.services.pubsub.getSubscribers(CAPABILITIES_TOPIC).some((p: PeerId) => p.equals(hub.libp2p.peerId)))
    const local = await countingServer('127.0.0.1')
    const allowed = [await countingServer('127.0.0.2'), await countingServer('127.0.0.2')]

    const [key] = await throwawayKeys(1)
    const peerId = peerIdFromPrivateKey(key).toString()
    const forbidden = [
      `/ip4/127.0.0.1/tcp/${local.port}/ws`,
      `/ip4/127.0.0.1/tcp/${local.port}`,
      `/ip4/0.0.0.0/tcp/${local.port}/ws`,
      `/ip6/::ffff:127.0.0.1/tcp/${local.port}/ws`,
      `/ip4/169.254.169.254/tcp/${local.port}/ws`,
      `/ip6/::1/tcp/${local.port}/ws`,
      `/dns4/localhost/tcp/${local.port}/ws`
    ]
    // every record changes the dialable addresses, which used to restart the keeper's backoff
    const started = Date.now()
    const rounds = 40
    let seq = BigInt(Date.now()) * 1000n
    for (let i = 0; i < rounds; i++) {
      seq += 1n
      const addrs = [...forbidden, `/ip4/127.0.0.2/tcp/${allowed[i % 2].port}/ws`]
      await raw.services.pubsub.publish(CAPABILITIES_TOPIC, await seal(key, { addrs, seq }))
      await waitFor(`record ${i} at the hub`, () => hub.capabilities.table.get(peerId)?.record.seq === seq)
    }
    await waitFor('a dial from the hub', () => allowed[0].accepted() + allowed[1].accepted() + local.accepted() > 0)
    expect(local.accepted(), 'connections to the 127.0.0.1 service').toBe(0)
    await waitFor('a dial to the allowed address', () => allowed[0].accepted() + allowed[1].accepted() > 0)
    const elapsed = Date.now() - started
    const dials = allowed[0].accepted() + allowed[1].accepted()
    const windowMs = 60 * FAST_TIMING.minBackoffMs
    console.log(`dial policy: ${rounds} records with changing addresses in ${elapsed} ms -> ${dials} dials to the allowed host, ${local.accepted()} to 127.0.0.1 (budget ${DIAL_BUDGET.attempts} per ${windowMs} ms)`)
    expect(local.accepted()).toBe(0)
    expect(dials).toBeLessThanOrEqual(DIAL_BUDGET.attempts * Math.ceil((elapsed + 1) / windowMs))
  })

  it('syncs a newcomer from a node holding more large records than one batch may carry', async () => {
    const raw = await hostile()
    const bulk = await throwawayKeys(80)
    const hubDir = await mkdtemp(join(tmpdir(), 'cm-rec-'))
    const newDir = await mkdtemp(join(tmpdir(), 'cm-rec-'))
    cleanup.push(async () => { await Promise.all([hubDir, newDir].map(async d => { const { rm } = await import('node:fs/promises'); await rm(d, { recursive: true, force: true }) })) })
    const idOf = async (dir: string): Promise<string> => peerIdFromPrivateKey(await loadOrCreateIdentity(dir)).toString()
    // listed members are vouched for, so the hub passes their records on
    const members = [await idOf(hubDir), await idOf(newDir), raw.peerId.toString(), ...bulk.map(k => peerIdFromPrivateKey(k).toString())]
    const hub = await node({ nodeId: 'hub', listen: true, members }, { dataDir: hubDir, timing: { recordTtlMs: 120_000 } })
    await raw.dial(hub.libp2p.getMultiaddrs()[0])

    const agents = Array.from({ length: 200 }, (_, i) => ({ id: `agent-${i}`, description: 'd'.repeat(270), tags: [] }))
    const large = await Promise.all(bulk.map(async (k, i) => await seal(k, { nodeId: `big-${i}`, agents })))
    expect(large[0].byteLength).toBeGreaterThan(50_000)
    expect(large[0].byteLength).toBeLessThanOrEqual(MAX_RECORD_BYTES)
    const total = large.reduce((sum, e) => sum + e.byteLength, 0)
    expect(total).toBeGreaterThan(MAX_BATCH_BYTES)
    await pushBatch(raw, hub.libp2p.peerId, large.slice(0, 40))
    await pushBatch(raw, hub.libp2p.peerId, large.slice(40))
    await waitFor('the hub to hold all 80', () => hub.peers().filter(p => p.nodeId.startsWith('big-')).length === 80)

    // the bulk signers never announce again: only the state exchange can bring them to the newcomer
    const newcomer = await node({ nodeId: 'newcomer', members, peers: [{ url: hub.dialAddr }] }, { dataDir: newDir })
    const got = await waitFor('the newcomer to get the large records', () => {
      const n = newcomer.peers().filter(p => p.nodeId.startsWith('big-')).length
      return n >= 60 ? n : undefined
    }, 15_000)
    console.log(`large batch: hub holds 80 records, ${total} bytes in all (> ${MAX_BATCH_BYTES}); the newcomer got ${got} in its first exchange`)
    expect(newcomer.peers().some(p => p.nodeId === 'hub')).toBe(true)
  })

  it('leaves the state exchange to the dialing side, as PROTOCOL.md says', async () => {
    const hub = await node({ nodeId: 'hub', listen: true })
    const raw = await hostile()
    let opened = 0
    await raw.handle(SYNC_PROTOCOL, (stream: { abort: (err: Error) => void }) => {
      opened++
      stream.abort(new Error('not served here'))
    }, { runOnLimitedConnection: true })
    let announcements = 0
    raw.services.pubsub.addEventListener('message', () => { announcements++ })
    raw.services.pubsub.subscribe(CAPABILITIES_TOPIC)
    await raw.dial(hub.libp2p.getMultiaddrs()[0])
    // an exchange the dialer runs completes
    const reply = await pushBatch(raw, hub.libp2p.peerId, [])
    expect(reply.envelopes.length).toBe(1)
    // the hub's gossip comes after subscriptions are exchanged, well after a listener-side exchange
    // started at connection open would have arrived
    await waitFor('two announcements from the hub', () => announcements >= 2)
    expect(opened).toBe(0)
  })

  it('releases sync streams a peer leaves half-open, whatever it sends', async () => {
    const hub = await node({ nodeId: 'hub', listen: true })
    const raw = await hostile(hub)
    const syncStreamsAtHub = (): number => hub.libp2p.getConnections(raw.peerId).flatMap(c => c.streams).filter(s => s.protocol === SYNC_PROTOCOL).length
    const junk = new Uint8Array(512 * 1024).fill(0x41)
    const opened = Date.now()
    // a valid empty batch then junk; a bad request (a 3 MiB length prefix) then 2 MiB of junk; a valid
    // batch and then silence
    const validBatch = RecordBatch.encode({ envelopes: [] })
    const sends = [
      [new Uint8Array([validBatch.byteLength, ...validBatch]), junk, junk, junk, junk],
      [new Uint8Array([0x80, 0x80, 0xc0, 0x01]), junk, junk, junk, junk],
      [new Uint8Array([validBatch.byteLength, ...validBatch])],
      [new Uint8Array([0x80, 0x80, 0xc0, 0x01]), junk, junk, junk, junk]
    ]
    const streams = await Promise.all(sends.map(async chunks => {
      const stream = await raw.dialProtocol(hub.libp2p.peerId, SYNC_PROTOCOL)
      try {
        for (const chunk of chunks) {
          if (!stream.send(chunk)) await stream.onDrain()
        }
      } catch {
        // the hub reset the stream before all of it went out
      }
      return stream
    }))
    // the hostile side never closes: the hub must end every stream itself
    await waitFor('the hub to release every sync stream', () => syncStreamsAtHub() === 0 && streams.every(s => s.status !== 'open'), SYNC_TIMEOUT_MS + 5000)
    const releasedMs = Date.now() - opened
    console.log(`half-open sync: 4 streams (junk after a batch, 2 MiB after a bad request, silence after a batch), released by the hub after ${releasedMs} ms (timeout ${SYNC_TIMEOUT_MS} ms, close wait ${SYNC_CLOSE_TIMEOUT_MS} ms)`)

    // the slots are free again: a proper exchange still works
    const reply = await pushBatch(raw, hub.libp2p.peerId, [])
    expect(reply.envelopes.length).toBeGreaterThan(0)
  })

  it('sees a node again at once after it restarts with a correct clock behind a seq it once published', async () => {
    const mesh = await startHubMesh([{ config: { nodeId: 'a' } }])
    cleanup.push(mesh.stop)
    const { hub, members: [a] } = mesh
    const raw = await hostile(hub)
    const xDir = await mkdtemp(join(tmpdir(), 'cm-rec-'))
    const xKey = await loadOrCreateIdentity(xDir)
    const xPeer = peerIdFromPrivateKey(xKey).toString()

    // x once signed records while its clock ran ahead: one a day ahead, one two minutes ahead
    const micros = (ms: number): bigint => BigInt(ms) * 1000n
    const farAhead = await seal(xKey, { nodeId: 'x-far', seq: micros(Date.now() + 24 * 3600_000) })
    const ahead = await seal(xKey, { nodeId: 'x-old', seq: micros(Date.now() + 120_000) })
    await pushBatch(raw, hub.libp2p.peerId, [farAhead])
    await waitFor('the far-ahead record to be refused', () => hub.status().rejectedRecords.seqAhead >= 1)
    expect(hub.capabilities.table.get(xPeer)).toBeUndefined()
    await pushBatch(raw, hub.libp2p.peerId, [ahead])
    await waitFor('the hub to hold the ahead record', () => hub.capabilities.table.get(xPeer)?.record.nodeId === 'x-old')
    expect(120_000).toBeLessThan(MAX_SEQ_AHEAD_MS)

    // x starts with a correct clock: its own records carry lower seqs than the one the hub holds
    const startedAt = Date.now()
    const x = await node({ nodeId: 'x', peers: [{ url: hub.dialAddr }] }, { dataDir: xDir })
    for (const n of [hub, a]) {
      await waitFor(`${n.nodeId} to see x`, () => n.peers().some(p => p.nodeId === 'x' && p.peerId === xPeer && p.reachable), 10_000)
    }
    console.log(`seq ahead: x seen by all ${Date.now() - startedAt} ms after it started behind a seq 120 s ahead`)
    expect(x.capabilities.own()?.seq).toBeGreaterThan(micros(Date.now() + 60_000))

    // replaying the old record rolls nothing back
    await pushBatch(raw, hub.libp2p.peerId, [ahead])
    expect(hub.capabilities.table.get(xPeer)?.record.nodeId).toBe('x')
  })
})
