import { MAX_REVOKED_NOTICES, REVOKED_NOTICE_EVERY_MS, REVOKED_NOTICE_MS } from './invite-constants.js'

/**
 * When an admin lets a revoked peer connect anyway: once every `everyMs`, for `noticeMs`, so that
 * its redeem is answered `revoked` rather than its connection closed without a word. Every gated
 * protocol still refuses it, and its connections close when the notice ends.
 */
export class RevokedNotice {
  /** peer -> when its current notice began */
  private readonly began = new Map<string, number>()

  constructor (private readonly noticeMs = REVOKED_NOTICE_MS, private readonly everyMs = REVOKED_NOTICE_EVERY_MS, private readonly max = MAX_REVOKED_NOTICES) {}

  /** whether `peer` may connect now: within its notice, or its first time in `everyMs` (which begins one) */
  mayConnect (peer: string, now = Date.now()): boolean {
    const began = this.began.get(peer)
    if (began != null && now - began < this.noticeMs) return true
    if (began != null && now - began < this.everyMs) return false
    this.began.delete(peer)
    this.began.set(peer, now)
    if (this.began.size > this.max) this.began.delete(this.began.keys().next().value as string)
    return true
  }

  /** ms left of `peer`'s notice (0 when it has none) */
  remaining (peer: string, now = Date.now()): number {
    const began = this.began.get(peer)
    return began == null ? 0 : Math.max(0, began + this.noticeMs - now)
  }
}
