import { TopicValidatorResult } from '@libp2p/gossipsub'
import { pbStream } from '@libp2p/utils'
import { RecordBatch } from '../../protocols/capabilities.js'
import {
  ANNOUNCE_INTERVAL_MS, CAPABILITIES_TOPIC, MAX_BATCH_BYTES, MAX_RECORDS,
  MAX_SYNC_STREAMS, RECORD_TTL_MS, SYNC_PROTOCOL, SYNC_TIMEOUT_MS
} from './constants.js'
import { PeerTable } from './peer-table.js'
import { InvalidRecordError, openRecord, sealRecord } from './record.js'
import { RejectionCounters } from './rejections.js'
import type { CapabilityRecord } from './types.js'
import type { AcceptResult, PeerEntry } from './peer-table.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { ComponentLogger, Connection, Logger, PeerId, PrivateKey, Startable, Stream, TypedEventTarget, Libp2pEvents } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

/** What this node announces, read afresh for every announcement */
export type LocalCapabilities = Omit<CapabilityRecord, 'peerId' | 'seq' | 'issuedAt' | 'addrs'>

export interface CapabilitiesInit {
  local(): LocalCapabilities
  /** when set, records signed by anyone else are rejected */
  members?: string[]
  announceIntervalMs?: number
  recordTtlMs?: number
  maxRecords?: number
  /** close connections to peers whose record expired (default true) */
  closeExpired?: boolean
}

export interface CapabilitiesComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: Registrar
  connectionManager: ConnectionManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  pubsub: GossipSub
  addressManager: { getAddresses(): Array<{ toString(): string }> }
}

export interface CapabilitiesEvents {
  /** a peer's record arrived or changed */
  'record': CustomEvent<CapabilityRecord>
  /** a peer's record expired */
  'expired': CustomEvent<string>
}

/**
 * Signed capability records: announced over gossipsub at start, on change and periodically, and
 * exchanged in full with every new connection so a joining node learns the mesh at once.
 */
export class CapabilitiesService extends EventTarget implements Startable {
  readonly [Symbol.toStringTag] = 'clawmatrix/capabilities'
  readonly table: PeerTable
  readonly rejected = new RejectionCounters()
  private readonly log: Logger
  private readonly members?: Set<string>
  private readonly announceIntervalMs: number
  private readonly closeExpired: boolean
  private seq: bigint
  private ownEnvelope?: Uint8Array
  private ownRecord?: CapabilityRecord
  private announceTimer?: NodeJS.Timeout
  private expiryTimer?: NodeJS.Timeout
  private started = false
  private announcing?: Promise<void>
  private announceAgain = false

  constructor (private readonly components: CapabilitiesComponents, private readonly init: CapabilitiesInit) {
    super()
    this.log = components.logger.forComponent('clawmatrix:capabilities')
    this.table = new PeerTable(init.recordTtlMs ?? RECORD_TTL_MS, init.maxRecords ?? MAX_RECORDS)
    if (init.members != null) this.members = new Set(init.members)
    this.announceIntervalMs = init.announceIntervalMs ?? ANNOUNCE_INTERVAL_MS
    this.closeExpired = init.closeExpired ?? true
    // microseconds since the epoch: keeps increasing across restarts without stored state
    this.seq = BigInt(Date.now()) * 1000n
    this.onConnect = this.onConnect.bind(this)
    this.onSubscriptionChange = this.onSubscriptionChange.bind(this)
    this.handleSync = this.handleSync.bind(this)
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(SYNC_PROTOCOL, this.handleSync, {
      maxInboundStreams: MAX_SYNC_STREAMS,
      maxOutboundStreams: MAX_SYNC_STREAMS,
      runOnLimitedConnection: true
    })
    this.components.events.addEventListener('connection:open', this.onConnect)
    this.components.events.addEventListener('self:peer:update', this.onSubscriptionChange)
    this.started = true
  }

  /** pubsub is only usable once every service has started */
  async afterStart (): Promise<void> {
    const pubsub = this.components.pubsub
    pubsub.topicValidators.set(CAPABILITIES_TOPIC, async (_from, message) => await this.validateGossip(message.data))
    pubsub.subscribe(CAPABILITIES_TOPIC)
    pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.announceTimer = setInterval(() => { this.announce() }, this.announceIntervalMs)
    this.announce()
  }

  async stop (): Promise<void> {
    this.started = false
    clearInterval(this.announceTimer)
    clearTimeout(this.expiryTimer)
    this.components.events.removeEventListener('connection:open', this.onConnect)
    this.components.events.removeEventListener('self:peer:update', this.onSubscriptionChange)
    this.components.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    this.components.pubsub.topicValidators.delete(CAPABILITIES_TOPIC)
    await this.components.registrar.unhandle(SYNC_PROTOCOL)
    await this.announcing?.catch(() => {})
  }

  /** this node's current signed record */
  own (): CapabilityRecord | undefined {
    return this.ownRecord
  }

  /** every record held, expired ones included */
  entries (): PeerEntry[] {
    return this.table.all()
  }

