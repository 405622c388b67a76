import { apiClientFromOptions } from '../api-client.js'
import { terminalSafe } from '../terminal-text.js'
import type { Command } from 'commander'

interface SendAnswer {
  nodeId: string
  agent: string
  deliveryId?: string
}

export function registerSendCommand (program: Command): void {
  program.command('send')
    .description('deliver a one-way message to an agent of another node (no output is waited for)')
    .argument('<target>', 'agent id, tags:<tag>, node id or peer ID')
    .argument('<message>', 'the message (put -- before one that starts with -)')
    .option('--session <id>', 'session id for agents that keep sessions')
    .action(async (target: string, message: string, opts: { session?: string }, cmd: Command) => {
      const api = await apiClientFromOptions(cmd.optsWithGlobals())
      const answer = await api.json<SendAnswer>('POST', '/clawmatrix/send', { admin: true, body: { target, message, sessionId: opts.session } })
      const delivery = answer.deliveryId != null ? ` as ${terminalSafe(answer.deliveryId)}` : ''
      process.stdout.write(`delivered to agent "${terminalSafe(answer.agent)}" on node "${terminalSafe(answer.nodeId)}"${delivery}\n`)
    })
}
