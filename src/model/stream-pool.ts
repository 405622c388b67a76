import { finishStream } from './stream-end.js'
import type { FrameReader } from './frame-reader.js'
import type { ServerFrame } from '../../protocols/model.js'
import type { Stream } from '@libp2p/interface'

/** An open model stream between requests, with the reader that keeps its place in the frames */
export interface IdleStream {
  stream: Stream
  reader: FrameReader<ServerFrame>
}

export interface StreamPoolInit {
  maxIdlePerPeer: number
  maxIdle: number
  /** an idle stream is closed after this long */
  idleMs: number
  lingerMs: number
}

interface Parked extends IdleStream {
  peer: string
  timer: NodeJS.Timeout
  onGone: () => void
}

function usable ({ stream, reader }: IdleStream): boolean {
  return stream.status === 'open' && stream.writeStatus === 'writable' && stream.readStatus === 'readable' &&
    stream.remoteWriteStatus === 'writable' && reader.buffered === 0
}

/**
 * Idle streams to serving nodes, kept for the next request: a request on an open stream costs
 * one round trip, a new stream (negotiated optimistically) about a millisecond more. Bounded per
 * peer and in all; idle streams close after `idleMs`, before the serving side gives up on them.
 */
export class StreamPool {
  private readonly parked = new Map<string, Parked[]>()
  private count = 0

  constructor (private readonly init: StreamPoolInit) {}

  /** an idle stream to `peer`, most recently used first */
  take (peer: string): IdleStream | undefined {
    const list = this.parked.get(peer)
    while (list != null && list.length > 0) {
      const entry = list.pop() as Parked
      this.unpark(entry)
      if (list.length === 0) this.parked.delete(peer)
      if (usable(entry)) return { stream: entry.stream, reader: entry.reader }
      this.close(entry)
    }
    if (list?.length === 0) this.parked.delete(peer)
    return undefined
  }

  /** keep a stream whose last request ended cleanly, or close it if it cannot be kept */
  put (peer: string, idle: IdleStream): void {
    const list = this.parked.get(peer) ?? []
    if (!usable(idle) || list.length >= this.init.maxIdlePerPeer || this.count >= this.init.maxIdle) {
      this.close(idle)
      return
    }
    const entry: Parked = {
      ...idle,
      peer,
      timer: setTimeout(() => { this.drop(entry) }, this.init.idleMs),
      onGone: () => { this.drop(entry) }
    }
    entry.timer.unref()
    idle.stream.addEventListener('remoteCloseWrite', entry.onGone, { once: true })
    idle.stream.addEventListener('close', entry.onGone, { once: true })
    list.push(entry)
    this.parked.set(peer, list)
    this.count++
  }

  /** close every idle stream */
  clear (): void {
    for (const list of this.parked.values()) {
      for (const entry of list.splice(0)) {
        this.unpark(entry)
        this.close(entry)
      }
    }
    this.parked.clear()
  }

  private drop (entry: Parked): void {
    const list = this.parked.get(entry.peer)
    const index = list?.indexOf(entry) ?? -1
    if (list == null || index < 0) return
    list.splice(index, 1)
    if (list.length === 0) this.parked.delete(entry.peer)
    this.unpark(entry)
    this.close(entry)
  }

  private unpark (entry: Parked): void {
    clearTimeout(entry.timer)
    entry.stream.removeEventListener('remoteCloseWrite', entry.onGone)
    entry.stream.removeEventListener('close', entry.onGone)
    this.count--
  }

  private close (idle: IdleStream): void {
    idle.reader.dispose()
    finishStream(idle.stream, this.init.lingerMs).catch(() => {})
  }
}