  /**
   * Sign and publish a fresh record now (coalesced: a call while one is being sent queues exactly
   * one more). Call after any local change.
   */
  announce (): void {
    if (!this.started) return
    if (this.announcing != null) {
      this.announceAgain = true
      return
    }
    this.announcing = this.publishOwn()
      .catch(err => { this.log.error('announcing failed - %e', err) })
      .finally(() => {
        this.announcing = undefined
        if (this.announceAgain) {
          this.announceAgain = false
          this.announce()
        }
      })
  }

  private async publishOwn (): Promise<void> {
    this.seq += 1n
    const nowMicros = BigInt(Date.now()) * 1000n
    if (nowMicros > this.seq) this.seq = nowMicros
    const record: CapabilityRecord = {
      ...this.init.local(),
      peerId: this.components.peerId.toString(),
      addrs: this.components.addressManager.getAddresses().map(a => a.toString()).slice(0, 16),
      seq: this.seq,
      issuedAt: Date.now()
    }
    this.ownEnvelope = await sealRecord(record, this.components.privateKey)
    this.ownRecord = record
    if (!this.started) return
    await this.components.pubsub.publish(CAPABILITIES_TOPIC, this.ownEnvelope)
  }

  private async validateGossip (data: Uint8Array): Promise<TopicValidatorResult> {
    const result = await this.receive(data)
    if (result === 'rejected') return TopicValidatorResult.Reject
    return result === 'stale' || result === 'own' ? TopicValidatorResult.Ignore : TopicValidatorResult.Accept
  }

  /** open, check and store one envelope from gossip or a state exchange */
  private async receive (envelope: Uint8Array): Promise<AcceptResult | 'rejected' | 'own'> {
    let record: CapabilityRecord
    try {
      record = await openRecord(envelope)
    } catch (err: any) {
      this.rejected.count(err instanceof InvalidRecordError ? err.reason : 'malformed')
      this.log('rejected a record - %s', err.message)
      return 'rejected'
    }
    if (record.peerId === this.components.peerId.toString()) return 'own'
    if (this.members != null && !this.members.has(record.peerId)) {
      this.rejected.count('nonMember')
      this.log('rejected a record from non-member %s', record.peerId)
      return 'rejected'
    }
    const result = this.table.accept(record, envelope)
    if (result === 'new' || result === 'updated') {
      this.scheduleExpiry()
      this.dispatchEvent(new CustomEvent('record', { detail: record }))
    }
    return result
  }

  /** one timer, set to the earliest record deadline, so expiry happens at the TTL and not a tick later */
  private scheduleExpiry (): void {
    clearTimeout(this.expiryTimer)
    const next = this.table.nextExpiry()
    if (next == null || !this.started) return
    this.expiryTimer = setTimeout(() => { this.expire() }, Math.max(0, next - Date.now()))
  }

  private expire (): void {
    const expired = this.table.expire()
    this.scheduleExpiry()
    for (const peerId of expired) {
      this.log('record of %s expired', peerId)
      this.dispatchEvent(new CustomEvent('expired', { detail: peerId }))
      if (this.closeExpired) {
        for (const conn of this.components.connectionManager.getConnections()) {
          if (conn.remotePeer.toString() === peerId) conn.close().catch(err => { conn.abort(err) })
        }
      }
    }
  }

  /** a new subscriber or a change of our own addresses: announce now rather than at the next tick */
  private onSubscriptionChange (): void {
    this.announce()
  }

  private onConnect (evt: CustomEvent<Connection>): void {
    const connection = evt.detail
    this.sync(connection).catch(err => { this.log('state exchange with %p failed - %e', connection.remotePeer, err) })
  }

  private batch (): Array<Uint8Array<ArrayBuffer>> {
    const envelopes = this.table.live().map(e => e.envelope as Uint8Array<ArrayBuffer>)
    if (this.ownEnvelope != null) envelopes.push(this.ownEnvelope as Uint8Array<ArrayBuffer>)
    return envelopes
  }

  /** dialer side of the state exchange: send ours, read theirs */
  private async sync (connection: Connection): Promise<void> {
    if (!this.started || connection.status !== 'open') return
    const signal = AbortSignal.timeout(SYNC_TIMEOUT_MS)
    const stream = await connection.newStream(SYNC_PROTOCOL, { signal, runOnLimitedConnection: true })
    await this.exchange(stream, signal)
  }

  private async handleSync (stream: Stream): Promise<void> {
    await this.exchange(stream, AbortSignal.timeout(SYNC_TIMEOUT_MS))
  }

  private async exchange (stream: Stream, signal: AbortSignal): Promise<void> {
    try {
      const pb = pbStream(stream, { maxDataLength: MAX_BATCH_BYTES }).pb(RecordBatch)
      const [theirs] = await Promise.all([
        pb.read({ signal, limits: { envelopes: MAX_RECORDS + 1 } }),
        pb.write({ envelopes: this.batch() }, { signal })
      ])
      await stream.close({ signal })
      for (const envelope of theirs.envelopes) await this.receive(envelope)
    } catch (err: any) {
      stream.abort(err)
      throw err
    }
  }
}
