import { generateKeyPair } from '@libp2p/crypto/keys'
import { PING_PROTOCOL } from '@libp2p/ping'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { meshBaseServices, meshLibp2pOptions } from '../../src/mesh/libp2p-options.js'
import { testPsk } from '../helpers/libp2p.js'
import { waitFor } from '../helpers/wait.js'
import type { Libp2p } from '@libp2p/interface'

const running: Libp2p[] = []
afterEach(async () => { await Promise.all(running.splice(0).map(async n => { await n.stop() })) })

/** a node built from meshLibp2pOptions alone, as an embedder would, with short liveness timings */
async function embedded (pingIntervalMs = 100): Promise<Libp2p<any>> {
  const node = await createLibp2p(meshLibp2pOptions({
    privateKey: await generateKeyPair('Ed25519'),
    psk: await testPsk(),
    listen: true,
    listenHost: '127.0.0.1',
    listenPort: 0,
    silentPeers: { intervalMs: pingIntervalMs, silentAfterMs: Math.max(600, 6 * pingIntervalMs) }
  }, meshBaseServices({ listen: true })))
  running.push(node)
  return node
}

describe('the liveness meshLibp2pOptions gives an embedder', () => {
  it('has libp2p\'s connection monitor off and the silent-peer watch in its place', async () => {
    const options = meshLibp2pOptions({ privateKey: await generateKeyPair('Ed25519'), psk: await testPsk(), listen: false }, {})
    expect(options.connectionMonitor).toEqual({ enabled: false })
    expect(Object.keys(options.services ?? {})).toEqual(['silentPeers'])
  })

  it('pings its peers (the round trip is the connection\'s rtt) and closes a connection that stops answering', async () => {
    const [watcher, peer] = await Promise.all([embedded(), embedded()])
    const connection = await watcher.dial(peer.getMultiaddrs()[0])
    await waitFor('a ping answer', () => watcher.services.silentPeers.lastAnswer(connection.id), 5000, 10)
    expect(connection.rtt).toBeGreaterThanOrEqual(0)

    // the peer stops answering pings while its connection stays open
    await peer.unhandle(PING_PROTOCOL)
    await waitFor('the silent connection to be closed', () => connection.status === 'closed', 5000, 10)
    expect(watcher.getConnections(peer.peerId)).toEqual([])
  })

  it('leaves the embedder\'s own ping working while a watch ping is in flight on the same connection', async () => {
    // the watch of this pair pings once an hour: the held stream below stands for its ping in flight
    const [watcher, peer] = await Promise.all([embedded(3_600_000), embedded(3_600_000)])
    const connection = await watcher.dial(peer.getMultiaddrs()[0])
    // a ping stream held open, as the watch's is while it waits for an answer
    const held = await connection.newStream(PING_PROTOCOL, { signal: AbortSignal.timeout(5000) })
    try {
      const rtt = await watcher.services.ping.ping(peer.peerId, { signal: AbortSignal.timeout(5000) })
      expect(rtt).toBeGreaterThanOrEqual(0)
    } finally {
      held.abort(new Error('test over'))
    }
  })
})
