import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RequestFrame, ResponseFrame } from '../../protocols/handoff.js'
import { CallerFrame, ServerFrame } from '../../protocols/model.js'
import { ToolFrame, ToolRequest } from '../../protocols/tool.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { removeTempDirs, startNode } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import { startUpstreamServer } from '../../src/demo/upstream-server.js'
import { HANDOFF_PROTOCOL } from '../../src/handoff/constants.js'
import { MODEL_PROTOCOL } from '../../src/model/constants.js'
import { encodeFrame } from '../../src/model/frame-writer.js'
import { FrameReader } from '../../src/utils/frame-reader.js'
import { TOOL_PROTOCOL } from '../../src/tool/constants.js'
import type { TestNode } from '../helpers/mesh.js'
import type { UpstreamServer } from '../../src/demo/upstream-server.js'
import type { Libp2p, Stream } from '@libp2p/interface'
import type { Codec } from 'protons-runtime'

/**
 * A member holding the secret that opens streams of every protocol, sends a request the node
 * refuses (or only the start of a huge one) plus megabytes, and never closes its side: the node
 * must end every such stream within its protocol's timeouts and keep what it holds bounded.
 */

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const MiB = 1024 * 1024

/** heap and buffers of this process after a full collection, in MiB */
function heldMiB (): number {
  gc()
  gc()
  const usage = process.memoryUsage()
  return (usage.heapUsed + usage.arrayBuffers) / MiB
}

function junk (bytes: number): Uint8Array {
  return new Uint8Array(bytes).fill(0x5a)
}

/** a frame header announcing `length` bytes, with nothing after it */
function header (length: number): Uint8Array {
  const bytes: number[] = []
  let n = length
  while (n >= 0x80) { bytes.push((n & 0x7f) | 0x80); n = Math.floor(n / 128) }
  bytes.push(n)
  return Uint8Array.from(bytes)
}

