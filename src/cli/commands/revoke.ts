import { MAX_REASON_CHARS } from '../../membership/constants.js'
import { apiClientFromOptions } from '../api-client.js'
import { UsageError } from '../errors.js'
import { terminalSafe as safe } from '../terminal-text.js'
import type { Revocation } from '../../membership/index.js'
import type { Command } from 'commander'

interface RevokeOptions {
  reason?: string
  json?: boolean
}

export function registerRevokeCommand (program: Command): void {
  program.command('revoke <peer>')
    .description('on an admin: revoke a member (a node id or a peer ID) through the running node; every node cuts it off')
    .option('--reason <text>', `why, shown by \`clawmatrix members\` (at most ${MAX_REASON_CHARS} characters)`)
    .option('--json', 'print the revocation as JSON')
    .action(async (peer: string, opts: RevokeOptions, cmd: Command) => {
      if (opts.reason != null && [...opts.reason].length > MAX_REASON_CHARS) throw new UsageError(`--reason: at most ${MAX_REASON_CHARS} characters`)
      const api = await apiClientFromOptions(cmd.optsWithGlobals())
      const revocation = await api.json<Revocation>('POST', '/clawmatrix/membership/revocations', {
        admin: true,
        body: { subject: peer, ...(opts.reason != null ? { reason: opts.reason } : {}) }
      })
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(revocation, null, 2) + '\n')
        return
      }
      process.stdout.write(`revoked ${safe(revocation.subject)} at ${new Date(revocation.revokedAt).toISOString()}${revocation.reason !== '' ? ` (${safe(revocation.reason)})` : ''}\n` +
        'Every connected node cuts it off now; a node offline learns it at its next connection to any member.\n' +
        'It still holds the cluster key: replace it when that matters (clawmatrix rotate-secret).\n')
    })
}
