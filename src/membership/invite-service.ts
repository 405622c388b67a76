import { serviceCapabilities } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { encodeInvite } from './invite.js'
import {
  DEFAULT_INVITE_LIFETIME_MS, DEFAULT_INVITE_USES, MAX_INVITE_ADDRS, MAX_INVITE_LIFETIME_MS, MAX_INVITE_USES, MAX_REDEEM_STREAMS,
  REDEEM_IP_ATTEMPTS, REDEEM_PEER_ATTEMPTS, REDEEM_PROTOCOL, REDEEM_TIMEOUT_MS
} from './invite-constants.js'
import { CannotInviteError, RedeemError } from './invite-errors.js'
import { InviteStore } from './invite-store.js'
import { RedeemRateLimit } from './redeem-rate-limit.js'
import { answerRedeem } from './redeem.js'
import { NotAdminError } from './errors.js'
import { NODE_ID_PATTERN } from './constants.js'
import type { MembershipService } from './index.js'
import type { RedeemRequest, RedeemResponse } from '../../protocols/invite.js'
import type { ComponentLogger, Connection, Logger, PeerId, Startable, Stream } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'

export interface InviteServiceInit {
  /** the file in dataDir keeping the issued invites */
  invitesFile: string
  /** the configured cluster secret */
  secret: string
  /** the secret of the cluster key in use, when it may have been rotated since the start (else `secret`) */
  currentSecret?: () => string
  /** the fingerprint of the cluster key in use and whether a rotation brought it: invites of an older key are dead */
  currentKey?: () => { fingerprint: string, rotated: boolean }
  /** the membership service that signs and keeps the joiner's certificate */
  membership: () => MembershipService
  /** dialable addresses (with /p2p/) of reachable listening members other than this node */
  memberAddrs: () => string[]
}

export interface InviteServiceComponents {
  peerId: PeerId
  registrar: Registrar
  addressManager: { getAddresses(): Array<{ toString(): string }> }
  logger: ComponentLogger
}

export interface IssueInviteRequest {
  name?: string
  expiresInMs?: number
  uses?: number
}

export interface IssuedInvite {
  invite: string
  expiresAt: number
  uses: number
  name?: string
  addrs: string[]
}

export interface InviteService {
  /** issue an invite (this node must be able to certify) */
  issue(request: IssueInviteRequest): Promise<IssuedInvite>
}

const LOOPBACK = /^\/(ip4\/127\.|ip6\/::1\/)/

/**
 * Invites: an admin issues them (keeping only each token's hash) and redeems them on
 * `REDEEM_PROTOCOL` for the joiner's certificate. Only the issuer redeems its own tokens, so a
 * use is counted without asking anyone else. The protocol is open to peers on probation (it is
 * not a gated protocol), over a relay's limited circuit too, under a per-peer and per-IP rate
 * limit; a revoked peer is answered `revoked`.
 */
export class DefaultInviteService implements Startable, InviteService {
  readonly [Symbol.toStringTag] = 'clawmatrix/invites'
  readonly [serviceCapabilities]: string[] = ['clawmatrix/invites']
  private readonly log: Logger
  private readonly store: InviteStore
  private readonly rateLimit = new RedeemRateLimit()
  private started = false

  constructor (private readonly components: InviteServiceComponents, private readonly init: InviteServiceInit) {
    this.log = components.logger.forComponent('clawmatrix:invites')
    this.store = new InviteStore(init.invitesFile, undefined, init.currentKey)
    this.handleRedeem = this.handleRedeem.bind(this)
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(REDEEM_PROTOCOL, this.handleRedeem, {
      maxInboundStreams: MAX_REDEEM_STREAMS,
      maxOutboundStreams: MAX_REDEEM_STREAMS,
      runOnLimitedConnection: true
    })
    this.started = true
  }

  isStarted (): boolean {
    return this.started
  }

  async stop (): Promise<void> {
    this.started = false
    await this.components.registrar.unhandle(REDEEM_PROTOCOL)
  }

