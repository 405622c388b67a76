/**
 * The capabilities plane: each node's signed record of what it offers (agents, models, tags, tool
 * proxy, addresses, load), announced over gossipsub and exchanged in full on every new connection
 * (`SYNC_PROTOCOL`), held in a bounded table that routing reads.
 */
import { DefaultCapabilitiesService } from './capabilities-service.js'
import type { RejectionCounters } from './capabilities-service.js'
import type { PeerEntry, PeerTable } from './peer-table.js'
import type { CapabilityRecord } from './types.js'
import type { ComponentLogger, Libp2pEvents, PeerId, PrivateKey, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { GossipSub } from '@libp2p/gossipsub'

export type { CapabilityRecord, AgentCapability, ModelCapability } from './types.js'
export type { PeerEntry } from './peer-table.js'
export type { RejectionCounters, RejectionReason } from './capabilities-service.js'
export { CAPABILITIES_TOPIC, SYNC_DIGEST_PROTOCOL, SYNC_PROTOCOL, RECORD_DOMAIN, RECORD_TTL_MS, ANNOUNCE_INTERVAL_MS, SEQ_FILE } from './constants.js'
export { InvalidRecordError, SyncStreamError } from './errors.js'
export type { CapabilitiesErrorCode } from './errors.js'
export { openRecord, sealRecord } from './record.js'

/** What this node announces, read afresh for every announcement */
export type LocalCapabilities = Omit<CapabilityRecord, 'peerId' | 'seq' | 'issuedAt' | 'addrs'>

export interface CapabilitiesInit {
  local(): LocalCapabilities
  /** when set, records signed by anyone else are rejected */
  members?: string[]
  /** peer IDs configuration names (pinned peers): their records always get a place */
  trusted?: string[]
  /** file keeping the highest seq this node signed, so a restart continues above it */
  seqFile?: string
  announceIntervalMs?: number
  recordTtlMs?: number
  maxRecords?: number
  /**
   * membership mode: whether a verified record of another signer, which came through a connection
   * to `source`, may be taken; anything but `ok` rejects it under that reason
   */
  admitRecord?: (record: CapabilityRecord, source: string) => Promise<'ok' | 'uncertified' | 'uncertifiedNodeId' | 'revoked'>
  /** close connections to peers whose record expired (default true) */
  closeExpired?: boolean
  /** which of this node's addresses its record names (default all): what members anywhere may dial */
  announceable?: (addr: string) => boolean
}

export interface CapabilitiesComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: Registrar
  connectionManager: ConnectionManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  /** gossipsub, under the key js-libp2p's pubsub users read (the service declares `@libp2p/pubsub`) */
  pubsub: GossipSub
  addressManager: { getAddresses(): Array<{ toString(): string }> }
}

export interface CapabilitiesEvents {
  /** a peer's record arrived or changed */
  'record': CustomEvent<CapabilityRecord>
  /** a peer's record expired (the detail is its peer ID) */
  'expired': CustomEvent<string>
}

/** The records this node holds and its own, with `record` and `expired` events */
export interface CapabilitiesService extends TypedEventTarget<CapabilitiesEvents> {
  /** every record held, one per signer */
  readonly table: PeerTable
  /** how many records were refused and why */
  readonly rejected: RejectionCounters
  /** this node's current signed record */
  own(): CapabilityRecord | undefined
  /** every record held, expired ones included */
  entries(): PeerEntry[]
  /** sign and publish a fresh record now (coalesced); call after any local change */
  announce(): void
  /** the capabilities topic in gossipsub: peers subscribed to it, and those in this node's mesh for it */
  gossip(): GossipView
  /** what this node's state exchanges moved since it started */
  syncStats(): SyncStats
}

export interface SyncStats {
  /** state exchanges that completed, either side */
  exchanges: number
  /** envelopes this node sent in them */
  recordsSent: number
  /** envelopes it received in them */
  recordsReceived: number
}

export interface GossipView {
  topicPeers: number
  meshPeers: number
}

/** The capability service: signed records over gossipsub plus an on-connect state exchange */
export function capabilities (init: CapabilitiesInit): (components: CapabilitiesComponents) => CapabilitiesService {
  return (components) => new DefaultCapabilitiesService(components, init)
}
