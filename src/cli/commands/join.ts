import { mkdir, stat, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { configPath } from '../../config/load-file.js'
import { resolveConfig } from '../../config/resolve.js'
import { UsageError } from '../errors.js'
import { inviteSettings, readInvite, redeemForConfig } from '../membership/join-mesh.js'
import { describeNode, stopOnSignal } from './start.js'
import type { Command } from 'commander'

interface JoinOptions {
  nodeId?: string
  start: boolean
  apiPort?: string
}

async function exists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

export function registerJoinCommand (program: Command): void {
  program.command('join <invite>')
    .description('join a mesh with an invite from `clawmatrix invite`: create the identity, get a certificate, write the config, start')
    .option('--node-id <id>', 'this node\'s node id (default: the invite\'s, else the host name)')
    .option('--api-port <port>', 'the local HTTP API port of the new node (default 19001)')
    .option('--no-start', 'write the config and certificate, print how to start, and exit')
    .action(async (text: string, opts: JoinOptions, cmd: Command) => {
      const invite = readInvite(text)
      const configFile = configPath(cmd.optsWithGlobals().config)
      if (await exists(configFile)) throw new UsageError(`${configFile} already exists: not overwriting it (join with --config <new file>)`)
      if (opts.apiPort != null && !/^\d{1,5}$/.test(opts.apiPort)) throw new UsageError(`--api-port: "${opts.apiPort}" is not a port number`)
      const raw: Record<string, unknown> = {
        ...inviteSettings(invite, opts.nodeId),
        ...(opts.apiPort != null ? { proxyPort: Number(opts.apiPort) } : {})
      }
      const joined = await redeemForConfig(invite, raw, draft => resolveConfig(draft, { source: configFile }))
      const written = { ...raw, nodeId: joined.nodeId, peers: joined.peers }
      const config = resolveConfig(written, { source: configFile })
      await mkdir(dirname(configFile), { recursive: true, mode: 0o700 })
      await writeFile(configFile, JSON.stringify(written, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
      process.stdout.write([
        `joined as ${config.nodeId}: certificate from ${invite.issuer} in ${joined.certificatesFile}`,
        `wrote ${configFile} (it holds the cluster secret: mode 0600)`
      ].join('\n') + '\n')
      if (!opts.start) {
        process.stdout.write(`Start the node with:\n  clawmatrix start --config ${configFile}\n`)
        return
      }
      const { createClawMatrix } = await import('../../node/clawmatrix.js')
      const node = await createClawMatrix(config, { onWarning: message => { process.stderr.write(`warning: ${message}\n`) } })
      process.stdout.write(describeNode(node))
      await stopOnSignal(node)
    })
}
