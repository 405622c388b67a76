import { apiClientFromOptions } from '../api-client.js'
import { formatRevocation, revokeRequestOf, withRevokeFlags } from '../membership/revoke-flags.js'
import type { Revocation } from '../../membership/index.js'
import type { RevokeFlags } from '../membership/revoke-flags.js'
import type { Command } from 'commander'

export function registerRevokeCommand (program: Command): void {
  withRevokeFlags(program.command('revoke <peer>')
    .description('on an admin: revoke a member (a node id or a peer ID) through the running node; every node cuts it off'))
    .action(async (peer: string, opts: RevokeFlags, cmd: Command) => {
      const body = revokeRequestOf(peer, opts)
      const api = await apiClientFromOptions(cmd.optsWithGlobals())
      const revocation = await api.json<Revocation>('POST', '/clawmatrix/membership/revocations', { admin: true, body })
      process.stdout.write(formatRevocation(revocation, opts.json === true))
    })
}
