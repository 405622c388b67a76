import { formatMembers } from '../cli/membership/format-members.js'
import { inviteRequestOf, printIssuedInvite, withInviteFlags } from '../cli/membership/invite-flags.js'
import { formatRevocation, revokeRequestOf, withRevokeFlags } from '../cli/membership/revoke-flags.js'
import { formatRotation, switchAtOf, withRotateFlags } from '../cli/membership/rotate-flags.js'
import { terminalSafeJson } from '../cli/terminal-text.js'
import { askGateway, cliAction } from './cli-gateway.js'
import { INVITE_METHOD, MEMBERS_METHOD, REVOKE_METHOD, ROTATE_SECRET_METHOD } from './constants.js'
import type { InviteFlags } from '../cli/membership/invite-flags.js'
import type { RevokeFlags } from '../cli/membership/revoke-flags.js'
import type { RotateFlags } from '../cli/membership/rotate-flags.js'
import type { Revocation, Rotation } from '../membership/index.js'
import type { IssuedInvite } from '../membership/invite-service.js'
import type { MembershipDocument } from '../node/membership-requests.js'
import type { Command } from 'commander'

/**
 * `openclaw clawmatrix invite|revoke|rotate-secret|members`: the standalone commands, asking the running
 * gateway's node through its gateway methods instead of the node's HTTP API.
 */
export function registerMembershipCommands (root: Command): void {
  withInviteFlags(root.command('invite')
    .description('on an admin: print an invite another gateway joins with (`openclaw clawmatrix join <invite>`); it holds the cluster secret'))
    .action(cliAction(async (opts: InviteFlags) => {
      const issued = await askGateway(INVITE_METHOD, { ...inviteRequestOf(opts) }) as IssuedInvite | undefined
      if (issued != null) await printIssuedInvite(issued, opts.qr === true)
    }))
  withRevokeFlags(root.command('revoke <nodeId|peerId>')
    .description('on an admin: revoke a member (a node id or a peer ID); every node cuts it off'))
    .action(cliAction(async (target: string, opts: RevokeFlags) => {
      const { subject, reason } = revokeRequestOf(target, opts)
      const revocation = await askGateway(REVOKE_METHOD, { target: subject, ...(reason != null ? { reason } : {}) }) as Revocation | undefined
      if (revocation != null) process.stdout.write(formatRevocation(revocation, opts.json === true))
    }))
  withRotateFlags(root.command('rotate-secret')
    .description('on an admin: replace the cluster secret; every connected member switches at the same time'))
    .action(cliAction(async (opts: RotateFlags) => {
      const rotation = await askGateway(ROTATE_SECRET_METHOD, { switchAt: switchAtOf(opts) }) as Omit<Rotation, 'secret'> | undefined
      if (rotation != null) process.stdout.write(formatRotation(rotation, opts.json === true))
    }))
  root.command('members')
    .description('list the membership certificates and revocations this gateway\'s node holds')
    .option('--json', 'print them as one JSON document')
    .action(cliAction(async (opts: { json?: boolean }) => {
      const doc = await askGateway(MEMBERS_METHOD) as MembershipDocument | undefined
      if (doc != null) process.stdout.write(opts.json === true ? terminalSafeJson(doc, 2) + '\n' : formatMembers(doc))
    }))
}