describe('hostile streams that never close', () => {
  let upstream: UpstreamServer
  let office: TestNode
  let hostile: Libp2p

  beforeAll(async () => {
    upstream = await startUpstreamServer(() => ({ chunks: ['{}'] }))
    office = await startNode({ nodeId: 'office', listen: true, toolProxy: { enabled: false }, models: [{ id: 'gpt-x', upstream: { baseUrl: upstream.baseUrl } }] })
    hostile = await startTestLibp2p({ listen: false })
    await hostile.dial(multiaddr(office.dialAddr))
    // a burst of streams before the node has finished upgrading the connection would be more
    // than libp2p's 10 early streams, and it would drop the whole connection
    await waitFor('the node to hold the connection', () => office.libp2p.getConnections(hostile.peerId).some(c => c.status === 'open'))
  })

  afterAll(async () => {
    await hostile?.stop()
    await office?.stop()
    await upstream?.close()
    await removeTempDirs()
  })

  /** the node's streams of `protocol` from the hostile member */
  function serverStreams (protocol: string): number {
    return office.libp2p.getConnections(hostile.peerId).flatMap(c => c.streams).filter(s => s.protocol === protocol).length
  }

  async function open (protocol: string): Promise<Stream> {
    return await hostile.dialProtocol(office.libp2p.peerId, protocol, { runOnLimitedConnection: true, maxOutboundStreams: 1024, negotiateFully: false, signal: AbortSignal.timeout(10_000) })
  }

  /** send `parts` and wait until they have left this process (never closing the stream) */
  async function sendAll (stream: Stream, parts: Uint8Array[]): Promise<void> {
    for (const part of parts) {
      if (!stream.send(part)) await stream.onDrain({ signal: AbortSignal.timeout(20_000) }).catch(() => {})
    }
  }

  /** the first frame the node answers on `stream`, or null if it ended or reset the stream without one */
  async function firstAnswer<T> (stream: Stream, codec: Codec<T>): Promise<T | null> {
    const reader = new FrameReader(stream, codec, { maxFrameBytes: 8 * MiB, highWaterBytes: 8 * MiB, pausedBufferBytes: 8 * MiB })
    try {
      return await reader.read(AbortSignal.timeout(20_000))
    } catch {
      return null
    } finally {
      reader.dispose()
    }
  }

  /**
   * Open `count` streams of `protocol` sending `parts` each, never closing them. Returns the
   * memory the process holds once all bytes were sent (before the node's timeouts), how many
   * streams the node had open then, and how long until it had none of them left.
   */
  async function flood<T> (protocol: string, count: number, parts: Uint8Array[], codec: Codec<T>): Promise<{ grewMiB: number, answers: Array<T | null>, releasedMs: number }> {
    const before = heldMiB()
    // opened one after the other, each negotiated on its own
    const streams: Stream[] = []
    for (let i = 0; i < count; i++) streams.push(await open(protocol))
    const answers = streams.map(async s => await firstAnswer(s, codec))
    await Promise.all(streams.map(async s => { await sendAll(s, parts) }))
    const grewMiB = heldMiB() - before
    console.log('%s: %d streams sent everything; held %d MiB more than before, %d streams open on the node', protocol, count, Math.round(grewMiB), serverStreams(protocol))
    const started = Date.now()
    const released = await waitFor(`the node to end every hostile ${protocol} stream`, () => serverStreams(protocol) === 0, 30_000).catch((err: Error) => err)
    const releasedMs = Date.now() - started
    console.log('%s: %d ms later %d streams open on the node, %d MiB held more than before', protocol, releasedMs, serverStreams(protocol), Math.round(heldMiB() - before))
    if (released instanceof Error) throw released
    for (const s of streams) s.abort(new Error('test over'))
    return { grewMiB, answers: await Promise.all(answers), releasedMs }
  }

  it('tool: a refused request plus megabytes, toolProxy off', async () => {
    const request = encodeFrame(ToolRequest.codec(), { tool: 'exec', args: '{"command":"true"}', timeoutMs: 0 })
    const { grewMiB, answers, releasedMs } = await flood(TOOL_PROTOCOL, 30, [request, junk(4 * MiB)], ToolFrame.codec())
    console.log('tool, 30 streams × 4 MiB after a refused request: +%d MiB held, all ended %d ms later', Math.round(grewMiB), releasedMs)
    expect(answers.every(a => a?.error?.code === 'DISABLED')).toBe(true)
    expect(grewMiB).toBeLessThan(32)
  })

  it('tool: the start of 30 huge requests, never finished', async () => {
    const { grewMiB, answers, releasedMs } = await flood(TOOL_PROTOCOL, 30, [header(8 * MiB - 64), junk(4 * MiB)], ToolFrame.codec())
    const codes = answers.map(a => a?.error?.code ?? 'none')
    console.log('tool, 30 unfinished 8 MiB requests with 4 MiB each: +%d MiB held, answers %o, all ended %d ms later', Math.round(grewMiB), count(codes), releasedMs)
    expect(codes.filter(c => c === 'BUSY').length).toBeGreaterThan(0)
    expect(codes.every(c => c === 'BUSY' || c === 'BAD_ARGUMENTS')).toBe(true)
    expect(grewMiB).toBeLessThan(48)
  })

  it('model: a refused request plus megabytes', async () => {
    const body = new TextEncoder().encode('{"model":"nope","messages":[]}')
    const request = encodeFrame(CallerFrame.codec(), { request: { model: 'nope', bodyLength: body.byteLength, body } })
    const { grewMiB, answers, releasedMs } = await flood(MODEL_PROTOCOL, 24, [request, junk(4 * MiB)], ServerFrame.codec())
    console.log('model, 24 streams × 4 MiB after a refused request: +%d MiB held, all ended %d ms later', Math.round(grewMiB), releasedMs)
    expect(answers.every(a => a?.error?.code === 'model_not_found')).toBe(true)
    expect(grewMiB).toBeLessThan(16)
  })

  it('model: garbage plus megabytes', async () => {
    const { grewMiB, answers, releasedMs } = await flood(MODEL_PROTOCOL, 24, [Uint8Array.from([3, 0xff, 0xff, 0xff]), junk(4 * MiB)], ServerFrame.codec())
    console.log('model, 24 streams of garbage × 4 MiB: +%d MiB held, all ended %d ms later', Math.round(grewMiB), releasedMs)
    expect(answers.every(a => a?.error?.code === 'invalid_request')).toBe(true)
    expect(grewMiB).toBeLessThan(32)
  })

  it('handoff: a refused request plus megabytes, and the start of huge requests', async () => {
    const run = encodeFrame(RequestFrame.codec(), { run: { handoffId: 'h-1', agent: 'nobody', task: 'x', idleTimeoutMs: 0 } })
    const refused = await flood(HANDOFF_PROTOCOL, 32, [run, junk(4 * MiB)], ResponseFrame.codec())
    console.log('handoff, 32 streams × 4 MiB after a refused request: +%d MiB held, all ended %d ms later', Math.round(refused.grewMiB), refused.releasedMs)
    expect(refused.grewMiB).toBeLessThan(32)
    const huge = await flood(HANDOFF_PROTOCOL, 48, [header(1024 * 1024), junk(1000 * 1024)], ResponseFrame.codec())
    const codes = huge.answers.map(a => a?.result?.code ?? 'none')
    console.log('handoff, 48 unfinished 1 MiB requests: +%d MiB held, answers %o, all ended %d ms later', Math.round(huge.grewMiB), count(codes), huge.releasedMs)
    expect(codes.filter(c => c === 'busy').length).toBeGreaterThan(0)
    expect(huge.grewMiB).toBeLessThan(24)
  })

  it('keeps serving afterwards', async () => {
    const stream = await open(TOOL_PROTOCOL)
    stream.send(encodeFrame(ToolRequest.codec(), { tool: 'exec', args: '{}', timeoutMs: 0 }))
    await stream.close()
    expect((await firstAnswer(stream, ToolFrame.codec()))?.error?.code).toBe('DISABLED')
  })
})

function count (values: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1
  return counts
}
