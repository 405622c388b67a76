import { InvalidArgumentError } from 'commander'
import { callToolThroughNode, exitStatusOf, noteTruncation, passOutputThrough, writeTo } from '../tool-call.js'
import type { Command } from 'commander'

export function parseSeconds (value: string): number {
  const seconds = Number(value)
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('must be a positive number of seconds')
  return seconds
}

export function registerExecCommand (program: Command): void {
  program.command('exec')
    .description('run a shell command on another node: its output as it comes, its exit code as ours')
    .argument('<node>', 'node id, peer ID or tags:<tag>')
    .argument('<command...>', 'the command, after -- (joined by spaces and run with /bin/sh -c there)')
    .option('-w, --workdir <dir>', 'working directory on that node (default its home)')
    .option('-t, --timeout <seconds>', 'kill the command after this long (default 1800; the node may cap it)', parseSeconds)
    .action(async (node: string, command: string[], opts: { workdir?: string, timeout?: number }, cmd: Command) => {
      const args = {
        command: command.join(' '),
        ...(opts.workdir != null ? { workdir: opts.workdir } : {}),
        ...(opts.timeout != null ? { timeout: opts.timeout } : {})
      }
      let streamed = false
      const result = await callToolThroughNode(cmd, { node, tool: 'exec', args }, async (data, channel) => {
        streamed = true
        await passOutputThrough(data, channel)
      })
      if (result == null) return
      // a host whose exec does not stream hands the output back as content instead
      if (!streamed && result.content !== '') await writeTo(process.stdout, result.content)
      noteTruncation(result)
      process.exitCode = exitStatusOf(result)
    })
}
