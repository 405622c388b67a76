import { MAX_REVOCATIONS } from './constants.js'
import { InvalidRevocationError } from './errors.js'
import type { SignedRevocation } from './revocation.js'

export interface RevocationListInit {
  /** the root admins' peer IDs (config `admins`) */
  roots: ReadonlySet<string>
  /** whether a peer holds a valid `admin` certificate here now (the membership store's `isAdmin`) */
  isAdmin: (peerId: string) => boolean
  maxRevocations?: number
}

/**
 * The revocations a node holds, one per revoked peer (the first valid one that arrived). Who may
 * revoke whom: a root admin may revoke any peer; a certified admin any peer that is not a root
 * admin; nobody itself, and nobody who is revoked. A revocation is checked when it arrives and
 * stays: revoking the admin that signed it later does not bring its subject back.
 */
export class RevocationList {
  private readonly roots: ReadonlySet<string>
  private readonly isAdmin: (peerId: string) => boolean
  private readonly maxRevocations: number
  private readonly bySubject = new Map<string, SignedRevocation>()

  constructor (init: RevocationListInit) {
    this.roots = init.roots
    this.isAdmin = init.isAdmin
    this.maxRevocations = init.maxRevocations ?? MAX_REVOCATIONS
  }

  get size (): number {
    return this.bySubject.size
  }

  has (peerId: string): boolean {
    return this.bySubject.has(peerId)
  }

  get (peerId: string): SignedRevocation | undefined {
    return this.bySubject.get(peerId)
  }

  /** every revocation held, the newest first */
  all (): SignedRevocation[] {
    return [...this.bySubject.values()].sort((a, b) => b.revocation.revokedAt - a.revocation.revokedAt)
  }

  /** throws `InvalidRevocationError` (`unauthorized`) when the issuer may not revoke the subject */
  authorize (signed: SignedRevocation): void {
    const { subject, issuer } = signed.revocation
    if (subject === issuer) throw new InvalidRevocationError('unauthorized', `${issuer} cannot revoke itself`)
    if (this.has(issuer)) throw new InvalidRevocationError('unauthorized', `the issuer ${issuer} of the revocation of ${subject} is revoked`)
    if (this.roots.has(subject)) {
      if (!this.roots.has(issuer)) throw new InvalidRevocationError('unauthorized', `${subject} is a root admin: only another root admin can revoke it (${issuer} is none)`)
      return
    }
    if (!this.roots.has(issuer) && !this.isAdmin(issuer)) throw new InvalidRevocationError('unauthorized', `the issuer ${issuer} of the revocation of ${subject} is no root admin and holds no valid admin certificate here`)
  }

  /**
   * Keep a revocation its issuer may make; true when its subject was not revoked before. Throws
   * `InvalidRevocationError` (`unauthorized`, or `full` when MAX_REVOCATIONS are held). `checked`:
   * taken before (from this node's own file), when the issuer's admin certificate may not be held any more.
   */
  add (signed: SignedRevocation, checked = false): boolean {
    if (this.has(signed.revocation.subject)) return false
    if (!checked) this.authorize(signed)
    if (this.bySubject.size >= this.maxRevocations) throw new InvalidRevocationError('full', `no place for the revocation of ${signed.revocation.subject} (${this.maxRevocations} held)`)
    this.bySubject.set(signed.revocation.subject, signed)
    return true
  }
}
