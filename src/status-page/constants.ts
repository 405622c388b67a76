/**
 * Limits of the status page: its login sessions, its login form and the recent-activity view it
 * polls.
 */

/** The session cookie's name; it is scoped to PAGE_PATH_PREFIX */
export const SESSION_COOKIE = 'clawmatrix_session'
/** Random bytes in a session id (sent base64url) */
export const SESSION_ID_BYTES = 32
/** A session ends this long after login (the cookie's Max-Age) */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000
/** Sessions held at most; a login beyond it ends the oldest one */
export const MAX_SESSIONS = 64
/** Failed logins per FAILED_LOGIN_WINDOW_MS, for the whole node; past them logins get 429 */
export const MAX_FAILED_LOGINS = 10
export const FAILED_LOGIN_WINDOW_MS = 60_000
/** The login form's body at most (it carries one token) */
export const MAX_LOGIN_BODY_BYTES = 4 * 1024

/** Failed requests the page lists, most recent last */
export const MAX_RECENT_ERRORS = 50
/** An error message is cut to this many characters */
export const MAX_ERROR_MESSAGE_CHARS = 300
/** Target nodes counted one by one; more are counted together under OTHER_NODES */
export const MAX_COUNTED_NODES = 256
export const OTHER_NODES = 'other'
/** How often the page asks for GET /clawmatrix/view */
export const POLL_INTERVAL_MS = 2000

/** Where the page lives on the node's API */
export const PAGE_PATH_PREFIX = '/clawmatrix'
export const PAGE_PATH = '/clawmatrix/'
export const LOGIN_PATH = '/clawmatrix/login'
export const LOGOUT_PATH = '/clawmatrix/logout'
export const VIEW_PATH = '/clawmatrix/view'
export const SCRIPT_PATH = '/clawmatrix/page.js'
export const STYLE_PATH = '/clawmatrix/page.css'

/** Sent with every HTML page and asset: no inline code, nothing from elsewhere, not framed, not cached */
export const PAGE_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store'
}
