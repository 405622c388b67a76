import { yamux } from '@chainsafe/libp2p-yamux'
import { multiaddrConnectionPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { meshYamux } from '../../src/mesh/patches/mesh-yamux.js'
import type { MultiaddrConnection, Stream, StreamMuxerFactory } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

const WINDOW_UPDATE = 1

/** the yamux frame types `conn` sends, in order (each send is one frame) */
function sentFrameTypes (conn: MultiaddrConnection): number[] {
  const types: number[] = []
  const send = conn.send.bind(conn)
  conn.send = (data: Uint8Array | Uint8ArrayList) => {
    types.push(data.subarray(0, 2)[1])
    return send(data)
  }
  return types
}

async function received (stream: Stream, bytes: number): Promise<void> {
  let got = 0
  await new Promise<void>((resolve, reject) => {
    const onMessage = (event: { data: Uint8Array | Uint8ArrayList }): void => {
      got += event.data.byteLength
      if (got < bytes) return
      stream.removeEventListener('message', onMessage)
      resolve()
    }
    stream.addEventListener('message', onMessage)
    setTimeout(() => { reject(new Error(`only ${got} of ${bytes} bytes arrived`)) }, 10_000).unref()
  })
}

/**
 * `rounds` request/answer exchanges of `size` bytes on one stream between two muxers from
 * `createFactory`; returns the frame types the answering side sent
 */
async function echoExchanges (createFactory: () => StreamMuxerFactory, rounds: number, size: number): Promise<number[]> {
  const [outbound, inbound] = multiaddrConnectionPair()
  const answered = sentFrameTypes(inbound)
  const caller = createFactory().createStreamMuxer(outbound)
  const answerer = createFactory().createStreamMuxer(inbound)
  answerer.addEventListener('stream', ({ detail: stream }) => {
    stream.addEventListener('message', (event) => { stream.send(event.data) })
  })
  const stream = await caller.createStream()
  try {
    for (let i = 0; i < rounds; i++) {
      const echoed = received(stream, size)
      stream.send(new Uint8Array(size).fill(i))
      await echoed
    }
  } finally {
    // every byte was counted: end both at once (a graceful close could wait for a drain that the
    // other side's close cuts off, and reject with that close)
    caller.abort(new Error('exchanges over'))
    answerer.abort(new Error('exchanges over'))
  }
  return answered
}

describe('mesh yamux', () => {
  it('does not answer each small data frame with a window update', async () => {
    const stock = await echoExchanges(yamux(), 40, 200)
    const mesh = await echoExchanges(meshYamux(), 40, 200)
    // js-yamux as shipped: one window update per data frame received
    expect(stock.filter(t => t === WINDOW_UPDATE).length).toBeGreaterThanOrEqual(40)
    // only the update that acknowledges the new stream
    expect(mesh.filter(t => t === WINDOW_UPDATE).length).toBeLessThanOrEqual(1)
  })

  it('still grants more window once half is used, so streams larger than the window flow', async () => {
    // 8 exchanges of 1 MiB, each four times the initial 256 KiB window: they only complete when
    // the answering side grants more window as it reads
    const answered = await echoExchanges(meshYamux(), 8, 1024 * 1024)
    expect(answered.filter(t => t === WINDOW_UPDATE).length).toBeGreaterThan(1)
  })
})
