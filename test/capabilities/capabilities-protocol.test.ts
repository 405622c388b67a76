import { generateKeyPair } from '@libp2p/crypto/keys'
import { TypedEventEmitter } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pbStream, streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { RecordBatch } from '../../protocols/capabilities.js'
import { capabilities, SYNC_DIGEST_PROTOCOL, SYNC_PROTOCOL } from '../../src/capabilities/index.js'
import { MAX_BATCH_BYTES } from '../../src/capabilities/constants.js'
import { SyncStreamError } from '../../src/capabilities/errors.js'
import { exchangeBatches } from '../../src/capabilities/sync.js'
import { waitFor } from '../helpers/wait.js'
import type { CapabilitiesComponents, CapabilitiesService, CapabilityRecord } from '../../src/capabilities/index.js'
import type { Connection, Libp2pEvents, PeerId, Startable, Stream, StreamHandler } from '@libp2p/interface'

const envelope = (n: number, size = 100): Uint8Array => new Uint8Array(size).fill(n)

/** `n` as an unsigned varint, the length prefix of a batch */
function varint (n: number): Uint8Array {
  const bytes: number[] = []
  for (; n >= 0x80; n = Math.floor(n / 0x80)) bytes.push((n & 0x7f) | 0x80)
  bytes.push(n)
  return Uint8Array.from(bytes)
}

/** resolves with the error `promise` rejects with (fails the test when it resolves) */
async function rejection (promise: Promise<unknown>): Promise<any> {
  return await promise.then(() => { throw new Error('resolved') }, (err: unknown) => err)
}

describe('state exchange over an in-memory stream pair', () => {
  it('gives each side the other\'s batch, then both sides close', async () => {
    const [dialer, listener] = await streamPair()
    const ours = [envelope(1), envelope(2, 70_000)]
    const theirs = [envelope(3, 5)]
    const [got, gotBack] = await Promise.all([
      exchangeBatches(dialer, ours, AbortSignal.timeout(1000)),
      exchangeBatches(listener, theirs, AbortSignal.timeout(1000))
    ])
    expect(got.map(e => Buffer.from(e))).toEqual(theirs.map(e => Buffer.from(e)))
    expect(gotBack.map(e => Buffer.from(e))).toEqual(ours.map(e => Buffer.from(e)))
    expect(dialer.status).toBe('closed')
    expect(listener.status).toBe('closed')
  })

  it('an empty batch each way is an exchange too', async () => {
    const [dialer, listener] = await streamPair()
    const [got, gotBack] = await Promise.all([
      exchangeBatches(dialer, [], AbortSignal.timeout(1000)),
      exchangeBatches(listener, [], AbortSignal.timeout(1000))
    ])
    expect([got, gotBack]).toEqual([[], []])
  })

  it('resets the stream when the remote sends more than its one batch', async () => {
    const [dialer, listener] = await streamPair()
    const remote = pbStream(listener).pb(RecordBatch)
    const exchanged = rejection(exchangeBatches(dialer, [envelope(1)], AbortSignal.timeout(1000)))
    await remote.write({ envelopes: [envelope(2)] })
    await remote.write({ envelopes: [envelope(3)] })
    const err = await exchanged
    expect(err).toBeInstanceOf(SyncStreamError)
    expect(err.code).toBe('sync_stream')
    expect(dialer.status).toBe('aborted')
  })

  it('resets the stream when the remote never closes its side', async () => {
    const [dialer, listener] = await streamPair()
    const remote = pbStream(listener).pb(RecordBatch)
    const exchanged = rejection(exchangeBatches(dialer, [envelope(1)], AbortSignal.timeout(300)))
    await remote.write({ envelopes: [envelope(2)] })
    const err = await exchanged
    expect(err).toBeInstanceOf(SyncStreamError)
    expect(err.message).toMatch(/did not close its side/)
    expect(dialer.status).toBe('aborted')
  })

  it('refuses a batch announced as larger than MAX_BATCH_BYTES without reading it', async () => {
    const [dialer, listener] = await streamPair()
    const exchanged = rejection(exchangeBatches(dialer, [envelope(1)], AbortSignal.timeout(1000)))
    listener.send(varint(MAX_BATCH_BYTES + 1))
    const err = await exchanged
    expect(err.name).toBe('InvalidDataLengthError')
    expect(dialer.status).toBe('aborted')
  })
})

interface FakeNode {
  peerId: PeerId
  service: CapabilitiesService & Startable
  events: TypedEventEmitter<Libp2pEvents>
  handlers: Map<string, StreamHandler>
}

