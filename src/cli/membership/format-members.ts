import { plainTable } from '../format-status.js'
import { terminalSafe as safe } from '../terminal-text.js'
import type { CertificateView, RevocationView } from '../../membership/index.js'
import type { MembershipDocument } from '../../node/membership-requests.js'

const PROBLEM_LABELS: Record<string, string> = { issuerRevoked: 'issuer revoked' }

function stateOf (view: CertificateView): string {
  return view.valid ? 'valid' : (PROBLEM_LABELS[view.problem ?? ''] ?? view.problem ?? 'invalid')
}

/** one row per revocation, the newest first */
function formatRevocations (revocations: RevocationView[]): string {
  const table = plainTable(['revoked', 'node id', 'issuer', 'at', 'reason'])
  for (const r of revocations) {
    table.push([safe(r.subject), r.nodeId != null ? safe(r.nodeId) : '-', safe(r.issuer), new Date(r.revokedAt).toISOString(), r.reason !== '' ? safe(r.reason) : '-'])
  }
  return table.toString()
}

/** What `clawmatrix members` prints: the mode, then one row per certificate */
export function formatMembers (doc: MembershipDocument): string {
  const lines = [
    `Membership: ${doc.mode}${doc.admins.length > 0 ? `, admins ${doc.admins.map(safe).join(', ')}` : ''}`
  ]
  const key = doc.secretRotation
  if (key?.last != null) lines.push(`Secret:     rotated by ${safe(key.last.issuer)} at ${new Date(key.last.switchAt).toISOString()} (key ${key.fingerprint}, generation ${key.generation})`)
  if (key?.pending != null) lines.push(`Pending:    rotation by ${safe(key.pending.issuer)}, every node switches at ${new Date(key.pending.switchAt).toISOString()}`)
  if (doc.refused.length > 0) lines.push(`Refused:    ${doc.refused.map(r => `${safe(r.peerId)} until ${new Date(r.until).toISOString()}`).join(', ')}`)
  if (doc.probation.length > 0) lines.push(`Probation:  ${doc.probation.map(safe).join(', ')}`)
  const revocations = doc.revocations ?? []
  if (doc.certificates.length === 0) {
    lines.push('', 'No certificates held.')
    if (revocations.length > 0) lines.push('', `Revocations (${revocations.length}):`, formatRevocations(revocations))
    return lines.join('\n') + '\n'
  }
  const table = plainTable(['node id', 'subject', 'roles', 'issuer', 'expires', 'state'])
  const sorted = [...doc.certificates].sort((a, b) => a.nodeId.localeCompare(b.nodeId) || a.issuedAt - b.issuedAt)
  for (const view of sorted) {
    table.push([
      safe(view.nodeId),
      safe(view.subject),
      view.roles.length > 0 ? view.roles.map(safe).join(', ') : '-',
      safe(view.issuer),
      view.expiresAt != null ? new Date(view.expiresAt).toISOString() : 'never',
      stateOf(view)
    ])
  }
  lines.push('', table.toString())
  if (revocations.length > 0) lines.push('', `Revocations (${revocations.length}):`, formatRevocations(revocations))
  return lines.join('\n') + '\n'
}
