import { ClawMatrixError } from '../errors/clawmatrix-error.js'

/**
 * The membership plane's error codes. `invalid_certificate` never reaches a peer (a refused
 * certificate is dropped and logged); `not_admin` answers the HTTP API.
 */
export type MembershipErrorCode =
  /** a certificate that did not open or is not valid here: `reason` says which check */
  | 'invalid_certificate'
  /** this node cannot certify: it is neither a root admin nor holds a valid admin certificate */
  | 'not_admin'
  /** a revocation that did not open or that its issuer may not make: `reason` says which check */
  | 'invalid_revocation'
  /** a secret rotation that did not open, that its issuer may not make, or that this node cannot take */
  | 'invalid_rotation'

export type CertificateRejection =
  /** not a certificate envelope, or a payload that does not decode within the limits */
  | 'malformed'
  /** the envelope signature does not verify */
  | 'signature'
  /** the certificate names another issuer than its signer */
  | 'issuer'
  /** past its `expiresAt` (with the clock skew allowance) */
  | 'expired'
  /** no chain of admin certificates from its issuer to a root admin, or one too deep */
  | 'untrusted'
  /** its subject is revoked */
  | 'revoked'
  /** its issuer is revoked: what that admin signed is no longer taken */
  | 'issuerRevoked'

export type RevocationRejection =
  /** not a revocation envelope, or a payload that does not decode within the limits */
  | 'malformed'
  /** the envelope signature does not verify */
  | 'signature'
  /** the revocation names another issuer than its signer */
  | 'issuer'
  /** its issuer is no admin here, or a certified admin revoking a root admin, or a peer revoking itself */
  | 'unauthorized'
  /** no place left in the revocation list */
  | 'full'

export type RotationRejection =
  /** not a rotation envelope, or a payload that does not decode within the limits */
  | 'malformed'
  /** the envelope signature does not verify */
  | 'signature'
  /** the rotation names another issuer than its signer */
  | 'issuer'
  /** its issuer is no admin here (not a root admin, no valid admin certificate, or revoked) */
  | 'unauthorized'
  /** it does not replace the key this node uses (an old rotation replayed, or another mesh's) */
  | 'stale'
  /** its switch time is too far ahead, or another rotation of the same key wins over it */
  | 'refused'

/** A certificate that failed to open or is not valid; `reason` says which check */
export class InvalidCertificateError extends ClawMatrixError<'invalid_certificate'> {
  static override readonly name: string = 'InvalidCertificateError'
  override readonly name: string = 'InvalidCertificateError'

  constructor (readonly reason: CertificateRejection, message: string) {
    super('invalid_certificate', message)
  }
}

/** A revocation that failed to open or that its issuer may not make; `reason` says which check */
export class InvalidRevocationError extends ClawMatrixError<'invalid_revocation'> {
  static override readonly name: string = 'InvalidRevocationError'
  override readonly name: string = 'InvalidRevocationError'

  constructor (readonly reason: RevocationRejection, message: string) {
    super('invalid_revocation', message)
  }
}

/** A secret rotation that failed to open or that this node does not take; `reason` says which check */
export class InvalidRotationError extends ClawMatrixError<'invalid_rotation'> {
  static override readonly name: string = 'InvalidRotationError'
  override readonly name: string = 'InvalidRotationError'

  constructor (readonly reason: RotationRejection, message: string) {
    super('invalid_rotation', message)
  }
}

/** This node holds no admin right to sign a certificate with */
export class NotAdminError extends ClawMatrixError<'not_admin'> {
  static override readonly name: string = 'NotAdminError'
  override readonly name: string = 'NotAdminError'

  constructor (message: string) {
    super('not_admin', message)
  }
}

/** the HTTP status of each code the API answers with */
export function httpStatusOf (code: MembershipErrorCode): number {
  switch (code) {
    case 'not_admin': return 403
    case 'invalid_certificate': return 400
    case 'invalid_revocation': return 400
    case 'invalid_rotation': return 400
    default: return 500
  }
}
