import { streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { ServerFrame } from '../../protocols/model.js'
import { MAX_FRAME_BYTES, PAUSED_READ_BUFFER_BYTES, READ_HIGH_WATER_BYTES } from '../../src/model/constants.js'
import { FrameReader } from '../../src/utils/frame-reader.js'
import { FrameWriter } from '../../src/model/frame-writer.js'
import type { Stream } from '@libp2p/interface'

/** how many times `stream.send` has been called since */
function countSends (stream: Stream): () => number {
  let sends = 0
  const send = stream.send.bind(stream)
  stream.send = (data) => {
    sends++
    return send(data)
  }
  return () => sends
}

const nextTurn = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

function readerOf (stream: Stream): FrameReader<ServerFrame> {
  return new FrameReader(stream, ServerFrame.codec(), { maxFrameBytes: MAX_FRAME_BYTES, highWaterBytes: READ_HIGH_WATER_BYTES, pausedBufferBytes: PAUSED_READ_BUFFER_BYTES })
}

describe('frame writer', () => {
  it('keeps a held frame back past the end of the turn and sends it with the next frame, in one stream write', async () => {
    const [outbound, inbound] = await streamPair()
    const sends = countSends(outbound)
    const writer = new FrameWriter(outbound, ServerFrame.codec())
    writer.hold({ head: { status: 200, headers: new Map([['content-type', 'text/event-stream']]) } }, 60_000)
    await nextTurn()
    expect(sends()).toBe(0)
    await writer.write({ data: { data: Uint8Array.of(1, 2, 3) } })
    await nextTurn()
    expect(sends()).toBe(1)
    const reader = readerOf(inbound)
    expect((await reader.read())?.head?.status).toBe(200)
    expect((await reader.read())?.data?.data).toEqual(Uint8Array.of(1, 2, 3))
    reader.dispose()
  })

  it('sends a held frame on its own once its time is up', async () => {
    const [outbound, inbound] = await streamPair()
    const sends = countSends(outbound)
    const writer = new FrameWriter(outbound, ServerFrame.codec())
    writer.hold({ head: { status: 200, headers: new Map() } }, 30)
    const reader = readerOf(inbound)
    expect((await reader.read(AbortSignal.timeout(10_000)))?.head?.status).toBe(200)
    expect(sends()).toBe(1)
    reader.dispose()
  })
})
