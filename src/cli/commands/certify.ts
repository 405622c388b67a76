import { isPeerId } from '../../mesh/peer-address.js'
import { apiClientFromOptions } from '../api-client.js'
import { UsageError } from '../errors.js'
import { terminalSafe as safe } from '../terminal-text.js'
import type { Certificate } from '../../membership/index.js'
import type { Command } from 'commander'

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `30d`, `12h`, `90m`, `45s` in ms */
export function parseDuration (text: string): number {
  const match = /^(\d{1,9})([smhd])$/.exec(text.trim())
  if (match == null || Number(match[1]) === 0) throw new UsageError(`--expires: "${text}" is not a duration such as 30d, 12h, 90m or 45s`)
  return Number(match[1]) * UNIT_MS[match[2]]
}

interface CertifyOptions {
  name: string
  expires?: string
  admin?: boolean
  json?: boolean
}

export function registerCertifyCommand (program: Command): void {
  program.command('certify <peerId>')
    .description('on an admin: sign a membership certificate for a member (through the running node)')
    .requiredOption('--name <nodeId>', 'the node id the member may use')
    .option('--expires <duration>', 'valid for this long: 30d, 12h, 90m, 45s (default: no expiry)')
    .option('--admin', 'the member may certify others')
    .option('--json', 'print the certificate as JSON')
    .action(async (peerId: string, opts: CertifyOptions, cmd: Command) => {
      if (!isPeerId(peerId)) throw new UsageError(`"${peerId}" is not a peer ID (12D3KooW...; \`clawmatrix id\` on the member prints it)`)
      const expiresInMs = opts.expires != null ? parseDuration(opts.expires) : undefined
      const api = await apiClientFromOptions(cmd.optsWithGlobals())
      const certificate = await api.json<Certificate>('POST', '/clawmatrix/membership/certificates', {
        admin: true,
        body: { peerId, nodeId: opts.name, ...(expiresInMs != null ? { expiresInMs } : {}), ...(opts.admin === true ? { admin: true } : {}) }
      })
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(certificate, null, 2) + '\n')
        return
      }
      const until = certificate.expiresAt != null ? `until ${new Date(certificate.expiresAt).toISOString()}` : 'with no expiry'
      process.stdout.write(`certified ${safe(certificate.subject)} as ${safe(certificate.nodeId)}${certificate.roles.length > 0 ? ` (${certificate.roles.map(safe).join(', ')})` : ''} ${until}\n` +
        'The member receives it now if it is connected, else at its next connection.\n')
    })
}
