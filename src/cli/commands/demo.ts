import type { Command } from 'commander'

export function registerDemoCommand (program: Command): void {
  program.command('demo')
    .description('run a three-node mesh on 127.0.0.1 (a hub and two nodes behind "NAT")')
    .action(async () => {
      // loaded here so that client commands do not pay for importing the libp2p stack
      const { runDemo } = await import('../demo.js')
      await runDemo()
    })
}
