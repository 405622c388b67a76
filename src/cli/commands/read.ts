import { callToolThroughNode, noteTruncation, writeTo } from '../tool-call.js'
import type { Command } from 'commander'

export function registerReadCommand (program: Command): void {
  program.command('read')
    .description('print a file of another node (within its toolProxy.roots)')
    .argument('<node>', 'node id, peer ID or tags:<tag>')
    .argument('<path>', 'the file on that node; relative paths start at its first root')
    .action(async (node: string, path: string, _opts: unknown, cmd: Command) => {
      const result = await callToolThroughNode(cmd, { node, tool: 'read', args: { path } })
      if (result == null) return
      await writeTo(process.stdout, result.content)
      noteTruncation(result)
    })
}
