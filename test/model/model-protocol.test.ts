import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CallerFrame, ServerFrame } from '../../protocols/model.js'
import { FRAME_DATA_BYTES, MAX_FRAME_BYTES, MODEL_PROTOCOL, PAUSED_READ_BUFFER_BYTES, READ_HIGH_WATER_BYTES } from '../../src/model/constants.js'
import { FrameReader } from '../../src/utils/frame-reader.js'
import { encodeFrame } from '../../src/model/frame-writer.js'
import { modelService, ModelRemoteError, ModelTransportError } from '../../src/model/index.js'
import { waitFor } from '../helpers/wait.js'
import type { ModelConfig } from '../../src/config/schema.js'
import type { ModelBackend, ModelResponse } from '../../src/host/ports.js'
import type { MeshModelResponse, ModelService } from '../../src/model/index.js'
import type { PeerId, Stream, StreamHandler } from '@libp2p/interface'

/**
 * The model protocol's two ends, the serving node's stream handler and the caller's client, over
 * an in-memory stream pair: no libp2p node, no transport, no muxer beyond the pair's own. The
 * real-node tests beside this file cover what the mesh adds.
 */

const SMALL_ANSWER = JSON.stringify({ id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'hello' } }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })
const REQUEST = new TextEncoder().encode(JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }))

/** A backend whose answer each test sets, recording the bodies and signals it was given */
class ScriptedBackend implements ModelBackend {
  readonly available = true
  readonly calls: Array<{ body: string, signal: AbortSignal }> = []
  answer: (signal: AbortSignal) => Promise<ModelResponse> = async () => json(200, SMALL_ANSWER)

  async chat (body: Uint8Array, options: { signal: AbortSignal }): Promise<ModelResponse> {
    this.calls.push({ body: new TextDecoder().decode(body), signal: options.signal })
    return await this.answer(options.signal)
  }
}

function json (status: number, text: string): ModelResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: (async function * () { yield new TextEncoder().encode(text) })() }
}

