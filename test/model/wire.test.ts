import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ModelTestMesh } from './model-mesh.js'
import { replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import { waitFor } from '../helpers/wait.js'
import { CallerFrame, ServerFrame } from '../../protocols/model.js'
import { MAX_FRAME_BYTES, MODEL_PROTOCOL, PAUSED_READ_BUFFER_BYTES, READ_HIGH_WATER_BYTES } from '../../src/model/constants.js'
import { FrameReader } from '../../src/utils/frame-reader.js'
import { encodeFrame } from '../../src/model/frame-writer.js'
import type { ModelNode } from './model-mesh.js'
import type { FakeUpstream } from '../helpers/fake-upstream.js'
import type { Stream } from '@libp2p/interface'

const encoder = new TextEncoder()
const body = (text: string): Uint8Array<ArrayBuffer> => encoder.encode(text)
const REQUEST = body(JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }))

interface Raw {
  stream: Stream
  send(frame: CallerFrame): void
  /** the server's frames until it closes its end (or resets) */
  frames(): Promise<ServerFrame[]>
  next(): Promise<ServerFrame | null>
}

describe('the model protocol on the wire', () => {
  const mesh = new ModelTestMesh()
  let upstream: FakeUpstream
  let office: ModelNode
  let home: ModelNode

  async function raw (): Promise<Raw> {
    const stream = await home.libp2p.dialProtocol(office.libp2p.peerId, MODEL_PROTOCOL, { runOnLimitedConnection: true })
    const reader = new FrameReader(stream, ServerFrame.codec(), { maxFrameBytes: MAX_FRAME_BYTES, highWaterBytes: READ_HIGH_WATER_BYTES, pausedBufferBytes: PAUSED_READ_BUFFER_BYTES })
    const next = async (): Promise<ServerFrame | null> => await reader.read(AbortSignal.timeout(10_000))
    return {
      stream,
      send: (frame) => { stream.send(encodeFrame(CallerFrame.codec(), frame)) },
      next,
      frames: async () => {
        const frames: ServerFrame[] = []
        for (let frame = await next(); frame != null; frame = await next()) frames.push(frame)
        await stream.close()
        return frames
      }
    }
  }

  const modelStreams = (): number => home.libp2p.getConnections(office.libp2p.peerId)
    .flatMap(c => c.streams).filter(s => s.protocol === MODEL_PROTOCOL && s.status === 'open').length

  beforeAll(async () => {
    upstream = await startFakeUpstream(() => replies.answer('wire'))
    await mesh.start()
    office = await mesh.node('office', { maxRequestBytes: 4096, models: [{ id: 'gpt-test', upstream: { baseUrl: upstream.baseUrl } }] })
    home = await mesh.node('home')
    await mesh.connect(home, office)
  })

  afterAll(async () => {
    await mesh.stop()
    await upstream.close()
  })

  it('answers a request with head, data and end, and then a second request on the same stream', async () => {
    const r = await raw()
    for (let i = 0; i < 2; i++) {
      r.send({ request: { model: 'gpt-test', bodyLength: REQUEST.byteLength, body: REQUEST } })
      const head = await r.next()
      expect(head?.head?.status).toBe(200)
      expect(head?.head?.headers.get('content-type')).toBe('application/json')
      let text = ''
      let frame = await r.next()
      while (frame?.data != null) {
        text += Buffer.from(frame.data.data).toString()
        frame = await r.next()
      }
      expect(JSON.parse(text).choices[0].message.content).toBe('wire')
      expect(frame?.end).toEqual({ status: 200, bodyBytes: Buffer.byteLength(text), usage: { promptTokens: 9, completionTokens: 3, totalTokens: 12 } })
    }
    await r.stream.close()
  })

  it('refuses a stream that does not start with a request', async () => {
    const r = await raw()
    r.send({ body: { data: body('{}') } })
    const frames = await r.frames()
    expect(frames).toEqual([{ error: { status: 400, type: 'invalid_request_error', code: 'invalid_request', message: expect.stringContaining('request frame') } }])
  })

  it('refuses an unknown model and an announced body over maxRequestBytes before reading it', async () => {
    const unknown = await raw()
    unknown.send({ request: { model: 'nope', bodyLength: 2, body: body('{}') } })
    expect((await unknown.frames())[0].error).toMatchObject({ status: 404, code: 'model_not_found' })
    const big = await raw()
    big.send({ request: { model: 'gpt-test', bodyLength: 1_000_000, body: body('{') } })
    expect((await big.frames())[0].error).toMatchObject({ status: 413, code: 'request_too_large', message: expect.stringContaining('4096') })
  })

  it('refuses body frames that do not add up and a body that is not JSON', async () => {
    const over = await raw()
    over.send({ request: { model: 'gpt-test', bodyLength: 3, body: body('{}') } })
    over.send({ body: { data: body('xx') } })
    expect((await over.frames())[0].error).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('more than the announced') })
    const notJson = await raw()
    notJson.send({ request: { model: 'gpt-test', bodyLength: 5, body: body('hello') } })
    expect((await notJson.frames())[0].error).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('not valid JSON') })
  })

  it('answers invalid_request to a frame over the limit or malformed, ends the stream, and keeps serving', async () => {
    const huge = await raw()
    huge.stream.send(Uint8Array.from([0xff, 0xff, 0xff, 0x7f]))
    expect((await huge.frames())[0].error).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('over the limit') })
    const garbage = await raw()
    garbage.stream.send(Uint8Array.from([0x03, 0xff, 0xff, 0xff]))
    expect((await garbage.frames())[0].error).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('malformed frame') })
    const ok = await raw()
    ok.send({ request: { model: 'gpt-test', bodyLength: REQUEST.byteLength, body: REQUEST } })
    expect((await ok.next())?.head?.status).toBe(200)
    await ok.stream.close()
  })

  it('frees the slot when the caller vanishes in the middle of the body', async () => {
    const r = await raw()
    r.send({ request: { model: 'gpt-test', bodyLength: 100, body: body('{"model":') } })
    await waitFor('the request to be admitted', () => office.model.load > 0)
    r.stream.abort(new Error('gone'))
    await waitFor('the slot to be free', () => office.model.load === 0)
  })

  it('stops the upstream on a Cancel frame and answers cancelled', async () => {
    upstream.reply = () => replies.endlessStream(10)
    const arrived = upstream.nextRequest()
    const r = await raw()
    r.send({ request: { model: 'gpt-test', bodyLength: REQUEST.byteLength, body: REQUEST } })
    expect((await r.next())?.head?.status).toBe(200)
    expect((await r.next())?.data).toBeDefined()
    r.send({ cancel: { reason: 'test' } })
    const rest = await r.frames()
    expect(rest[rest.length - 1].error).toMatchObject({ code: 'cancelled' })
    expect(await (await arrived).ended).toBe('aborted')
    upstream.reply = () => replies.answer('wire')
  })

  it('keeps one stream for requests in turn, and recovers when the node drops idle streams', async () => {
    const ask = async (): Promise<void> => {
      const answer = await home.model.chat(office.libp2p.peerId, 'gpt-test', REQUEST, { signal: AbortSignal.timeout(10_000), nodeId: 'office' })
      for await (const _ of answer.body) {}
    }
    await ask()
    const streams = modelStreams()
    for (let i = 0; i < 5; i++) await ask()
    expect(modelStreams()).toBe(streams)
    await office.model.stop()
    await office.model.start()
    await ask()
    await waitFor('a single idle stream again', () => modelStreams() === 1)
  })
})