  async issue (request: IssueInviteRequest): Promise<IssuedInvite> {
    const membership = this.init.membership()
    const self = this.components.peerId.toString()
    if (!membership.canCertify()) throw new NotAdminError(`this node (${self}) is neither a root admin (config admins) nor holds a valid admin certificate: it cannot issue invites`)
    const lifetime = Math.min(request.expiresInMs ?? DEFAULT_INVITE_LIFETIME_MS, MAX_INVITE_LIFETIME_MS)
    const uses = Math.min(request.uses ?? DEFAULT_INVITE_USES, MAX_INVITE_USES)
    const expiresAt = Date.now() + lifetime
    const addrs = this.inviteAddrs()
    if (addrs.length === 0) throw new CannotInviteError('this node listens on no address a joiner can dial and knows no listening member to be reached through: set "listen": true in its config, or connect it to a listening member (peers) first')
    const token = await this.store.issue({ expiresAt, uses, ...(request.name != null ? { name: request.name } : {}) })
    const admins = [...membership.store.roots]
    const invite = encodeInvite({ secret: this.init.currentSecret?.() ?? this.init.secret, issuer: self, addrs, admins, token, expiresAt, ...(request.name != null ? { name: request.name } : {}) })
    return { invite, expiresAt, uses, addrs, ...(request.name != null ? { name: request.name } : {}) }
  }

  /**
   * this node's direct addresses first, then the relays it holds a slot on (a joiner reaches it
   * through them), then other members', at most MAX_INVITE_ADDRS
   */
  private inviteAddrs (): string[] {
    const self = this.components.peerId.toString()
    const all = this.components.addressManager.getAddresses().map(a => a.toString())
    const own = all.filter(a => !a.includes('/p2p-circuit')).map(a => a.includes('/p2p/') ? a : `${a}/p2p/${self}`)
    const relays = all.filter(a => a.includes('/p2p-circuit')).map(a => a.slice(0, a.indexOf('/p2p-circuit'))).filter(a => a.includes('/p2p/'))
    // loopback last: it reaches a node only from its own machine
    const byReach = (list: string[]): string[] => [...list.filter(a => !LOOPBACK.test(a)), ...list.filter(a => LOOPBACK.test(a))]
    return [...new Set([...byReach(own), ...byReach(relays), ...this.init.memberAddrs()])].slice(0, MAX_INVITE_ADDRS)
  }

  private async handleRedeem (stream: Stream, connection: Connection): Promise<void> {
    const remote = connection.remotePeer.toString()
    const ip = ipOf(connection)
    try {
      await answerRedeem(stream, async request => await this.redeem(remote, ip, request), AbortSignal.timeout(REDEEM_TIMEOUT_MS))
    } catch (err: any) {
      this.log('redeem with %s failed - %e', remote, err)
    }
    // a revoked peer was let in only to hear that
    if (this.init.membership().isRevoked(remote)) connection.close().catch(err => { connection.abort(err) })
  }

  private async redeem (remote: string, ip: string | undefined, request: RedeemRequest | undefined): Promise<RedeemResponse> {
    try {
      if (!this.rateLimit.take([{ key: `peer/${remote}`, limit: REDEEM_PEER_ATTEMPTS }, ...(ip != null ? [{ key: `ip/${ip}`, limit: REDEEM_IP_ATTEMPTS }] : [])])) throw new RedeemError('rate_limited')
      if (request == null) throw new RedeemError('bad_request', 'the redeem request does not decode')
      if (!NODE_ID_PATTERN.test(request.nodeId)) throw new RedeemError('bad_request', 'nodeId must be 1 to 128 letters, digits and . _ : @ -')
      const membership = this.init.membership()
      if (membership.isRevoked(remote)) throw new RedeemError('revoked')
      await this.store.check(request.token, request.nodeId)
      const holder = membership.certificates().find(c => c.valid && c.nodeId === request.nodeId && c.subject !== remote)
      if (holder != null) throw new RedeemError('node_id_taken', `node id "${request.nodeId}" belongs to another member (${holder.subject}): choose another with --node-id`)
      await this.store.use(request.token, request.nodeId)
      await membership.certify({ subject: remote, nodeId: request.nodeId })
      this.log('%s redeemed an invite as %s', remote, request.nodeId)
      return {
        certificates: membership.store.chainOf(remote).map(s => s.envelope) as Array<Uint8Array<ArrayBuffer>>,
        addrs: this.inviteAddrs().map(a => multiaddr(a).bytes as Uint8Array<ArrayBuffer>),
        code: '',
        message: ''
      }
    } catch (err: any) {
      const code = err instanceof RedeemError ? err.code : 'bad_request'
      if (!(err instanceof RedeemError)) this.log.error('redeem for %s failed - %e', remote, err)
      return { certificates: [], addrs: [], code, message: err instanceof RedeemError ? err.message : 'the issuer could not certify this node' }
    }
  }
}

/** the remote IP of a direct connection; for a relayed one, the relay's */
function ipOf (connection: Connection): string | undefined {
  return connection.remoteAddr.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')?.value
}

/** The invite service: issue invites, redeem them for certificates */
export function inviteService (init: InviteServiceInit): (components: InviteServiceComponents) => InviteService {
  return (components) => new DefaultInviteService(components, init)
}
