import { apiClientFromOptions } from '../api-client.js'
import { formatStatus } from '../format-status.js'
import { terminalSafeJson } from '../terminal-text.js'
import type { NodeStatus, PeerStatus } from '../../node/status.js'
import type { Command } from 'commander'

export function registerStatusCommand (program: Command): void {
  program.command('status')
    .description('show this node, its peers and how each is reached')
    .option('--json', 'print the status as one JSON document')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const api = await apiClientFromOptions(cmd.optsWithGlobals())
      const status = await api.json<NodeStatus>('GET', '/clawmatrix/status')
      process.stdout.write(opts.json === true ? terminalSafeJson(status, 2) + '\n' : formatStatus(status))
    })
}

export function registerPeersCommand (program: Command): void {
  program.command('peers')
    .description('print the peer list as JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      const api = await apiClientFromOptions(cmd.optsWithGlobals())
      const peers = await api.json<PeerStatus[]>('GET', '/clawmatrix/peers')
      process.stdout.write(terminalSafeJson(peers, 2) + '\n')
    })
}
