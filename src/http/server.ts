import { createServer } from 'node:http'
import { logger } from '@libp2p/logger'
import { HttpError, sendError } from './respond.js'
import { tokenMatches } from './tokens.js'
import type { Route, RouteAuth } from './route.js'
import type { ApiTokens } from './tokens.js'
import type { Server, IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

const log = logger('clawmatrix:http')

/** Requests that send nothing for this long are dropped */
export const HEADERS_TIMEOUT_MS = 10_000
export const MAX_CONNECTIONS = 256

export interface ApiServer {
  readonly host: string
  readonly port: number
  close(): Promise<void>
}

function authorized (req: IncomingMessage, auth: RouteAuth, tokens: ApiTokens): boolean {
  const header = req.headers.authorization
  if (header == null || !header.startsWith('Bearer ')) return false
  const presented = header.slice('Bearer '.length).trim()
  if (tokenMatches(presented, tokens.adminToken)) return true
  return auth === 'api' && tokenMatches(presented, tokens.apiToken)
}

/**
 * The node's one local HTTP server: routes by exact path, bearer tokens only, no CORS.
 */
export async function startApiServer (options: { host: string, port: number, tokens: ApiTokens, routes: () => Route[] }): Promise<ApiServer> {
  const server: Server = createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: 0, keepAliveTimeout: 5_000 })
  server.maxConnections = MAX_CONNECTIONS
  /** requests being answered, aborted together when the server stops */
  const inFlight = new Set<AbortController>()
  let stopping = false

  server.on('request', (req, res) => {
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
  server.on('clientError', (_err, socket) => { socket.destroy() })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  return {
    host: options.host,
    port: address.port,
    close: async () => {
      stopping = true
      for (const controller of inFlight) controller.abort(new Error('server stopping'))
      server.closeIdleConnections()
      await new Promise<void>(resolve => {
        server.close(() => { resolve() })
        setTimeout(() => { server.closeAllConnections() }, 2000).unref()
      })
    }
  }
}
