import { raceSignal } from 'race-signal'
import { decodeMessage } from 'protons-runtime'
import { Uint8ArrayList } from 'uint8arraylist'
import { ClawMatrixError } from '../errors/clawmatrix-error.js'
import type { ByteBudget } from '../limits/peer-bytes.js'
import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'
import type { Codec, DecodeOptions } from 'protons-runtime'

/** A frame's length prefix announced more bytes than the protocol allows */
export class FrameTooLargeError extends ClawMatrixError<'frame_too_large'> {
  static override readonly name = 'FrameTooLargeError'
  override readonly name = 'FrameTooLargeError'

  constructor (message: string) {
    super('frame_too_large', message)
  }
}

/** The peer has more bytes waiting unread on this node than its budget allows */
export class BufferBudgetError extends ClawMatrixError<'buffer_budget'> {
  static override readonly name = 'BufferBudgetError'
  override readonly name = 'BufferBudgetError'

  constructor (message: string) {
    super('buffer_budget', message)
  }
}

/** A frame's bytes are not the protocol's message */
export class MalformedFrameError extends ClawMatrixError<'malformed_frame'> {
  static override readonly name = 'MalformedFrameError'
  override readonly name = 'MalformedFrameError'

  constructor (message: string, options?: ErrorOptions) {
    super('malformed_frame', message, options)
  }
}

/** The stream ended in the middle of a frame */
export class TruncatedFrameError extends ClawMatrixError<'truncated_frame'> {
  static override readonly name = 'TruncatedFrameError'
  override readonly name = 'TruncatedFrameError'

  constructor (message: string) {
    super('truncated_frame', message)
  }
}

export interface FrameReaderInit<T> {
  maxFrameBytes: number
  /** pause the stream (and so, through flow control, the sender) above this many unread bytes */
  highWaterBytes: number
  /** what the stream may buffer while paused: the most the sender can still have in flight */
  pausedBufferBytes: number
  limits?: DecodeOptions<T>['limits']
  /** what every byte held in this reader is charged to (the peer's budget on a serving node) */
  budget?: ByteBudget
}

const MAX_PREFIX_BYTES = 5

/**
 * Reads varint-length-prefixed protobuf frames from a stream. Unlike `pbStream`, which buffers
 * whatever arrives and resets the stream past 4 MiB, it pauses the stream while unread frames
 * pile up, so a slow consumer slows the sender down instead of losing the stream.
 */
export class FrameReader<T> {
  private readonly buffer = new Uint8ArrayList()
  private ended = false
  private failure?: Error
  /** resolves the pending read's wait when a message, end or failure arrives */
  private wake?: () => void
  private paused = false

  constructor (private readonly stream: Stream, private readonly codec: Codec<T>, private readonly init: FrameReaderInit<T>) {
    this.onMessage = this.onMessage.bind(this)
    this.onRemoteCloseWrite = this.onRemoteCloseWrite.bind(this)
    this.onClose = this.onClose.bind(this)
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('remoteCloseWrite', this.onRemoteCloseWrite)
    stream.addEventListener('close', this.onClose)
    if (stream.remoteWriteStatus === 'closed') this.ended = true
    stream.maxReadBufferLength = Math.max(stream.maxReadBufferLength, init.pausedBufferBytes)
  }

  /** The next frame, or null when the other side closed its end cleanly between frames */
  async read (signal?: AbortSignal): Promise<T | null> {
    while (true) {
      const frame = this.take()
      if (frame !== undefined) return frame
      if (this.failure != null) throw this.failure
      if (this.ended && this.stream.readBufferLength === 0) {
        if (this.buffer.byteLength > 0) throw new TruncatedFrameError(`stream ended inside a frame (${this.buffer.byteLength} bytes left over)`)
        return null
      }
      await this.nextEvent(signal)
    }
  }

  /** bytes received but not yet taken as frames */
  get buffered (): number {
    return this.buffer.byteLength + this.stream.readBufferLength
  }

  /** stop listening; unread data stays with the stream, bytes already taken from it are dropped */
  dispose (): void {
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('remoteCloseWrite', this.onRemoteCloseWrite)
    this.stream.removeEventListener('close', this.onClose)
    this.drop()
    this.resume()
  }

  /** stop listening and give the bytes read past the last frame back to the stream, for another reader */
  release (): void {
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('remoteCloseWrite', this.onRemoteCloseWrite)
    this.stream.removeEventListener('close', this.onClose)
    if (this.buffer.byteLength > 0 && (this.stream.readStatus === 'readable' || this.stream.readStatus === 'paused')) this.stream.unshift(this.buffer.sublist())
    this.drop()
    this.resume()
  }

  /** stop taking data: what is buffered is dropped, and whatever arrives later is ignored */
  private drop (): void {
    this.init.budget?.refund(this.buffer.byteLength)
    this.buffer.consume(this.buffer.byteLength)
  }

  private async nextEvent (signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    const { promise, resolve } = Promise.withResolvers<void>()
    this.wake = resolve
    await raceSignal(promise, signal)
  }

  private take (): T | undefined {
    let length = 0
    let prefix = 0
    for (let shift = 0; ; shift += 7) {
      if (prefix >= this.buffer.byteLength) return undefined
      if (prefix >= MAX_PREFIX_BYTES) throw this.fail(new FrameTooLargeError('frame length prefix is too long'))
      const byte = this.buffer.get(prefix++)
      length += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) break
    }
    if (length > this.init.maxFrameBytes) {
      throw this.fail(new FrameTooLargeError(`frame of ${length} bytes is over the limit of ${this.init.maxFrameBytes} bytes`))
    }
    if (this.buffer.byteLength < prefix + length) return undefined
    const bytes = this.buffer.sublist(prefix, prefix + length)
    this.buffer.consume(prefix + length)
    this.init.budget?.refund(prefix + length)
    if (this.buffer.byteLength < this.init.highWaterBytes / 2) this.resume()
    try {
      return decodeMessage(bytes, this.codec, { limits: this.init.limits })
    } catch (err: any) {
      throw this.fail(new MalformedFrameError(`malformed frame: ${String(err.message)}`))
    }
  }

  private fail (err: Error): Error {
    this.failure ??= err
    this.drop()
    return err
  }

  private onMessage (evt: StreamMessageEvent): void {
    if (this.failure != null) return
    if (this.init.budget != null && !this.init.budget.charge(evt.data.byteLength)) {
      this.fail(new BufferBudgetError(`more than the allowed bytes from this peer wait unread (${evt.data.byteLength} more bytes arrived)`))
      this.wake?.()
      return
    }
    this.buffer.append(evt.data)
    if (this.buffer.byteLength > this.init.highWaterBytes) this.pause()
    this.wake?.()
  }

  private onRemoteCloseWrite (): void {
    this.ended = true
    this.wake?.()
  }

  private onClose (evt: StreamCloseEvent): void {
    // frames that arrived before a reset can still be read
    if (evt.error != null) this.failure ??= evt.error
    this.ended = true
    this.wake?.()
  }

  private pause (): void {
    if (this.paused || this.stream.readStatus !== 'readable') return
    this.stream.pause()
    this.paused = true
  }

  private resume (): void {
    if (!this.paused) return
    this.paused = false
    if (this.stream.readStatus === 'paused') this.stream.resume()
  }
}
