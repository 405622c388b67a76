import { ClawMatrixError } from '../errors/clawmatrix-error.js'

/** Why an invite was not redeemed: the codes of a redeem answer, and the joiner's own `issuer_offline` */
export type RedeemErrorCode =
  | 'invite_used'
  | 'invite_expired'
  | 'invite_rotated'
  | 'unknown_invite'
  | 'node_id_taken'
  | 'rate_limited'
  | 'revoked'
  | 'issuer_offline'
  | 'bad_request'

/** the sentence shown to the user for each code */
export const REDEEM_REASONS: Record<RedeemErrorCode, string> = {
  invite_used: 'this invite has been used already: ask an admin for a new one (clawmatrix invite)',
  invite_expired: 'this invite has expired: ask an admin for a new one (clawmatrix invite)',
  invite_rotated: 'this invite was issued before the mesh rotated its cluster secret, and carries the old one: ask an admin for a new one (clawmatrix invite)',
  unknown_invite: 'the issuer does not know this invite: it is forged, or was issued by another admin or before the issuer\'s invites were lost',
  node_id_taken: 'that node id belongs to another member, or the invite reserves another one: choose another with --node-id',
  revoked: 'this machine\'s peer ID is revoked: an invite cannot bring it back; join with a new identity (a fresh dataDir), which may take the same node id',
  rate_limited: 'too many redeem attempts from this machine: wait a minute and try again',
  issuer_offline: 'the admin that issued this invite cannot be reached: it must be online and reachable at one of the invite\'s addresses, directly or through a listed member\'s relay',
  bad_request: 'the issuer could not read the redeem request'
}

/** An invite was refused, or could not be redeemed */
export class RedeemError extends ClawMatrixError<RedeemErrorCode> {
  static override readonly name: string = 'RedeemError'
  override readonly name: string = 'RedeemError'

  constructor (code: RedeemErrorCode, message = REDEEM_REASONS[code]) {
    super(code, message)
  }
}

/** An invite string that does not parse; the message names what is wrong */
export class InviteFormatError extends Error {
  override readonly name = 'InviteFormatError'
}

/** This node cannot issue an invite now: it listens on no address, or keeps as many invites as it may */
export class CannotInviteError extends ClawMatrixError<'cannot_invite'> {
  static override readonly name: string = 'CannotInviteError'
  override readonly name: string = 'CannotInviteError'

  constructor (message: string) {
    super('cannot_invite', message)
  }
}
