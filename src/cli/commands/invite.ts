import { apiClientFromOptions } from '../api-client.js'
import { UsageError } from '../errors.js'
import { parseDuration } from './certify.js'
import type { IssuedInvite } from '../../membership/invite-service.js'
import type { Command } from 'commander'

interface InviteOptions {
  name?: string
  expires: string
  uses: string
  qr?: boolean
}

export function registerInviteCommand (program: Command): void {
  program.command('invite')
    .description('on an admin: print an invite another machine joins with (`clawmatrix join <invite>`); it holds the cluster secret')
    .option('--name <nodeId>', 'reserve this node id for the joiner')
    .option('--expires <duration>', 'valid for this long: 24h, 90m, 7d (at most 30d)', '24h')
    .option('--uses <n>', 'how many machines may join with it', '1')
    .option('--qr', 'also draw it as a QR code in the terminal')
    .action(async (opts: InviteOptions, cmd: Command) => {
      const expiresInMs = parseDuration(opts.expires)
      if (!/^\d{1,3}$/.test(opts.uses) || Number(opts.uses) === 0) throw new UsageError(`--uses: "${opts.uses}" is not a number from 1 to 100`)
      const api = await apiClientFromOptions(cmd.optsWithGlobals())
      const issued = await api.json<IssuedInvite>('POST', '/clawmatrix/membership/invites', {
        admin: true,
        body: { expiresInMs, uses: Number(opts.uses), ...(opts.name != null ? { name: opts.name } : {}) }
      })
      process.stderr.write(`warning: this invite contains the cluster secret: send it privately (not in a public channel). ${issued.uses === 1 ? 'One machine may join' : `${issued.uses} machines may join`} with it until ${new Date(issued.expiresAt).toISOString()}.\n`)
      process.stdout.write(issued.invite + '\n')
      if (opts.qr === true) process.stderr.write(await qrCode(issued.invite))
    })
}

async function qrCode (text: string): Promise<string> {
  const { default: QRCode } = await import('qrcode')
  return await QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'L' })
}
