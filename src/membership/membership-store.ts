import { createHash } from 'node:crypto'
import { isExpired } from './certificate.js'
import { ADMIN_ROLE, MAX_CERTIFICATES, MAX_CHAIN_DEPTH } from './constants.js'
import { InvalidCertificateError } from './errors.js'
import type { Certificate, SignedCertificate } from './certificate.js'

/** why a certificate held is not valid here now */
export type CertificateProblem = 'expired' | 'untrusted' | 'revoked' | 'issuerRevoked'

/** A certificate as `members` lists it */
export interface CertificateView extends Certificate {
  /** valid here now: not expired, not revoked and chained to a root admin */
  valid: boolean
  /** why not, when not valid */
  problem?: CertificateProblem
}

export interface MembershipStoreInit {
  /** the root admins' peer IDs (config `admins`) */
  roots: Iterable<string>
  /** this node's peer ID: certificates about it, or issued by it, always get a place */
  self: string
  maxCertificates?: number
  /** whether a peer is revoked: a revoked subject's certificates, and those a revoked issuer signed, are not valid */
  isRevoked?: (peerId: string) => boolean
}

type Verdict = { ok: true, chain: SignedCertificate[] } | { ok: false, problem: CertificateProblem, message: string }

function keyOf (envelope: Uint8Array): string {
  return createHash('sha256').update(envelope).digest('hex')
}

/**
 * The certificates a node holds, checked against the root admins. A certificate is valid when it
 * is not expired and its issuer is a root admin, or holds a valid `admin` certificate itself, in a
 * chain of at most MAX_CHAIN_DEPTH certificates without cycles. Validity is decided when asked (a
 * certificate valid when stored may expire, or lose the admin certificate above it, later), and
 * only certificates valid when they arrive are stored: those about this node are the exception,
 * kept so a node learns its certificate before it knows the admins.
 */
export class MembershipStore {
  readonly roots: ReadonlySet<string>
  private readonly self: string
  private readonly maxCertificates: number
  private readonly entries = new Map<string, SignedCertificate>()
  private readonly bySubject = new Map<string, Set<string>>()
  private readonly isRevoked: (peerId: string) => boolean

  constructor (init: MembershipStoreInit) {
    this.roots = new Set(init.roots)
    this.self = init.self
    this.maxCertificates = init.maxCertificates ?? MAX_CERTIFICATES
    this.isRevoked = init.isRevoked ?? (() => false)
  }

  get size (): number {
    return this.entries.size
  }

  /** whether `peerId` is a member: not revoked, and a root admin or the subject of a valid certificate */
  isMember (peerId: string, now = Date.now()): boolean {
    return !this.isRevoked(peerId) && (this.roots.has(peerId) || this.validFor(peerId, now) != null)
  }

  /** whether `peerId` may certify and revoke: a root admin or the subject of a valid `admin` certificate, not revoked */
  isAdmin (peerId: string, now = Date.now()): boolean {
    if (this.isRevoked(peerId)) return false
    return this.roots.has(peerId) || this.about(peerId).some(s => s.certificate.roles.includes(ADMIN_ROLE) && this.verify(s.certificate, s.envelope, now).ok)
  }

  /** the subject's valid certificate that lasts longest, if any */
  validFor (subject: string, now = Date.now()): SignedCertificate | undefined {
    return this.best(subject, now)?.chain[0]
  }

  /** the subject's valid certificate and the admin certificates above it, up to a root admin */
  chainOf (subject: string, now = Date.now()): SignedCertificate[] {
    return this.best(subject, now)?.chain ?? []
  }

  /** every certificate held about `subject`, valid or not */
  about (subject: string): SignedCertificate[] {
    return [...this.bySubject.get(subject) ?? []].flatMap(key => this.entries.get(key) ?? [])
  }

  /** every certificate held */
  all (): SignedCertificate[] {
    return [...this.entries.values()]
  }

  list (now = Date.now()): CertificateView[] {
    return this.all().map(({ certificate, envelope }) => {
      const verdict = this.verify(certificate, envelope, now)
      return { ...certificate, valid: verdict.ok, ...(!verdict.ok ? { problem: verdict.problem } : {}) }
    })
  }

  /**
   * Check a certificate here now; throws `InvalidCertificateError` (`expired` or `untrusted`)
   * when it is not valid.
   */
  check (signed: SignedCertificate, now = Date.now()): void {
    const verdict = this.verify(signed.certificate, signed.envelope, now)
    if (!verdict.ok) throw new InvalidCertificateError(verdict.problem, verdict.message)
  }

