import { peerIdFromString } from '@libp2p/peer-id'
import { MAX_RECORDS, MAX_UNANCHORED_PER_SOURCE } from './constants.js'
import type { CapabilityRecord } from './types.js'
import type { PeerId } from '@libp2p/interface'

export interface PeerEntry {
  record: CapabilityRecord
  /** `record.peerId`, parsed once */
  peer: PeerId
  /** the signed envelope, relayed unchanged in state exchanges */
  envelope: Uint8Array
  /** local clock ms when the current record arrived */
  receivedAt: number
  expired: boolean
  /** peer ID of the connection this signer's first record came through */
  source: string
  /** local clock ms when this signer got its place in the table */
  admittedAt: number
  /** the current record came as gossip, or its gossip copy since: it has travelled on (see `forwardOnce`) */
  gossiped: boolean
}

export type AcceptResult = 'new' | 'updated' | 'stale' | 'full'

export interface PeerTableInit {
  ttlMs: number
  maxRecords?: number
  maxUnanchoredPerSource?: number
  /**
   * whether a signer is one this node can vouch for: it holds a live connection to this node, or
   * configuration names it (pinned peer, members list)
   */
  anchored?: (peerId: string) => boolean
}

/**
 * The records this node holds, one per signer, highest sequence wins. Expiry runs on local
 * receipt time, so clocks of other members do not matter.
 *
 * Places are bounded (`maxRecords`) and cannot be taken over by keys made up in bulk:
 * - an anchored signer (live connection, pinned, or listed in `members`) always gets a place,
 *   taking one from an unanchored signer;
 * - unanchored signers first learned through one connection hold at most
 *   `maxUnanchoredPerSource` places; more from that connection replace its own least useful ones;
 * - when the table is full, an unanchored newcomer takes the least useful place of the connection
 *   holding the most unanchored places (its own, when that is the largest), so a flood through one
 *   connection only ever displaces records that came through that same connection.
 * Least useful: expired first (from any connection), then the one admitted longest ago. A record
 * is never evicted for one that is not stored.
 */
export class PeerTable {
  private readonly entries = new Map<string, PeerEntry>()
  private readonly ttlMs: number
  private readonly maxRecords: number
  private readonly maxUnanchoredPerSource: number
  private readonly anchored: (peerId: string) => boolean

  constructor (init: PeerTableInit) {
    this.ttlMs = init.ttlMs
    this.maxRecords = init.maxRecords ?? MAX_RECORDS
    this.maxUnanchoredPerSource = init.maxUnanchoredPerSource ?? MAX_UNANCHORED_PER_SOURCE
    this.anchored = init.anchored ?? (() => false)
  }

  /** whether `accept` would drop a record of this signer and seq as stale (no signature needed) */
  isStale (peerId: string, seq: bigint): boolean {
    const known = this.entries.get(peerId)
    return known != null && seq <= known.record.seq
  }

  /** store a verified record that arrived through a connection to `source`, as gossip or in a state exchange */
  accept (record: CapabilityRecord, envelope: Uint8Array, source: string, { gossiped = false, now = Date.now() }: { gossiped?: boolean, now?: number } = {}): AcceptResult {
    const known = this.entries.get(record.peerId)
    if (known != null) {
      if (record.seq <= known.record.seq) return 'stale'
      this.entries.set(record.peerId, { ...known, record, envelope, receivedAt: now, expired: false, gossiped })
      return known.expired ? 'new' : 'updated'
    }
    if (!this.makeRoom(record.peerId, source)) return 'full'
    this.entries.set(record.peerId, { record, peer: peerIdFromString(record.peerId), envelope, receivedAt: now, expired: false, source, admittedAt: now, gossiped })
    return 'new'
  }

  /**
   * The gossip copy of a record this node already holds from a state exchange: true, once, when
   * `envelope` is exactly the held record (so it needs no second signature check) and it has not
   * travelled on as gossip yet. A record handed over in a state exchange is not forwarded, so a
   * hub that hears a node's record in the exchange on connect a moment before the same record as
   * gossip must still forward that gossip, or the rest of the mesh waits for the next announcement.
   */
  forwardOnce (peerId: string, envelope: Uint8Array): boolean {
    const known = this.entries.get(peerId)
    if (known == null || known.gossiped || known.expired || Buffer.compare(known.envelope, envelope) !== 0) return false
    known.gossiped = true
    return true
  }

  /** marks records older than the TTL expired and returns the peers that just expired */
  expire (now = Date.now()): string[] {
    const expired: string[] = []
    for (const [peerId, entry] of this.entries) {
      if (!entry.expired && now - entry.receivedAt >= this.ttlMs) {
        entry.expired = true
        expired.push(peerId)
      }
    }
    return expired
  }

  /** local clock ms when the next live record expires, if any */
  nextExpiry (): number | undefined {
    let next: number | undefined
    for (const entry of this.entries.values()) {
      if (!entry.expired && (next == null || entry.receivedAt + this.ttlMs < next)) next = entry.receivedAt + this.ttlMs
    }
    return next
  }

  get (peerId: string): PeerEntry | undefined {
    return this.entries.get(peerId)
  }

  all (): PeerEntry[] {
    return [...this.entries.values()]
  }

  live (): PeerEntry[] {
    return this.all().filter(e => !e.expired)
  }

  get size (): number {
    return this.entries.size
  }

  isAnchored (peerId: string): boolean {
    return this.anchored(peerId)
  }

  /** free a place for a new signer if the policy gives it one */
  private makeRoom (signer: string, source: string): boolean {
    const signerAnchored = this.anchored(signer)
    const full = this.entries.size >= this.maxRecords
    if (signerAnchored && !full) return true
    // unanchored places, grouped by the connection they came through
    const bySource = new Map<string, PeerEntry[]>()
    for (const [peerId, entry] of this.entries) {
      if (this.anchored(peerId)) continue
      const group = bySource.get(entry.source)
      if (group == null) bySource.set(entry.source, [entry])
      else group.push(entry)
    }
    const own = bySource.get(source) ?? []
    if (!signerAnchored && own.length >= this.maxUnanchoredPerSource) return this.evict(leastUseful(own))
    if (!full) return true
    const unanchored = [...bySource.values()].flat()
    const expired = unanchored.find(e => e.expired)
    if (expired != null || signerAnchored) return this.evict(expired ?? leastUseful(unanchored))
    let largest: PeerEntry[] = []
    for (const group of bySource.values()) if (group.length > largest.length) largest = group
    // a newcomer never displaces a connection holding fewer unanchored places than its own
    return this.evict(leastUseful(own.length >= largest.length ? own : largest))
  }

  private evict (entry: PeerEntry | undefined): boolean {
    if (entry == null) return false
    this.entries.delete(entry.record.peerId)
    return true
  }
}

function leastUseful (entries: PeerEntry[]): PeerEntry | undefined {
  let pick: PeerEntry | undefined
  for (const e of entries) {
    if (pick == null || (e.expired && !pick.expired) || (e.expired === pick.expired && e.admittedAt < pick.admittedAt)) pick = e
  }
  return pick
}
