import { setTimeout as delay } from 'node:timers/promises'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { REQUEST_DIAL_TIMEOUT_MS } from './context.js'
import { describeDialFailure, explainDialError } from './dial-diagnosis.js'
import type { Libp2p, Logger, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export const BACKOFF = { minMs: 1000, maxMs: 60_000, factor: 2 } as const
/** a connection closed sooner than this counts as a failed dial (e.g. the peer's gater refused us) */
export const SHORT_LIVED_MS = 3000
/** most dial attempts to one budgeted (announced) peer per window, whatever its records say */
export const DIAL_BUDGET = { attempts: 6, windowMs: 60_000 } as const
/** dial histories kept for peers no longer kept (so a peer that comes back does not start afresh) */
export const MAX_DIAL_HISTORIES = 4096

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
  /**
   * limit attempts to DIAL_BUDGET per window (peers named by records, not by configuration): the
   * budget and the backoff outlive `keep` restarts, so a stream of records cannot speed dials up
   */
  budgeted?: boolean
}

interface Keeping {
  peer: KeptPeer
  controller: AbortController
  connectedPeer?: string
  lastError?: string
  /** aborted by `retryNow`: cuts the current backoff or dial short */
  retry: AbortController
}

/** Per key, across restarts and removals: where the backoff stands and when recent attempts ran */
interface DialHistory {
  failures: number
  /** no attempt before this (local ms), unless a restart brings new addresses */
  nextAt: number
  /** start times of recent attempts, oldest first */
  attempts: number[]
}

export interface KeeperOptions {
  minBackoffMs?: number
  maxBackoffMs?: number
  dialTimeoutMs?: number
  /** told when a peer's dial fails in a new way (not on every retry) */
  onFailure?: (message: string) => void
  /** the PSK file bytes (read at each failure): lets a failed dial's reason name a different cluster secret for certain */
  psk?: Uint8Array | (() => Uint8Array)
  /** told of every failed dial with the addresses tried, before its reason is worked out (a pending secret rotation probes them) */
  onDialFailed?: (addrs: Multiaddr[]) => Promise<unknown>
  /** attempts per window for budgeted peers (default DIAL_BUDGET) */
  budgetAttempts?: number
  budgetWindowMs?: number
}

/**
 * Keeps a connection to each peer it is given: dials at once, and after a failure or a lost
 * connection re-dials with exponential backoff and jitter. libp2p's own reconnect is off: over
 * WebSockets it gives up after a hub restart.
 */
export class ConnectionKeeper {
  private readonly keeping = new Map<string, Keeping>()
  private readonly histories = new Map<string, DialHistory>()
  private readonly minBackoffMs: number
  private readonly maxBackoffMs: number
  private readonly dialTimeoutMs: number
  private readonly budgetAttempts: number
  private readonly budgetWindowMs: number
  private stopped = false
  private readonly onFailure?: (message: string) => void
  private readonly psk?: Uint8Array | (() => Uint8Array)
  private readonly onDialFailed?: (addrs: Multiaddr[]) => Promise<unknown>

  constructor (private readonly libp2p: Libp2p, private readonly log: Logger, options: KeeperOptions = {}) {
    this.minBackoffMs = options.minBackoffMs ?? BACKOFF.minMs
    this.maxBackoffMs = options.maxBackoffMs ?? BACKOFF.maxMs
    this.dialTimeoutMs = options.dialTimeoutMs ?? REQUEST_DIAL_TIMEOUT_MS
    this.budgetAttempts = options.budgetAttempts ?? DIAL_BUDGET.attempts
    this.budgetWindowMs = options.budgetWindowMs ?? DIAL_BUDGET.windowMs
    this.onFailure = options.onFailure
    this.psk = options.psk
    this.onDialFailed = options.onDialFailed
  }

  /**
   * start keeping `peer`; `restart` (e.g. new addresses arrived) cuts a pending backoff short,
   * but never below the minimum backoff since the last attempt, nor past a budgeted peer's budget
   */
  keep (peer: KeptPeer, options: { restart?: boolean } = {}): void {
    if (this.stopped) return
    const current = this.keeping.get(peer.key)
    if (current != null) {
      if (options.restart !== true || current.connectedPeer != null) return
      current.controller.abort()
      this.keeping.delete(peer.key)
      const history = this.histories.get(peer.key)
      const last = history?.attempts.at(-1)
      if (history != null && last != null) history.nextAt = Math.min(history.nextAt, last + this.minBackoffMs)
    }
    const state: Keeping = { peer, controller: new AbortController(), retry: new AbortController() }
    this.keeping.set(peer.key, state)
    this.run(state).catch(() => {}).finally(() => {
      if (this.keeping.get(peer.key) === state) this.keeping.delete(peer.key)
    })
  }

  isKept (key: string): boolean {
    return this.keeping.has(key)
  }

