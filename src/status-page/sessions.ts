import { randomBytes } from 'node:crypto'
import { MAX_SESSIONS, SESSION_ID_BYTES, SESSION_TTL_MS } from './constants.js'

export interface SessionLimits {
  maxSessions: number
  ttlMs: number
}

/**
 * The status page's login sessions, in memory: a random id per login, ended by logout, by its
 * age (ttlMs) or, when maxSessions are held, by a newer login (the oldest goes first). A node
 * restart ends them all.
 */
export class SessionStore {
  /** id -> expiry (ms since the epoch), oldest login first */
  private readonly sessions = new Map<string, number>()
  private readonly limits: SessionLimits

  constructor (limits: Partial<SessionLimits> = {}, private readonly now: () => number = Date.now) {
    this.limits = { maxSessions: MAX_SESSIONS, ttlMs: SESSION_TTL_MS, ...limits }
  }

  /** a new session's id (base64url of SESSION_ID_BYTES random bytes) */
  create (): string {
    this.dropExpired()
    while (this.sessions.size >= this.limits.maxSessions) this.sessions.delete(this.sessions.keys().next().value as string)
    const id = randomBytes(SESSION_ID_BYTES).toString('base64url')
    this.sessions.set(id, this.now() + this.limits.ttlMs)
    return id
  }

  valid (id: string | undefined): boolean {
    if (id == null) return false
    const expires = this.sessions.get(id)
    if (expires == null) return false
    if (expires <= this.now()) {
      this.sessions.delete(id)
      return false
    }
    return true
  }

  end (id: string | undefined): void {
    if (id != null) this.sessions.delete(id)
  }

  get size (): number {
    this.dropExpired()
    return this.sessions.size
  }

  /** logins come in order, so expired sessions are at the front */
  private dropExpired (): void {
    const now = this.now()
    for (const [id, expires] of this.sessions) {
      if (expires > now) break
      this.sessions.delete(id)
    }
  }
}
