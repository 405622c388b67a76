/**
 * @packageDocumentation
 * The live status page at `GET /clawmatrix/` on the node's API: a login form that turns the api
 * token into a session cookie, a server-rendered table of every node (complete without
 * JavaScript), and a static script that draws the topology and polls `GET /clawmatrix/view` for
 * the rates and recent errors. `RecentActivity` is what the page knows of this node's own
 * requests, fed beside the Prometheus metrics and kept when they are off.
 */

import { LoginThrottle } from './login-throttle.js'
import { statusPageRoutes } from './routes.js'
import { SessionStore } from './sessions.js'
import type { StatusPageSource } from './view.js'
import type { Route } from '../http/route.js'
import type { ApiTokens } from '../http/tokens.js'

export interface StatusPageInit {
  source: StatusPageSource
  tokens: ApiTokens
}

/** the page's routes, with their own session store and failed-login throttle */
export function statusPage (init: StatusPageInit): Route[] {
  return statusPageRoutes({ ...init, sessions: new SessionStore(), throttle: new LoginThrottle() })
}

export { RecentActivity } from './recent-activity.js'
export type { ActivityView, RecentError, Plane } from './recent-activity.js'
export type { StatusView, StatusPageSource } from './view.js'
export { PAGE_PATH } from './constants.js'
