import { randomBytes } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { preSharedKey } from '@libp2p/pnet'
import { webSockets } from '@libp2p/websockets'
import { byteStream } from '@libp2p/utils'
import { xsalsa20 } from '@noble/ciphers/salsa.js'
import { createLibp2p } from 'libp2p'
import { afterAll, describe, expect, it } from 'vitest'
import { ClusterKey } from '../../src/mesh/cluster-key.js'
import { decodePskFile, meshPreSharedKey } from '../../src/mesh/patches/psk-protector.js'
import { XSalsa20Stream } from '../../src/mesh/patches/xsalsa20-stream.js'
import { testPsk } from '../helpers/libp2p.js'
import { waitFor } from '../helpers/wait.js'
import type { ConnectionProtector, Libp2p, Stream } from '@libp2p/interface'

const PROTOCOL = '/clawmatrix-test/echo/1.0.0'

describe('XSalsa20Stream', () => {
  it('gives the one-shot XSalsa20 keystream however the input is cut', () => {
    const key = new Uint8Array(randomBytes(32))
    const nonce = new Uint8Array(randomBytes(24))
    const input = new Uint8Array(randomBytes(200_003))
    const reference = xsalsa20(key, nonce, input)
    const stream = new XSalsa20Stream(key, nonce)
    const parts: Uint8Array[] = []
    let offset = 0
    for (const size of [1, 63, 64, 65, 3, 61, 4096, 13, 128, 70_001]) {
      parts.push(stream.update(input.subarray(offset, offset + size)))
      offset += size
    }
    // an input that is not 4-byte aligned in its buffer, and an output given by the caller
    const unaligned = new Uint8Array(input.length - offset + 1)
    unaligned.set(input.subarray(offset), 1)
    const out = new Uint8Array(input.length - offset)
    stream.update(unaligned.subarray(1), out)
    parts.push(out)
    expect(Buffer.concat(parts).equals(Buffer.from(reference))).toBe(true)
  })

  it('gives the same keystream for runs of small messages that cross the keystream computed ahead, and long ones in between', () => {
    const key = new Uint8Array(randomBytes(32))
    const nonce = new Uint8Array(randomBytes(24))
    const input = new Uint8Array(randomBytes(400_000))
    const reference = Buffer.from(xsalsa20(key, nonce, input))
    const stream = new XSalsa20Stream(key, nonce)
    // small messages of every length mod 64, long ones starting on and off a block boundary
    const sizes = [...Array.from({ length: 150 }, (_, i) => 1 + ((i * 37) % 300)), 1024, 5000, 4096 - 7, 64, 20_000, ...Array.from({ length: 80 }, (_, i) => 50 + i)]
    let offset = 0
    for (let i = 0; offset < input.length; i++) {
      const size = Math.min(sizes[i % sizes.length], input.length - offset)
      const out = stream.update(input.subarray(offset, offset + size))
      expect(Buffer.from(out).equals(reference.subarray(offset, offset + size)), `message ${i} (${size} bytes at ${offset})`).toBe(true)
      offset += size
    }
  })

  it('reads the libp2p PSK file format and rejects anything else', async () => {
    const file = await testPsk()
    expect(decodePskFile(file)).toHaveLength(32)
    expect(() => decodePskFile(new TextEncoder().encode('/key/swarm/psk/1.0.0/\n/base16/\nabc'))).toThrow(/64 hex digits/)
  })
})

async function echoNode (protector: (components: any) => ConnectionProtector): Promise<Libp2p> {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionProtector: protector
  })
  await node.handle(PROTOCOL, async (stream: Stream) => {
    for await (const chunk of stream) {
      if (!stream.send(chunk)) await stream.onDrain()
    }
    await stream.close()
  })
  return node
}

/** send `payload` to `to` over a new stream and read it back */
async function roundTrip (from: Libp2p, to: Libp2p, payload: Uint8Array): Promise<Uint8Array> {
  const stream = await from.dialProtocol(to.getMultiaddrs()[0], PROTOCOL, { signal: AbortSignal.timeout(10_000) })
  const bytes = byteStream(stream)
  const [, answer] = await Promise.all([
    bytes.write(payload, { signal: AbortSignal.timeout(10_000) }),
    bytes.read({ bytes: payload.length, signal: AbortSignal.timeout(10_000) })
  ])
  await stream.close()
  return answer.subarray()
}

describe('meshPreSharedKey with @libp2p/pnet nodes', () => {
  const nodes: Libp2p[] = []
  afterAll(async () => { await Promise.all(nodes.map(async n => { await n.stop() })) })

  it('exchanges data both ways with a stock preSharedKey node', async () => {
    const psk = await testPsk()
    const ours = await echoNode(meshPreSharedKey({ psk }))
    const stock = await echoNode(preSharedKey({ psk }))
    nodes.push(ours, stock)
    // sizes that end inside keystream blocks and span many of them
    for (const size of [1, 1000, 65_537, 1_048_573]) {
      const payload = new Uint8Array(randomBytes(size))
      expect(Buffer.from(await roundTrip(ours, stock, payload)).equals(Buffer.from(payload))).toBe(true)
      expect(Buffer.from(await roundTrip(stock, ours, payload)).equals(Buffer.from(payload))).toBe(true)
    }
  }, 60_000)

  it('does not connect to a node with a different key', async () => {
    const ours = await echoNode(meshPreSharedKey({ psk: await testPsk() }))
    const other = await echoNode(preSharedKey({ psk: await testPsk('another-secret-987654321') }))
    nodes.push(ours, other)
    await expect(roundTrip(ours, other, new Uint8Array(16))).rejects.toThrow()
  }, 30_000)
})

describe('meshPreSharedKey with a ClusterKey', () => {
  const nodes: Libp2p[] = []
  afterAll(async () => { await Promise.all(nodes.map(async n => { await n.stop() })) })

  it('uses the key set last for each new connection, and ends the connections on the old key', async () => {
    const oldPsk = await testPsk()
    const newPsk = await testPsk('the-rotated-secret-0123456789')
    const key = new ClusterKey(oldPsk)
    const ours = await echoNode(meshPreSharedKey({ psk: key, staleKeyAbortMs: 50 }))
    const onOld = await echoNode(preSharedKey({ psk: oldPsk }))
    const onNew = await echoNode(preSharedKey({ psk: newPsk }))
    nodes.push(ours, onOld, onNew)
    const payload = new Uint8Array(randomBytes(1000))
    expect(Buffer.from(await roundTrip(ours, onOld, payload)).equals(Buffer.from(payload))).toBe(true)
    await expect(roundTrip(ours, onNew, payload)).rejects.toThrow()
    const before = ours.getConnections(onOld.peerId)[0]
    expect(before.status).toBe('open')

    const fingerprint = key.fingerprint
    key.set(newPsk)
    expect(key.fingerprint).not.toBe(fingerprint)
    expect(key.generation).toBe(1)
    // the connection on the old key is aborted shortly; new ones use the new key
    await waitFor('the old-key connection to end', () => before.status !== 'open', 5000)
    expect(Buffer.from(await roundTrip(ours, onNew, payload)).equals(Buffer.from(payload))).toBe(true)
    await expect(roundTrip(ours, onOld, payload)).rejects.toThrow()
  }, 60_000)
})
