import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadConfigFile } from '../../config/load-file.js'
import { loadOrCreateIdentity } from '../../mesh/identity.js'
import type { Command } from 'commander'

export function registerIdCommand (program: Command): void {
  program.command('id')
    .description('print this node\'s identity (created in dataDir on first use)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = await loadConfigFile(cmd.optsWithGlobals().config)
      const peerId = peerIdFromPrivateKey(await loadOrCreateIdentity(config.dataDir)).toString()
      const identity = { nodeId: config.nodeId, peerId, dataDir: config.dataDir }
      process.stdout.write(opts.json === true
        ? JSON.stringify(identity, null, 2) + '\n'
        : `node id: ${identity.nodeId}\npeer ID: ${identity.peerId}\ndataDir: ${identity.dataDir}\n`)
    })
}
