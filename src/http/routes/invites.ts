import { z } from 'zod'
import { httpStatusOf, NotAdminError } from '../../membership/index.js'
import { MAX_INVITE_LIFETIME_MS, MAX_INVITE_USES } from '../../membership/invite-constants.js'
import { CannotInviteError } from '../../membership/invite-errors.js'
import { HttpError, readJsonObject, sendJson } from '../respond.js'
import type { InviteService } from '../../membership/invite-service.js'
import type { Route } from '../route.js'

const MAX_BODY_BYTES = 4 * 1024
const EXPIRES_MESSAGE = `expiresInMs must be a whole number of ms from 1 to ${MAX_INVITE_LIFETIME_MS} (30 days)`
const USES_MESSAGE = `uses must be a whole number from 1 to ${MAX_INVITE_USES}`

const inviteBody = z.object({
  name: z.string({ error: 'name must be a string' }).regex(/^[A-Za-z0-9._:@-]{1,128}$/, { error: 'name must be 1 to 128 letters, digits and . _ : @ -' }).nullish(),
  expiresInMs: z.number({ error: EXPIRES_MESSAGE }).refine(v => Number.isSafeInteger(v) && v > 0 && v <= MAX_INVITE_LIFETIME_MS, { error: EXPIRES_MESSAGE }).nullish(),
  uses: z.number({ error: USES_MESSAGE }).refine(v => Number.isSafeInteger(v) && v > 0 && v <= MAX_INVITE_USES, { error: USES_MESSAGE }).nullish()
})

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
      const parsed = inviteBody.safeParse(value)
      if (!parsed.success) throw new HttpError(400, 'bad_request', parsed.error.issues[0].message)
      const { name, expiresInMs, uses } = parsed.data
      try {
        sendJson(res, 200, await invites.issue({ ...(name != null ? { name } : {}), ...(expiresInMs != null ? { expiresInMs } : {}), ...(uses != null ? { uses } : {}) }))
      } catch (err) {
        if (err instanceof NotAdminError) throw new HttpError(httpStatusOf(err.code), err.code, err.message)
        if (err instanceof CannotInviteError) throw new HttpError(409, err.code, err.message)
        throw err
      }
    }
  }]
}
