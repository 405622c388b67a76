import { issueInvite } from '../../node/membership-requests.js'
import { readJsonObject, sendJson } from '../respond.js'
import type { InviteService } from '../../membership/invite-service.js'
import type { Route } from '../route.js'

const MAX_BODY_BYTES = 4 * 1024

/**
 * POST /clawmatrix/membership/invites `{ name?, expiresInMs?, uses? }` (admin token): issue an
 * invite; answers `{ invite, expiresAt, uses, name?, addrs }`. The invite holds the cluster secret.
 */
export function inviteRoutes (invites: InviteService): Route[] {
  return [{
    method: 'POST',
    path: '/clawmatrix/membership/invites',
    auth: 'admin',
    handle: async ({ req, res }) => {
      const { value } = await readJsonObject(req, MAX_BODY_BYTES)
      sendJson(res, 200, await issueInvite(invites, value))
    }
  }]
}
