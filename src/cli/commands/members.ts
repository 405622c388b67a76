import { apiClientFromOptions } from '../api-client.js'
import { formatMembers } from '../membership/format-members.js'
import { terminalSafeJson } from '../terminal-text.js'
import type { MembershipDocument } from '../../node/membership-requests.js'
import type { Command } from 'commander'

export function registerMembersCommand (program: Command): void {
  program.command('members')
    .description('list the membership certificates and revocations this node holds')
    .option('--json', 'print them as one JSON document')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const api = await apiClientFromOptions(cmd.optsWithGlobals())
      const doc = await api.json<MembershipDocument>('GET', '/clawmatrix/membership')
      process.stdout.write(opts.json === true ? terminalSafeJson(doc, 2) + '\n' : formatMembers(doc))
    })
}
