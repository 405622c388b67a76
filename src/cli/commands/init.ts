import { writeFile, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { configPath } from '../../config/load-file.js'
import { resolveConfig } from '../../config/resolve.js'
import { UsageError } from '../errors.js'
import { readConfigObject } from '../membership/config-object.js'
import { makeAdmin, newClusterSecret } from '../membership/make-admin.js'
import type { ClawMatrixConfig } from '../../config/resolve.js'
import type { Command } from 'commander'

interface InitOptions {
  nodeId?: string
  adopt?: boolean
}

/** the lines telling an admin how a member joins, and how the mesh's nodes get certified */
function nextSteps (configFile: string, config: ClawMatrixConfig, peerId: string, adopted: boolean): string[] {
  const admins = config.admins ?? [peerId]
  const steps = [
    '',
    'Next:',
    `  clawmatrix start --config ${configFile}`,
    '  then, on this machine, for each member (its peer ID from `clawmatrix id` there):',
    '  clawmatrix certify <peerId> --name <nodeId> [--expires 30d]',
    '  A member\'s config needs the same secret and:',
    `  "membership": "certificates", "admins": ${JSON.stringify(admins)}`
  ]
  if (adopted) {
    steps.push('  Members that run now receive their certificate at their next connection to this node;',
      '  once each holds one, set membership and admins in its config as above and restart it.')
  }
  return steps
}

export function registerInitCommand (program: Command): void {
  program.command('init')
    .description('create a mesh: identity, secret and config with membership certificates, this node its admin')
    .option('--node-id <id>', 'this node\'s node id (default: the host name)')
    .option('--adopt', 'move an existing config (a running open mesh) to certificates: keeps its secret and settings')
    .action(async (opts: InitOptions, cmd: Command) => {
      const configFile = configPath(cmd.optsWithGlobals().config)
      const existing = await readConfigObject(configFile)
      let raw: Record<string, unknown>
      if (opts.adopt === true) {
        if (existing == null) throw new UsageError(`${configFile} does not exist: run clawmatrix init without --adopt to create a mesh`)
        raw = { ...existing, ...(opts.nodeId != null ? { nodeId: opts.nodeId } : {}) }
      } else {
        if (existing != null) throw new UsageError(`${configFile} already exists: not overwriting it (clawmatrix init --adopt moves an existing mesh to certificates)`)
        raw = { ...(opts.nodeId != null ? { nodeId: opts.nodeId } : {}), secret: newClusterSecret(), listen: true }
      }
      const { written, config, peerId, certificatesFile } = await makeAdmin(raw, draft => resolveConfig(draft, { source: configFile }))
      await mkdir(dirname(configFile), { recursive: true, mode: 0o700 })
      await writeFile(configFile, JSON.stringify(written, null, 2) + '\n', { mode: 0o600, flag: opts.adopt === true ? 'w' : 'wx' })
      process.stdout.write([
        `${opts.adopt === true ? 'updated' : 'wrote'} ${configFile}: membership "certificates", admins [${peerId}]${opts.adopt === true ? '' : ', listen true, a new secret'}`,
        opts.adopt === true ? null : 'The config holds the cluster secret: keep it private (mode 0600).',
        `node id:  ${config.nodeId}`,
        `peer ID:  ${peerId}`,
        `dataDir:  ${config.dataDir} (identity; admin certificate in ${certificatesFile})`,
        ...nextSteps(configFile, config, peerId, opts.adopt === true)
      ].filter(l => l != null).join('\n') + '\n')
    })
}
