import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Who may call a route: `api` takes the apiToken or the admin token (model routes, read-only
 * status); `admin` only the admin token (routes that act on other nodes); `none` no token (what
 * the operator opened, as `/metrics` with `metricsPublic`).
 */
export type RouteAuth = 'api' | 'admin' | 'none'

export interface RouteContext {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  /** aborted when the client goes away or the server stops */
  signal: AbortSignal
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE'
  /** exact path, e.g. `/v1/chat/completions` */
  path: string
  auth: RouteAuth
  handle(ctx: RouteContext): Promise<void>
}
