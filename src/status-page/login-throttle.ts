import { FAILED_LOGIN_WINDOW_MS, MAX_FAILED_LOGINS } from './constants.js'

/**
 * Failed logins allowed per window, for the whole node: past them every login is refused until the
 * window ends, without comparing the token, so the form cannot be used to guess a weak configured
 * `apiToken`. The bearer token on the API is not affected.
 */
export class LoginThrottle {
  private windowStart = 0
  private failures = 0

  constructor (private readonly max = MAX_FAILED_LOGINS, private readonly windowMs = FAILED_LOGIN_WINDOW_MS) {}

  /** ms until logins are taken again, or 0 when they are now */
  blockedForMs (now = Date.now()): number {
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now
      this.failures = 0
    }
    return this.failures >= this.max ? this.windowStart + this.windowMs - now : 0
  }

  failed (): void {
    this.failures++
  }
}
