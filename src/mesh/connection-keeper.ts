import pRetry from 'p-retry'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { REQUEST_DIAL_TIMEOUT_MS } from './context.js'
import type { Libp2p, Logger, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export const BACKOFF = { minMs: 1000, maxMs: 60_000, factor: 2 } as const
/** a connection closed sooner than this counts as a failed dial (e.g. the peer's gater refused us) */
export const SHORT_LIVED_MS = 3000

export interface KeptPeer {
  /** a stable key: the peer ID when known, else the address */
  key: string
  /** where to dial, read at each attempt */
  addrs(): Multiaddr[]
  peerId?: string
  /** shown in logs */
  label: string
  /** false stops keeping this peer (e.g. its record expired) */
  wanted(): boolean
}

interface Keeping {
  peer: KeptPeer
  controller: AbortController
  connectedPeer?: string
  attempts: number
  lastError?: string
}

export interface KeeperOptions {
  minBackoffMs?: number
  maxBackoffMs?: number
  dialTimeoutMs?: number
  /** told when a peer's dial fails in a new way (not on every retry) */
  onFailure?: (message: string) => void
}

/** Why a dial failed, in words a user can act on */
export function explainDialError (err: any): string {
  const message = String(err?.message ?? err)
  const name = String(err?.name ?? '')
  if (/EncryptionFailed|Unexpected ?EOF|pnet|nonce|Timeout|aborted/i.test(name + ' ' + message)) {
    return `${message} (if the peer is up, the cluster secret likely differs: a private network gives no explicit error)`
  }
  if (/UnexpectedPeer|unexpected peer|peer id/i.test(name + ' ' + message)) {
    return `${message} (the peer there answered with a different peer ID than the pinned one)`
  }
  return message
}

/**
 * Keeps a connection to each peer it is given: dials at once, and after a failure or a lost
 * connection re-dials with exponential backoff and jitter. libp2p's own reconnect is off: over
 * WebSockets it gives up after a hub restart.
 */
export class ConnectionKeeper {
  private readonly keeping = new Map<string, Keeping>()
  private readonly minBackoffMs: number
  private readonly maxBackoffMs: number
  private readonly dialTimeoutMs: number
  private stopped = false
  private readonly onFailure?: (message: string) => void

  constructor (private readonly libp2p: Libp2p, private readonly log: Logger, options: KeeperOptions = {}) {
    this.minBackoffMs = options.minBackoffMs ?? BACKOFF.minMs
    this.maxBackoffMs = options.maxBackoffMs ?? BACKOFF.maxMs
    this.dialTimeoutMs = options.dialTimeoutMs ?? REQUEST_DIAL_TIMEOUT_MS
    this.onFailure = options.onFailure
  }

  /** start keeping `peer`; `restart` drops a pending backoff (e.g. new addresses arrived) */
  keep (peer: KeptPeer, options: { restart?: boolean } = {}): void {
    if (this.stopped) return
    const current = this.keeping.get(peer.key)
    if (current != null) {
      if (options.restart !== true || current.connectedPeer != null) return
      current.controller.abort()
      this.keeping.delete(peer.key)
    }
    const state: Keeping = { peer, controller: new AbortController(), attempts: 0 }
    this.keeping.set(peer.key, state)
    this.run(state).catch(() => {}).finally(() => {
      if (this.keeping.get(peer.key) === state) this.keeping.delete(peer.key)
    })
  }

  isKept (key: string): boolean {
    return this.keeping.has(key)
  }

  /** the last dial error per kept peer that is not connected, for status */
  failures (): Map<string, string> {
    const out = new Map<string, string>()
    for (const state of this.keeping.values()) {
      if (state.lastError != null) out.set(state.peer.peerId ?? state.peer.label, state.lastError)
    }
    return out
  }

  stop (): void {
    this.stopped = true
    for (const state of this.keeping.values()) state.controller.abort()
    this.keeping.clear()
  }

  private async run (state: Keeping): Promise<void> {
    const { signal } = state.controller
    while (!signal.aborted && state.peer.wanted()) {
      await pRetry(async () => { await this.holdConnection(state) }, {
        retries: Number.POSITIVE_INFINITY,
        factor: BACKOFF.factor,
        minTimeout: this.minBackoffMs,
        maxTimeout: this.maxBackoffMs,
        randomize: true,
        signal,
        unref: true,
        shouldRetry: () => state.peer.wanted()
      })
    }
  }

  /**
   * Dial, then wait until the connection is gone. A connection the peer closes at once fails like
   * a dial (e.g. its gater refused us), so it is retried with the same backoff.
   */
  private async holdConnection (state: Keeping): Promise<void> {
    const { signal } = state.controller
    const remote = await this.dialOnce(state)
    state.lastError = undefined
    state.connectedPeer = remote.toString()
    const openedAt = Date.now()
    await this.disconnected(remote, signal)
    state.connectedPeer = undefined
    if (!signal.aborted && Date.now() - openedAt < SHORT_LIVED_MS) {
      this.fail(state, 'the peer closed the connection right after it opened (is this node missing from its members list?)')
    }
  }

  private async dialOnce (state: Keeping): Promise<PeerId> {
    state.attempts++
    const { peer } = state
    const signal = AbortSignal.any([state.controller.signal, AbortSignal.timeout(this.dialTimeoutMs)])
    try {
      if (peer.peerId != null && this.libp2p.getConnections(peerIdFromString(peer.peerId)).length > 0) {
        return peerIdFromString(peer.peerId)
      }
      const addrs = peer.addrs()
      if (addrs.length === 0) throw new Error('no address known')
      const targets = addrs.map(a => peer.peerId != null && a.getComponents().at(-1)?.name !== 'p2p' ? a.encapsulate(`/p2p/${peer.peerId}`) : a)
      const conn = await this.libp2p.dial(targets, { signal })
      if (state.attempts > 1) this.log('connected to %s after %d attempts', peer.label, state.attempts)
      state.attempts = 0
      return conn.remotePeer
    } catch (err: any) {
      if (state.controller.signal.aborted) throw err
      this.fail(state, explainDialError(err))
    }
  }

  /** record why keeping `state` failed (telling onFailure when the reason is new) and throw it */
  private fail (state: Keeping, reason: string): never {
    if (reason !== state.lastError) this.onFailure?.(`could not connect to ${state.peer.label}: ${reason}; retrying with backoff`)
    state.lastError = reason
    this.log('could not connect to %s: %s', state.peer.label, reason)
    throw new Error(reason)
  }

  private async disconnected (peer: PeerId, signal: AbortSignal): Promise<void> {
    if (this.libp2p.getConnections(peer).length === 0) return
    await new Promise<void>(resolve => {
      const onDisconnect = (evt: CustomEvent<PeerId>): void => {
        if (!evt.detail.equals(peer)) return
        done()
      }
      const done = (): void => {
        this.libp2p.removeEventListener('peer:disconnect', onDisconnect)
        signal.removeEventListener('abort', done)
        resolve()
      }
      this.libp2p.addEventListener('peer:disconnect', onDisconnect)
      signal.addEventListener('abort', done, { once: true })
    })
  }
}

export function toMultiaddrs (addrs: string[]): Multiaddr[] {
  const out: Multiaddr[] = []
  for (const a of addrs) {
    try {
      out.push(multiaddr(a))
    } catch {}
  }
  return out
}
