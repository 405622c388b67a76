import { apiClientFromOptions } from '../api-client.js'
import { inviteRequestOf, printIssuedInvite, withInviteFlags } from '../membership/invite-flags.js'
import type { IssuedInvite } from '../../membership/invite-service.js'
import type { InviteFlags } from '../membership/invite-flags.js'
import type { Command } from 'commander'

export function registerInviteCommand (program: Command): void {
  withInviteFlags(program.command('invite')
    .description('on an admin: print an invite another machine joins with (`clawmatrix join <invite>`); it holds the cluster secret'))
    .action(async (opts: InviteFlags, cmd: Command) => {
      const body = inviteRequestOf(opts)
      const api = await apiClientFromOptions(cmd.optsWithGlobals())
      const issued = await api.json<IssuedInvite>('POST', '/clawmatrix/membership/invites', { admin: true, body })
      await printIssuedInvite(issued, opts.qr === true)
    })
}
