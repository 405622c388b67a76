import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pbStream, streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { RequestFrame, ResponseFrame } from '../../protocols/handoff.js'
import { handoffService, HandoffError, HandoffProtocolError, HandoffTimeoutError } from '../../src/handoff/index.js'
import { runEndConfirmed } from '../../src/handoff/handoff-client.js'
import { collect } from './fixtures.js'
import type { HandoffService, HandoffServiceInit, RemoteRunEvent } from '../../src/handoff/index.js'
import type { AgentRunEvent, AgentRunner, AgentRunRequest } from '../../src/host/ports.js'
import type { PeerId, Stream, StreamHandler } from '@libp2p/interface'

/*
 * The protocol on its own: the serving and the calling side of /clawmatrix/handoff/1.0.0 over an
 * in-memory stream pair, no libp2p node. Each side is the real service; where a test needs a
 * side that misbehaves, that side speaks the frames by hand.
 */

const logger = defaultLogger()
const callerPeer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
const officePeer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))

/** An agent runner playing `script` for every run, and telling what it was asked */
function scriptedRunner (script: (request: AgentRunRequest) => AsyncIterable<AgentRunEvent>): AgentRunner & { runs: AgentRunRequest[] } {
  const runs: AgentRunRequest[] = []
  return {
    runs,
    canRun: () => true,
    run: (request) => {
      runs.push(request)
      return script(request)
    },
    send: async () => ({ accepted: true, deliveryId: 'd-1' })
  }
}

/** Resolves once `signal` aborts */
async function aborted (signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise(resolve => { signal.addEventListener('abort', resolve, { once: true }) })
}

/** A started serving node, and a way to open a raw stream to it */
async function servingNode (init: Omit<HandoffServiceInit, 'nodeId'>): Promise<{ service: HandoffService, open: () => Promise<Stream> }> {
  let handler: StreamHandler | undefined
  const registrar = { handle: async (_protocol: string, h: StreamHandler) => { handler = h }, unhandle: async () => {} }
  const service = handoffService({ nodeId: 'office', ...init })({ registrar, connectionManager: {}, logger } as any)
  await service.start()
  const open = async (): Promise<Stream> => {
    const [outbound, inbound] = await streamPair()
    void handler?.(inbound, { remotePeer: callerPeer } as any)
    return outbound
  }
  return { service, open }
}

/** A calling node whose every handoff stream is opened by `open` */
function callingNode (open: () => Promise<Stream>): HandoffService {
  const connectionManager = { openStream: async () => await open() }
  return handoffService({ nodeId: 'caller' })({ registrar: {}, connectionManager, logger } as any)
}

/** A serving node that speaks by hand: `serve` gets the caller's stream as frames */
function rawServer (serve: (frames: ReturnType<typeof pbStream<Stream>>, stream: Stream) => Promise<void>): () => Promise<Stream> {
  return async () => {
    const [outbound, inbound] = await streamPair()
    void serve(pbStream(inbound), inbound).catch(err => { inbound.abort(err) })
    return outbound
  }
}

