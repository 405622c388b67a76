import { writer } from 'protons-runtime'
import type { Stream } from '@libp2p/interface'
import type { Codec } from 'protons-runtime'

/** bytes of queued frames that are sent at once instead of waiting for the end of the turn */
const FLUSH_BYTES = 64 * 1024

/** One frame as it goes on the wire: varint length, then the protobuf message */
export function encodeFrame<T> (codec: Codec<T>, frame: T): Uint8Array {
  const w = writer()
  codec.encode(frame, w)
  return w.finish()
}

/** Send one frame; waits while the stream needs to drain (the reader paused it) */
export async function writeFrame<T> (stream: Stream, codec: Codec<T>, frame: T, signal?: AbortSignal): Promise<void> {
  if (!stream.send(encodeFrame(codec, frame))) await stream.onDrain({ signal })
}

/**
 * Sends frames, merging those written in the same turn of the event loop into one stream write:
 * a small answer's head, data and end frames, produced a few microtasks apart, then cost one
 * muxer frame, one encryption and one wake-up on the other side instead of three.
 */
export class FrameWriter<T> {
  private queued: Uint8Array[] = []
  private queuedBytes = 0
  private scheduled?: NodeJS.Immediate
  private holding?: NodeJS.Timeout
  private needsDrain = false

  constructor (private readonly stream: Stream, private readonly codec: Codec<T>) {}

  /** queue a frame; waits while the stream needs to drain */
  async write (frame: T, signal?: AbortSignal): Promise<void> {
    if (this.needsDrain) {
      await this.stream.onDrain({ signal })
      this.needsDrain = false
    }
    this.queue(frame)
    if (this.queuedBytes >= FLUSH_BYTES) this.flush()
    else this.scheduled ??= setImmediate(() => { this.flushQuietly() })
  }

  /** queue a frame to leave with the next one written, or alone after `maxMs` */
  hold (frame: T, maxMs: number): void {
    this.queue(frame)
    if (this.scheduled == null && this.holding == null) {
      this.holding = setTimeout(() => { this.flushQuietly() }, maxMs)
      this.holding.unref()
    }
  }

  private queue (frame: T): void {
    const bytes = encodeFrame(this.codec, frame)
    this.queued.push(bytes)
    this.queuedBytes += bytes.byteLength
  }

  /** send whatever is queued now */
  flush (): void {
    if (this.scheduled != null) clearImmediate(this.scheduled)
    this.scheduled = undefined
    if (this.holding != null) clearTimeout(this.holding)
    this.holding = undefined
    if (this.queued.length === 0) return
    const bytes = this.queued.length === 1 ? this.queued[0] : Buffer.concat(this.queued)
    this.queued = []
    this.queuedBytes = 0
    if (!this.stream.send(bytes)) this.needsDrain = true
  }

  /** `flush`, for paths that must not throw: a gone stream is aborted and reports itself */
  flushQuietly (): void {
    try {
      this.flush()
    } catch (err: any) {
      // the stream is gone; the next write or the stream's own close reports it
      this.stream.abort(err)
    }
  }
}
