import { randomBytes, randomInt } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RecordBatch } from '../../protocols/capabilities.js'
import { RequestFrame } from '../../protocols/handoff.js'
import { CallerFrame } from '../../protocols/model.js'
import { ToolRequest } from '../../protocols/tool.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { removeTempDirs, startNode } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import { SYNC_PROTOCOL } from '../../src/capabilities/constants.js'
import { startUpstreamServer } from '../../src/demo/upstream-server.js'
import { HANDOFF_PROTOCOL } from '../../src/handoff/constants.js'
import { MODEL_PROTOCOL } from '../../src/model/constants.js'
import { encodeFrame } from '../../src/model/frame-writer.js'
import { TOOL_PROTOCOL } from '../../src/tool/constants.js'
import type { TestNode } from '../helpers/mesh.js'
import type { UpstreamServer } from '../../src/demo/upstream-server.js'
import type { Libp2p, Stream } from '@libp2p/interface'

/**
 * Random and mutated frames, sent over real streams to a real node, for each stream protocol:
 * valid frames with random fields, the same with flipped bits, cut short, with an oversized
 * length prefix, random bytes with and without a prefix. Counts crashes (the node stops
 * answering, or an uncaught error in this process), hangs (a stream the node neither ends nor
 * resets within its protocol's timeout) and streams still open on the node at the end.
 * `CLAWMATRIX_FUZZ_FRAMES` sets the frames per protocol (`npm run fuzz`: 1 000 000).
 */

const FRAMES = Number(process.env.CLAWMATRIX_FUZZ_FRAMES ?? 4000)
/** a long run (`npm run fuzz`) gets 10 ms per frame, far beyond the slowest rate seen */
const FUZZ_TIMEOUT_MS = Math.max(300_000, FRAMES * 10)
/** streams open at once per protocol */
const PARALLEL = 24
/** streams per protocol that send their frames and never close their side (the node must end them) */
const HALF_OPEN_STREAMS = 16

const text = (max: number): string => randomBytes(randomInt(0, max + 1)).toString(randomInt(2) === 0 ? 'latin1' : 'base64')
const bytes = (max: number): Uint8Array => randomBytes(randomInt(0, max + 1))
const pick = <T>(...values: T[]): T => values[randomInt(values.length)]

function prefixed (body: Uint8Array, length = body.byteLength): Uint8Array {
  const head: number[] = []
  let n = length
  while (n >= 0x80) { head.push((n & 0x7f) | 0x80); n = Math.floor(n / 128) }
  head.push(n)
  return Buffer.concat([Uint8Array.from(head), body])
}

/** one frame as sent: a valid one, or a mutation of one */
function mutate (valid: Uint8Array): Uint8Array {
  switch (randomInt(8)) {
    case 0: case 1: case 2: return valid
    case 3: {
      const flipped = Uint8Array.from(valid)
      for (let i = randomInt(1, 4); i > 0; i--) flipped[randomInt(flipped.length)] ^= 1 << randomInt(8)
      return flipped
    }
    case 4: return valid.subarray(0, randomInt(valid.length))
    case 5: return prefixed(bytes(64))
    case 6: return prefixed(bytes(16), pick(0x7fffffff, 64 * 1024 * 1024, 1024 * 1024 * 1024))
    default: return bytes(48)
  }
}

interface FuzzedProtocol {
  protocol: string
  /** frames sent on one stream */
  framesPerStream: number
  /** the node ends or resets a stream, even one left half-open, within this (its read timeouts, the linger after its answer) */
  endsWithinMs: number
  valid: () => Uint8Array
}

const PROTOCOLS: FuzzedProtocol[] = [
  {
    protocol: MODEL_PROTOCOL,
    framesPerStream: 16,
    endsWithinMs: 40_000,
    valid: () => {
      const body = pick(new TextEncoder().encode('{"model":"gpt-x","messages":[]}'), bytes(40))
      return encodeFrame(CallerFrame.codec(), pick<CallerFrame>(
        { request: { model: pick('gpt-x', text(12)), bodyLength: pick(body.byteLength, randomInt(0, 1 << 30)), body } },
        { body: { data: bytes(64) } },
        { cancel: { reason: text(20) } }
      ))
    }
  },
  {
    protocol: HANDOFF_PROTOCOL,
    framesPerStream: 4,
    endsWithinMs: 20_000,
    valid: () => encodeFrame(RequestFrame.codec(), pick<RequestFrame>(
      { run: { handoffId: text(20), agent: pick('nobody', text(10)), task: text(40), idleTimeoutMs: randomInt(0, 100_000) } },
      { send: { agent: text(10), message: text(40) } },
      { cancel: { reason: text(20) } }
    ))
  },
  {
    protocol: TOOL_PROTOCOL,
    framesPerStream: 4,
    endsWithinMs: 20_000,
    valid: () => encodeFrame(ToolRequest.codec(), { tool: pick('exec', 'read', text(12)), args: pick('{"command":"true"}', '{}', text(30)), timeoutMs: randomInt(0, 100_000) })
  },
  {
    protocol: SYNC_PROTOCOL,
    framesPerStream: 2,
    endsWithinMs: 20_000,
    valid: () => encodeFrame(RecordBatch.codec(), { envelopes: Array.from({ length: randomInt(0, 4) }, () => bytes(80) as Uint8Array<ArrayBuffer>) })
  }
]

