import { peerIdFromString } from '@libp2p/peer-id'
import { MAX_RECORDS } from './constants.js'
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
}

export type AcceptResult = 'new' | 'updated' | 'stale' | 'full'

/**
 * The records this node holds, one per signer, highest sequence wins. Expiry runs on local
 * receipt time, so clocks of other members do not matter.
 */
export class PeerTable {
  private readonly entries = new Map<string, PeerEntry>()

  constructor (private readonly ttlMs: number, private readonly maxRecords = MAX_RECORDS) {}

  accept (record: CapabilityRecord, envelope: Uint8Array, now = Date.now()): AcceptResult {
    const known = this.entries.get(record.peerId)
    if (known != null && record.seq <= known.record.seq) return 'stale'
    if (known == null && this.entries.size >= this.maxRecords && !this.dropOneExpired()) return 'full'
    this.entries.set(record.peerId, { record, peer: known?.peer ?? peerIdFromString(record.peerId), envelope, receivedAt: now, expired: false })
    return known == null || known.expired ? 'new' : 'updated'
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

  private dropOneExpired (): boolean {
    for (const [peerId, entry] of this.entries) {
      if (entry.expired) {
        this.entries.delete(peerId)
        return true
      }
    }
    return false
  }
}