  /**
   * Store the certificates that are valid, taking the others in the same lot into account (an
   * admin's certificate may come after the ones it signed). Certificates about this node are kept
   * even when not valid yet. Returns the ones newly stored and, for the others, why not.
   */
  addAll (lot: SignedCertificate[], now = Date.now()): { added: SignedCertificate[], refused: InvalidCertificateError[] } {
    const added: SignedCertificate[] = []
    let pending = lot.filter(s => !this.entries.has(keyOf(s.envelope)))
    let progress = true
    while (pending.length > 0 && progress) {
      progress = false
      const next: SignedCertificate[] = []
      for (const signed of pending) {
        if (this.entries.has(keyOf(signed.envelope))) continue
        const verdict = this.verify(signed.certificate, signed.envelope, now)
        if (verdict.ok && this.put(signed)) {
          added.push(signed)
          progress = true
        } else {
          next.push(signed)
        }
      }
      pending = next
    }
    const refused: InvalidCertificateError[] = []
    for (const signed of pending) {
      const verdict = this.verify(signed.certificate, signed.envelope, now)
      if (signed.certificate.subject === this.self && this.put(signed)) {
        added.push(signed)
        continue
      }
      refused.push(verdict.ok
        ? new InvalidCertificateError('untrusted', `no place for the certificate of ${signed.certificate.subject} (${this.maxCertificates} held)`)
        : new InvalidCertificateError(verdict.problem, verdict.message))
    }
    return { added, refused }
  }

  /** whether this node keeps `signed` across restarts: about it, issued by it, or in its own chain */
  isOwn (signed: SignedCertificate, now = Date.now()): boolean {
    const { subject, issuer } = signed.certificate
    return subject === this.self || issuer === this.self || this.chainOf(this.self, now).some(s => s.envelope === signed.envelope)
  }

  /** store one certificate, making room by dropping an expired one of others when full */
  private put (signed: SignedCertificate): boolean {
    const key = keyOf(signed.envelope)
    if (this.entries.has(key)) return true
    if (this.entries.size >= this.maxCertificates && !this.evictExpired()) return false
    this.entries.set(key, signed)
    const subject = signed.certificate.subject
    let keys = this.bySubject.get(subject)
    if (keys == null) this.bySubject.set(subject, keys = new Set())
    keys.add(key)
    return true
  }

  private evictExpired (now = Date.now()): boolean {
    for (const [key, signed] of this.entries) {
      const { subject, issuer } = signed.certificate
      if (subject === this.self || issuer === this.self || !isExpired(signed.certificate, now)) continue
      this.entries.delete(key)
      this.bySubject.get(subject)?.delete(key)
      if (this.bySubject.get(subject)?.size === 0) this.bySubject.delete(subject)
      return true
    }
    return false
  }

  private best (subject: string, now: number): { chain: SignedCertificate[] } | undefined {
    let best: { chain: SignedCertificate[], expiresAt: number } | undefined
    for (const signed of this.about(subject)) {
      const verdict = this.verify(signed.certificate, signed.envelope, now)
      if (!verdict.ok) continue
      const expiresAt = signed.certificate.expiresAt ?? Infinity
      if (best == null || expiresAt > best.expiresAt) best = { chain: verdict.chain, expiresAt }
    }
    return best
  }

  /**
   * The chain from `certificate` up to a root admin: the certificate itself, then for each issuer
   * that is not a root one of its valid admin certificates. `visited` holds the subjects on the
   * way, so a cycle of admins certifying each other ends as untrusted.
   */
  private verify (certificate: Certificate, envelope: Uint8Array, now: number, depth = 1, visited = new Set<string>()): Verdict {
    if (this.isRevoked(certificate.subject)) return { ok: false, problem: 'revoked', message: `${certificate.subject} is revoked` }
    // a revoked admin's key may be in other hands, and could backdate issuedAt: nothing it signed is taken
    if (this.isRevoked(certificate.issuer)) return { ok: false, problem: 'issuerRevoked', message: `the issuer ${certificate.issuer} of ${certificate.subject}'s certificate is revoked` }
    if (isExpired(certificate, now)) return { ok: false, problem: 'expired', message: `the certificate of ${certificate.subject} expired at ${new Date(certificate.expiresAt ?? 0).toISOString()}` }
    const self = { certificate, envelope }
    if (this.roots.has(certificate.issuer)) return { ok: true, chain: [self] }
    if (depth >= MAX_CHAIN_DEPTH) return { ok: false, problem: 'untrusted', message: `the chain of ${certificate.subject}'s certificate to a root admin is longer than ${MAX_CHAIN_DEPTH}` }
    visited.add(certificate.subject)
    if (visited.has(certificate.issuer)) return { ok: false, problem: 'untrusted', message: `the certificate of ${certificate.subject} is part of a cycle of admins` }
    let deepest: Verdict | undefined
    for (const issuerCert of this.about(certificate.issuer)) {
      if (!issuerCert.certificate.roles.includes(ADMIN_ROLE)) continue
      const verdict = this.verify(issuerCert.certificate, issuerCert.envelope, now, depth + 1, new Set(visited))
      if (verdict.ok) return { ok: true, chain: [self, ...verdict.chain] }
      deepest ??= verdict
    }
    if (deepest != null && !deepest.ok && deepest.problem === 'untrusted' && /longer than|cycle/.test(deepest.message)) return deepest
    return { ok: false, problem: 'untrusted', message: `the issuer ${certificate.issuer} of ${certificate.subject}'s certificate is no root admin and holds no valid admin certificate here` }
  }
}
