import { pbStream } from '@libp2p/utils'
import { RedeemRequest, RedeemResponse } from '../../protocols/invite.js'
import { closeStream } from '../utils/close-stream.js'
import { MAX_INVITE_ADDRS, MAX_REDEEM_BYTES } from './invite-constants.js'
import type { Stream } from '@libp2p/interface'

/** after both frames, how long the remote gets to close its side before the stream is reset */
const CLOSE_LINGER_MS = 2000
/** most certificates in a redeem answer (the chain is at most MAX_CHAIN_DEPTH long) */
const MAX_ANSWER_CERTIFICATES = 8

function redeemStream (stream: Stream) { // eslint-disable-line @typescript-eslint/explicit-function-return-type
  return pbStream(stream, { maxDataLength: MAX_REDEEM_BYTES, maxBufferSize: MAX_REDEEM_BYTES + 16 })
}

/** The joiner's side of `REDEEM_PROTOCOL`: write the request, read the answer, close. Every path ends the stream. */
export async function requestRedeem (stream: Stream, request: RedeemRequest, signal: AbortSignal): Promise<RedeemResponse> {
  try {
    const pb = redeemStream(stream)
    await pb.write(request, RedeemRequest, { signal })
    const answer = await pb.read(RedeemResponse, { signal, limits: { certificates: MAX_ANSWER_CERTIFICATES, addrs: MAX_INVITE_ADDRS } })
    await closeStream(stream, CLOSE_LINGER_MS)
    return answer
  } catch (err: any) {
    stream.abort(err)
    throw err
  }
}

/** The issuer's side: read the request, write what `answer` makes of it, close. Every path ends the stream. */
export async function answerRedeem (stream: Stream, answer: (request: RedeemRequest | undefined) => Promise<RedeemResponse>, signal: AbortSignal): Promise<void> {
  try {
    const pb = redeemStream(stream)
    let request: RedeemRequest | undefined
    try {
      request = await pb.read(RedeemRequest, { signal })
    } catch (err: any) {
      if (signal.aborted) throw err
      // a frame that does not decode is answered, not just dropped
      request = undefined
    }
    await pb.write(await answer(request), RedeemResponse, { signal })
    await closeStream(stream, CLOSE_LINGER_MS)
  } catch (err: any) {
    stream.abort(err)
    throw err
  }
}