/** a capabilities service on stand-in components: no transport, no gossip (publishing goes nowhere) */
async function fakeNode (nodeId: string): Promise<FakeNode> {
  const privateKey = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(privateKey)
  const events = new TypedEventEmitter<Libp2pEvents>()
  const handlers = new Map<string, StreamHandler>()
  const components = {
    peerId,
    privateKey,
    events,
    logger: defaultLogger(),
    registrar: {
      handle: async (protocol: string, handler: StreamHandler) => { handlers.set(protocol, handler) },
      unhandle: async (protocol: string) => { handlers.delete(protocol) }
    },
    connectionManager: { getConnections: () => [] },
    addressManager: { getAddresses: () => [] },
    pubsub: {
      topicValidators: new Map(),
      subscribe: () => {},
      getSubscribers: () => [],
      addEventListener: () => {},
      removeEventListener: () => {},
      publish: async () => ({ recipients: [] })
    }
  } as unknown as CapabilitiesComponents
  const local = (): Omit<CapabilityRecord, 'peerId' | 'seq' | 'issuedAt' | 'addrs'> => ({ nodeId, agents: [], models: [], tags: [nodeId], toolProxy: false, version: '0.0.0', load: 0 })
  const service = capabilities({ local })(components) as CapabilitiesService & Startable
  await service.start()
  await service.afterStart?.()
  await waitFor(`${nodeId} to sign its record`, () => service.own())
  return { peerId, service, events, handlers }
}

/**
 * `from` dials `to`: a connection opens on `from`, and the sync stream reaches `to`'s handler of
 * the first protocol asked for that `to` handles
 */
function connect (from: FakeNode, to: FakeNode): void {
  const connection = {
    direction: 'outbound',
    status: 'open',
    remotePeer: to.peerId,
    newStream: async (protocols: string | string[]) => {
      const protocol = [protocols].flat().find(p => to.handlers.has(p))
      if (protocol == null) throw new Error('no protocol in common')
      const [outbound, inbound] = await streamPair()
      outbound.protocol = inbound.protocol = protocol
      void to.handlers.get(protocol)?.(inbound, { remotePeer: from.peerId } as unknown as Connection)
      return outbound
    }
  } as unknown as Connection
  to.events.safeDispatchEvent('peer:connect', { detail: from.peerId })
  from.events.safeDispatchEvent('peer:connect', { detail: to.peerId })
  from.events.safeDispatchEvent('connection:open', { detail: connection })
}

describe('the capabilities service\'s state exchange, in memory', () => {
  it('registers the sync protocol, and a new connection gives each side the other\'s record and those its peer vouches for', async () => {
    const [hub, office, home] = await Promise.all([fakeNode('hub'), fakeNode('office'), fakeNode('home')])
    try {
      expect([...hub.handlers.keys()]).toEqual([SYNC_DIGEST_PROTOCOL, SYNC_PROTOCOL])
      const arrived: string[] = []
      hub.service.addEventListener('record', (evt) => { arrived.push(evt.detail.nodeId) })

      connect(office, hub)
      await waitFor('hub and office to hold each other\'s record', () => hub.service.table.get(office.peerId.toString()) != null && office.service.table.get(hub.peerId.toString()) != null, 2000, 5)
      expect(arrived).toEqual(['office'])

      // home joins later and learns office from the hub, which is connected to it
      connect(home, hub)
      await waitFor('home to learn office through the hub', () => home.service.table.get(office.peerId.toString()), 2000, 5)
      expect(home.service.entries().map(e => e.record.nodeId).sort()).toEqual(['hub', 'office'])
    } finally {
      await Promise.all([hub, office, home].map(async n => { await n.service.stop() }))
    }
    expect(hub.handlers.size).toBe(0)
  })

  it('sends only the records the other side lacks: none when both hold the same', async () => {
    const [hub, office, home] = await Promise.all([fakeNode('hub'), fakeNode('office'), fakeNode('home')])
    try {
      connect(office, hub)
      await waitFor('hub to hold office\'s record', () => hub.service.table.get(office.peerId.toString()), 2000, 5)
      connect(home, hub)
      await waitFor('home to learn office through the hub', () => home.service.table.get(office.peerId.toString()) != null && hub.service.syncStats().exchanges === 2, 2000, 5)
      // the hub sent its own and office's, home only its own
      expect(hub.service.syncStats()).toEqual({ exchanges: 2, recordsSent: 1 + 2, recordsReceived: 1 + 1 })
      expect(home.service.syncStats()).toEqual({ exchanges: 1, recordsSent: 1, recordsReceived: 2 })

      // a second connection between two nodes that hold the same records moves none
      connect(home, hub)
      await waitFor('the exchange on the second connection to end', () => hub.service.syncStats().exchanges === 3 && home.service.syncStats().exchanges === 2, 2000, 5)
      expect(hub.service.syncStats()).toEqual({ exchanges: 3, recordsSent: 3, recordsReceived: 2 })
      expect(home.service.syncStats()).toEqual({ exchanges: 2, recordsSent: 1, recordsReceived: 2 })
    } finally {
      await Promise.all([hub, office, home].map(async n => { await n.service.stop() }))
    }
  })

  it('falls back to the full exchange (1.0.0) with a node that only answers that', async () => {
    const [hub, office] = await Promise.all([fakeNode('hub'), fakeNode('office')])
    try {
      hub.handlers.delete(SYNC_DIGEST_PROTOCOL)
      connect(office, hub)
      await waitFor('hub and office to hold each other\'s record', () => hub.service.table.get(office.peerId.toString()) != null && office.service.table.get(hub.peerId.toString()) != null, 2000, 5)
      expect(office.service.syncStats()).toMatchObject({ exchanges: 1, recordsSent: 1, recordsReceived: 1 })
    } finally {
      await Promise.all([hub, office].map(async n => { await n.service.stop() }))
    }
  })
})
