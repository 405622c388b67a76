import { pbStream } from '@libp2p/utils'
import { RequestFrame, ResponseFrame } from '../../protocols/handoff.js'
import { REQUEST_DIAL_TIMEOUT_MS } from '../mesh/context.js'
import { FINISH_TIMEOUT_MS, MAX_RESPONSE_FRAME_BYTES, SEND_TIMEOUT_MS } from './constants.js'
import { HandoffDialError, HandoffError, HandoffProtocolError, HandoffTransportError } from './errors.js'
import { closeStream } from './stream-end.js'
import type { SendAck, SendRequest } from '../../protocols/handoff.js'
import type { AgentRunner } from '../host/ports.js'
import type { HandoffErrorCode } from './errors.js'
import type { AgentMessage, SendReceipt } from './types.js'
import type { AbortOptions, Logger, PeerId, Stream } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { ProtobufStream } from '@libp2p/utils'

export interface CallSendInit extends AbortOptions {
  connectionManager: ConnectionManager
  protocol: string
  peer: PeerId
  message: AgentMessage
}

/** Deliver a message to an agent on `peer`; resolves with the serving node's acknowledgement */
export async function callSend (init: CallSendInit): Promise<SendReceipt> {
  const { peer } = init
  const deadline = AbortSignal.timeout(SEND_TIMEOUT_MS)
  const signal = init.signal == null ? deadline : AbortSignal.any([deadline, init.signal])
  let stream: Stream
  try {
    stream = await init.connectionManager.openStream(peer, init.protocol, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_DIAL_TIMEOUT_MS)]),
      runOnLimitedConnection: true,
      negotiateFully: false
    })
  } catch (err: any) {
    if (init.signal?.aborted === true) throw init.signal.reason
    throw new HandoffDialError(`could not open a handoff stream to ${peer.toString()}: ${String(err?.message ?? err)}`)
  }
  try {
    const frames = pbStream(stream, { maxDataLength: MAX_RESPONSE_FRAME_BYTES, maxBufferSize: 2 * MAX_RESPONSE_FRAME_BYTES })
    await frames.write({ send: init.message }, RequestFrame, { signal })
    const frame = await frames.read(ResponseFrame, { signal })
    await closeStream(stream, FINISH_TIMEOUT_MS)
    if (frame.ack != null) return receipt(frame.ack)
    // refused before the serving node could tell a send from a run (a frame over its limit)
    if (frame.result != null) return receipt({ ...frame.result, accepted: false, deliveryId: '' })
    throw new HandoffProtocolError(`${peer.toString()} answered a send with neither an ack nor a result`)
  } catch (err: any) {
    stream.abort(err)
    if (init.signal?.aborted === true) throw init.signal.reason
    if (err instanceof HandoffError) throw err
    if (deadline.aborted) throw new HandoffTransportError(`${peer.toString()} did not acknowledge the message within ${SEND_TIMEOUT_MS} ms`)
    throw new HandoffTransportError(`the handoff stream to ${peer.toString()} failed: ${String(err?.message ?? err)}`)
  }
}

export interface ServeSendInit {
  request: SendRequest
  stream: Stream
  frames: ProtobufStream<Stream>
  runner: AgentRunner
  nodeId: string
  log: Logger
}

/** Hand an admitted message to the runner and answer with its acknowledgement */
export async function serveSend (init: ServeSendInit): Promise<void> {
  const { request, nodeId } = init
  const base = { nodeId, agent: request.agent }
  let ack: SendAck
  try {
    const delivered = await withTimeout(init.runner.send({ agent: request.agent, message: request.message, sessionId: request.sessionId }), SEND_TIMEOUT_MS)
    ack = delivered.accepted
      ? { ...base, accepted: true, deliveryId: delivered.deliveryId ?? '', error: '', code: '' }
      : { ...base, accepted: false, deliveryId: '', error: delivered.error ?? 'the agent did not accept the message', code: 'agent_failed' }
  } catch (err: any) {
    const failure = err instanceof HandoffError ? err : new HandoffError('internal', `the runner failed: ${String(err?.message ?? err)}`)
    init.log.error('send to agent %s failed - %e', request.agent, err)
    ack = { ...base, accepted: false, deliveryId: '', error: failure.message, code: failure.code }
  }
  await writeAck(init.stream, init.frames, ack)
}

export async function writeAck (stream: Stream, frames: ProtobufStream<Stream>, ack: SendAck): Promise<void> {
  try {
    await frames.write({ ack }, ResponseFrame, { signal: AbortSignal.timeout(FINISH_TIMEOUT_MS) })
  } catch (err: any) {
    stream.abort(err)
    return
  }
  await closeStream(stream, FINISH_TIMEOUT_MS)
}

function receipt (ack: SendAck): SendReceipt {
  return {
    accepted: ack.accepted,
    nodeId: ack.nodeId,
    agent: ack.agent,
    ...(ack.deliveryId !== '' ? { deliveryId: ack.deliveryId } : {}),
    ...(ack.error !== '' ? { error: ack.error } : {}),
    ...(ack.code !== '' ? { code: ack.code as HandoffErrorCode } : {})
  }
}

async function withTimeout<T> (pending: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new HandoffError('timeout', `the runner did not start the delivery within ${ms} ms`)) }, ms)
  })
  try {
    return await Promise.race([pending, expired])
  } finally {
    clearTimeout(timer)
  }
}