describe('handoff protocol over a stream pair', () => {
  it('runs a task: the deltas as they come (a long one in pieces), then the result', async () => {
    const long = 'x'.repeat(100 * 1024)
    const runner = scriptedRunner(async function * () {
      yield { type: 'delta', text: 'step 1\n' }
      yield { type: 'delta', text: long }
      yield { type: 'result', result: { success: true, result: 'done' } }
    })
    const office = await servingNode({ runner })
    const events = await collect(callingNode(office.open).run(officePeer, { handoffId: 'h-1', agent: 'coder', task: 'fix it', context: 'in main.ts', sessionId: 's-1' }))
    const deltas = events.flatMap(e => e.type === 'delta' ? [e.text] : [])
    expect(deltas.length).toBeGreaterThan(2)
    expect(deltas.join('')).toBe('step 1\n' + long)
    expect(events.at(-1)).toEqual({ type: 'result', result: { success: true, nodeId: 'office', agent: 'coder', result: 'done', truncated: false } })
    expect(runner.runs[0]).toMatchObject({ agent: 'coder', task: 'fix it', context: 'in main.ts', sessionId: 's-1' })
    expect(office.service.running()).toEqual([])
  })

  it('answers an agent\'s failure as a result with agent_failed', async () => {
    const runner = scriptedRunner(async function * () {
      yield { type: 'delta', text: 'trying\n' }
      yield { type: 'result', result: { success: false, error: 'exited with code 2' } }
    })
    const office = await servingNode({ runner })
    const events = await collect(callingNode(office.open).run(officePeer, { agent: 'coder', task: 'go' }))
    expect(events.at(-1)).toEqual({ type: 'result', result: { success: false, nodeId: 'office', agent: 'coder', result: '', error: 'exited with code 2', code: 'agent_failed', truncated: false } })
  })

  it('cancels: the caller aborts, the runner is stopped, and the stream closes only once it has ended', async () => {
    let runnerEnded = false
    const runner = scriptedRunner(async function * (request) {
      yield { type: 'delta', text: 'working\n' }
      await aborted(request.signal)
      runnerEnded = true
    })
    const office = await servingNode({ runner })
    const stop = new AbortController()
    const run = callingNode(office.open).run(officePeer, { agent: 'coder', task: 'wait' }, { signal: stop.signal })
    const first = await run.next()
    expect(first.value).toEqual({ type: 'delta', text: 'working\n' })
    const reason = new Error('user pressed Ctrl-C')
    stop.abort(reason)
    const err = await run.next().catch(err => err)
    expect(err).toBe(reason)
    expect(runnerEnded).toBe(true)
    expect(runner.runs[0].signal.reason).toMatchObject({ code: 'cancelled', message: 'cancelled by the caller: user pressed Ctrl-C' })
    expect(runEndConfirmed(err)).toBe(true)
    expect(office.service.running()).toEqual([])
  })

  it('refuses a first frame that is neither a run nor a send, and closes', async () => {
    const office = await servingNode({ runner: scriptedRunner(async function * () {}) })
    const stream = await office.open()
    const frames = pbStream(stream)
    await frames.write({ cancel: { reason: 'what run?' } }, RequestFrame)
    const answer = await frames.read(ResponseFrame, { signal: AbortSignal.timeout(5000) })
    expect(answer.result).toMatchObject({ success: false, code: 'bad_request', error: 'the first frame must be a run or a send request' })
    await stream.close()
    await expect(frames.read(ResponseFrame, { signal: AbortSignal.timeout(5000) })).rejects.toThrow()
  })

  it('fails a run whose serving node answers a frame that is neither a delta nor a result', async () => {
    const caller = callingNode(rawServer(async (frames, stream) => {
      await frames.read(RequestFrame)
      await frames.write({ ack: { accepted: true, nodeId: 'office', agent: 'coder', deliveryId: '', error: '', code: '' } }, ResponseFrame)
      await stream.close()
    }))
    const err = await collect(caller.run(officePeer, { agent: 'coder', task: 'go' })).catch(err => err)
    expect(err).toBeInstanceOf(HandoffProtocolError)
    expect(err.code).toBe('protocol_error')
    expect(err.message).toMatch(/sent a frame that is neither a delta nor a result$/)
  })

  it('times out on a silent serving node: the caller cancels the run and waits for the stream to close', async () => {
    let cancel: RequestFrame | undefined
    const caller = callingNode(rawServer(async (frames, stream) => {
      await frames.read(RequestFrame)
      cancel = await frames.read(RequestFrame)
      await stream.close()
    }))
    const err = await collect(caller.run(officePeer, { agent: 'coder', task: 'go' }, { idleTimeoutMs: 100 })).catch(err => err)
    expect(err).toBeInstanceOf(HandoffTimeoutError)
    expect(err.message).toMatch(/^agent "coder" on .* sent nothing for 100 ms$/)
    expect(cancel?.cancel?.reason).toBe(err.message)
    expect(runEndConfirmed(err)).toBe(true)
  })

  it('times out on a silent agent: the serving node stops the runner and answers timeout', async () => {
    const runner = scriptedRunner(async function * (request) {
      await aborted(request.signal)
    })
    const office = await servingNode({ runner, handoffTimeout: 100 })
    const events: RemoteRunEvent[] = await collect(callingNode(office.open).run(officePeer, { agent: 'mute', task: 'say something' }, { idleTimeoutMs: 10_000 }))
    expect(events).toEqual([{ type: 'result', result: { success: false, nodeId: 'office', agent: 'mute', result: '', error: 'agent "mute" on node "office" sent nothing for 100 ms', code: 'timeout', truncated: false } }])
    expect(runner.runs[0].signal.reason).toBeInstanceOf(HandoffError)
    expect(runner.runs[0].signal.reason.code).toBe('timeout')
  })

  it('delivers a message and answers the acknowledgement', async () => {
    const office = await servingNode({ runner: scriptedRunner(async function * () {}) })
    const receipt = await callingNode(office.open).send(officePeer, { agent: 'coder', message: 'hello' })
    expect(receipt).toEqual({ accepted: true, nodeId: 'office', agent: 'coder', deliveryId: 'd-1' })
  })
})
