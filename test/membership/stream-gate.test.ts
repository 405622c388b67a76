import { afterEach, describe, expect, it } from 'vitest'
import { copyMiddlewareOnRead } from '../../src/mesh/patches/registrar-middleware.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { waitFor } from '../helpers/wait.js'
import type { Libp2p, Stream } from '@libp2p/interface'

const PROTOCOL = '/test/gated/1.0.0'
const nodes: Array<Libp2p<any>> = []

afterEach(async () => {
  await Promise.all(nodes.splice(0).map(async n => { await n.stop() }))
})

/** a listener whose handler counts its calls, with one pass-through middleware on the protocol */
async function listenerWithMiddleware (patch: boolean): Promise<{ listener: Libp2p<any>, calls: () => number }> {
  const listener = await startTestLibp2p()
  nodes.push(listener)
  if (patch) copyMiddlewareOnRead((listener as any).components.registrar)
  let calls = 0
  await listener.handle(PROTOCOL, (stream: Stream) => {
    calls++
    stream.close().catch(() => {})
  })
  listener.use(PROTOCOL, (stream, connection, next) => { next(stream, connection) })
  return { listener, calls: () => calls }
}

async function openStreams (listener: Libp2p<any>, count: number): Promise<void> {
  const dialer = await startTestLibp2p({ listen: false })
  nodes.push(dialer)
  for (let i = 0; i < count; i++) {
    const stream = await dialer.dialProtocol(listener.getMultiaddrs()[0], PROTOCOL)
    await waitFor('the listener to close the stream', () => stream.remoteWriteStatus === 'closed' || stream.status !== 'open')
  }
}

describe('stream middleware on a gated protocol', () => {
  it('the stock registrar runs an earlier stream\'s handler again for each later stream (libp2p 3.3.11)', async () => {
    const { listener, calls } = await listenerWithMiddleware(false)
    await openStreams(listener, 3)
    // 1 + 2 + 3: each stream also runs every handler pushed by the streams before it
    await waitFor('the handler calls', () => calls() >= 6)
    expect(calls()).toBe(6)
  })

  it('with copyMiddlewareOnRead each stream runs its handler once', async () => {
    const { listener, calls } = await listenerWithMiddleware(true)
    await openStreams(listener, 3)
    await waitFor('the handler calls', () => calls() >= 3)
    expect(calls()).toBe(3)
    expect((listener as any).components.registrar.getMiddleware(PROTOCOL)).toHaveLength(1)
  })
})
