import { MAX_INVITE_USES } from '../../membership/invite-constants.js'
import { parseDuration } from '../commands/certify.js'
import { UsageError } from '../errors.js'
import { NODE_ID_PATTERN } from '../../membership/constants.js'
import type { IssuedInvite } from '../../membership/invite-service.js'
import type { Command } from 'commander'

/** The flags of `clawmatrix invite` and `openclaw clawmatrix invite`, as commander hands them over */
export interface InviteFlags {
  name?: string
  expires: string
  uses: string
  qr?: boolean
}

/** What the node takes to issue an invite (POST /clawmatrix/membership/invites, `clawmatrix.invite`) */
export interface InviteRequest {
  name?: string
  expiresInMs: number
  uses: number
}


export function withInviteFlags (command: Command): Command {
  return command
    .option('--name <nodeId>', 'reserve this node id for the joiner')
    .option('--expires <duration>', 'valid for this long: 24h, 90m, 7d (at most 30d)', '24h')
    .option('--uses <n>', 'how many machines may join with it', '1')
    .option('--qr', 'also draw it as a QR code in the terminal')
}

/** The request the flags ask for; UsageError naming the flag otherwise */
export function inviteRequestOf (flags: InviteFlags): InviteRequest {
  const expiresInMs = parseDuration(flags.expires)
  if (!/^\d{1,3}$/.test(flags.uses) || Number(flags.uses) === 0 || Number(flags.uses) > MAX_INVITE_USES) {
    throw new UsageError(`--uses: "${flags.uses}" is not a number from 1 to ${MAX_INVITE_USES}`)
  }
  if (flags.name != null && !NODE_ID_PATTERN.test(flags.name)) throw new UsageError(`--name: "${flags.name}" is not a node id (1 to 128 letters, digits and . _ : @ -)`)
  return { expiresInMs, uses: Number(flags.uses), ...(flags.name != null ? { name: flags.name } : {}) }
}

/** The invite on stdout, the warning (and the QR code when asked) on stderr */
export async function printIssuedInvite (issued: IssuedInvite, qr: boolean): Promise<void> {
  process.stderr.write(`warning: this invite contains the cluster secret: send it privately (not in a public channel). ${issued.uses === 1 ? 'One machine may join' : `${issued.uses} machines may join`} with it until ${new Date(issued.expiresAt).toISOString()}.\n`)
  process.stdout.write(issued.invite + '\n')
  if (qr) process.stderr.write(await qrCode(issued.invite))
}

async function qrCode (text: string): Promise<string> {
  const { default: QRCode } = await import('qrcode')
  return await QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'L' })
}
