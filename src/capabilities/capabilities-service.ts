import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipSubEvents, MeshPeer, SubscriptionChangeData } from '@libp2p/gossipsub'
import { serviceCapabilities, serviceDependencies, TypedEventEmitter } from '@libp2p/interface'
import { repeatingTask } from '@libp2p/utils'
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { ANNOUNCE_INTERVAL_MS, CAPABILITIES_TOPIC, MAX_BATCH_RECORDS, MAX_RECORDS, MAX_SEQ_AHEAD_MS, MAX_SYNC_STREAMS, RECORD_TTL_MS, SYNC_DIGEST_PROTOCOL, SYNC_PROTOCOL, SYNC_TIMEOUT_MS } from './constants.js'
import { exchangeDigests } from './digest-sync.js'
import { InvalidRecordError } from './errors.js'
import { PeerTable } from './peer-table.js'
import { openRecord, peekRecord, sealRecord } from './record.js'
import { SeqHighWater } from './seq-high-water.js'
import { capBatch, exchangeBatches } from './sync.js'
import type { DigestSide } from './digest-sync.js'
import type { CapabilitiesComponents, CapabilitiesEvents, CapabilitiesInit, CapabilitiesService, GossipView, SyncStats } from './index.js'
import type { AcceptResult, PeerEntry } from './peer-table.js'
import type { CapabilityRecord } from './types.js'
import type { RecordDigest } from '../../protocols/capabilities.js'
import type { Connection, Logger, PeerId, Startable, Stream } from '@libp2p/interface'
import type { RepeatingTask } from '@libp2p/utils'

/** envelopes of a batch handled between two turns of the event loop */
const RECEIVE_SLICE = 16

export type RejectionReason = 'malformed' | 'signature' | 'nonMember' | 'seqAhead' | 'tableFull' | 'uncertified' | 'uncertifiedNodeId' | 'revoked'

/**
 * How many records were refused and why, for status. `seqAhead`: the seq ran more than the skew
 * allowance ahead of this node's clock; `tableFull`: no place for a new signer (see PeerTable);
 * `uncertified`: in membership mode, a signer without a valid certificate; `uncertifiedNodeId`: a
 * node id other than the one the signer's certificate names; `revoked`: a signer an admin revoked.
 */
export class RejectionCounters {
  malformed = 0
  signature = 0
  nonMember = 0
  seqAhead = 0
  tableFull = 0
  uncertified = 0
  uncertifiedNodeId = 0
  revoked = 0

  count (reason: RejectionReason): void {
    this[reason]++
  }

  toJSON (): Record<RejectionReason, number> {
    return {
      malformed: this.malformed,
      signature: this.signature,
      nonMember: this.nonMember,
      seqAhead: this.seqAhead,
      tableFull: this.tableFull,
      uncertified: this.uncertified,
      uncertifiedNodeId: this.uncertifiedNodeId,
      revoked: this.revoked
    }
  }
}

/**
 * Signed capability records: announced over gossipsub at start, on change and periodically, and
 * exchanged by digest with every new connection (only what the other side lacks) so a joining
 * node learns the mesh at once.
 * Gossipsub is reached as `components.pubsub`, the key js-libp2p's pubsub users read, and declared
 * as a dependency: a node without it fails at creation, naming what is missing.
 */
export class DefaultCapabilitiesService extends TypedEventEmitter<CapabilitiesEvents> implements Startable, CapabilitiesService {
  readonly [Symbol.toStringTag] = 'clawmatrix/capabilities'
  readonly [serviceCapabilities]: string[] = ['clawmatrix/capabilities']
  readonly [serviceDependencies]: string[] = ['@libp2p/pubsub']
  readonly table: PeerTable
  readonly rejected = new RejectionCounters()
  private readonly syncCounts: SyncStats = { exchanges: 0, recordsSent: 0, recordsReceived: 0 }
  private readonly log: Logger
  private readonly members?: Set<string>
  private readonly trusted: Set<string>
  /** peers with at least one open connection to this node */
  private readonly connected = new Set<string>()
  private readonly closeExpired: boolean
  private seq: bigint
  private readonly highWater?: SeqHighWater
  private ownEnvelope?: Uint8Array
  private ownRecord?: CapabilityRecord
  /** the periodic announcement */
  private readonly announceTask: RepeatingTask
  private expiryTimer?: NodeJS.Timeout
  private started = false
  private announcing?: Promise<void>
  private announceAgain = false
  /** the last announcement reached no peer: the next subscriber gets it again, unless it holds it */
  private unheard = false
  /** the seq of our own record each peer holds from a state exchange with us */
  private readonly ownSeqHeldBy = new Map<string, bigint>()
  /** peers a state exchange is running with; true: run one more when it ends */
  private readonly syncing = new Map<string, boolean>()