async function text (response: MeshModelResponse): Promise<string> {
  const chunks: Uint8Array[] = []
  for await (const chunk of response.body) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

/** resolves when `signal` aborts */
async function aborted (signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>(resolve => { signal.addEventListener('abort', () => { resolve() }, { once: true }) })
}

async function peerId (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

describe('model protocol over an in-memory stream pair', () => {
  let officeId: PeerId
  let homeId: PeerId
  let backend: ScriptedBackend
  let office: ModelService
  let home: ModelService
  /** what the caller's streams reach: the serving service's handler, unless a test answers itself */
  let answer: (stream: Stream) => void
  const opened: Stream[] = []

  beforeAll(async () => {
    officeId = await peerId()
    homeId = await peerId()
  })

  async function start (): Promise<void> {
    backend = new ScriptedBackend()
    let handler: StreamHandler | undefined
    office = modelService({ nodeId: 'office', models: [{ entry: { id: 'gpt-test' } as ModelConfig, backend }], timeoutMs: 5_000 })({
      peerId: officeId,
      logger: defaultLogger(),
      registrar: { handle: async (_protocol: string, h: StreamHandler) => { handler = h }, unhandle: async () => {} } as any,
      connectionManager: {} as any
    })
    await office.start()
    answer = (stream) => { void handler?.(stream, { remotePeer: homeId } as any) }
    home = modelService({ nodeId: 'home' })({
      peerId: homeId,
      logger: defaultLogger(),
      registrar: { handle: async () => {}, unhandle: async () => {} } as any,
      connectionManager: {
        openStream: async (_peer: PeerId, protocol: string) => {
          expect(protocol).toBe(MODEL_PROTOCOL)
          const [outbound, inbound] = await streamPair({ protocol })
          opened.push(outbound)
          answer(inbound)
          return outbound
        },
        getConnections: () => [{ status: 'open' }]
      } as any
    })
    await home.start()
  }

  afterEach(async () => {
    await home?.stop()
    await office?.stop()
    opened.length = 0
  })

  it('carries a small answer: head, body and end with its usage', async () => {
    await start()
    const response = await home.chat(officeId, 'gpt-test', REQUEST, { signal: AbortSignal.timeout(5_000), nodeId: 'office' })
    expect(response.status).toBe(200)
    expect(response.headers).toEqual({ 'content-type': 'application/json' })
    expect(response.servedBy).toEqual({ nodeId: 'office', peerId: officeId.toString() })
    expect(await text(response)).toBe(SMALL_ANSWER)
    expect(response.end).toMatchObject({ status: 200, bodyBytes: Buffer.byteLength(SMALL_ANSWER), usage: { promptTokens: 3, completionTokens: 1, totalTokens: 4 } })
    expect(JSON.parse(backend.calls[0].body)).toEqual(JSON.parse(new TextDecoder().decode(REQUEST)))
    expect(office.usage()[0].callers[0]).toMatchObject({ peerId: homeId.toString(), requests: { ok: 1 } })
  })

  it('carries a streamed answer piece by piece, a piece over the frame size split, and reuses the stream', async () => {
    await start()
    const events = ['data: {"n":1}\n\n', 'data: {"n":2}\n\n', `data: ${JSON.stringify({ big: 'x'.repeat(FRAME_DATA_BYTES + 10) })}\n\n`, 'data: [DONE]\n\n']
    backend.answer = async () => ({
      status: 200,
      headers: { 'content-type': 'text/event-stream', 'x-request-id': 'r1', 'x-not-forwarded': 'no' },
      body: (async function * () {
        for (const event of events) {
          await new Promise(resolve => setImmediate(resolve))
          yield new TextEncoder().encode(event)
        }
      })()
    })
    const response = await home.chat(officeId, 'gpt-test', REQUEST, { signal: AbortSignal.timeout(5_000), nodeId: 'office' })
    expect(response.headers).toEqual({ 'content-type': 'text/event-stream', 'x-request-id': 'r1' })
    const pieces: Uint8Array[] = []
    for await (const piece of response.body) pieces.push(piece)
    expect(Buffer.concat(pieces).toString('utf8')).toBe(events.join(''))
    expect(Math.max(...pieces.map(p => p.byteLength))).toBeLessThanOrEqual(FRAME_DATA_BYTES)
    expect(pieces.length).toBeGreaterThanOrEqual(events.length + 1)
    expect(response.end?.bodyBytes).toBe(Buffer.byteLength(events.join('')))

    // the stream went back to the pool: the next request takes it, no new stream is opened
    backend.answer = async () => json(200, SMALL_ANSWER)
    const again = await home.chat(officeId, 'gpt-test', REQUEST, { signal: AbortSignal.timeout(5_000), nodeId: 'office' })
    expect(await text(again)).toBe(SMALL_ANSWER)
    expect(opened).toHaveLength(1)
  })

  it('turns an error frame into the serving node\'s own refusal, retryable where another node may do better', async () => {
    await start()
    const unknown = await home.chat(officeId, 'no-such-model', REQUEST, { signal: AbortSignal.timeout(5_000), nodeId: 'office' }).catch((err: unknown) => err)
    expect(unknown).toBeInstanceOf(ModelRemoteError)
    expect(unknown).toMatchObject({ status: 404, code: 'model_not_found', type: 'not_found_error', nodeId: 'office', retryable: true })
    expect((unknown as ModelRemoteError).message).toBe('node office does not serve model "no-such-model"')

    backend.answer = async () => { throw new Error('connect ECONNREFUSED') }
    const unreachable = await home.chat(officeId, 'gpt-test', REQUEST, { signal: AbortSignal.timeout(5_000), nodeId: 'office' }).catch((err: unknown) => err)
    expect(unreachable).toMatchObject({ name: 'ModelRemoteError', status: 502, code: 'upstream_unreachable', retryable: true })

    const refused = await home.chat(officeId, 'gpt-test', new TextEncoder().encode('[1, 2]'), { signal: AbortSignal.timeout(5_000), nodeId: 'office' }).catch((err: unknown) => err)
    expect(refused).toMatchObject({ name: 'ModelRemoteError', status: 400, code: 'invalid_request', retryable: false })
    expect((refused as Error).message).toBe('request body must be a JSON object')
  })

  it('refuses a malformed frame from the caller with an error frame, and fails over a malformed frame from the server', async () => {
    await start()
    const [outbound, inbound] = await streamPair({ protocol: MODEL_PROTOCOL })
    answer(inbound)
    /** a length prefix of 3, then three bytes that are no protobuf message */
    const garbage = Uint8Array.from([0x03, 0xff, 0xff, 0xff])
    outbound.send(garbage)
    const reader = new FrameReader(outbound, ServerFrame.codec(), { maxFrameBytes: MAX_FRAME_BYTES, highWaterBytes: READ_HIGH_WATER_BYTES, pausedBufferBytes: PAUSED_READ_BUFFER_BYTES })
    const refusal = await reader.read(AbortSignal.timeout(5_000))
    expect(refusal?.error).toMatchObject({ status: 400, code: 'invalid_request' })
    expect(refusal?.error?.message).toMatch(/^malformed frame: /)
    expect(await reader.read(AbortSignal.timeout(5_000))).toBeNull()
    expect(backend.calls).toHaveLength(0)

    // a server that answers with bytes that are no frame: the caller may try another node
    answer = (stream) => {
      stream.addEventListener('message', () => { stream.send(garbage) }, { once: true })
    }
    const failed = await home.chat(officeId, 'gpt-test', REQUEST, { signal: AbortSignal.timeout(5_000), nodeId: 'office' }).catch((err: unknown) => err)
    expect(failed).toBeInstanceOf(ModelTransportError)
    expect(failed).toMatchObject({ code: 'node_unreachable', retryable: true })
    expect((failed as Error).message).toMatch(/^node office failed before answering: malformed frame: /)
    expect(opened.at(-1)?.status).not.toBe('open')
  })

  it('stops the upstream and frees the slot when the caller aborts mid-answer', async () => {
    await start()
    backend.answer = async (signal) => ({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: (async function * () {
        yield new TextEncoder().encode('data: {"n":1}\n\n')
        await aborted(signal)
        throw signal.reason
      })()
    })
    const controller = new AbortController()
    const response = await home.chat(officeId, 'gpt-test', REQUEST, { signal: controller.signal, nodeId: 'office' })
    const body = response.body[Symbol.asyncIterator]()
    expect(new TextDecoder().decode((await body.next()).value)).toBe('data: {"n":1}\n\n')
    expect(office.load).toBeGreaterThan(0)
    const pending = body.next()
    controller.abort(new Error('the client went away'))
    await expect(pending).rejects.toThrow('the client went away')
    await aborted(backend.calls[0].signal)
    await waitFor('the serving slot to be free', () => office.load === 0)
    await waitFor('the caller\'s usage to count it cancelled', () => office.usage()[0].callers[0]?.requests.cancelled === 1)

    // aborted before the answer began: the request never waits for the head
    backend.answer = async (signal) => { await aborted(signal); throw signal.reason }
    const early = new AbortController()
    const asked = home.chat(officeId, 'gpt-test', REQUEST, { signal: early.signal, nodeId: 'office' })
    await waitFor('the backend to be asked', () => backend.calls.length === 2)
    early.abort(new Error('changed my mind'))
    await expect(asked).rejects.toThrow('changed my mind')
    await aborted(backend.calls[1].signal)
    await waitFor('the serving slot to be free', () => office.load === 0)
  })

  it('answers a request whose body spans several frames', async () => {
    await start()
    const [outbound, inbound] = await streamPair({ protocol: MODEL_PROTOCOL })
    answer(inbound)
    const body = new TextEncoder().encode(JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'y'.repeat(FRAME_DATA_BYTES + 5) }] }))
    outbound.send(encodeFrame(CallerFrame.codec(), { request: { model: 'gpt-test', bodyLength: body.byteLength, body: body.subarray(0, FRAME_DATA_BYTES) } }))
    outbound.send(encodeFrame(CallerFrame.codec(), { body: { data: body.subarray(FRAME_DATA_BYTES) } }))
    const reader = new FrameReader(outbound, ServerFrame.codec(), { maxFrameBytes: MAX_FRAME_BYTES, highWaterBytes: READ_HIGH_WATER_BYTES, pausedBufferBytes: PAUSED_READ_BUFFER_BYTES })
    expect((await reader.read(AbortSignal.timeout(5_000)))?.head?.status).toBe(200)
    expect(backend.calls[0].body).toBe(new TextDecoder().decode(body))
    reader.dispose()
    outbound.abort(new Error('done'))
  })
})
