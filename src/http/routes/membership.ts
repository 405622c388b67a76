import { z } from 'zod'
import { ADMIN_ROLE, httpStatusOf, InvalidCertificateError, NotAdminError } from '../../membership/index.js'
import { isPeerId } from '../../mesh/peer-address.js'
import { membershipDocument, revokeMember, rotateSecret } from '../../node/membership-requests.js'
import { HttpError, readJsonObject, sendJson } from '../respond.js'
import { NODE_ID_PATTERN } from '../../membership/constants.js'
import type { MembershipService } from '../../membership/index.js'
import type { Route } from '../route.js'

const MAX_BODY_BYTES = 16 * 1024
const EXPIRES_MESSAGE = 'expiresInMs must be a positive whole number of ms'

const certifyBody = z.object({
  peerId: z.string({ error: 'peerId must be a base58 peer ID (12D3KooW...)' }).refine(isPeerId, { error: 'peerId must be a base58 peer ID (12D3KooW...)' }),
  nodeId: z.string({ error: 'nodeId must be a string' }).regex(NODE_ID_PATTERN, { error: 'nodeId must be 1 to 128 letters, digits and . _ : @ -' }),
  expiresInMs: z.number({ error: EXPIRES_MESSAGE }).refine(v => Number.isSafeInteger(v) && v > 0, { error: EXPIRES_MESSAGE }).nullish(),
  admin: z.boolean({ error: 'admin must be true or false' }).nullish()
})

/**
 * GET /clawmatrix/membership: the mode, the admins and every certificate held (what `clawmatrix
 * members` prints). POST /clawmatrix/membership/certificates `{ peerId, nodeId, expiresInMs?, admin? }`
 * (admin token): sign a certificate for a member; it reaches the member at once when connected,
 * else at its next connection. POST /clawmatrix/membership/revocations `{ subject, reason? }` (admin
 * token; `subject` a node id or a peer ID): revoke a peer, published at once. POST
 * /clawmatrix/membership/rotations `{ switchAt }` (admin token; ms since the epoch, from now to 7
 * days ahead): rotate the cluster secret, handed to every connected member at once.
 */
export function membershipRoutes (membership: MembershipService): Route[] {
  return [
    {
      method: 'GET',
      path: '/clawmatrix/membership',
      auth: 'api',
      handle: async ({ res }) => { sendJson(res, 200, membershipDocument(membership)) }
    },
    {
      method: 'POST',
      path: '/clawmatrix/membership/certificates',
      auth: 'admin',
      handle: async ({ req, res }) => {
        const { value } = await readJsonObject(req, MAX_BODY_BYTES)
        const parsed = certifyBody.safeParse(value)
        if (!parsed.success) throw new HttpError(400, 'bad_request', parsed.error.issues[0].message)
        const { peerId, nodeId, expiresInMs, admin } = parsed.data
        try {
          const certificate = await membership.certify({
            subject: peerId,
            nodeId,
            roles: admin === true ? [ADMIN_ROLE] : [],
            ...(expiresInMs != null ? { expiresAt: Date.now() + expiresInMs } : {})
          })
          sendJson(res, 200, certificate)
        } catch (err) {
          if (err instanceof NotAdminError || err instanceof InvalidCertificateError) throw new HttpError(httpStatusOf(err.code), err.code, err.message)
          throw err
        }
      }
    },
    {
      method: 'POST',
      path: '/clawmatrix/membership/revocations',
      auth: 'admin',
      handle: async ({ req, res }) => {
        const { value } = await readJsonObject(req, MAX_BODY_BYTES)
        sendJson(res, 200, await revokeMember(membership, value))
      }
    },
    {
      method: 'POST',
      path: '/clawmatrix/membership/rotations',
      auth: 'admin',
      handle: async ({ req, res }) => {
        const { value } = await readJsonObject(req, MAX_BODY_BYTES)
        sendJson(res, 200, await rotateSecret(membership, value))
      }
    }
  ]
}