  constructor (private readonly components: CapabilitiesComponents, private readonly init: CapabilitiesInit) {
    super()
    this.log = components.logger.forComponent('clawmatrix:capabilities')
    if (init.members != null) this.members = new Set(init.members)
    this.trusted = new Set(init.trusted ?? [])
    this.table = new PeerTable({
      ttlMs: init.recordTtlMs ?? RECORD_TTL_MS,
      maxRecords: init.maxRecords ?? MAX_RECORDS,
      anchored: peerId => this.connected.has(peerId) || this.trusted.has(peerId) || this.members?.has(peerId) === true
    })
    this.announceTask = repeatingTask(() => { this.announce() }, init.announceIntervalMs ?? ANNOUNCE_INTERVAL_MS)
    this.closeExpired = init.closeExpired ?? true
    // microseconds since the epoch: keeps increasing across restarts without stored state
    this.seq = BigInt(Date.now()) * 1000n
    if (init.seqFile != null) this.highWater = new SeqHighWater(init.seqFile, err => { this.log.error('cannot keep the record seq in %s - %e', init.seqFile, err) })
    this.onConnect = this.onConnect.bind(this)
    this.onPeerConnect = this.onPeerConnect.bind(this)
    this.onPeerDisconnect = this.onPeerDisconnect.bind(this)
    this.onListening = this.onListening.bind(this)
    this.onSubscriptionChange = this.onSubscriptionChange.bind(this)
    this.onGraft = this.onGraft.bind(this)
    this.handleSync = this.handleSync.bind(this)
    this.handleDigestSync = this.handleDigestSync.bind(this)
  }

  async start (): Promise<void> {
    const stored = await this.highWater?.load()
    if (stored != null) {
      if (stored > (BigInt(Date.now()) + BigInt(MAX_SEQ_AHEAD_MS)) * 1000n) {
        // peers refuse seqs that far ahead, so they cannot hold one: no need to stay above it
        this.log('the stored record seq %s is more than %d ms ahead of this clock; not continuing above it', stored, MAX_SEQ_AHEAD_MS)
      } else if (stored > this.seq) {
        this.seq = stored
      }
    }
    const streamLimits = { maxInboundStreams: MAX_SYNC_STREAMS, maxOutboundStreams: MAX_SYNC_STREAMS, runOnLimitedConnection: true }
    await this.components.registrar.handle(SYNC_DIGEST_PROTOCOL, this.handleDigestSync, streamLimits)
    await this.components.registrar.handle(SYNC_PROTOCOL, this.handleSync, streamLimits)
    this.components.events.addEventListener('connection:open', this.onConnect)
    this.components.events.addEventListener('peer:connect', this.onPeerConnect)
    this.components.events.addEventListener('peer:disconnect', this.onPeerDisconnect)
    this.components.events.addEventListener('self:peer:update', this.onListening)
    this.components.events.addEventListener('transport:listening', this.onListening)
    for (const conn of this.components.connectionManager.getConnections()) this.connected.add(conn.remotePeer.toString())
    this.started = true
  }

  isStarted (): boolean {
    return this.started
  }

  /** pubsub is only usable once every service has started */
  async afterStart (): Promise<void> {
    const pubsub = this.components.pubsub
    pubsub.topicValidators.set(CAPABILITIES_TOPIC, async (from, message) => await this.validateGossip(message.data, from.toString()))
    pubsub.subscribe(CAPABILITIES_TOPIC)
    pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    gossipEvents(pubsub).addEventListener('gossipsub:graft', this.onGraft)
    this.announceTask.start()
    this.announce()
  }

  async stop (): Promise<void> {
    this.started = false
    this.announceTask.stop()
    clearTimeout(this.expiryTimer)
    this.components.events.removeEventListener('connection:open', this.onConnect)
    this.components.events.removeEventListener('peer:connect', this.onPeerConnect)
    this.components.events.removeEventListener('peer:disconnect', this.onPeerDisconnect)
    this.components.events.removeEventListener('self:peer:update', this.onListening)
    this.components.events.removeEventListener('transport:listening', this.onListening)
    this.components.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    gossipEvents(this.components.pubsub).removeEventListener('gossipsub:graft', this.onGraft)
    this.components.pubsub.topicValidators.delete(CAPABILITIES_TOPIC)
    await this.components.registrar.unhandle(SYNC_DIGEST_PROTOCOL)
    await this.components.registrar.unhandle(SYNC_PROTOCOL)
    await this.announcing?.catch(() => {})
    await this.highWater?.flush()
  }

