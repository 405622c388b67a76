import { UsageError } from '../cli/errors.js'
import { inviteSettings, isOtherMesh, joinedConfig, readInvite, redeemForConfig } from '../cli/membership/join-mesh.js'
import type { Invite } from '../membership/invite.js'
import { makeAdmin, newClusterSecret } from '../cli/membership/make-admin.js'
import { cliAction } from './cli-gateway.js'
import { CONFIG_PATH } from './constants.js'
import { resolvePluginConfig } from './plugin-config.js'
import { updatePluginConfig } from './plugin-config-writer.js'
import { openClawStateDir } from './sdk.js'
import { NODE_ID_PATTERN } from '../membership/constants.js'
import type { Command } from 'commander'

const STATUS_HINT = 'The running gateway restarts its ClawMatrix node with it (config reload); see it with `openclaw clawmatrix status`.'

type PluginConfig = Record<string, unknown>

export interface JoinFlags {
  nodeId?: string
  force?: boolean
}

function checkNodeId (nodeId: string | undefined): void {
  if (nodeId != null && !NODE_ID_PATTERN.test(nodeId)) throw new UsageError(`--node-id: "${nodeId}" is not a node id (1 to 128 letters, digits and . _ : @ -)`)
}

/** A different cluster secret of another mesh (no admin in common with the invite) takes --force to leave */
export function refuseOtherSecret (current: PluginConfig | undefined, invite: Invite, force: boolean): void {
  if (force || !isOtherMesh(current, invite)) return
  throw new UsageError(`${CONFIG_PATH} already holds a different cluster secret and other admins (this gateway is in another mesh): not replacing it; run join with --force to leave that mesh for the invite's`)
}

/**
 * `openclaw clawmatrix init|join`: they run in the CLI process: the identity and the certificate
 * go into the plugin's dataDir (as the service resolves it from the state dir), the settings into
 * `plugins.entries.clawmatrix.config` through OpenClaw's config writer, merged with what is there.
 */
export function registerMeshSetupCommands (root: Command, currentConfig: () => PluginConfig | undefined): void {
  root.command('init')
    .description('make this gateway the admin of a mesh with membership certificates: identity, a self-signed admin certificate, membership and admins in the plugin config (a new secret unless one is set, listen on unless set)')
    .option('--node-id <id>', 'this node\'s node id (default: the one configured, else the host name)')
    .action(cliAction(async (opts: { nodeId?: string }) => {
      checkNodeId(opts.nodeId)
      const stateDir = await openClawStateDir()
      const current = currentConfig() ?? {}
      const newSecret = current.secret == null
      const raw = { ...current, ...(opts.nodeId != null ? { nodeId: opts.nodeId } : {}), secret: current.secret ?? newClusterSecret() }
      const admin = await makeAdmin(raw, draft => resolvePluginConfig(draft, stateDir))
      const { nodeId, secret, membership } = admin.written
      let listenSet = false
      const path = await updatePluginConfig(existing => {
        // the file's own entry: the CLI's snapshot has the schema's defaults filled in (listen: false)
        listenSet = existing?.listen == null
        const admins = [...new Set([...(Array.isArray(existing?.admins) ? existing.admins as string[] : []), admin.peerId])]
        return { ...existing, nodeId, secret: existing?.secret ?? secret, listen: existing?.listen ?? true, membership, admins }
      })
      process.stdout.write([
        `updated ${CONFIG_PATH} in ${path}: membership "certificates", admins [${admin.peerId}]${newSecret ? ', a new secret' : ''}${listenSet ? ', listen true' : ''}`,
        newSecret ? 'The config holds the cluster secret: keep it private.' : null,
        `node id:  ${admin.config.nodeId}`,
        `peer ID:  ${admin.peerId}`,
        `dataDir:  ${admin.config.dataDir} (identity; admin certificate in ${admin.certificatesFile})`,
        STATUS_HINT,
        '',
        'Next, for each gateway that joins:',
        '  openclaw clawmatrix invite [--name <nodeId>]   (here)',
        '  openclaw clawmatrix join <invite>              (there)'
      ].filter(line => line != null).join('\n') + '\n')
    }))

  root.command('join <invite>')
    .description('join a mesh with an invite from `openclaw clawmatrix invite` (or `clawmatrix invite`): identity, a certificate from the issuer, then the plugin config; the running gateway restarts its node as a member')
    .option('--node-id <id>', 'this node\'s node id (default: the invite\'s, else the one configured, else the host name)')
    .option('--force', 'replace a different cluster secret already configured (leave that mesh)')
    .action(cliAction(async (text: string, opts: JoinFlags) => {
      const invite = readInvite(text)
      checkNodeId(opts.nodeId)
      // secret, nodeId and dataDir have no schema default: the CLI's snapshot says them as the file does
      const current = currentConfig()
      // before redeeming: a refusal must not use up the invite
      refuseOtherSecret(current, invite, opts.force === true)
      const stateDir = await openClawStateDir()
      const configured = typeof current?.nodeId === 'string' ? current.nodeId : undefined
      const settings = inviteSettings(invite, opts.nodeId ?? invite.name ?? configured)
      const joined = await redeemForConfig(invite, { ...current, ...settings }, draft => resolvePluginConfig(draft, stateDir))
      const path = await updatePluginConfig(existing => {
        refuseOtherSecret(existing, invite, opts.force === true)
        return joinedConfig(existing, settings, joined.nodeId, joined.peers)
      })
      process.stdout.write([
        `joined as ${joined.nodeId}: certificate from ${invite.issuer} in ${joined.certificatesFile}`,
        `updated ${CONFIG_PATH} in ${path}: the cluster secret, membership "certificates", admins [${invite.admins.join(', ')}], node id ${joined.nodeId}, ${joined.peers.length} peer${joined.peers.length === 1 ? '' : 's'}`,
        STATUS_HINT
      ].join('\n') + '\n')
    }))
}
