import { pbStream } from '@libp2p/utils'
import { CertificateBatch } from '../../protocols/membership.js'
import { closeStream } from '../utils/close-stream.js'
import { MAX_BATCH_BYTES, MAX_BATCH_CERTIFICATES, MAX_BATCH_REVOCATIONS, MAX_BATCH_WANTED } from './constants.js'
import type { Stream } from '@libp2p/interface'

/** after both batches, how long the remote gets to close its side before the stream is reset */
const CLOSE_LINGER_MS = 2000

const READ_LIMITS = { certificates: MAX_BATCH_CERTIFICATES, wanted: MAX_BATCH_WANTED, revocations: MAX_BATCH_REVOCATIONS }

function batchStream (stream: Stream) { // eslint-disable-line @typescript-eslint/explicit-function-return-type
  return pbStream(stream, { maxDataLength: MAX_BATCH_BYTES, maxBufferSize: MAX_BATCH_BYTES + 16 }).pb(CertificateBatch)
}

/**
 * The opening side of the exchange (`MEMBERSHIP_PROTOCOL`): write our batch (with the subjects we
 * ask for), read the answer, close. Every path ends the stream; resolves with the answer.
 */
export async function requestCertificates (stream: Stream, ours: CertificateBatch, signal: AbortSignal): Promise<CertificateBatch> {
  try {
    const pb = batchStream(stream)
    await pb.write(ours, { signal })
    const theirs = await pb.read({ signal, limits: READ_LIMITS })
    await closeStream(stream, CLOSE_LINGER_MS)
    return theirs
  } catch (err: any) {
    stream.abort(err)
    throw err
  }
}

/**
 * The answering side: read the opener's batch, write what `answer` makes of it, `revocations` and
 * a pending `rotation`, close. Every path ends the stream; resolves with the opener's batch.
 */
export async function answerCertificates (stream: Stream, answer: (theirs: CertificateBatch) => Uint8Array[], signal: AbortSignal, revocations: Uint8Array[] = [], rotation?: Uint8Array): Promise<CertificateBatch> {
  try {
    const pb = batchStream(stream)
    const theirs = await pb.read({ signal, limits: READ_LIMITS })
    await pb.write({
      certificates: answer(theirs) as Array<Uint8Array<ArrayBuffer>>,
      wanted: [],
      revocations: revocations as Array<Uint8Array<ArrayBuffer>>,
      ...(rotation != null ? { rotation: rotation as Uint8Array<ArrayBuffer> } : {})
    }, { signal })
    await closeStream(stream, CLOSE_LINGER_MS)
    return theirs
  } catch (err: any) {
    stream.abort(err)
    throw err
  }
}
