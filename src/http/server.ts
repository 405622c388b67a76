import { createServer } from 'node:http'
import { logger } from '@libp2p/logger'
import { ConnectionGuard } from './connection-guard.js'
import {
  BODY_RATE_WINDOW_MS, CONNECTIONS_CHECK_INTERVAL_MS, HEADERS_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS,
  MAX_CONNECTIONS, MAX_HEADERS_COUNT, MIN_BODY_BYTES_PER_WINDOW
} from './constants.js'
import { HostCheck } from './host-check.js'
import { HttpError, sendError } from './respond.js'
import { bearerToken, grantsApi, tokenMatches } from './tokens.js'
import type { ConnectionCounts, ConnectionLimits } from './connection-guard.js'
import type { Route, RouteAuth } from './route.js'
import type { ApiTokens } from './tokens.js'
import type { Server, IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

const log = logger('clawmatrix:http')

export interface ApiServer {
  readonly host: string
  readonly port: number
  /** open connections, and how many were evicted, refused or closed for a trickling body */
  connections(): ConnectionCounts
  close(): Promise<void>
}

/** The API's limits (src/http/constants.ts); tests shorten them */
export interface ApiServerLimits extends ConnectionLimits {
  headersTimeoutMs: number
  connectionsCheckIntervalMs: number
  keepAliveTimeoutMs: number
}

export const API_SERVER_LIMITS: ApiServerLimits = {
  headersTimeoutMs: HEADERS_TIMEOUT_MS,
  connectionsCheckIntervalMs: CONNECTIONS_CHECK_INTERVAL_MS,
  keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
  maxConnections: MAX_CONNECTIONS,
  bodyRateWindowMs: BODY_RATE_WINDOW_MS,
  minBodyBytesPerWindow: MIN_BODY_BYTES_PER_WINDOW
}

const CLIENT_ERROR_STATUS: Record<string, string> = {
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large'
}

function authorized (req: IncomingMessage, auth: RouteAuth, tokens: ApiTokens): boolean {
  if (auth === 'none') return true
  const presented = bearerToken(req)
  if (auth === 'api') return grantsApi(tokens, presented)
  return presented != null && tokenMatches(presented, tokens.adminToken)
}

/**
 * The node's one local HTTP server: answers only the Host names it serves (HostCheck), routes by
 * exact path, bearer tokens (and the status page's session cookie on its own routes), no CORS.
 * No limit on how long a request may take once its body is in (answers stream for minutes);
 * slow clients are bounded by the headers timeout, the body rate and the connection limit.
 */
export async function startApiServer (options: { host: string, port: number, tokens: ApiTokens, routes: () => Route[], limits?: Partial<ApiServerLimits> }): Promise<ApiServer> {
  const limits = { ...API_SERVER_LIMITS, ...options.limits }
  const server: Server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    // the body is bounded by rate (ConnectionGuard), not by a total time a slow upload could pass
    requestTimeout: 0,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.connectionsCheckIntervalMs
  })
  server.maxHeadersCount = MAX_HEADERS_COUNT
  const guard = new ConnectionGuard(server, limits)
  /** requests being answered, aborted together when the server stops */
  const inFlight = new Set<AbortController>()
  let stopping = false
  /** set once the port is known, before the first request can arrive */
  let hosts: HostCheck | undefined

  server.on('request', (req, res) => {
    if (guard.refused(req)) return
    guard.requestStarted(req, res)
    const url = new URL(req.url ?? '/', 'http://localhost')
    const controller = new AbortController()
    inFlight.add(controller)
    res.once('close', () => {
      inFlight.delete(controller)
      // a response that did not finish means the client went away: stop the work behind it
      if (!res.writableFinished) controller.abort(new Error('client went away'))
    })
    if (stopping) controller.abort(new Error('server stopping'))

    const candidates = options.routes().filter(r => r.path === url.pathname)
    const route = candidates.find(r => r.method === req.method)
    const handle = async (): Promise<void> => {
      if (hosts?.allows(req.headers.host) !== true) throw (hosts ?? new HostCheck(options.host, 0)).refusal(req.headers.host)
      if (candidates.length === 0) throw new HttpError(404, 'not_found', `no route ${req.method ?? ''} ${url.pathname}`)
      if (route == null) throw new HttpError(405, 'method_not_allowed', `${url.pathname} accepts ${candidates.map(r => r.method).join(', ')}`)
      if (!authorized(req, route.auth, options.tokens)) {
        throw new HttpError(401, 'invalid_api_key', route.auth === 'admin'
          ? 'this route needs the admin token (Authorization: Bearer <dataDir>/admin-token)'
          : 'missing or wrong token (Authorization: Bearer <apiToken>)')
      }
      await route.handle({ req, res, url, signal: controller.signal })
    }
    handle().catch((err: any) => {
      if (err instanceof HttpError) {
        sendError(res, err)
        return
      }
      log.error('%s %s failed - %e', req.method, url.pathname, err)
      sendError(res, new HttpError(500, 'internal_error', String(err?.message ?? err)))
    })
  })
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // a status line for the limits a client can run into; anything else unparsable is just closed
    const status = CLIENT_ERROR_STATUS[err.code ?? '']
    const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage
    if (status != null && socket.writable && answering == null) socket.write(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
    socket.destroy()
  })

  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error): void => {
      guard.stop()
      reject(err)
    }
    server.once('error', failed)
    server.listen(options.port, options.host, () => {
      server.off('error', failed)
      hosts = new HostCheck(options.host, (server.address() as AddressInfo).port)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  return {
    host: options.host,
    port: address.port,
    connections: () => guard.stats(),
    close: async () => {
      stopping = true
      guard.stop()
      for (const controller of inFlight) controller.abort(new Error('server stopping'))
      server.closeIdleConnections()
      await new Promise<void>(resolve => {
        server.close(() => { resolve() })
        setTimeout(() => { server.closeAllConnections() }, 2000).unref()
      })
    }
  }
}