  /** this node's current signed record */
  gossip (): GossipView {
    if (!this.started) return { topicPeers: 0, meshPeers: 0 }
    const pubsub = this.components.pubsub
    // the gossipsub class has it, its published interface does not
    const mesh = (pubsub as { getMeshPeers?: (topic: string) => string[] }).getMeshPeers?.(CAPABILITIES_TOPIC) ?? []
    return { topicPeers: pubsub.getSubscribers(CAPABILITIES_TOPIC).length, meshPeers: mesh.length }
  }

  syncStats (): SyncStats {
    return { ...this.syncCounts }
  }

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
      addrs: this.ownAddrs(),
      seq: this.seq,
      issuedAt: Date.now()
    }
    this.ownEnvelope = await sealRecord(record, this.components.privateKey)
    this.ownRecord = record
    this.highWater?.save(record.seq)
    if (!this.started) return
    const { recipients } = await this.components.pubsub.publish(CAPABILITIES_TOPIC, this.ownEnvelope)
    this.unheard = recipients.length === 0
    // connected, but no subscription has come in yet (a dial-out node's relay address often comes
    // first): hand the record over in a state exchange instead, and the peer passes it on (§2.1)
    if (this.unheard) for (const peer of this.connected) this.syncWith(peer)
  }

  /**
   * Gossip forwards (Accept) only new records of signers this node vouches for (see `anchored`):
   * records of keys nobody here is connected to stay local, so a flood of made-up keys stops at
   * the first honest node.
   */
  private async validateGossip (data: Uint8Array, from: string): Promise<TopicValidatorResult> {
    const result = await this.receive(data, from, true)
    if (result.outcome === 'rejected') return TopicValidatorResult.Reject
    if ((result.outcome === 'new' || result.outcome === 'updated' || result.outcome === 'forward') && this.table.isAnchored(result.peerId)) return TopicValidatorResult.Accept
    return TopicValidatorResult.Ignore
  }

  /**
   * Open, check and store one envelope from gossip or a state exchange that came through a
   * connection to `source`. Cheap checks run before the signature: a record that claims a
   * non-member signer, a stale seq or a seq too far ahead changes nothing, so it is dropped
   * unverified; nothing unverified is ever stored. `forward`: the gossip copy of the record held
   * from a state exchange, not yet passed on (see `PeerTable.forwardOnce`).
   */
  private async receive (envelope: Uint8Array, source: string, gossip = false): Promise<{ outcome: AcceptResult | 'rejected' | 'ignored' | 'own' | 'forward', peerId: string }> {
    const claim = peekRecord(envelope)
    if (claim != null) {
      if (claim.peerId === this.components.peerId.toString()) {
        if (claim.seq <= this.seq) return { outcome: 'own', peerId: claim.peerId }
      } else {
        if (this.members != null && !this.members.has(claim.peerId)) {
          this.rejected.count('nonMember')
          this.log('rejected a record from non-member %s', claim.peerId)
          return { outcome: 'rejected', peerId: claim.peerId }
        }
        if (this.table.isStale(claim.peerId, claim.seq)) {
          return { outcome: gossip && this.table.forwardOnce(claim.peerId, envelope) ? 'forward' : 'stale', peerId: claim.peerId }
        }
      }
      if (claim.seq > (BigInt(Date.now()) + BigInt(MAX_SEQ_AHEAD_MS)) * 1000n) {
        this.rejected.count('seqAhead')
        this.log('ignored a record of %s whose seq is over %d ms ahead of this clock', claim.peerId, MAX_SEQ_AHEAD_MS)
        return { outcome: 'ignored', peerId: claim.peerId }
      }
    }
    let record: CapabilityRecord
    try {
      record = await openRecord(envelope)
    } catch (err: any) {
      this.rejected.count(err instanceof InvalidRecordError ? err.reason : 'malformed')
      this.log('rejected a record - %s', err.message)
      return { outcome: 'rejected', peerId: '' }
    }
    if (record.peerId === this.components.peerId.toString()) {
      this.continueAbove(record.seq)
      return { outcome: 'own', peerId: record.peerId }
    }
    const admission = await this.init.admitRecord?.(record, source) ?? 'ok'
    if (admission !== 'ok') {
      this.rejected.count(admission)
      this.log('rejected the record of %s (%s) - %s', record.peerId, record.nodeId, admission === 'uncertified' ? 'no valid membership certificate' : admission === 'revoked' ? 'revoked' : 'its certificate names another node id')
      return { outcome: 'rejected', peerId: record.peerId }
    }
    const result = this.table.accept(record, envelope, source, { gossiped: gossip })
    if (result === 'full') {
      this.rejected.count('tableFull')
      this.log('no place for the record of %s', record.peerId)
    }
    if (result === 'new' || result === 'updated') {
      this.scheduleExpiry()
      this.safeDispatchEvent('record', { detail: record })
    }
    return { outcome: result, peerId: record.peerId }
  }

  /**
   * A record of our own with a higher seq than ours came back (signed by our key: a peer still
   * holds what this node published before a restart or while its clock ran ahead). Continue above
   * it and announce at once, or every peer would ignore our records as stale.
   */
  private continueAbove (seq: bigint): void {
    if (seq <= this.seq) return
    this.log('a peer holds our record with seq %s, above ours; continuing above it', seq)
    this.seq = seq
    this.announce()
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
      this.safeDispatchEvent('expired', { detail: peerId })
      if (this.closeExpired) {
        for (const conn of this.components.connectionManager.getConnections()) {
          if (conn.remotePeer.toString() === peerId) conn.close().catch(err => { conn.abort(err) })
        }
      }
    }
  }

  private ownAddrs (): string[] {
    const announceable = this.init.announceable
    const addrs = this.components.addressManager.getAddresses().map(a => a.toString())
    return (announceable != null ? addrs.filter(announceable) : addrs).slice(0, 16)
  }

  /**
   * A transport started listening (e.g. a relay reservation gave this node a `/p2p-circuit`
   * address), or libp2p updated this node's own peer record: announce when the addresses differ
   * from the announced ones. libp2p tells `self:peer:update` of a new listener only a second later
   * (it debounces the update), and until then peers hold a record without the address and cannot
   * dial this node.
   */
  private onListening (): void {
    const addrs = this.ownAddrs()
    const announced = this.ownRecord?.addrs
    if (announced != null && announced.length === addrs.length && announced.every((a, i) => a === addrs[i])) return
    this.announce()
  }

  /**
   * A peer subscribed: announce again only when the last announcement reached nobody (a node that
   * has just started or restarted publishes before its hub's subscription has arrived) and the
   * subscriber did not take that record in the state exchange on connect (then it passes the
   * record on itself). A node whose record was heard does not re-announce to the whole mesh at
   * each join: the state exchange on the new connection hands the newcomer its record.
   */
  private onSubscriptionChange (evt: CustomEvent<SubscriptionChangeData>): void {
    if (!this.unheard) return
    const { peerId, subscriptions } = evt.detail
    if (!subscriptions.some(s => s.topic === CAPABILITIES_TOPIC && s.subscribe)) return
    // it took our current record in the state exchange, and passes it on itself (§2.1)
    if (this.ownRecord != null && this.ownSeqHeldBy.get(peerId.toString()) === this.ownRecord.seq) return
    this.announce()
  }

  private onPeerConnect (evt: CustomEvent<PeerId>): void {
    this.connected.add(evt.detail.toString())
  }

  private onPeerDisconnect (evt: CustomEvent<PeerId>): void {
    this.connected.delete(evt.detail.toString())
    this.ownSeqHeldBy.delete(evt.detail.toString())
  }

  /** only the dialing side starts the state exchange (both sides send) */
  private onConnect (evt: CustomEvent<Connection>): void {
    const connection = evt.detail
    if (connection.direction !== 'outbound') return
    this.syncWith(connection.remotePeer.toString(), connection)
  }

  /**
   * This node asked `peer` to take it into its capabilities mesh. Until `peer` handles that, it
   * forwards gossip to its other mesh members only, so the records it accepted between the state
   * exchange on connect and the graft never reach this node as gossip (a hub does this for every
   * node that joins while others announce). A second exchange fetches just those: digests only,
   * and it starts after the graft is on the wire, so what `peer` accepts later comes as gossip.
   */
  private onGraft (evt: CustomEvent<MeshPeer>): void {
    const { peerId, topic, direction } = evt.detail
    if (topic === CAPABILITIES_TOPIC && direction === 'outbound') this.syncWith(peerId)
  }

  /** a state exchange with `peer` over `connection` or another open one: one at a time per peer, a request while one runs queues one more */
  private syncWith (peer: string, connection?: Connection): void {
    if (this.syncing.has(peer)) {
      this.syncing.set(peer, true)
      return
    }
    const conn = connection ?? this.components.connectionManager.getConnections().find(c => c.status === 'open' && c.remotePeer.toString() === peer)
    if (conn == null) return
    this.syncing.set(peer, false)
    this.sync(conn)
      .catch(err => { this.log('state exchange with %p failed - %e', conn.remotePeer, err) })
      .finally(() => {
        const again = this.syncing.get(peer) === true
        this.syncing.delete(peer)
        if (again) this.syncWith(peer, conn.status === 'open' ? conn : undefined)
      })
  }

  /**
   * What this node sends in a state exchange with `remote`, most useful first and cut to what a
   * receiver accepts: our own record; `remote`'s own record as we hold it (even expired), so a
   * restarted peer learns the seq it must continue above; then live records of signers we vouch
   * for (connected, pinned, members), most recently refreshed first.
   */
  private batch (remote: string): Uint8Array[] {
    const ordered: Uint8Array[] = []
    if (this.ownEnvelope != null) {
      ordered.push(this.ownEnvelope)
      this.ownRecordHeldBy(remote)
    }
    for (const entry of this.handedOn(remote)) ordered.push(entry.envelope)
    return capBatch(ordered)
  }

  /** `remote` holds our current record: it had it already, or takes it in this state exchange */
  private ownRecordHeldBy (remote: string): void {
    if (this.ownRecord != null) this.ownSeqHeldBy.set(remote, this.ownRecord.seq)
  }

  /** dialer side of the state exchange: the digest exchange, or the full one with a node that predates it */
  private async sync (connection: Connection): Promise<void> {
    if (!this.started || connection.status !== 'open') return
    const signal = AbortSignal.timeout(SYNC_TIMEOUT_MS)
    const stream = await connection.newStream([SYNC_DIGEST_PROTOCOL, SYNC_PROTOCOL], { signal, runOnLimitedConnection: true })
    const remote = connection.remotePeer.toString()
    if (stream.protocol === SYNC_DIGEST_PROTOCOL) await this.exchangeDigests(stream, remote, signal)
    else await this.exchange(stream, remote, signal)
  }

  private async handleSync (stream: Stream, connection: Connection): Promise<void> {
    await this.exchange(stream, connection.remotePeer.toString(), AbortSignal.timeout(SYNC_TIMEOUT_MS))
  }

  private async handleDigestSync (stream: Stream, connection: Connection): Promise<void> {
    await this.exchangeDigests(stream, connection.remotePeer.toString(), AbortSignal.timeout(SYNC_TIMEOUT_MS))
  }

  /** 1.0.0: both sides send their whole batch and read the other's (see `exchangeBatches`) */
  private async exchange (stream: Stream, remote: string, signal: AbortSignal): Promise<void> {
    const ours = this.batch(remote)
    const theirs = await exchangeBatches(stream, ours, signal)
    await this.receiveAll(theirs, remote, ours.length)
  }

  /** 2.0.0: digests both ways, then each side sends only what the other lacks (see `exchangeDigests`) */
  private async exchangeDigests (stream: Stream, remote: string, signal: AbortSignal): Promise<void> {
    const { received, sent } = await exchangeDigests(stream, this.digestSide(remote), signal)
    await this.receiveAll(received, remote, sent)
  }

  private async receiveAll (envelopes: Uint8Array[], remote: string, sent: number): Promise<void> {
    this.syncCounts.exchanges++
    this.syncCounts.recordsSent += sent
    this.syncCounts.recordsReceived += envelopes.length
    // a full batch costs a fraction of a millisecond per record: let other work run in between
    for (let i = 0; i < envelopes.length; i++) {
      if (i > 0 && i % RECEIVE_SLICE === 0) await new Promise(resolve => setImmediate(resolve))
      const { outcome, peerId } = await this.receive(envelopes[i], remote)
      if (peerId === remote && (outcome === 'new' || outcome === 'updated')) this.passOn(peerId, envelopes[i])
    }
  }

  /**
   * `peer` handed over its own new record in a state exchange (it has just connected, or
   * restarted, or its gossip reached nobody yet): publish it to our other topic peers now. Its own announcement reaches only the
   * peers it is connected to, once their subscriptions have arrived: on a hub, the one topic peer
   * of the nodes behind it, that is a few hundred ms later. The record is marked gossiped, so its
   * own gossip copy stops here.
   */
  private passOn (peer: string, envelope: Uint8Array): void {
    const pubsub = this.components.pubsub
    if (!pubsub.getSubscribers(CAPABILITIES_TOPIC).some(p => p.toString() !== peer)) return
    if (!this.table.forwardOnce(peer, envelope)) return
    pubsub.publish(CAPABILITIES_TOPIC, envelope).catch(err => { this.log('passing on the record of %s failed - %e', peer, err) })
  }

  /**
   * This node's side of a digest exchange with `remote`. The digest lists what `batch` would
   * send (our own record, the remote's own as we hold it, live records we vouch for); a digest
   * entry is wanted when `wouldAccept` says its seq is news, before any signature is checked.
   */
  private digestSide (remote: string): DigestSide {
    const own = this.components.peerId.toString()
    const digest: RecordDigest[] = []
    if (this.ownRecord != null) digest.push({ peerId: this.components.peerId.toMultihash().bytes, seq: this.ownRecord.seq })
    for (const entry of this.handedOn(remote)) digest.push({ peerId: entry.peer.toMultihash().bytes, seq: entry.record.seq })
    return {
      digest: digest.slice(0, MAX_BATCH_RECORDS),
      wants: theirs => {
        const wanted: Uint8Array[] = []
        const seen = new Set<string>()
        for (const { peerId: bytes, seq } of theirs) {
          if (wanted.length >= MAX_BATCH_RECORDS) break
          const peerId = peerIdOf(bytes)
          if (peerId == null || seen.has(peerId)) continue
          seen.add(peerId)
          if (peerId === own && seq === this.ownRecord?.seq) this.ownRecordHeldBy(remote)
          if (this.wouldAccept(peerId, seq)) wanted.push(bytes)
        }
        return wanted
      },
      answer: wanted => {
        const held = new Map(this.handedOn(remote).map(e => [e.record.peerId, e.envelope]))
        if (this.ownEnvelope != null) held.set(own, this.ownEnvelope)
        const envelopes: Uint8Array[] = []
        for (const bytes of wanted) {
          const peerId = peerIdOf(bytes) ?? ''
          const envelope = held.get(peerId)
          if (envelope == null) continue
          envelopes.push(envelope)
          if (peerId === own) this.ownRecordHeldBy(remote)
        }
        return capBatch(envelopes)
      }
    }
  }

  /**
   * The records of others this node hands on in a state exchange with `remote`: `remote`'s own
   * as we hold it (even expired: a restarted peer learns the seq it must continue above), then
   * those of signers we vouch for that are within their TTL now (the expiry timer may run a
   * moment late), most recently received first.
   */
  private handedOn (remote: string): PeerEntry[] {
    const now = Date.now()
    const ttlMs = this.init.recordTtlMs ?? RECORD_TTL_MS
    const theirs = this.table.get(remote)
    const vouched = this.table.live().filter(e => e.record.peerId !== remote && now - e.receivedAt < ttlMs && this.table.isAnchored(e.record.peerId))
    vouched.sort((x, y) => y.receivedAt - x.receivedAt)
    return theirs != null ? [theirs, ...vouched] : vouched
  }

  /** whether a record of `peerId` with `seq` would change anything here (the checks `receive` runs before the signature) */
  private wouldAccept (peerId: string, seq: bigint): boolean {
    if (peerId === this.components.peerId.toString()) return seq > this.seq
    if (this.members != null && !this.members.has(peerId)) return false
    if (this.table.isStale(peerId, seq)) return false
    return seq <= (BigInt(Date.now()) + BigInt(MAX_SEQ_AHEAD_MS)) * 1000n
  }
}

/** gossipsub's own events (graft, prune) on the pubsub component, which libp2p types as plain pubsub */
function gossipEvents (pubsub: CapabilitiesComponents['pubsub']): TypedEventEmitter<Pick<GossipSubEvents, 'gossipsub:graft'>> {
  return pubsub as unknown as TypedEventEmitter<Pick<GossipSubEvents, 'gossipsub:graft'>>
}

/** the peer ID a digest names, or undefined for bytes that are not a peer ID's multihash */
function peerIdOf (bytes: Uint8Array): string | undefined {
  try {
    return peerIdFromMultihash(Digest.decode(bytes)).toString()
  } catch {
    return undefined
  }
}
