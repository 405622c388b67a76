import { mkdir, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { configPath } from '../../config/load-file.js'
import { resolveConfig } from '../../config/resolve.js'
import { UsageError } from '../errors.js'
import { readConfigObject } from '../membership/config-object.js'
import { inviteSettings, isOtherMesh, joinedConfig, readInvite, redeemForConfig } from '../membership/join-mesh.js'
import { describeNode, stopOnSignal } from './start.js'
import type { Command } from 'commander'

interface JoinOptions {
  nodeId?: string
  start: boolean
  apiPort?: string
  rejoin?: boolean
}

/** write `value` as the config file at `path` in one step (mode 0600: it holds the cluster secret) */
async function writeConfigObject (path: string, value: Record<string, unknown>, replace: boolean): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const text = JSON.stringify(value, null, 2) + '\n'
  if (!replace) {
    await writeFile(path, text, { mode: 0o600, flag: 'wx' })
    return
  }
  const temp = `${path}.${process.pid}.tmp`
  await writeFile(temp, text, { mode: 0o600 })
  await rename(temp, path)
}

export function registerJoinCommand (program: Command): void {
  program.command('join <invite>')
    .description('join a mesh with an invite from `clawmatrix invite`: create the identity, get a certificate, write the config, start')
    .option('--node-id <id>', 'this node\'s node id (default: the invite\'s, else the host name)')
    .option('--api-port <port>', 'the local HTTP API port of the new node (default 19001)')
    .option('--no-start', 'write the config and certificate, print how to start, and exit')
    .option('--rejoin', 'update an existing config from the invite (its secret, admins and peers; identity, node id and other settings kept): a node that was offline through a secret rotation')
    .action(async (text: string, opts: JoinOptions, cmd: Command) => {
      const invite = readInvite(text)
      const configFile = configPath(cmd.optsWithGlobals().config)
      const existing = await readConfigObject(configFile)
      if (existing != null && opts.rejoin !== true) throw new UsageError(`${configFile} already exists: not overwriting it (join with --config <new file>, or --rejoin to update this node from the invite)`)
      if (existing == null && opts.rejoin === true) throw new UsageError(`--rejoin: ${configFile} does not exist (join without --rejoin to create it)`)
      if (existing != null && isOtherMesh(existing, invite)) throw new UsageError(`--rejoin: ${configFile} belongs to another mesh (another secret and no admin in common with the invite): join with --config <new file>`)
      if (opts.apiPort != null && !/^\d{1,5}$/.test(opts.apiPort)) throw new UsageError(`--api-port: "${opts.apiPort}" is not a port number`)
      const configured = typeof existing?.nodeId === 'string' ? existing.nodeId : undefined
      const settings = inviteSettings(invite, opts.nodeId ?? configured)
      const raw: Record<string, unknown> = {
        ...existing,
        ...settings,
        ...(opts.apiPort != null ? { proxyPort: Number(opts.apiPort) } : {})
      }
      const joined = await redeemForConfig(invite, raw, draft => resolveConfig(draft, { source: configFile }))
      const written = joinedConfig(raw, {}, joined.nodeId, joined.peers)
      const config = resolveConfig(written, { source: configFile })
      await writeConfigObject(configFile, written, existing != null)
      process.stdout.write([
        `joined as ${config.nodeId}: certificate from ${invite.issuer} in ${joined.certificatesFile}`,
        `${existing != null ? 'updated' : 'wrote'} ${configFile} (it holds the cluster secret: mode 0600)`
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
