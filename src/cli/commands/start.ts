import { loadConfigFile } from '../../config/load-file.js'
import type { ClawMatrixNode } from '../../node/clawmatrix.js'
import type { Command } from 'commander'

/** The lines `start` prints: who this node is and how another node joins it */
export function describeNode (node: ClawMatrixNode): string {
  const addrs = node.libp2p.getMultiaddrs().map(a => a.toString())
  const direct = addrs.filter(a => !a.includes('/p2p-circuit'))
  const lines = [
    `node id:  ${node.nodeId}`,
    `peer ID:  ${node.peerId}`,
    `listen:   ${direct.length > 0 ? direct.join('\n          ') : 'no (dials out; reachable through a relay)'}`,
    `API:      http://${node.api.host}:${node.api.port} (tokens in ${node.config.dataDir})`
  ]
  const pasteAddr = direct.find(a => !a.includes('/ip4/127.') && !a.includes('/ip6/::1')) ?? direct[0]
  if (pasteAddr != null) {
    lines.push('', 'Another node joins with this entry in its "peers":',
      `  ${JSON.stringify({ nodeId: node.nodeId, url: pasteAddr.slice(0, pasteAddr.lastIndexOf('/p2p/')), peerId: node.peerId })}`)
  }
  return lines.join('\n') + '\n'
}

export function registerStartCommand (program: Command): void {
  program.command('start')
    .description('run this node in the foreground')
    .action(async (_opts: unknown, cmd: Command) => {
      const config = await loadConfigFile(cmd.optsWithGlobals().config)
      // loaded here so that client commands do not pay for importing the libp2p stack
      const { createClawMatrix } = await import('../../node/clawmatrix.js')
      const node = await createClawMatrix(config, { onWarning: message => { process.stderr.write(`warning: ${message}\n`) } })
      process.stdout.write(describeNode(node))
      await stopOnSignal(node)
    })
}

/** Resolve once SIGINT/SIGTERM has stopped the node; a second signal exits at once */
export async function stopOnSignal (...nodes: Array<{ stop(): Promise<void> }>): Promise<void> {
  await new Promise<void>(resolve => {
    let stopping = false
    const onSignal = (): void => {
      if (stopping) process.exit(130)
      stopping = true
      process.stderr.write('stopping...\n')
      Promise.allSettled(nodes.map(async n => { await n.stop() })).then(() => { resolve() }, () => { resolve() })
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
}
