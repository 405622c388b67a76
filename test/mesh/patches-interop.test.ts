import { randomBytes } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { byteStream } from '@libp2p/utils'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { meshGossipsub } from '../../src/mesh/patches/gossipsub-outbound-streams.js'
import { meshNoise } from '../../src/mesh/patches/mesh-noise.js'
import { meshYamux } from '../../src/mesh/patches/mesh-yamux.js'
import { meshPreSharedKey } from '../../src/mesh/patches/psk-protector.js'
import { testPsk } from '../helpers/libp2p.js'
import { waitFor } from '../helpers/wait.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'

const ECHO = '/clawmatrix-test/echo/1.0.0'
/** four times yamux's initial 256 KiB window: the transfer only completes when both sides grant more */
const PAYLOAD_BYTES = 1024 * 1024

type Stack = Pick<Libp2pOptions, 'connectionEncrypters' | 'streamMuxers' | 'connectionProtector'>

const running: Libp2p[] = []
afterEach(async () => { await Promise.all(running.splice(0).map(async n => { await n.stop() })) })

/** a node on loopback TCP with `stack`, answering ECHO with what it reads */
async function echoNode (stack: Stack): Promise<Libp2p> {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    ...stack
  })
  running.push(node)
  await node.handle(ECHO, async (stream: Stream) => {
    for await (const chunk of stream) {
      if (!stream.send(chunk)) await stream.onDrain()
    }
    await stream.close()
  })
  return node
}

/** `from` opens an ECHO stream to `to` on their connection, sends `payload`, reads it back, closes */
async function echoed (from: Libp2p, to: Libp2p, payload: Uint8Array): Promise<Uint8Array> {
  const stream = await from.dialProtocol(to.peerId, ECHO, { signal: AbortSignal.timeout(10_000) })
  const bytes = byteStream(stream)
  const [, answer] = await Promise.all([
    bytes.write(payload, { signal: AbortSignal.timeout(10_000) }),
    bytes.read({ bytes: payload.byteLength, signal: AbortSignal.timeout(10_000) })
  ])
  await stream.close()
  return answer.subarray()
}

/** the patched node dials the stock one; data goes both ways on streams each side opens */
async function interop (patched: Stack, stock: Stack): Promise<{ encryption?: string, multiplexer?: string }> {
  const [mesh, plain] = await Promise.all([echoNode(patched), echoNode(stock)])
  const connection = await mesh.dial(plain.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
  const there = new Uint8Array(randomBytes(PAYLOAD_BYTES))
  const back = new Uint8Array(randomBytes(PAYLOAD_BYTES + 3))
  expect(Buffer.from(await echoed(mesh, plain, there)).equals(Buffer.from(there))).toBe(true)
  expect(Buffer.from(await echoed(plain, mesh, back)).equals(Buffer.from(back))).toBe(true)
  // the same single connection carried both ways
  expect(mesh.getConnections(plain.peerId).map(c => c.id)).toEqual([connection.id])
  await connection.close()
  expect(connection.status).toBe('closed')
  return { encryption: connection.encryption, multiplexer: connection.multiplexer }
}

describe('patched dependencies against stock ones, over loopback', () => {
  it('meshYamux talks to stock @chainsafe/libp2p-yamux', async () => {
    const used = await interop({ streamMuxers: [meshYamux()] }, { streamMuxers: [yamux()] })
    expect(used.multiplexer).toBe('/yamux/1.0.0')
  })

  it('meshNoise talks to stock @chainsafe/libp2p-noise', async () => {
    const used = await interop({ connectionEncrypters: [meshNoise()] }, { connectionEncrypters: [noise()] })
    expect(used.encryption).toBe('/noise')
  })

  it('meshPreSharedKey talks to stock @libp2p/pnet', async () => {
    const psk = await testPsk()
    await interop({ connectionProtector: meshPreSharedKey({ psk }) }, { connectionProtector: preSharedKey({ psk }) })
  })

  it('the whole patched stack talks to the whole stock stack', async () => {
    const psk = await testPsk()
    await interop(
      { connectionEncrypters: [meshNoise()], streamMuxers: [meshYamux()], connectionProtector: meshPreSharedKey({ psk }) },
      { connectionEncrypters: [noise()], streamMuxers: [yamux()], connectionProtector: preSharedKey({ psk }) }
    )
  })
})

const TOPIC = 'clawmatrix-test/topic'

/** a node on loopback TCP with identify and `pubsub`, subscribed to TOPIC */
async function pubsubNode (pubsub: typeof gossipsub | typeof meshGossipsub): Promise<Libp2p<{ identify: ReturnType<ReturnType<typeof identify>>, pubsub: GossipSub }>> {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), pubsub: pubsub({ emitSelf: false, allowPublishToZeroTopicPeers: true }) }
  })
  running.push(node)
  node.services.pubsub.subscribe(TOPIC)
  return node
}