  /** the last dial error per kept peer that is not connected, by `KeptPeer.key`, for status */
  failures (): Map<string, string> {
    const out = new Map<string, string>()
    for (const state of this.keeping.values()) {
      if (state.lastError != null) out.set(state.peer.key, state.lastError)
    }
    return out
  }

  /**
   * Something changed that makes every peer not connected worth dialing again now (the cluster key
   * switched: a dial in flight on the old key would only run into its deadline). Backoffs end, dials
   * in flight are cut short and start again; the dial budget still counts each attempt.
   */
  retryNow (): void {
    for (const state of this.keeping.values()) {
      if (state.connectedPeer != null) continue
      const history = this.histories.get(state.peer.key)
      if (history != null) history.nextAt = 0
      state.retry.abort()
    }
  }

  stop (): void {
    this.stopped = true
    for (const state of this.keeping.values()) state.controller.abort()
    this.keeping.clear()
  }

  private async run (state: Keeping): Promise<void> {
    const { signal } = state.controller
    const history = this.historyOf(state.peer.key)
    while (!signal.aborted && state.peer.wanted()) {
      if (state.retry.signal.aborted) state.retry = new AbortController()
      const wait = this.nextAttemptAt(history, state.peer) - Date.now()
      if (wait > 0) await delay(wait, undefined, { signal: AbortSignal.any([signal, state.retry.signal]), ref: false }).catch(err => { if (signal.aborted) throw err })
      if (signal.aborted || !state.peer.wanted()) return
      if (state.retry.signal.aborted) continue
      history.attempts.push(Date.now())
      if (history.attempts.length > this.budgetAttempts) history.attempts.shift()
      try {
        await this.holdConnection(state)
        history.failures = 0
        history.nextAt = 0
      } catch {
        if (signal.aborted) return
        if (state.retry.signal.aborted) continue
        history.failures++
        history.nextAt = Date.now() + this.backoffMs(history.failures)
      }
    }
  }

  /** exponential backoff with jitter (the shape p-retry uses: x1..x2 random, capped) */
  private backoffMs (failures: number): number {
    const base = this.minBackoffMs * BACKOFF.factor ** Math.min(failures - 1, 32)
    return Math.min(Math.round((1 + Math.random()) * base), this.maxBackoffMs)
  }

  private nextAttemptAt (history: DialHistory, peer: KeptPeer): number {
    let at = history.nextAt
    if (peer.budgeted === true && history.attempts.length >= this.budgetAttempts) {
      at = Math.max(at, history.attempts[history.attempts.length - this.budgetAttempts] + this.budgetWindowMs)
    }
    return at
  }

  private historyOf (key: string): DialHistory {
    let history = this.histories.get(key)
    if (history != null) {
      this.histories.delete(key)
    } else {
      history = { failures: 0, nextAt: 0, attempts: [] }
    }
    this.histories.set(key, history)
    for (const old of this.histories.keys()) {
      if (this.histories.size <= MAX_DIAL_HISTORIES) break
      if (!this.keeping.has(old)) this.histories.delete(old)
    }
    return history
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
      this.fail(state, `the peer closed the connection right after the handshake: this node is likely not in its members list (add this node's peer ID to the members of that peer), or, in a mesh with membership certificates, holds no valid certificate (on an admin: clawmatrix certify <this node's peer ID> --name <its node id>) or was revoked (clawmatrix members on an admin lists revocations)`)
    }
  }

  private async dialOnce (state: Keeping): Promise<PeerId> {
    const { peer } = state
    const signal = AbortSignal.any([state.controller.signal, state.retry.signal, AbortSignal.timeout(this.dialTimeoutMs)])
    let addrs: Multiaddr[] = []
    try {
      if (peer.peerId != null && this.libp2p.getConnections(peerIdFromString(peer.peerId)).length > 0) {
        return peerIdFromString(peer.peerId)
      }
      addrs = peer.addrs()
      if (addrs.length === 0) throw new Error('no address known')
      const targets = addrs.map(a => peer.peerId != null && a.getComponents().at(-1)?.name !== 'p2p' ? a.encapsulate(`/p2p/${peer.peerId}`) : a)
      const conn = await this.libp2p.dial(targets, { signal })
      this.log('connected to %s', peer.label)
      return conn.remotePeer
    } catch (err: any) {
      if (state.controller.signal.aborted || state.retry.signal.aborted) throw err
      await this.onDialFailed?.(addrs).catch(() => {})
      // a peer named only by records is not probed: each probe step is one more connection to an
      // address someone else chose, outside the dial budget
      const reason = peer.budgeted === true ? explainDialError(err, addrs) : await describeDialFailure(err, addrs, typeof this.psk === 'function' ? this.psk() : this.psk)
      if (state.controller.signal.aborted) throw err
      this.fail(state, reason)
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