describe('fuzzing every stream protocol', () => {
  let upstream: UpstreamServer
  let node: TestNode
  let fuzzer: Libp2p
  const uncaught: unknown[] = []
  let reopened = 0
  const onUncaught = (err: unknown): void => { uncaught.push(err) }

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught)
    process.on('unhandledRejection', onUncaught)
    upstream = await startUpstreamServer(() => ({ chunks: ['{"choices":[]}'] }))
    node = await startNode({ nodeId: 'target', listen: true, toolProxy: { enabled: false }, models: [{ id: 'gpt-x', upstream: { baseUrl: upstream.baseUrl } }] }, {
      timing: { announceIntervalMs: 1000, recordTtlMs: 15_000, pingIntervalMs: 1000, silentAfterMs: 10_000 }
    })
    fuzzer = await startTestLibp2p({ listen: false })
    await fuzzer.dial(multiaddr(node.dialAddr))
    // a burst of streams before the node has finished upgrading the connection would be more
    // than libp2p's 10 early streams, and it would drop the whole connection
    await waitFor('the node to hold the connection', () => node.libp2p.getConnections(fuzzer.peerId).some(c => c.status === 'open'))
  })

  afterAll(async () => {
    process.off('uncaughtException', onUncaught)
    process.off('unhandledRejection', onUncaught)
    await fuzzer?.stop()
    await node?.stop()
    await upstream?.close()
    await removeTempDirs()
  })

  function openOnNode (protocol: string): number {
    return node.libp2p.getConnections(fuzzer.peerId).flatMap(c => c.streams).filter(s => s.protocol === protocol).length
  }

  /** a new stream; opening is retried when the connection it went out on was closed meanwhile (it is redialled) */
  async function open (protocol: string): Promise<Stream> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fuzzer.dialProtocol(node.libp2p.peerId, protocol, {
          runOnLimitedConnection: true, negotiateFully: false, maxOutboundStreams: 1024, signal: AbortSignal.timeout(10_000)
        })
      } catch (err) {
        reopened++
        if (attempt === 3) throw err
      }
    }
  }

  /**
   * send `frames` on a new stream, close our end unless `halfOpen`, and wait for the node to end
   * the stream; false = it did not in time
   */
  async function fuzzStream (target: FuzzedProtocol, frames: Uint8Array[], halfOpen: boolean): Promise<boolean> {
    const stream = await open(target.protocol)
    const ended = new Promise<boolean>(resolve => {
      // already reset (a stream limit) while it was being opened: that is an answer too
      if (stream.status !== 'open') {
        resolve(true)
        return
      }
      const timer = setTimeout(() => { resolve(false) }, target.endsWithinMs)
      stream.addEventListener('close', () => { clearTimeout(timer); resolve(true) }, { once: true })
    })
    // drop whatever the node answers: only whether it ends the stream matters
    stream.addEventListener('message', () => {})
    try {
      for (const frame of frames) {
        if (stream.writeStatus !== 'writable') break
        if (!stream.send(frame)) await stream.onDrain({ signal: AbortSignal.timeout(target.endsWithinMs) })
      }
      if (!halfOpen && stream.writeStatus === 'writable') await stream.close({ signal: AbortSignal.timeout(target.endsWithinMs) })
    } catch {
      // the node reset the stream while frames were still going out: that is an answer
    }
    const inTime = await ended
    if (!inTime) stream.abort(new Error('hang'))
    // a stream that died with its connection (not ended by the node) is not a hang either
    return inTime
  }

  for (const target of PROTOCOLS) {
    it(`${target.protocol}: ${FRAMES} frames`, async () => {
      let sent = 0
      let hangs = 0
      let streams = 0
      const started = Date.now()
      // streams left half-open (one in 16) are waited for at the end, the others one by one
      const halfOpen: Array<Promise<boolean>> = []
      const worker = async (): Promise<void> => {
        while (sent < FRAMES) {
          const count = Math.min(target.framesPerStream, FRAMES - sent)
          sent += count
          streams++
          const frames = Array.from({ length: count }, () => mutate(target.valid()))
          if (randomInt(16) === 0 && halfOpen.length < HALF_OPEN_STREAMS) halfOpen.push(fuzzStream(target, frames, true))
          else if (!await fuzzStream(target, frames, false)) hangs++
        }
      }
      await Promise.all(Array.from({ length: PARALLEL }, worker))
      hangs += (await Promise.all(halfOpen)).filter(inTime => !inTime).length
      const seconds = (Date.now() - started) / 1000
      await waitFor(`the node to end every ${target.protocol} stream`, () => openOnNode(target.protocol) === 0, 15_000).catch(() => {})
      const leftOpen = openOnNode(target.protocol)
      const alive = node.libp2p.status === 'started' && fuzzer.getConnections(node.libp2p.peerId).some(c => c.status === 'open')
      console.log('%s: %d frames on %d streams (%d left half-open) in %s s (%d frames/s); crashes %d, hangs %d, left open %d (streams reopened after a lost connection: %d)',
        target.protocol, sent, streams, halfOpen.length, seconds.toFixed(1), Math.round(sent / seconds), uncaught.length + (alive ? 0 : 1), hangs, leftOpen, reopened)
      expect(uncaught).toEqual([])
      expect(alive).toBe(true)
      expect(hangs).toBe(0)
      expect(leftOpen).toBe(0)
    }, FUZZ_TIMEOUT_MS)
  }
})
