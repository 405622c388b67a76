import { z } from 'zod'
import { ADMIN_ROLE, httpStatusOf, InvalidCertificateError, InvalidRotationError, MAX_REASON_CHARS, NotAdminError } from '../../membership/index.js'
import { checkSwitchTime } from '../../membership/switch-time.js'
import { isPeerId } from '../../mesh/peer-address.js'
import { HttpError, readJsonObject, sendJson } from '../respond.js'
import type { MembershipService } from '../../membership/index.js'
import type { Route } from '../route.js'

const MAX_BODY_BYTES = 16 * 1024
const EXPIRES_MESSAGE = 'expiresInMs must be a positive whole number of ms'

const certifyBody = z.object({
  peerId: z.string({ error: 'peerId must be a base58 peer ID (12D3KooW...)' }).refine(isPeerId, { error: 'peerId must be a base58 peer ID (12D3KooW...)' }),
  nodeId: z.string({ error: 'nodeId must be a string' }).regex(/^[A-Za-z0-9._:@-]{1,128}$/, { error: 'nodeId must be 1 to 128 letters, digits and . _ : @ -' }),
  expiresInMs: z.number({ error: EXPIRES_MESSAGE }).refine(v => Number.isSafeInteger(v) && v > 0, { error: EXPIRES_MESSAGE }).nullish(),
  admin: z.boolean({ error: 'admin must be true or false' }).nullish()
})

const revokeBody = z.object({
  subject: z.string({ error: 'subject must be a node id or a peer ID' }).min(1, { error: 'subject must be a node id or a peer ID' }).max(128, { error: 'subject must be a node id or a peer ID' }),
  reason: z.string({ error: 'reason must be a string' }).refine(r => [...r].length <= MAX_REASON_CHARS, { error: `reason must be at most ${MAX_REASON_CHARS} characters` }).nullish()
})

const rotateBody = z.object({
  switchAt: z.number({ error: 'switchAt must be ms since the epoch' }).superRefine((v, ctx) => {
    try {
      checkSwitchTime(v)
    } catch (err: any) {
      ctx.addIssue({ code: 'custom', message: `switchAt: ${String(err.message)}` })
    }
  })
})

/**
 * The peer ID `subject` names: itself when it is one, else the subject of the certificates held for
 * that node id (those not revoked yet first); 404 naming it when none is held, 409 when several peers hold one.
 */
function resolveSubject (membership: MembershipService, subject: string): string {
  if (isPeerId(subject)) return subject
  const holders = [...new Set(membership.certificates().filter(c => c.nodeId === subject).map(c => c.subject))]
  const revoked = new Set(membership.revocationList().map(r => r.subject))
  const candidates = holders.some(p => !revoked.has(p)) ? holders.filter(p => !revoked.has(p)) : holders
  if (candidates.length === 0) throw new HttpError(404, 'not_found', `no certificate for node id "${subject}" is held here: give its peer ID`)
  if (candidates.length > 1) throw new HttpError(409, 'ambiguous', `node id "${subject}" is certified for several peers (${candidates.join(', ')}): give the peer ID`)
  return candidates[0]
}

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
      handle: async ({ res }) => { sendJson(res, 200, { ...membership.summary(), certificates: membership.certificates(), revocations: membership.revocationList(), secretRotation: membership.secretRotation() }) }
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
        const parsed = revokeBody.safeParse(value)
        if (!parsed.success) throw new HttpError(400, 'bad_request', parsed.error.issues[0].message)
        const subject = resolveSubject(membership, parsed.data.subject)
        try {
          sendJson(res, 200, await membership.revoke({ subject, reason: parsed.data.reason ?? '' }))
        } catch (err) {
          if (err instanceof NotAdminError) throw new HttpError(httpStatusOf(err.code), err.code, err.message)
          throw err
        }
      }
    },
    {
      method: 'POST',
      path: '/clawmatrix/membership/rotations',
      auth: 'admin',
      handle: async ({ req, res }) => {
        const { value } = await readJsonObject(req, MAX_BODY_BYTES)
        const parsed = rotateBody.safeParse(value)
        if (!parsed.success) throw new HttpError(400, 'bad_request', parsed.error.issues[0].message)
        try {
          const { secret: _secret, ...rotation } = await membership.rotateSecret(parsed.data.switchAt)
          sendJson(res, 200, rotation)
        } catch (err) {
          if (err instanceof NotAdminError || err instanceof InvalidRotationError) throw new HttpError(httpStatusOf(err.code), err.code, err.message)
          throw err
        }
      }
    }
  ]
}
