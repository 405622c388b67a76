import { MAX_REASON_CHARS } from '../../membership/constants.js'
import { UsageError } from '../errors.js'
import { terminalSafe as safe } from '../terminal-text.js'
import type { Revocation } from '../../membership/index.js'
import type { Command } from 'commander'

/** The flags of `clawmatrix revoke` and `openclaw clawmatrix revoke` */
export interface RevokeFlags {
  reason?: string
  json?: boolean
}

export function withRevokeFlags (command: Command): Command {
  return command
    .option('--reason <text>', `why, shown by \`clawmatrix members\` (at most ${MAX_REASON_CHARS} characters)`)
    .option('--json', 'print the revocation as JSON')
}

/** What the node takes to revoke `target` (a node id or a peer ID); UsageError naming the flag otherwise */
export function revokeRequestOf (target: string, flags: RevokeFlags): { subject: string, reason?: string } {
  if (target.trim() === '' || target.length > 128) throw new UsageError(`<nodeId|peerId>: "${target}" is not a node id or a peer ID`)
  if (flags.reason != null && [...flags.reason].length > MAX_REASON_CHARS) throw new UsageError(`--reason: at most ${MAX_REASON_CHARS} characters`)
  return { subject: target, ...(flags.reason != null ? { reason: flags.reason } : {}) }
}

/** What `revoke` prints: the revocation, and what it does and does not do */
export function formatRevocation (revocation: Revocation, json: boolean): string {
  if (json) return JSON.stringify(revocation, null, 2) + '\n'
  return `revoked ${safe(revocation.subject)} at ${new Date(revocation.revokedAt).toISOString()}${revocation.reason !== '' ? ` (${safe(revocation.reason)})` : ''}\n` +
    'Every connected node cuts it off now; a node offline learns it at its next connection to any member.\n' +
    'It still holds the cluster key: replace it when that matters (clawmatrix rotate-secret).\n'
}
