import { serviceCapabilities, TypedEventEmitter } from '@libp2p/interface'
import { peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { copyMiddlewareOnRead } from '../mesh/patches/registrar-middleware.js'
import { openCertificate, sealCertificate } from './certificate.js'
import { readCertificateFile, writeCertificateFile } from './envelope-file.js'
import {
  ADMISSION_WAIT_MS, EXCHANGE_TIMEOUT_MS, LOOKUP_MISS_MS, MAX_BATCH_CERTIFICATES, MAX_BATCH_WANTED,
  MAX_EXCHANGE_STREAMS, MAX_LOOKUP_MISSES, MAX_LOOKUPS, MAX_REFUSED, MEMBERSHIP_PROTOCOL, PROBATION_MS, REFUSED_MS,
  ROTATION_CLOSE_MS
} from './constants.js'
import { InvalidRevocationError, InvalidRotationError, NotAdminError } from './errors.js'
import { answerCertificates, requestCertificates } from './exchange.js'
import { MembershipStore } from './membership-store.js'
import { directIpOf, REDEEM_CIRCUIT_LIMIT, RedeemRelayGate } from './redeem-relay-gate.js'
import { RevokedNotice } from './revoked-notice.js'
import { Revocations } from './revocations.js'
import type { Revocation } from './revocation.js'
import type { Rotation } from './rotation.js'
import type { SecretRotationView } from './secret-rotations.js'
import type { RevocationRequest, RevocationView } from './index.js'
import type { Certificate, SignedCertificate } from './certificate.js'
import type { OwnMembershipProblem } from './index.js'
import type { CertificateRequest, MembershipComponents, MembershipEvents, MembershipInit, MembershipService, MembershipStanding, MembershipSummary, RecordAdmission } from './index.js'
import type { CertificateView } from './membership-store.js'
import type { CertificateBatch } from '../../protocols/membership.js'
import type { Connection, ConnectionGater, Logger, PeerId, Startable, Stream } from '@libp2p/interface'

/**
 * Membership certificates: held in a `MembershipStore`, exchanged on every new connection
 * (`MEMBERSHIP_PROTOCOL`) and, in `certificates` mode, the admission of peers: a connected peer
 * without a valid certificate is on probation (no stream of a gated protocol, no relay slot, its
 * records refused) and is disconnected and refused for a while when probation runs out.
 */
export class DefaultMembershipService extends TypedEventEmitter<MembershipEvents> implements Startable, MembershipService {
  readonly [Symbol.toStringTag] = 'clawmatrix/membership'
  readonly [serviceCapabilities]: string[] = ['clawmatrix/membership']
  readonly store: MembershipStore
  readonly revocations: Revocations
  readonly mode: 'open' | 'certificates'
  private readonly log: Logger
  private readonly self: string
  private readonly probationMs: number
  private readonly refusedMs: number
  private readonly admissionWaitMs: number
  private readonly exchangeTimeoutMs: number
  /** peer -> local ms until which it is refused */
  private readonly refused = new Map<string, number>()
  /** peers connected without a valid certificate: their probation timer, and whether an exchange with them ended since */
  private readonly probation = new Map<string, { since: number, timer: NodeJS.Timeout, exchanged: boolean }>()
  /** `${source}/${signer}` -> local ms until which `source` is not asked again for `signer` */
  private readonly misses = new Map<string, number>()
  private readonly lookups = new Map<string, Promise<void>>()
  /** circuits this node relays for joiners to an admin */
  private readonly redeemRelay = new RedeemRelayGate()
  /** revoked peers let in briefly to hear why (admins only) */
  private readonly revokedNotice = new RevokedNotice()
  private saving: Promise<void> = Promise.resolve()
  private started = false

  constructor (private readonly components: MembershipComponents, private readonly init: MembershipInit) {
    super()
    this.log = components.logger.forComponent('clawmatrix:membership')
    this.self = components.peerId.toString()
    this.mode = init.mode
    this.store = new MembershipStore({ roots: init.admins, self: this.self, isRevoked: peerId => this.revocations.list.has(peerId) })
    this.revocations = new Revocations({
      roots: this.store.roots,
      isAdmin: peerId => this.store.isAdmin(peerId),
      ...(init.revocationsFile != null ? { file: init.revocationsFile } : {}),
      log: this.log,
      onRevoked: revocation => { this.cutOff(revocation) }
    })
    this.probationMs = init.probationMs ?? PROBATION_MS
    this.refusedMs = init.refusedMs ?? REFUSED_MS
    this.admissionWaitMs = init.admissionWaitMs ?? ADMISSION_WAIT_MS
    this.exchangeTimeoutMs = init.exchangeTimeoutMs ?? EXCHANGE_TIMEOUT_MS
    this.onConnect = this.onConnect.bind(this)
    this.onPeerDisconnect = this.onPeerDisconnect.bind(this)
    this.handleExchange = this.handleExchange.bind(this)
    this.onRotationPending = this.onRotationPending.bind(this)
    this.onKeySwitched = this.onKeySwitched.bind(this)
    this.onAdmitted = this.onAdmitted.bind(this)
  }

  async start (): Promise<void> {
    if (this.init.certificatesFile != null) {
      const lot = await this.openAll(await readCertificateFile(this.init.certificatesFile))
      this.store.addAll(lot)
    }
    await this.revocations.load()
    await this.components.registrar.handle(MEMBERSHIP_PROTOCOL, this.handleExchange, {
      maxInboundStreams: MAX_EXCHANGE_STREAMS,
      maxOutboundStreams: MAX_EXCHANGE_STREAMS,
      runOnLimitedConnection: true
    })
    if (this.mode === 'certificates') {
      copyMiddlewareOnRead(this.components.registrar)
      for (const protocol of this.init.gatedProtocols ?? []) {
        this.components.registrar.use(protocol, [async (stream, connection, next) => { await this.gateStream(stream, connection, next) }])
      }
    }
    this.components.events.addEventListener('connection:open', this.onConnect)
    this.components.events.addEventListener('peer:disconnect', this.onPeerDisconnect)
    this.init.rotations?.addEventListener('pending', this.onRotationPending)
    this.init.rotations?.addEventListener('switched', this.onKeySwitched)
    this.addEventListener('admitted', this.onAdmitted)
    this.init.rotations?.start()
    this.started = true
  }

  isStarted (): boolean {
    return this.started
  }

  /** gossipsub is only usable once every service has started */
  async afterStart (): Promise<void> {
    let pubsub: MembershipComponents['pubsub']
    try {
      pubsub = this.components.pubsub
    } catch {} // libp2p's components throw for a service the node does not run
    if (pubsub != null) this.revocations.subscribe(pubsub)
  }

  async stop (): Promise<void> {
    this.started = false
    this.components.events.removeEventListener('connection:open', this.onConnect)
    this.components.events.removeEventListener('peer:disconnect', this.onPeerDisconnect)
    this.init.rotations?.removeEventListener('pending', this.onRotationPending)
    this.init.rotations?.removeEventListener('switched', this.onKeySwitched)
    this.removeEventListener('admitted', this.onAdmitted)
    await this.init.rotations?.stop()
    for (const protocol of this.init.gatedProtocols ?? []) this.components.registrar.unuse(protocol)
    for (const { timer } of this.probation.values()) clearTimeout(timer)
    this.probation.clear()
    await this.components.registrar.unhandle(MEMBERSHIP_PROTOCOL)
    await Promise.allSettled([...this.lookups.values()])
    await this.revocations.stop()
    await this.saving
  }

  /** whether `peerId` may use this node: always in `open` mode; else a root admin or a valid certificate */
  isAdmitted (peerId: string): boolean {
    return this.mode === 'open' || peerId === this.self || this.store.isMember(peerId)
  }

  isRefused (peerId: string, now = Date.now()): boolean {
    if (this.mode === 'certificates' && this.revocations.list.has(peerId)) return true
    const until = this.refused.get(peerId)
    if (until == null) return false
    if (until <= now || this.isAdmitted(peerId)) {
      this.refused.delete(peerId)
      return false
    }
    return true
  }

  isRevoked (peerId: string): boolean {
    return this.revocations.list.has(peerId)
  }

  standing (peerId: string): MembershipStanding {
    if (this.mode === 'certificates' && this.revocations.list.has(peerId)) return 'revoked'
    if (this.isAdmitted(peerId)) return 'certified'
    if (this.isRefused(peerId)) return 'refused'
    return 'probation'
  }

  /**
   * Whether `peerId` is admitted, waiting up to `ms` while it is on probation and its certificate
   * exchange may still bring a certificate: an exchange that ends without one answers at once.
   */
  async waitAdmitted (peerId: string, ms = this.admissionWaitMs): Promise<boolean> {
    if (this.isAdmitted(peerId)) return true
    const entry = this.probation.get(peerId)
    if (this.isRefused(peerId) || entry == null || entry.exchanged) return false
    return await new Promise<boolean>(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        this.removeEventListener('exchanged', onExchanged)
        resolve(this.isAdmitted(peerId))
      }
      const onExchanged = (evt: CustomEvent<string>): void => { if (evt.detail === peerId) done() }
      const timer = setTimeout(done, ms)
      this.addEventListener('exchanged', onExchanged)
    })
  }

  /**
   * Whether a capability record of `peerId` for `nodeId`, which came through a connection to
   * `source`, may be taken: its signer is admitted, and when certified, for that node id. A
   * signer whose certificate this node lacks is looked up at `source` first.
   */
  async admitRecord (peerId: string, nodeId: string, source: string): Promise<RecordAdmission> {
    if (this.mode === 'open' || peerId === this.self) return 'ok'
    if (this.revocations.list.has(peerId)) return 'revoked'
    if (!this.store.isMember(peerId)) {
      // from the signer itself while its exchange may still bring its certificate, or through another member
      if (source === peerId) await this.waitAdmitted(peerId)
      else if (this.isAdmitted(source)) await this.lookUp(peerId, source)
    }
    if (!this.store.isMember(peerId)) return 'uncertified'
    const certificates = this.store.about(peerId).filter(s => this.isValid(s))
    // a root admin with no certificate of its own may announce any node id
    if (certificates.length === 0) return 'ok'
    return certificates.some(s => s.certificate.nodeId === nodeId) ? 'ok' : 'uncertifiedNodeId'
  }

  /** sign a certificate for a member, keep it, and hand it over at once when the member is connected */
  async certify (request: CertificateRequest): Promise<Certificate> {
    if (!this.canCertify()) throw new NotAdminError(`this node (${this.self}) is neither a root admin (config admins) nor holds a valid admin certificate`)
    const certificate: Certificate = {
      subject: request.subject,
      nodeId: request.nodeId,
      roles: request.roles ?? [],
      issuedAt: Date.now(),
      ...(request.expiresAt != null ? { expiresAt: request.expiresAt } : {}),
      issuer: this.self
    }
    const signed: SignedCertificate = { certificate, envelope: await sealCertificate(certificate, this.components.privateKey) }
    const { refused } = this.store.addAll([signed])
    if (refused.length > 0) throw refused[0]
    this.refused.delete(request.subject)
    await this.save()
    this.settleProbation()
    for (const connection of this.components.connectionManager.getConnections(peerIdFromString(request.subject))) {
      this.exchange(connection).catch(err => { this.log('handing over the certificate of %s failed - %e', request.subject, err) })
    }
    return certificate
  }

  /**
   * Sign a revocation of `subject`, take it (its connections here close at once), keep it and
   * publish it; a subject revoked before keeps its first revocation.
   */
  async revoke (request: RevocationRequest): Promise<Revocation> {
    if (!this.canCertify()) throw new NotAdminError(`this node (${this.self}) is neither a root admin (config admins) nor holds a valid admin certificate`)
    const revocation: Revocation = { subject: request.subject, issuer: this.self, revokedAt: Date.now(), reason: request.reason ?? '' }
    try {
      this.revocations.list.authorize({ revocation, envelope: new Uint8Array() })
    } catch (err) {
      if (err instanceof InvalidRevocationError) throw new NotAdminError(err.message)
      throw err
    }
    return (await this.revocations.revoke(revocation, this.components.privateKey)).revocation
  }

  /**
   * Sign a rotation of the cluster key switching at `switchAt` and hand it to every connected
   * member now; each passes it on (see `onRotationPending`).
   */
  async rotateSecret (switchAt: number): Promise<Rotation> {
    if (!this.canCertify()) throw new NotAdminError(`this node (${this.self}) is neither a root admin (config admins) nor holds a valid admin certificate`)
    if (this.init.rotations == null) throw new InvalidRotationError('refused', 'this node was started without secret rotation (no dataDir file for it)')
    return await this.init.rotations.rotate(switchAt, this.self, this.components.privateKey)
  }

  secretRotation (): SecretRotationView | null {
    return this.init.rotations?.view() ?? null
  }

  /** whether this node may sign certificates and revocations: a root admin, or holding a valid admin certificate, not revoked */
  canCertify (): boolean {
    return this.store.isAdmin(this.self)
  }

  revocationList (): RevocationView[] {
    return this.revocations.list.all().map(({ revocation }) => ({
      ...revocation,
      nodeId: this.store.about(revocation.subject).map(s => s.certificate).sort((a, b) => b.issuedAt - a.issuedAt)[0]?.nodeId ?? null
    }))
  }

  certificates (): CertificateView[] {
    return this.store.list()
  }

  summary (): MembershipSummary {
    const own = this.store.validFor(this.self)?.certificate
    const now = Date.now()
    return {
      mode: this.mode,
      admins: [...this.store.roots],
      canCertify: this.canCertify(),
      certificate: own ?? null,
      problem: this.ownProblem(),
      probation: [...this.probation.keys()],
      refused: [...this.refused.entries()].filter(([peerId]) => this.isRefused(peerId, now)).map(([peerId, until]) => ({ peerId, until })),
      revocationCount: this.revocations.list.size,
      rejectedRevocations: { ...this.revocations.rejected }
    }
  }

  private ownProblem (): OwnMembershipProblem | null {
    if (this.mode !== 'certificates') return null
    if (this.revocations.list.has(this.self)) return 'revoked'
    if (this.store.isMember(this.self)) return null
    const problems = new Set(this.store.list().filter(c => c.subject === this.self).map(c => c.problem))
    return (['issuerRevoked', 'expired', 'untrusted'] as const).find(p => problems.has(p)) ?? 'uncertified'
  }

  /** the certificate of a peer as status shows it */
  peerMembership (peerId: string): { membership: MembershipStanding, certificateExpiresAt: number | null } {
    const certificate = this.store.validFor(peerId)?.certificate
    return { membership: this.standing(peerId), certificateExpiresAt: certificate?.expiresAt ?? null }
  }

  /**
   * In `certificates` mode: refused peers complete no connection (an admin hears a revoked one
   * out, see `RevokedNotice`); relay reservations need the peer admitted (waiting a little for an
   * exchange in flight); a circuit needs both ends admitted, or, for a joiner on probation, an
   * admin at the other end (see `RedeemRelayGate`). In `open` mode: nothing.
   */
  gater (): ConnectionGater {
    if (this.mode === 'open') return {}
    const refused = (peer: PeerId): boolean => this.isRefused(peer.toString())
    const refusedInbound = (peer: PeerId): boolean => refused(peer) && !this.mayHearRevocation(peer.toString())
    const notAdmitted = async (peer: PeerId): Promise<boolean> => !(await this.waitAdmitted(peer.toString()))
    return {
      denyDialPeer: refused,
      denyInboundEncryptedConnection: refusedInbound,
      denyOutboundEncryptedConnection: refused,
      denyInboundRelayReservation: notAdmitted,
      denyOutboundRelayedConnection: async (source, destination) => {
        if (await notAdmitted(destination)) return true
        if (this.isAdmitted(source.toString())) return false
        if (refused(source)) return true
        // a joiner runs no exchange to wait for: to an admin it goes at once, on a limited circuit
        const ip = directIpOf(this.components.connectionManager.getConnections(source))
        if (this.redeemRelay.allow(source.toString(), ip, this.store.isAdmin(destination.toString()))) return false
        return await notAdmitted(source)
      },
      // the remote end of an inbound circuit goes on probation like any other peer
      denyInboundRelayedConnection: async (relay, remote) => refusedInbound(remote) || await notAdmitted(relay)
    }
  }

  /** the relay limit of a circuit from `source`: a joiner's ends with its probation; a member's has none */
  relayCircuitLimit (source: PeerId): { duration: number, data: bigint } | undefined {
    return this.mode === 'certificates' && !this.isAdmitted(source.toString()) ? REDEEM_CIRCUIT_LIMIT : undefined
  }

  /** an admin lets a revoked peer connect, now and then, for its redeem to be answered `revoked` */
  private mayHearRevocation (peer: string): boolean {
    return this.revocations.list.has(peer) && this.canCertify() && this.revokedNotice.mayConnect(peer)
  }

  /** a peer was revoked here: in `certificates` mode its connections close now and it is refused from now on */
  private cutOff (revocation: Revocation): void {
    if (this.mode !== 'certificates') return
    const entry = this.probation.get(revocation.subject)
    if (entry != null) {
      clearTimeout(entry.timer)
      this.probation.delete(revocation.subject)
    }
    for (const connection of this.components.connectionManager.getConnections(peerIdFromString(revocation.subject))) {
      connection.close().catch(err => { connection.abort(err) })
    }
    // the peers a revoked admin certified are no longer admitted: they need a new certificate within probation
    for (const connection of this.components.connectionManager.getConnections()) {
      const peer = connection.remotePeer.toString()
      if (!this.isAdmitted(peer) && !this.isRefused(peer) && !this.probation.has(peer)) this.startProbation(peer)
    }
  }

  private isValid (signed: SignedCertificate): boolean {
    try {
      this.store.check(signed)
      return true
    } catch {
      return false
    }
  }

  /** a stream of a gated protocol goes on only for an admitted peer */
  private async gateStream (stream: Stream, connection: Connection, next: (stream: Stream, connection: Connection) => void): Promise<void> {
    const peer = connection.remotePeer.toString()
    if (!(await this.waitAdmitted(peer))) {
      if (this.revocations.list.has(peer)) throw new Error(`${peer} is revoked: ${stream.protocol ?? 'this protocol'} refused`)
      throw new Error(`${peer} has no valid membership certificate: ${stream.protocol ?? 'this protocol'} refused`)
    }
    next(stream, connection)
  }

  private onConnect (evt: CustomEvent<Connection>): void {
    const connection = evt.detail
    const peer = connection.remotePeer.toString()
    if (this.mode === 'certificates') {
      if (this.isRefused(peer)) {
        const close = (): void => { connection.close().catch(err => { connection.abort(err) }) }
        const notice = this.revocations.list.has(peer) ? this.revokedNotice.remaining(peer) : 0
        if (notice > 0) setTimeout(close, notice).unref()
        else close()
        return
      }
      if (!this.isAdmitted(peer)) this.startProbation(peer)
    }
    // the dialing side runs the exchange; both sides send
    if (connection.direction !== 'outbound') return
    this.exchange(connection).catch(err => { this.log('certificate exchange with %p failed - %e', connection.remotePeer, err) })
  }

  /**
   * Probation outlives a disconnection: a peer that reconnects before it ends does not start a new
   * one, so dropping and redialing never keeps an uncertified peer connected for long.
   */
  private onPeerDisconnect (evt: CustomEvent<PeerId>): void {
    const entry = this.probation.get(evt.detail.toString())
    if (entry != null) entry.exchanged = false
  }

  private startProbation (peer: string): void {
    const entry = this.probation.get(peer)
    if (entry != null) {
      // a new connection brings a new exchange to wait for
      entry.exchanged = false
      return
    }
    const timer = setTimeout(() => { this.endProbation(peer) }, this.probationMs)
    timer.unref()
    this.probation.set(peer, { since: Date.now(), timer, exchanged: false })
  }

  /** probation ran out: admitted by now, or disconnected and refused for a while */
  private endProbation (peer: string): void {
    this.probation.delete(peer)
    if (this.isAdmitted(peer)) return
    this.log('%s showed no valid certificate within %d ms: refused for %d ms', peer, this.probationMs, this.refusedMs)
    this.refused.delete(peer)
    this.refused.set(peer, Date.now() + this.refusedMs)
    if (this.refused.size > MAX_REFUSED) this.refused.delete(this.refused.keys().next().value as string)
    for (const connection of this.components.connectionManager.getConnections(peerIdFromString(peer))) {
      connection.close().catch(err => { connection.abort(err) })
    }
    this.safeDispatchEvent('exchanged', { detail: peer })
  }

  /** end the probation of every peer that is admitted by now */
  private settleProbation (): void {
    for (const [peer, { timer }] of this.probation) {
      if (!this.isAdmitted(peer)) continue
      clearTimeout(timer)
      this.probation.delete(peer)
      this.log('%s is certified', peer)
      this.safeDispatchEvent('admitted', { detail: peer })
    }
  }

  /**
   * What this node sends to `remote`: its own certificate chain, the certificates it holds about
   * `remote` (an admin hands a member the one it issued), and those asked for, cut to the batch limit.
   */
  private batchFor (remote: string, wanted: string[] = []): Uint8Array[] {
    const envelopes = new Set<Uint8Array>()
    const add = (lot: SignedCertificate[]): void => { for (const s of lot) envelopes.add(s.envelope) }
    add(this.store.chainOf(this.self))
    add(this.store.about(remote).filter(s => s.certificate.issuer === this.self || this.isValid(s)))
    add(this.store.chainOf(remote))
    // the chain of a pending rotation's issuer, so the remote can check who signed it
    const rotationIssuer = this.init.rotations?.pendingIssuer()
    if (rotationIssuer != null && this.rotationFor(remote) != null) add(this.store.chainOf(rotationIssuer))
    for (const subject of wanted.slice(0, MAX_BATCH_WANTED)) add(this.store.chainOf(subject))
    return [...envelopes].slice(0, MAX_BATCH_CERTIFICATES)
  }

  /** opening side of the exchange over `connection`, asking for the certificates of `wanted` */
  private async exchange (connection: Connection, wanted: string[] = []): Promise<void> {
    const remote = connection.remotePeer.toString()
    try {
      if (!this.started || connection.status !== 'open') return
      this.exchanging(remote)
      const signal = AbortSignal.timeout(this.exchangeTimeoutMs)
      const stream = await connection.newStream(MEMBERSHIP_PROTOCOL, { signal, runOnLimitedConnection: true })
      const rotation = this.rotationFor(remote)
      const theirs = await requestCertificates(stream, {
        certificates: this.batchFor(remote) as Array<Uint8Array<ArrayBuffer>>,
        wanted: wanted.map(w => peerIdFromString(w).toMultihash().bytes),
        revocations: this.revocations.batch() as Array<Uint8Array<ArrayBuffer>>,
        ...(rotation != null ? { rotation: rotation as Uint8Array<ArrayBuffer> } : {})
      }, signal)
      await this.receive(theirs.certificates, remote)
      await this.receiveRevocations(theirs.revocations, remote, wanted.length === 0)
      await this.receiveRotation(theirs.rotation, remote)
    } finally {
      this.exchanged(remote)
    }
  }

  /**
   * an exchange with `remote` began: whoever asks for its admission meanwhile waits for it (it
   * may bring the certificate, such as one this node's peer has just been given by an admin)
   */
  private exchanging (remote: string): void {
    const entry = this.probation.get(remote)
    if (entry != null) entry.exchanged = false
  }

  /** an exchange with `remote` ended: whoever waits for its admission has the answer */
  private exchanged (remote: string): void {
    const entry = this.probation.get(remote)
    if (entry != null) entry.exchanged = true
    this.safeDispatchEvent('exchanged', { detail: remote })
  }

  private async handleExchange (stream: Stream, connection: Connection): Promise<void> {
    const remote = connection.remotePeer.toString()
    this.exchanging(remote)
    try {
      const theirs = await answerCertificates(stream, (batch: CertificateBatch) => this.batchFor(remote, subjectsOf(batch.wanted)), AbortSignal.timeout(this.exchangeTimeoutMs), this.revocations.batch(), this.rotationFor(remote))
      await this.receive(theirs.certificates, remote)
      await this.receiveRevocations(theirs.revocations, remote, true)
      await this.receiveRotation(theirs.rotation, remote)
    } finally {
      this.exchanged(remote)
    }
  }

  /** open, check and store certificates that came from `remote`; keep our own ones on disk */
  private async receive (envelopes: Uint8Array[], remote: string): Promise<void> {
    if (envelopes.length === 0) return
    const { added, refused } = this.store.addAll(await this.openAll(envelopes, remote))
    for (const err of refused) this.log('refused a certificate from %s - %s', remote, err.message)
    if (added.some(s => this.store.isOwn(s))) await this.save()
    if (added.length > 0) this.settleProbation()
    if (this.mode === 'certificates' && added.some(s => s.certificate.subject === this.self) && this.store.isMember(this.self)) this.showOwnCertificate(remote)
  }

  /**
   * This node has a new certificate of its own, from `source`: every other connected peer is
   * shown it now (an exchange), not at the next connection, so none keeps it on probation or
   * denies it a relay slot meanwhile; `certificate-shown` names each peer that holds it.
   */
  private showOwnCertificate (source: string): void {
    this.log('this node is certified: showing its certificate to the connected peers')
    this.safeDispatchEvent('certificate-shown', { detail: source })
    const shown = new Set([source])
    for (const connection of this.components.connectionManager.getConnections()) {
      const peer = connection.remotePeer.toString()
      if (shown.has(peer) || connection.status !== 'open') continue
      shown.add(peer)
      this.exchange(connection)
        .then(() => { this.safeDispatchEvent('certificate-shown', { detail: peer }) })
        .catch(err => { this.log('showing this node\'s certificate to %s failed - %e', peer, err) })
    }
  }

  /**
   * take the revocations that came from `remote`; for one whose issuer this node does not know as
   * an admin, `remote` is asked for the issuer's certificate first (not from inside such a lookup)
   */
  private async receiveRevocations (envelopes: Uint8Array[], remote: string, lookUpIssuers: boolean): Promise<void> {
    if (envelopes.length === 0) return
    if (lookUpIssuers && this.isAdmitted(remote)) {
      const issuers = (await this.revocations.issuersOf(envelopes)).filter(issuer => !this.store.isAdmin(issuer) && !this.revocations.list.has(issuer))
      await Promise.all(issuers.slice(0, MAX_BATCH_WANTED).map(async issuer => { await this.lookUp(issuer, remote) }))
    }
    await this.revocations.receive(envelopes, remote)
  }

  /** the pending rotation, for a remote that is a member now (never one revoked, on probation or refused) */
  private rotationFor (remote: string): Uint8Array | undefined {
    if (this.revocations.list.has(remote) || this.standing(remote) !== 'certified') return undefined
    return this.init.rotations?.pendingEnvelope()
  }

  /** take a rotation that came from `remote` (whose admin signed it is what counts, not who sent it) */
  private async receiveRotation (envelope: Uint8Array | undefined, remote: string): Promise<void> {
    if (envelope == null || this.init.rotations == null) return
    try {
      await this.init.rotations.take(envelope, peerId => this.store.isAdmin(peerId))
    } catch (err: any) {
      this.log('refused a secret rotation from %s - %s', remote, err.message)
    }
  }

  /** a rotation is newly pending here: every connected member gets it now (they pass it on the same way) */
  private onRotationPending (): void {
    const done = new Set<string>()
    for (const connection of this.components.connectionManager.getConnections()) {
      const peer = connection.remotePeer.toString()
      if (done.has(peer) || connection.status !== 'open' || this.rotationFor(peer) == null) continue
      done.add(peer)
      this.exchange(connection).catch(err => { this.log('handing the secret rotation to %s failed - %e', peer, err) })
    }
  }

  /** a peer admitted after a rotation was taken learns it before the switch */
  private onAdmitted (evt: CustomEvent<string>): void {
    if (this.init.rotations?.pendingEnvelope() == null) return
    const connection = this.components.connectionManager.getConnections(peerIdFromString(evt.detail)).find(c => c.status === 'open')
    if (connection != null) this.exchange(connection).catch(err => { this.log('handing the secret rotation to %s failed - %e', evt.detail, err) })
  }

  /** the key switched: every connection (on the old key) closes, briefly gracefully; the connection keeper redials */
  private onKeySwitched (): void {
    for (const connection of this.components.connectionManager.getConnections()) {
      connection.close({ signal: AbortSignal.timeout(ROTATION_CLOSE_MS) }).catch(err => { connection.abort(err) })
    }
  }

  private async openAll (envelopes: Uint8Array[], source = 'the certificate file'): Promise<SignedCertificate[]> {
    const lot: SignedCertificate[] = []
    for (const envelope of envelopes) {
      try {
        lot.push(await openCertificate(envelope))
      } catch (err: any) {
        this.log('refused a certificate from %s - %s', source, err.message)
      }
    }
    return lot
  }

  /** ask `source` for the certificate chain of `signer` (coalesced; a miss is not asked again for a while) */
  private async lookUp (signer: string, source: string): Promise<void> {
    const key = `${source}/${signer}`
    const now = Date.now()
    const missUntil = this.misses.get(key)
    if (missUntil != null && missUntil > now) return
    const running = this.lookups.get(key)
    if (running != null) {
      await running
      return
    }
    const connection = this.components.connectionManager.getConnections(peerIdFromString(source)).find(c => c.status === 'open')
    if (connection == null || this.lookups.size >= MAX_LOOKUPS) return
    const lookup = this.exchange(connection, [signer])
      .catch(err => { this.log('asking %s for the certificate of %s failed - %e', source, signer, err) })
      .finally(() => {
        this.lookups.delete(key)
        if (!this.store.isMember(signer)) {
          this.misses.delete(key)
          this.misses.set(key, Date.now() + LOOKUP_MISS_MS)
          if (this.misses.size > MAX_LOOKUP_MISSES) this.misses.delete(this.misses.keys().next().value as string)
        }
      })
    this.lookups.set(key, lookup)
    await lookup
  }

  /** keep the certificates about this node, issued by it, and its own chain (serialized writes) */
  private async save (): Promise<void> {
    const file = this.init.certificatesFile
    if (file == null) return
    const own = this.store.all().filter(s => this.store.isOwn(s)).map(s => s.envelope)
    this.saving = this.saving.then(async () => { await writeCertificateFile(file, own) })
      .catch(err => { this.log.error('cannot keep the certificates in %s - %e', file, err) })
    await this.saving
  }
}

function subjectsOf (wanted: Uint8Array[]): string[] {
  return wanted.flatMap(bytes => {
    try {
      return [peerIdFromMultihash(Digest.decode(bytes)).toString()]
    } catch {
      return []
    }
  })
}
