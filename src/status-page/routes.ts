import { HttpError, readBody, sendJson } from '../http/respond.js'
import { bearerToken, grantsApi } from '../http/tokens.js'
import { pageAssets } from './assets.js'
import {
  LOGIN_PATH, LOGOUT_PATH, MAX_LOGIN_BODY_BYTES, PAGE_PATH, PAGE_PATH_PREFIX, PAGE_SECURITY_HEADERS,
  SCRIPT_PATH, SESSION_COOKIE, SESSION_TTL_MS, STYLE_PATH, VIEW_PATH
} from './constants.js'
import { renderLogin, renderPage } from './render.js'
import { statusView } from './view.js'
import type { Asset } from './assets.js'
import type { LoginThrottle } from './login-throttle.js'
import type { SessionStore } from './sessions.js'
import type { StatusPageSource } from './view.js'
import type { Route } from '../http/route.js'
import type { ApiTokens } from '../http/tokens.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface StatusPageRoutesInit {
  source: StatusPageSource
  tokens: ApiTokens
  sessions: SessionStore
  throttle: LoginThrottle
}

const COOKIE_ATTRIBUTES = `HttpOnly; SameSite=Strict; Path=${PAGE_PATH_PREFIX}`

function sendHtml (res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...PAGE_SECURITY_HEADERS, ...headers, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) })
  res.end(html)
}

function sendAsset (res: ServerResponse, asset: Asset): void {
  res.writeHead(200, { ...PAGE_SECURITY_HEADERS, 'content-type': asset.contentType, 'content-length': asset.body.byteLength })
  res.end(asset.body)
}

function redirect (res: ServerResponse, status: 303 | 308, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...PAGE_SECURITY_HEADERS, ...headers, location, 'content-length': 0 })
  res.end()
}

/** the session id the request's cookie carries, if any */
export function sessionCookie (req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim()
  }
  return undefined
}

/**
 * The status page on the node's API: GET /clawmatrix/ (the login form until a session exists),
 * POST /clawmatrix/login and /clawmatrix/logout, GET /clawmatrix/view (the JSON the page polls;
 * a session or the api token), and the page's script and style. The token travels only in a
 * form body; the browser then holds an HttpOnly, SameSite=Strict session cookie.
 */
export function statusPageRoutes (init: StatusPageRoutesInit): Route[] {
  const { source, tokens, sessions, throttle } = init
  const assets = pageAssets()
  const signedIn = (req: IncomingMessage): boolean => sessions.valid(sessionCookie(req)) || grantsApi(tokens, bearerToken(req))

  return [
    { method: 'GET', path: PAGE_PATH_PREFIX, auth: 'none', handle: async ({ res }) => { redirect(res, 308, PAGE_PATH) } },
    {
      method: 'GET',
      path: PAGE_PATH,
      auth: 'none',
      handle: async ({ req, res }) => {
        if (!signedIn(req)) {
          sendHtml(res, 401, renderLogin(source.nodeId))
          return
        }
        sendHtml(res, 200, renderPage(statusView(source)))
      }
    },
    {
      method: 'POST',
      path: LOGIN_PATH,
      auth: 'none',
      handle: async ({ req, res }) => {
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
        if (type !== 'application/x-www-form-urlencoded') {
          throw new HttpError(415, 'unsupported_media_type', `${LOGIN_PATH} takes a form (application/x-www-form-urlencoded) with the field token, not "${type}"`)
        }
        const body = await readBody(req, MAX_LOGIN_BODY_BYTES)
        const blockedMs = throttle.blockedForMs()
        if (blockedMs > 0) {
          const seconds = Math.ceil(blockedMs / 1000)
          sendHtml(res, 429, renderLogin(source.nodeId, `Too many failed logins: try again in ${seconds} s.`), { 'retry-after': String(seconds) })
          return
        }
        const token = new URLSearchParams(body.toString('utf8')).get('token') ?? undefined
        if (!grantsApi(tokens, token)) {
          throttle.failed()
          sendHtml(res, 401, renderLogin(source.nodeId, token == null || token === '' ? 'Enter the API token.' : 'That token is not this node\'s API token or admin token.'))
          return
        }
        const id = sessions.create()
        redirect(res, 303, PAGE_PATH, { 'set-cookie': `${SESSION_COOKIE}=${id}; ${COOKIE_ATTRIBUTES}; Max-Age=${SESSION_TTL_MS / 1000}` })
      }
    },
    {
      method: 'POST',
      path: LOGOUT_PATH,
      auth: 'none',
      handle: async ({ req, res }) => {
        sessions.end(sessionCookie(req))
        redirect(res, 303, PAGE_PATH, { 'set-cookie': `${SESSION_COOKIE}=; ${COOKIE_ATTRIBUTES}; Max-Age=0` })
      }
    },
    {
      method: 'GET',
      path: VIEW_PATH,
      auth: 'none',
      handle: async ({ req, res }) => {
        if (!signedIn(req)) throw new HttpError(401, 'invalid_api_key', `log in at ${PAGE_PATH} or send Authorization: Bearer <apiToken>`)
        sendJson(res, 200, statusView(source), { 'cache-control': 'no-store' })
      }
    },
    { method: 'GET', path: SCRIPT_PATH, auth: 'none', handle: async ({ res }) => { sendAsset(res, assets.script) } },
    { method: 'GET', path: STYLE_PATH, auth: 'none', handle: async ({ res }) => { sendAsset(res, assets.style) } }
  ]
}