/** resolves with the first TOPIC message `node` receives */
async function nextMessage (node: Libp2p<{ pubsub: GossipSub }>): Promise<string> {
  return await new Promise(resolve => {
    node.services.pubsub.addEventListener('message', evt => { if (evt.detail.topic === TOPIC) resolve(new TextDecoder().decode(evt.detail.data)) }, { once: true })
  })
}

describe('patched gossipsub against stock, over loopback', () => {
  it('meshGossipsub takes several stock peers at once, opens one outbound stream to each, and messages go both ways', async () => {
    const hub = await pubsubNode(meshGossipsub)
    const peers = await Promise.all([1, 2, 3].map(async () => await pubsubNode(gossipsub)))
    await Promise.all(peers.map(async p => await p.dial(hub.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })))
    // a second connection to one peer must not give it a second outbound stream
    await hub.dial(peers[0].getMultiaddrs()[0], { force: true, signal: AbortSignal.timeout(10_000) })
    await waitFor('every node to hear the others\' subscriptions', () =>
      hub.services.pubsub.getSubscribers(TOPIC).length === 3 && peers.every(p => p.services.pubsub.getSubscribers(TOPIC).length === 1))
    expect(hub.getConnections(peers[0].peerId).length).toBe(2)
    const outbound = (hub.services.pubsub as unknown as { streamsOutbound: Map<string, unknown> }).streamsOutbound
    expect([...outbound.keys()].sort()).toEqual(peers.map(p => p.peerId.toString()).sort())

    const atPeers = peers.map(async p => await nextMessage(p))
    await hub.services.pubsub.publish(TOPIC, new TextEncoder().encode('from the hub'))
    expect(await Promise.all(atPeers)).toEqual(['from the hub', 'from the hub', 'from the hub'])
    const atHub = nextMessage(hub)
    await peers[1].services.pubsub.publish(TOPIC, new TextEncoder().encode('from a peer'))
    expect(await atHub).toBe('from a peer')
  })

  it('a peer whose outbound stream is slow to open holds up no other peer', async () => {
    const hub = await pubsubNode(meshGossipsub)
    const [slow, quick] = await Promise.all([pubsubNode(gossipsub), pubsubNode(gossipsub)])
    // the hub's stream to `slow` opens only once released, as to a peer whose answer takes long
    const internals = hub.services.pubsub as unknown as { createOutboundStream: (peer: PeerId, connection: unknown) => Promise<void> }
    const open = internals.createOutboundStream.bind(internals)
    const held = Promise.withResolvers<void>()
    internals.createOutboundStream = async (peer, connection) => {
      if (peer.equals(slow.peerId)) await held.promise
      await open(peer, connection)
    }
    await slow.dial(hub.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
    await waitFor('the hub to hear the slow peer\'s subscription', () => hub.services.pubsub.getSubscribers(TOPIC).some(p => p.equals(slow.peerId)))
    await quick.dial(hub.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
    await waitFor('the quick peer to hear the hub\'s subscription', () => quick.services.pubsub.getSubscribers(TOPIC).length === 1, 5000)
    expect(slow.services.pubsub.getSubscribers(TOPIC)).toEqual([])
    held.resolve()
    await waitFor('the slow peer to hear the hub\'s subscription', () => slow.services.pubsub.getSubscribers(TOPIC).length === 1)
  })
})

describe('what patches/dcutr-responder-dial.ts works around, in the pinned libp2p', () => {
  it('the dial queue does not hand DCUtR\'s initiator: false to the transport (remove the patch when it does)', async () => {
    const listener = await echoNode({})
    const seen: unknown[] = []
    const recording = (components: Parameters<ReturnType<typeof tcp>>[0]): ReturnType<ReturnType<typeof tcp>> => {
      const transport = tcp()(components)
      const dial = transport.dial.bind(transport)
      transport.dial = async (ma, options) => {
        seen.push((options as { initiator?: boolean }).initiator)
        return await dial(ma, options)
      }
      return transport
    }
    const dialer = await createLibp2p({ transports: [recording], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
    running.push(dialer)
    // the call DCUtR's responder side makes (@libp2p/dcutr 3.0.28, dcutr.js)
    const connectionManager = (dialer as unknown as { components: { connectionManager: { openConnection: (a: unknown, o: unknown) => Promise<unknown> } } }).components.connectionManager
    await connectionManager.openConnection([listener.getMultiaddrs()[0]], { initiator: false, force: true, signal: AbortSignal.timeout(10_000) }).catch(() => {})
    expect(seen).toEqual([undefined])
  })
})
