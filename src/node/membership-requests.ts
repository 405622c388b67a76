/**
 * The admin requests on a running node's membership, shared by the HTTP API and the OpenClaw
 * gateway methods: each validates its body and throws HttpError with the status and code a
 * caller gets back.
 */
import { z } from 'zod'
import { httpStatusOf, InvalidRotationError, MAX_REASON_CHARS, NotAdminError } from '../membership/index.js'
import { MAX_INVITE_LIFETIME_MS, MAX_INVITE_USES } from '../membership/invite-constants.js'
import { CannotInviteError } from '../membership/invite-errors.js'
import { checkSwitchTime } from '../membership/switch-time.js'
import { isPeerId } from '../mesh/peer-address.js'
import { HttpError } from '../http/respond.js'
import { NODE_ID_PATTERN } from '../membership/constants.js'
import type { CertificateView, MembershipService, MembershipSummary, Revocation, RevocationView, Rotation, SecretRotationView } from '../membership/index.js'
import type { InviteService, IssuedInvite } from '../membership/invite-service.js'

/** What GET /clawmatrix/membership answers and `clawmatrix members` prints */
export type MembershipDocument = MembershipSummary & { certificates: CertificateView[], revocations?: RevocationView[], secretRotation?: SecretRotationView | null }

const EXPIRES_MESSAGE = `expiresInMs must be a whole number of ms from 1 to ${MAX_INVITE_LIFETIME_MS} (30 days)`
const USES_MESSAGE = `uses must be a whole number from 1 to ${MAX_INVITE_USES}`
const SUBJECT_MESSAGE = 'subject must be a node id or a peer ID'

const inviteBody = z.object({
  name: z.string({ error: 'name must be a string' }).regex(NODE_ID_PATTERN, { error: 'name must be 1 to 128 letters, digits and . _ : @ -' }).nullish(),
  expiresInMs: z.number({ error: EXPIRES_MESSAGE }).refine(v => Number.isSafeInteger(v) && v > 0 && v <= MAX_INVITE_LIFETIME_MS, { error: EXPIRES_MESSAGE }).nullish(),
  uses: z.number({ error: USES_MESSAGE }).refine(v => Number.isSafeInteger(v) && v > 0 && v <= MAX_INVITE_USES, { error: USES_MESSAGE }).nullish()
})

const revokeBody = z.object({
  subject: z.string({ error: SUBJECT_MESSAGE }).min(1, { error: SUBJECT_MESSAGE }).max(128, { error: SUBJECT_MESSAGE }),
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

function parsed<T> (schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body)
  if (!result.success) throw new HttpError(400, 'bad_request', result.error.issues[0].message)
  return result.data
}

/** `{ name?, expiresInMs?, uses? }`: issue an invite (it holds the cluster secret) */
export async function issueInvite (invites: InviteService, body: unknown): Promise<IssuedInvite> {
  const { name, expiresInMs, uses } = parsed(inviteBody, body)
  try {
    return await invites.issue({ ...(name != null ? { name } : {}), ...(expiresInMs != null ? { expiresInMs } : {}), ...(uses != null ? { uses } : {}) })
  } catch (err) {
    if (err instanceof NotAdminError) throw new HttpError(httpStatusOf(err.code), err.code, err.message)
    if (err instanceof CannotInviteError) throw new HttpError(409, err.code, err.message)
    throw err
  }
}

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

/** `{ subject, reason? }` (`subject` a node id or a peer ID): revoke a peer, published at once */
export async function revokeMember (membership: MembershipService, body: unknown): Promise<Revocation> {
  const request = parsed(revokeBody, body)
  const subject = resolveSubject(membership, request.subject)
  try {
    return await membership.revoke({ subject, reason: request.reason ?? '' })
  } catch (err) {
    if (err instanceof NotAdminError) throw new HttpError(httpStatusOf(err.code), err.code, err.message)
    throw err
  }
}

/** `{ switchAt }`: sign a rotation of the cluster secret; the answer never holds the new secret */
export async function rotateSecret (membership: MembershipService, body: unknown): Promise<Omit<Rotation, 'secret'>> {
  const { switchAt } = parsed(rotateBody, body)
  try {
    const { secret: _secret, ...rotation } = await membership.rotateSecret(switchAt)
    return rotation
  } catch (err) {
    if (err instanceof NotAdminError || err instanceof InvalidRotationError) throw new HttpError(httpStatusOf(err.code), err.code, err.message)
    throw err
  }
}

/** The mode, the admins, every certificate and every revocation held */
export function membershipDocument (membership: MembershipService): MembershipDocument {
  return { ...membership.summary(), certificates: membership.certificates(), revocations: membership.revocationList(), secretRotation: membership.secretRotation() }
}
